/**
 * The ingest runs table's data: pages of runs, kept fresh (every 10 s while the tab is
 * visible, and soon after graph changes), with live counts for running runs.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, call } from "../../api/client";
import { subscribe } from "../../api/subscriptions";
import { useApp } from "../../state/app";
import { onGraphChange } from "../realtime/bus";
import { applyProgress, isFinished, mergeRuns, newRunIds, toRow, type IngestProgressEvent, type IngestRunNode, type RunRow } from "./runs";

const PAGE = 20;
const MAX_PAGE = 200; // the API's limit for `first`
const POLL_MS = 10_000;
const AFTER_CHANGE_MS = 2_000;
/** The server allows 20 subscriptions per socket; leave room for other features. */
const MAX_FOLLOWED = 10;

interface Page {
  ingestRuns: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: IngestRunNode }[] };
}

export interface IngestRuns {
  rows: RunRow[];
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  hasMore: boolean;
  /** Ids of runs that appeared since the previous refresh. */
  appeared: RunRow[];
  refresh: () => void;
  loadMore: () => void;
}

export function useIngestRuns(): IngestRuns {
  const { session, purpose, authority } = useApp();
  const [rows, setRows] = useState<RunRow[]>([]);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [cursor, setCursor] = useState<{ hasNextPage: boolean; endCursor: string | null }>({ hasNextPage: false, endCursor: null });
  const [appeared, setAppeared] = useState<RunRow[]>([]);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const loaded = useRef(false);

  const refresh = useCallback(() => {
    const shown = rowsRef.current.length;
    const first = Math.min(MAX_PAGE, Math.max(PAGE, shown));
    call<Page>("IngestRuns", { first, after: null })
      .then((data) => {
        const fresh = data.ingestRuns.edges.map((edge) => toRow(edge.node));
        const before = rowsRef.current;
        if (loaded.current) {
          const ids = new Set(newRunIds(before, fresh));
          if (ids.size) setAppeared(fresh.filter((row) => ids.has(row.id)));
        }
        loaded.current = true;
        setRows((current) => mergeRuns(fresh, current));
        // The refetch covered every loaded row, so its end is where "older" continues.
        if (shown <= MAX_PAGE) setCursor(data.ingestRuns.pageInfo);
        setError(null);
      })
      .catch((failure: unknown) => setError(failure instanceof ApiError ? failure : new ApiError(String(failure), "error")))
      .finally(() => setLoading(false));
  }, []);

  const loadMore = useCallback(() => {
    if (!cursor.hasNextPage || !cursor.endCursor) return;
    setLoadingMore(true);
    call<Page>("IngestRuns", { first: PAGE, after: cursor.endCursor })
      .then((data) => {
        const older = data.ingestRuns.edges.map((edge) => toRow(edge.node));
        setRows((current) => {
          const seen = new Set(current.map((row) => row.id));
          return [...current, ...older.filter((row) => !seen.has(row.id))];
        });
        setCursor(data.ingestRuns.pageInfo);
      })
      .catch((failure: unknown) => setError(failure instanceof ApiError ? failure : new ApiError(String(failure), "error")))
      .finally(() => setLoadingMore(false));
  }, [cursor]);

  // First load, and again under a new credential, purpose or authority.
  useEffect(() => {
    if (!session) return;
    loaded.current = false;
    setLoading(true);
    setRows([]);
    refresh();
  }, [session, purpose, authority, refresh]);

  // Poll while the tab is visible; the graph feed speeds it up when something changes.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, POLL_MS);
    let soon: ReturnType<typeof setTimeout> | undefined;
    const stop = onGraphChange(() => {
      soon ??= setTimeout(() => {
        soon = undefined;
        refresh();
      }, AFTER_CHANGE_MS);
    });
    return () => {
      clearInterval(timer);
      if (soon !== undefined) clearTimeout(soon);
      stop();
    };
  }, [refresh]);

  // Live counts for running runs; a run that finishes triggers a refresh (finish time, totals).
  const running = rows
    .filter((row) => !isFinished(row.status))
    .slice(0, MAX_FOLLOWED)
    .map((row) => row.id)
    .join(" ");
  useEffect(() => {
    if (!running) return;
    const stops = running.split(" ").map((runId) =>
      subscribe<{ ingestProgress: IngestProgressEvent }>(
        "IngestProgress",
        { runId },
        {
          next: (data) => {
            const event = data.ingestProgress;
            setRows((current) => current.map((row) => applyProgress(row, event)));
            if (event.finished) refresh();
          },
          error: () => undefined, // polling keeps the row current
        },
      ),
    );
    return () => stops.forEach((stop) => stop());
  }, [running, refresh]);

  return { rows, loading, loadingMore, error, hasMore: cursor.hasNextPage, appeared, refresh, loadMore };
}
