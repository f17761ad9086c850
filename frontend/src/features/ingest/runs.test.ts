import { describe, expect, it } from "vitest";
import { applyProgress, countsFromStats, formatDuration, inputNames, mergeRuns, newRunIds, toRow, type IngestRunNode } from "./runs";

function node(id: string, status = "completed", stats: Record<string, unknown> = {}): IngestRunNode {
  return { id, sourceName: "src", connector: "csv", status, startedAt: "2026-11-29T18:00:00Z", finishedAt: null, inputs: [], stats, error: null, source: null };
}

describe("ingest runs", () => {
  it("reads the pipeline's snake_case totals", () => {
    expect(countsFromStats({ records_read: 30000, records_loaded: 29990, records_skipped: 4, dlq: 6, statements_written: 90000 })).toEqual({
      read: 30000,
      loaded: 29990,
      skipped: 4,
      deadLetters: 6,
      statements: 90000,
    });
    expect(countsFromStats(null).read).toBe(0);
  });

  it("applies live progress to its row only, never lowering counts", () => {
    const row = toRow(node("r1", "running", { records_read: 2000 }));
    const event = { runId: "r1", status: "running", recordsRead: 1000, recordsLoaded: 900, recordsSkipped: 0, deadLetters: 0, statementsWritten: 2700, finished: false };
    expect(applyProgress(row, event).counts).toMatchObject({ read: 2000, loaded: 900, statements: 2700 });
    expect(applyProgress(toRow(node("r2")), event).counts.loaded).toBe(0);
  });

  it("merges a refetched first page over loaded rows", () => {
    const shown = [toRow(node("r2", "running", { records_read: 500 })), toRow(node("r1"))];
    const fresh = [toRow(node("r3", "running")), toRow(node("r2", "running", { records_read: 400 }))];
    const merged = mergeRuns(fresh, shown);
    expect(merged.map((row) => row.id)).toEqual(["r3", "r2", "r1"]);
    expect(merged[1]!.counts.read).toBe(500);
    expect(newRunIds(shown, fresh)).toEqual(["r3"]);
  });

  it("takes a finished run's totals as they are", () => {
    const shown = [toRow(node("r1", "running", { records_read: 500 }))];
    const fresh = [toRow(node("r1", "failed", { records_read: 480 }))];
    expect(mergeRuns(fresh, shown)[0]!.counts.read).toBe(480);
  });

  it("formats durations and input names", () => {
    const n = (value: number) => String(value);
    expect(formatDuration(420, n)).toBe("< 1 s");
    expect(formatDuration(42_400, n)).toBe("42 s");
    expect(formatDuration(185_000, n)).toBe("3 min 5 s");
    expect(formatDuration(3_840_000, n)).toBe("1 h 4 min");
    expect(inputNames(["/data/drop/donations.csv", "s3://bucket/prefix/x.json?v=1"])).toBe("donations.csv, x.json");
  });
});
