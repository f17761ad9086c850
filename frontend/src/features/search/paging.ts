/**
 * Which page of which search to fetch. Pages are reached with forward cursors, so going
 * back means remembering the cursor each page started after. Facet counts depend on the
 * search, not the page: they are asked for only when the search (or a refresh) changes.
 */
import type { SearchSpec } from "./spec";

export interface PageRequest {
  spec: SearchSpec;
  first: number;
  /** The cursor each page so far started after; the last one is the current page's. */
  afters: (string | null)[];
  withFacets: boolean;
  /** Increases with every request, so a refresh of the same page is a new request. */
  seq: number;
}

export type PagingAction =
  | { type: "run"; spec: SearchSpec }
  | { type: "pageSize"; first: number }
  | { type: "next"; endCursor: string }
  | { type: "previous" }
  | { type: "refresh" };

export function initialRequest(spec: SearchSpec, first: number): PageRequest {
  return { spec, first, afters: [null], withFacets: true, seq: 0 };
}

export function reducePaging(request: PageRequest, action: PagingAction): PageRequest {
  const seq = request.seq + 1;
  switch (action.type) {
    case "run":
      return { ...request, spec: action.spec, afters: [null], withFacets: true, seq };
    case "pageSize":
      return { ...request, first: action.first, afters: [null], withFacets: false, seq };
    case "next":
      return { ...request, afters: [...request.afters, action.endCursor], withFacets: false, seq };
    case "previous":
      return request.afters.length > 1 ? { ...request, afters: request.afters.slice(0, -1), withFacets: false, seq } : request;
    case "refresh":
      return { ...request, withFacets: true, seq };
  }
}

export function currentAfter(request: PageRequest): string | null {
  return request.afters[request.afters.length - 1] ?? null;
}

/** 1-based number of the page shown. */
export function pageNumber(request: PageRequest): number {
  return request.afters.length;
}
