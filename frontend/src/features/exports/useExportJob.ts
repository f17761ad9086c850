/** Requests an export and follows its job until it ends (state in ./state, transport in ./follow). */
import { useCallback, useEffect, useReducer } from "react";
import { ApiError, call } from "../../api/client";
import { followExport } from "./follow";
import { exportReducer, INITIAL, type ExportState } from "./state";
import type { ExportFormat } from "./formats";

export interface ExportRequest {
  ids: string[];
  format: ExportFormat;
  purpose: string;
  authority: string | null;
}

export function useExportJob(): { state: ExportState; start: (request: ExportRequest) => Promise<void>; reset: () => void } {
  const [state, dispatch] = useReducer(exportReducer, INITIAL);
  const jobId = state.phase === "running" ? state.jobId : null;

  // Follow while the job runs; the follower is stopped when it ends or the button goes away.
  useEffect(() => {
    if (!jobId) return;
    return followExport(jobId, (event) => {
      if (event.type === "job") dispatch({ type: "progress", job: event.job });
      else if (event.type === "ready") dispatch({ type: "ready", jobId });
      else dispatch({ type: event.type });
    });
  }, [jobId]);

  const start = useCallback(async (request: ExportRequest) => {
    dispatch({ type: "submit" });
    try {
      const data = await call<{ requestExport: { id: string; status: string } }>("RequestExport", {
        selection: { kind: "entities", ids: request.ids },
        format: request.format,
        purpose: request.purpose,
        authority: request.authority,
      });
      dispatch({ type: "accepted", job: data.requestExport });
    } catch (error) {
      const failure =
        error instanceof ApiError
          ? { code: error.code, message: error.message, hint: error.hint ?? null }
          : { code: "error", message: error instanceof Error ? error.message : String(error), hint: null };
      dispatch({ type: "rejected", error: failure });
    }
  }, []);

  const reset = useCallback(() => dispatch({ type: "reset" }), []);
  return { state, start, reset };
}
