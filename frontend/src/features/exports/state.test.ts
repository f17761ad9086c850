import { describe, expect, it } from "vitest";
import { exportReducer, INITIAL, percent, type ExportAction, type ExportState } from "./state";

function run(actions: ExportAction[], from: ExportState = INITIAL): ExportState {
  return actions.reduce(exportReducer, from);
}

const started: ExportAction[] = [{ type: "submit" }, { type: "accepted", job: { id: "j1", status: "queued" } }];

describe("export progress state", () => {
  it("follows a job from queued to a download", () => {
    const state = run([
      ...started,
      { type: "progress", job: { id: "j1", status: "running", progress: 0.4 } },
      {
        type: "progress",
        job: { id: "j1", status: "succeeded", progress: 1, download: "/exports/j1", bytes: 70306, entities: 7, edges: 9, statements: 62, manifestSha256: "e5cf" },
      },
    ]);
    expect(state).toEqual({
      phase: "succeeded",
      jobId: "j1",
      download: "/exports/j1",
      summary: { bytes: 70306, entities: 7, edges: 9, statements: 62, manifestSha256: "e5cf" },
    });
  });

  it("never moves progress backwards and ignores other jobs", () => {
    const state = run([
      ...started,
      { type: "progress", job: { id: "j1", status: "running", progress: 0.6 } },
      { type: "progress", job: { id: "j1", status: "running", progress: 0.3 } },
      { type: "progress", job: { id: "other", status: "succeeded", progress: 1 } },
    ]);
    expect(state).toMatchObject({ phase: "running", progress: 0.6, status: "running" });
  });

  it("shows a refused export with its code and hint, and ignores late events", () => {
    const error = { code: "export_refused", message: "policy forbids exporting", hint: "name an authority" };
    const state = run([
      ...started,
      { type: "progress", job: { id: "j1", status: "failed", progress: 0, error } },
      { type: "progress", job: { id: "j1", status: "running", progress: 0.5 } },
    ]);
    expect(state).toEqual({ phase: "failed", jobId: "j1", error });
  });

  it("reports a refused request before any job exists", () => {
    const error = { code: "purpose_not_held", message: "alice does not hold the purpose 'cti'" };
    expect(run([{ type: "submit" }, { type: "rejected", error }])).toEqual({ phase: "failed", jobId: null, error });
  });

  it("switches to polling and back, and polling can finish the job", () => {
    const degraded = run([...started, { type: "degraded" }]);
    expect(degraded).toMatchObject({ via: "polling" });
    expect(run([{ type: "restored" }], degraded)).toMatchObject({ via: "live" });
    expect(run([{ type: "ready", jobId: "j1" }], degraded)).toEqual({ phase: "succeeded", jobId: "j1", download: "/exports/j1", summary: null });
    expect(run([{ type: "ready", jobId: "nope" }], degraded)).toBe(degraded);
  });

  it("does not submit twice", () => {
    const running = run(started);
    expect(exportReducer(running, { type: "submit" })).toBe(running);
  });

  it("rounds progress to whole, clamped percent", () => {
    expect(percent(0.426)).toBe(43);
    expect(percent(1.7)).toBe(100);
    expect(percent(Number.NaN)).toBe(0);
  });
});
