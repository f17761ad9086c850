/**
 * Loads the inspected entity and its statements page by page, and reloads it when a live
 * graph change touches it. "Absent" covers both a missing entity and one the viewer may
 * not see: the API answers both with null, and so does the panel.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { call } from "../../api/client";
import { onGraphChange } from "../realtime/bus";
import { mergeStatements, type EntityData, type StatementNode, type StatementPage } from "./model";

export const PAGE_SIZE = 50;

export type EntityState =
  | { status: "loading" }
  | { status: "absent" }
  | { status: "error"; message: string }
  | {
      status: "ready";
      entity: EntityData;
      statements: StatementNode[];
      totalCount: number;
      endCursor: string | null;
      hasNextPage: boolean;
      loadingMore: boolean;
      moreError: string | null;
      /** Increases with each live reload, for the "updated" announcement. */
      revision: number;
    };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const aborted = (error: unknown) => error instanceof DOMException && error.name === "AbortError";

export function useInspectedEntity(id: string) {
  const [state, setState] = useState<EntityState>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  const revision = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    setState((current) => (current.status === "ready" && current.entity.id === id ? current : { status: "loading" }));
    call<{ entity: EntityData | null }>("Entity", { id, first: PAGE_SIZE }, { signal: controller.signal })
      .then(({ entity }) => {
        if (!entity) return setState({ status: "absent" });
        const page = entity.provenance;
        setState({
          status: "ready",
          entity,
          statements: page.edges.map((edge) => edge.node),
          totalCount: page.totalCount,
          endCursor: page.pageInfo.endCursor,
          hasNextPage: page.pageInfo.hasNextPage,
          loadingMore: false,
          moreError: null,
          revision: revision.current,
        });
      })
      .catch((error: unknown) => {
        if (!aborted(error)) setState({ status: "error", message: message(error) });
      });
    return () => controller.abort();
  }, [id, attempt]);

  // A live change to this entity reloads it (the first page again: counts may have moved).
  useEffect(
    () =>
      onGraphChange((change) => {
        if (!change.entityIds.includes(id)) return;
        revision.current += 1;
        setAttempt((n) => n + 1);
      }),
    [id],
  );

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  const loadMore = useCallback(async () => {
    if (state.status !== "ready" || !state.hasNextPage || state.loadingMore) return;
    setState({ ...state, loadingMore: true, moreError: null });
    try {
      const { entity } = await call<{ entity: { provenance: StatementPage } | null }>("InspectorProvenance", {
        id,
        first: PAGE_SIZE,
        after: state.endCursor,
      });
      if (!entity) return setState({ status: "absent" });
      const page = entity.provenance;
      setState((current) =>
        current.status !== "ready" || current.entity.id !== id
          ? current
          : {
              ...current,
              statements: mergeStatements(current.statements, page.edges.map((edge) => edge.node)),
              totalCount: page.totalCount,
              endCursor: page.pageInfo.endCursor,
              hasNextPage: page.pageInfo.hasNextPage,
              loadingMore: false,
            },
      );
    } catch (error) {
      setState((current) => (current.status === "ready" ? { ...current, loadingMore: false, moreError: message(error) } : current));
    }
  }, [id, state]);

  return { state, retry, loadMore };
}
