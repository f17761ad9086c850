/** The viewer's saved searches, kept on the server. */
import { useCallback, useEffect, useState } from "react";
import { ApiError, call } from "../../api/client";
import { parseFilter } from "./hash";
import { normaliseFilter, type SearchSpec } from "./spec";

export interface SavedSearch {
  id: string;
  name: string;
  spec: SearchSpec;
  updatedAt: string;
}

interface RawSaved {
  id: string;
  name: string;
  query: string;
  filter: unknown;
  updatedAt: string;
}

/** A saved filter is JSON anyone with the API could have written: read it like a link. */
function fromRaw(raw: RawSaved): SavedSearch {
  return { id: raw.id, name: raw.name, updatedAt: raw.updatedAt, spec: { query: raw.query, filter: parseFilter(raw.filter) } };
}

export function byName(a: SavedSearch, b: SavedSearch): number {
  return a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
}

export interface SavedSearches {
  items: SavedSearch[];
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
  save: (name: string, spec: SearchSpec) => Promise<SavedSearch>;
  remove: (id: string) => Promise<void>;
}

export function useSavedSearches(): SavedSearches {
  const [items, setItems] = useState<SavedSearch[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [seq, setSeq] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    call<{ savedSearches: RawSaved[] }>("SavedSearches", {}, { signal: controller.signal })
      .then((data) => {
        setItems(data.savedSearches.map(fromRaw).sort(byName));
        setError(null);
      })
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(reason instanceof ApiError ? reason : new ApiError(String(reason), "error"));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [seq]);

  const reload = useCallback(() => setSeq((n) => n + 1), []);

  const save = useCallback(async (name: string, spec: SearchSpec) => {
    const filter = normaliseFilter(spec.filter);
    const data = await call<{ saveSearch: RawSaved }>("SavedSearchSave", { name, query: spec.query.trim(), filter });
    const saved = fromRaw(data.saveSearch);
    // The server replaces a saved search of the same name: so does the list.
    setItems((current) => [...current.filter((item) => item.id !== saved.id && item.name !== saved.name), saved].sort(byName));
    return saved;
  }, []);

  const remove = useCallback(async (id: string) => {
    await call<{ deleteSavedSearch: boolean }>("SavedSearchDelete", { id });
    setItems((current) => current.filter((item) => item.id !== id));
  }, []);

  return { items, loading, error, reload, save, remove };
}
