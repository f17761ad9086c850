/** Runs the Search document for the current page request; stale answers are discarded. */
import { useEffect, useRef, useState } from "react";
import { ApiError, call } from "../../api/client";
import type { ListLabels } from "./display";
import { encodeSearchHash } from "./hash";
import { currentAfter, type PageRequest } from "./paging";
import { isRunnable, searchVariables } from "./spec";

export interface FacetCount {
  value: string;
  label: string;
  count: number;
}

export interface Facets {
  types: FacetCount[];
  sources: FacetCount[];
  classifications: FacetCount[];
  compartments: FacetCount[];
}

export interface Hit {
  score: number;
  node: { id: string; schema: string; caption: string; labels: ListLabels[] };
}

interface SearchData {
  search: {
    totalCount: number;
    totalIsCapped: boolean;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    facets?: Facets;
    edges: Hit[];
  };
}

export interface SearchPage {
  totalCount: number;
  totalIsCapped: boolean;
  hasNextPage: boolean;
  endCursor: string | null;
  hits: Hit[];
}

export interface SearchResults {
  page: SearchPage | null;
  facets: Facets | null;
  loading: boolean;
  error: ApiError | null;
  /** The request the shown page answers (null before the first answer). */
  answered: PageRequest | null;
}

export function useSearchResults(request: PageRequest): SearchResults {
  const [state, setState] = useState<SearchResults>({ page: null, facets: null, loading: false, error: null, answered: null });
  // The search the held facets count, so a page of a search whose facets were never
  // fetched (its first request was superseded) still asks for them.
  const facetsOf = useRef<string | null>(null);

  useEffect(() => {
    if (!isRunnable(request.spec)) {
      facetsOf.current = null;
      setState({ page: null, facets: null, loading: false, error: null, answered: null });
      return;
    }
    const key = encodeSearchHash(request.spec);
    const withFacets = request.withFacets || facetsOf.current !== key;
    const controller = new AbortController();
    setState((current) => ({ ...current, loading: true, error: null }));
    call<SearchData>("Search", searchVariables(request.spec, request.first, currentAfter(request), withFacets), { signal: controller.signal })
      .then((data) => {
        const { search } = data;
        if (withFacets) facetsOf.current = key;
        setState((current) => ({
          page: {
            totalCount: search.totalCount,
            totalIsCapped: search.totalIsCapped,
            hasNextPage: search.pageInfo.hasNextPage,
            endCursor: search.pageInfo.endCursor,
            hits: search.edges,
          },
          facets: withFacets ? (search.facets ?? null) : current.facets,
          loading: false,
          error: null,
          answered: request,
        }));
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        const apiError = error instanceof ApiError ? error : new ApiError(String(error), "error");
        // Rows and counts of an earlier search would read as this one's answer.
        facetsOf.current = null;
        setState({ page: null, facets: null, loading: false, error: apiError, answered: null });
      });
    return () => controller.abort();
  }, [request]);

  return state;
}
