import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SubscriptionHandlers } from "../../api/subscriptions";
import { followExport, type FollowDeps, type FollowEvent } from "./follow";
import type { ExportJobUpdate } from "./state";

type Handlers = SubscriptionHandlers<{ exportProgress: ExportJobUpdate }>;

function harness(probeAnswers: boolean[]) {
  const subscriptions: Handlers[] = [];
  const unsubscribe = vi.fn();
  const deps: FollowDeps = {
    subscribe: (_id, handlers) => {
      subscriptions.push(handlers);
      return unsubscribe;
    },
    probe: vi.fn(async () => probeAnswers.shift() ?? false),
    pollMs: 1000,
    resubscribeEvery: 2,
  };
  const events: FollowEvent[] = [];
  const stop = followExport("j1", (event) => events.push(event), deps);
  return { subscriptions, unsubscribe, deps, events, stop };
}

describe("following an export", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes live events on and stops at the end", () => {
    const h = harness([]);
    h.subscriptions[0]!.next({ exportProgress: { id: "j1", status: "running", progress: 0.5 } });
    h.subscriptions[0]!.next({ exportProgress: { id: "j1", status: "succeeded", progress: 1 } });
    h.subscriptions[0]!.complete?.();
    expect(h.events.map((event) => event.type)).toEqual(["job", "job"]);
    expect(h.unsubscribe).toHaveBeenCalled();
  });

  it("polls when the socket fails and reports the bundle ready", async () => {
    const h = harness([false, false, true]);
    h.subscriptions[0]!.error?.(new Event("close"));
    expect(h.events).toEqual([{ type: "degraded" }]);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    // every second poll tries the subscription again
    expect(h.subscriptions).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.events.at(-1)).toEqual({ type: "ready" });
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.deps.probe).toHaveBeenCalledTimes(3);
  });

  it("goes back to live when a new subscription answers, and learns of failures that way", async () => {
    const h = harness([false, false, false]);
    h.subscriptions[0]!.complete?.(); // closed before the job finished
    await vi.advanceTimersByTimeAsync(2000);
    h.subscriptions[1]!.next({ exportProgress: { id: "j1", status: "failed", progress: 0, error: { code: "export_refused", message: "no" } } });
    expect(h.events.map((event) => event.type)).toEqual(["degraded", "restored", "job"]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.deps.probe).toHaveBeenCalledTimes(2);
  });

  it("stops everything when asked", async () => {
    const h = harness([false]);
    h.subscriptions[0]!.error?.(new Event("close"));
    h.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.deps.probe).not.toHaveBeenCalled();
  });
});
