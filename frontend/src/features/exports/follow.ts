/**
 * Follows an export job: live over the exportProgress subscription; when the socket fails,
 * falls back to polling the download route (a one-byte range request: ready or not) and
 * tries the subscription again now and then, since its first event is the job's state.
 */
import { requestHeaders } from "../../api/client";
import { subscribe, type SubscriptionHandlers } from "../../api/subscriptions";
import type { ExportJobUpdate } from "./state";

export type FollowEvent = { type: "job"; job: ExportJobUpdate } | { type: "degraded" } | { type: "restored" } | { type: "ready" };

export interface FollowDeps {
  subscribe: (id: string, handlers: SubscriptionHandlers<{ exportProgress: ExportJobUpdate }>) => () => void;
  /** True when the bundle can be downloaded. */
  probe: (id: string) => Promise<boolean>;
  pollMs: number;
  /** Try the subscription again every this many polls. */
  resubscribeEvery: number;
}

const TERMINAL = new Set(["succeeded", "failed"]);

export async function probeExport(id: string): Promise<boolean> {
  const response = await fetch(`/exports/${encodeURIComponent(id)}`, { headers: { ...requestHeaders(), Range: "bytes=0-0" } });
  void response.body?.cancel(); // a server that ignores Range must not send us the whole bundle
  return response.ok;
}

export const DEFAULT_DEPS: FollowDeps = {
  subscribe: (id, handlers) => subscribe("ExportProgress", { id }, handlers),
  probe: probeExport,
  pollMs: 3000,
  resubscribeEvery: 4,
};

/** Starts following; returns the function that stops. */
export function followExport(id: string, emit: (event: FollowEvent) => void, deps: FollowDeps = DEFAULT_DEPS): () => void {
  let done = false;
  let polling = false;
  let polls = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;

  const finish = () => {
    done = true;
    if (timer !== undefined) clearTimeout(timer);
    unsubscribe?.();
  };

  const listen = () => {
    unsubscribe?.();
    unsubscribe = deps.subscribe(id, {
      next: (data) => {
        if (done) return;
        if (polling) {
          polling = false;
          if (timer !== undefined) clearTimeout(timer);
          emit({ type: "restored" });
        }
        emit({ type: "job", job: data.exportProgress });
        if (TERMINAL.has(data.exportProgress.status)) finish();
      },
      error: () => lost(),
      // The server completes only after the last state; completing earlier means the socket went away.
      complete: () => lost(),
    });
  };

  const tick = () => {
    if (done) return;
    polls += 1;
    deps.probe(id).then(
      (ready) => {
        if (done) return;
        if (ready) {
          emit({ type: "ready" });
          finish();
          return;
        }
        if (polls % deps.resubscribeEvery === 0) listen();
        timer = setTimeout(tick, deps.pollMs);
      },
      () => {
        if (!done) timer = setTimeout(tick, deps.pollMs);
      },
    );
  };

  function lost() {
    if (done || polling) return;
    polling = true;
    emit({ type: "degraded" });
    timer = setTimeout(tick, deps.pollMs);
  }

  listen();
  return () => finish();
}
