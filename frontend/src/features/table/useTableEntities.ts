/** Fetches the selected entities in batches the API's list limit allows. */
import { useCallback, useEffect, useState } from "react";
import { ApiError, call } from "../../api/client";
import type { TableEntity } from "./rows";

/** Well under the API's 500-item list limit and its cost budget for this many fields. */
export const BATCH = 200;

export function batches<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export interface TableEntities {
  entities: TableEntity[];
  /** Asked-for ids the API answered null for (absent, or hidden from the viewer). */
  missing: number;
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
}

/** `context` names the purpose and authority asked under: a change asks again. */
export function useTableEntities(ids: readonly string[], context = ""): TableEntities {
  const [state, setState] = useState<Omit<TableEntities, "reload">>({ entities: [], missing: 0, loading: false, error: null });
  const [seq, setSeq] = useState(0);
  const key = ids.join("\n");

  useEffect(() => {
    const wanted = key ? key.split("\n") : [];
    if (!wanted.length) {
      setState({ entities: [], missing: 0, loading: false, error: null });
      return;
    }
    const controller = new AbortController();
    setState((current) => ({ ...current, loading: true, error: null }));
    Promise.all(
      batches(wanted).map((chunk) =>
        call<{ entities: (TableEntity | null)[] }>("TableEntities", { ids: chunk }, { signal: controller.signal }),
      ),
    )
      .then((answers) => {
        const found = answers.flatMap((answer) => answer.entities);
        const entities = found.filter((entity): entity is TableEntity => entity !== null);
        setState({ entities, missing: found.length - entities.length, loading: false, error: null });
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        setState((current) => ({ ...current, loading: false, error: reason instanceof ApiError ? reason : new ApiError(String(reason), "error") }));
      });
    return () => controller.abort();
  }, [key, seq, context]);

  const reload = useCallback(() => setSeq((n) => n + 1), []);
  return { ...state, reload };
}
