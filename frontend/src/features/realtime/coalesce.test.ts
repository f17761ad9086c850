import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChangeTally, createCoalescer } from "./coalesce";
import { noticeText } from "./message";
import type { GraphChangeEvent } from "./feed";

function change(kind: string, ids: string[], schema = "Company"): GraphChangeEvent {
  return { kind, seq: 1, at: "2026-11-29T18:02:43+00:00", entityIds: ids, count: ids.length, entities: ids.map((id) => ({ id, schema })) };
}

const t = (key: string, params?: Record<string, string | number>) =>
  `${key}${params ? `(${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(",")})` : ""}`;

describe("tallying changes", () => {
  it("counts each entity once, under its first kind, and lets retraction win", () => {
    const tally = new ChangeTally()
      .add(change("created", ["a", "b"]))
      .add(change("updated", ["a", "c"]))
      .add(change("retracted", ["b"]));
    expect([tally.count("created"), tally.count("updated"), tally.count("retracted")]).toEqual([1, 1, 1]);
    expect(tally.idsToShow(10)).toEqual(["c", "a"]);
  });

  it("opens only the newest entities, up to the limit", () => {
    const tally = new ChangeTally().add(change("created", ["a", "b", "c", "d"]));
    expect(tally.idsToShow(2)).toEqual(["d", "c"]);
  });

  it("merges tallies without changing either", () => {
    const a = new ChangeTally().add(change("created", ["a"]));
    const b = new ChangeTally()
      .add(change("updated", ["a"]))
      .add(change("updated", ["b"], "Person"))
      .add({ kind: "overflow", entityIds: [], count: 3 });
    const merged = a.merged(b);
    expect([merged.count("created"), merged.count("updated"), merged.missed]).toEqual([1, 1, 3]);
    expect(a.count("updated")).toBe(0);
    expect(merged.typeCounts()).toEqual([
      ["Company", 1],
      ["Person", 1],
    ]);
  });

  it("words one kind, several kinds, and loads too large to list", () => {
    const label = (schema: string) => `L:${schema}`;
    expect(noticeText(new ChangeTally().add(change("created", ["a", "b", "c"])), t, label)).toEqual({
      headline: "realtime.only.created.other(count=3)",
      types: "L:Company 3",
    });
    expect(noticeText(new ChangeTally().add(change("updated", ["a"])), t, label).headline).toBe("realtime.only.updated.one(count=1)");
    const mixed = new ChangeTally().add(change("created", ["a", "b"])).add(change("merged", ["c"])).add({ kind: "bulk", entityIds: [], count: 0 });
    expect(noticeText(mixed, t, label).headline).toBe(
      "realtime.mixed.other(count=3,detail=realtime.part.created(count=2), realtime.part.merged(count=1)) realtime.bulk",
    );
  });
});

describe("coalescing bursts", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("flushes once after a quiet second", () => {
    const flush = vi.fn();
    const coalescer = createCoalescer({ quietMs: 1000, maxWaitMs: 5000, flush });
    coalescer.push(change("created", ["a"]));
    vi.advanceTimersByTime(600);
    coalescer.push(change("created", ["b"]));
    vi.advanceTimersByTime(600);
    expect(flush).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(flush).toHaveBeenCalledTimes(1);
    expect((flush.mock.calls[0]![0] as ChangeTally).count("created")).toBe(2);
  });

  it("flushes at least every maxWait during a long stream", () => {
    const flush = vi.fn();
    const coalescer = createCoalescer({ quietMs: 1000, maxWaitMs: 3000, flush });
    for (let i = 0; i < 10; i += 1) {
      coalescer.push(change("updated", [`e${i}`]));
      vi.advanceTimersByTime(500);
    }
    expect(flush).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(flush).toHaveBeenCalledTimes(2);
  });

  it("drops what is pending when cancelled", () => {
    const flush = vi.fn();
    const coalescer = createCoalescer({ quietMs: 1000, maxWaitMs: 3000, flush });
    coalescer.push(change("created", ["a"]));
    coalescer.cancel();
    vi.advanceTimersByTime(5000);
    expect(flush).not.toHaveBeenCalled();
  });
});
