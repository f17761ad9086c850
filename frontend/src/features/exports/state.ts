/**
 * The export dialog's life: form → submitting → running (live or polled) → succeeded or
 * failed. Events for another job, or after the end, are ignored (they can arrive late).
 */
export interface JobError {
  code: string;
  message: string;
  hint?: string | null;
}

/** One exportProgress event (the fields the ExportProgress document asks for). */
export interface ExportJobUpdate {
  id: string;
  status: string;
  progress: number;
  download?: string | null;
  bytes?: number | null;
  entities?: number | null;
  edges?: number | null;
  statements?: number | null;
  manifestSha256?: string | null;
  error?: JobError | null;
}

export interface ExportSummary {
  bytes: number | null;
  entities: number | null;
  edges: number | null;
  statements: number | null;
  manifestSha256: string | null;
}

export type ExportState =
  | { phase: "form" }
  | { phase: "submitting" }
  | { phase: "running"; jobId: string; status: string; progress: number; via: "live" | "polling" }
  | { phase: "succeeded"; jobId: string; download: string; summary: ExportSummary | null }
  | { phase: "failed"; jobId: string | null; error: JobError };

export type ExportAction =
  | { type: "submit" }
  | { type: "accepted"; job: { id: string; status: string } }
  | { type: "rejected"; error: JobError }
  | { type: "progress"; job: ExportJobUpdate }
  | { type: "degraded" }
  | { type: "restored" }
  /** The polling fallback found the bundle ready (it cannot see the summary). */
  | { type: "ready"; jobId: string }
  | { type: "reset" };

export const INITIAL: ExportState = { phase: "form" };

function clamp(progress: number): number {
  return Number.isFinite(progress) ? Math.min(1, Math.max(0, progress)) : 0;
}

function finished(job: ExportJobUpdate): ExportState | null {
  if (job.status === "succeeded")
    return {
      phase: "succeeded",
      jobId: job.id,
      download: job.download ?? `/exports/${encodeURIComponent(job.id)}`,
      summary: {
        bytes: job.bytes ?? null,
        entities: job.entities ?? null,
        edges: job.edges ?? null,
        statements: job.statements ?? null,
        manifestSha256: job.manifestSha256 ?? null,
      },
    };
  if (job.status === "failed")
    return { phase: "failed", jobId: job.id, error: job.error ?? { code: "export_failed", message: "the export failed", hint: null } };
  return null;
}

export function exportReducer(state: ExportState, action: ExportAction): ExportState {
  switch (action.type) {
    case "submit":
      return state.phase === "submitting" || state.phase === "running" ? state : { phase: "submitting" };
    case "accepted":
      if (state.phase !== "submitting") return state;
      return { phase: "running", jobId: action.job.id, status: action.job.status, progress: 0, via: "live" };
    case "rejected":
      return state.phase === "submitting" ? { phase: "failed", jobId: null, error: action.error } : state;
    case "progress": {
      if (state.phase !== "running" || action.job.id !== state.jobId) return state;
      const end = finished(action.job);
      if (end) return end;
      // Progress never goes backwards on screen, even if events arrive out of order.
      return { ...state, status: action.job.status, progress: Math.max(state.progress, clamp(action.job.progress)) };
    }
    case "degraded":
      return state.phase === "running" ? { ...state, via: "polling" } : state;
    case "restored":
      return state.phase === "running" ? { ...state, via: "live" } : state;
    case "ready":
      if (state.phase !== "running" || action.jobId !== state.jobId) return state;
      return { phase: "succeeded", jobId: state.jobId, download: `/exports/${encodeURIComponent(state.jobId)}`, summary: null };
    case "reset":
      return INITIAL;
  }
}

/** Whole percent for the progress bar and its text. */
export function percent(progress: number): number {
  return Math.round(clamp(progress) * 100);
}
