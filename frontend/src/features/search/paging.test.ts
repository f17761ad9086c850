import { describe, expect, it } from "vitest";
import { currentAfter, initialRequest, pageNumber, reducePaging } from "./paging";

const spec = { query: "a", filter: {} };

describe("cursor paging", () => {
  it("walks forward with cursors and back to where each page started", () => {
    let request = initialRequest(spec, 20);
    expect(pageNumber(request)).toBe(1);
    expect(currentAfter(request)).toBeNull();
    request = reducePaging(request, { type: "next", endCursor: "c20" });
    request = reducePaging(request, { type: "next", endCursor: "c40" });
    expect(pageNumber(request)).toBe(3);
    expect(currentAfter(request)).toBe("c40");
    expect(request.withFacets).toBe(false);
    request = reducePaging(request, { type: "previous" });
    expect(currentAfter(request)).toBe("c20");
    request = reducePaging(request, { type: "previous" });
    expect(currentAfter(request)).toBeNull();
    const same = reducePaging(request, { type: "previous" });
    expect(same).toBe(request);
  });

  it("starts a new search or page size at page one; only a search or refresh asks for facets", () => {
    let request = reducePaging(initialRequest(spec, 20), { type: "next", endCursor: "c20" });
    const sized = reducePaging(request, { type: "pageSize", first: 50 });
    expect(sized).toMatchObject({ first: 50, afters: [null], withFacets: false });
    request = reducePaging(request, { type: "run", spec: { query: "b", filter: {} } });
    expect(request).toMatchObject({ afters: [null], withFacets: true, spec: { query: "b" } });
    const refreshed = reducePaging(request, { type: "refresh" });
    expect(refreshed.seq).toBe(request.seq + 1);
    expect(refreshed.afters).toEqual(request.afters);
    expect(refreshed.withFacets).toBe(true);
  });
});
