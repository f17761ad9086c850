import { describe, expect, it } from "vitest";
import { decodeSearchHash, encodeSearchHash, parseFilter } from "./hash";
import type { SearchSpec } from "./spec";

describe("search in the URL hash", () => {
  it("round-trips words and every kind of filter, including awkward characters", () => {
    const spec: SearchSpec = {
      query: "Müller & Söhne #1 \"quoted\" 100%",
      filter: {
        types: ["Person", "Company"],
        sources: ["src-1"],
        classifications: ["CONFIDENTIAL"],
        compartments: ["FIN"],
        seenAfter: "2024-01-01T00:00:00Z",
        seenBefore: "2024-12-31T23:59:59Z",
        properties: [{ name: "name", value: "a=b&c" }],
      },
    };
    const hash = encodeSearchHash(spec);
    expect(hash.startsWith("#/search?")).toBe(true);
    expect(hash).not.toContain(" ");
    expect(decodeSearchHash(hash)).toEqual(spec);
  });

  it("leaves out empty parts", () => {
    expect(encodeSearchHash({ query: "  ", filter: {} })).toBe("#/search");
    expect(encodeSearchHash({ query: "x", filter: { types: [] } })).toBe("#/search?q=x");
    expect(encodeSearchHash({ query: "", filter: { types: ["Person"] } })).toBe(`#/search?f=${encodeURIComponent('{"types":["Person"]}')}`);
  });

  it("names no search for other views or a bare search hash", () => {
    expect(decodeSearchHash("#/graph")).toBeNull();
    expect(decodeSearchHash("#/table?q=x")).toBeNull();
    expect(decodeSearchHash("#/search")).toBeNull();
    expect(decodeSearchHash("")).toBeNull();
    expect(decodeSearchHash("#search?q=a")).toEqual({ query: "a", filter: {} });
  });

  it("keeps the words of a link whose filter is not JSON", () => {
    expect(decodeSearchHash("#/search?q=a&f=%7Bnot-json")).toEqual({ query: "a", filter: {} });
  });

  it("drops malformed parts of a filter from an untrusted link", () => {
    const filter = parseFilter({
      types: ["Person", 3, null, { x: 1 }],
      sources: "src-1",
      seenAfter: "not a date",
      seenBefore: "2024-01-01T00:00:00Z",
      properties: [{ name: "n", value: "v" }, { name: "only-name" }, "x", null],
      __proto__: { polluted: true },
      extra: "ignored",
    });
    expect(filter).toEqual({ types: ["Person"], seenBefore: "2024-01-01T00:00:00Z", properties: [{ name: "n", value: "v" }] });
    expect(parseFilter("[1,2]")).toEqual({});
    expect(parseFilter(null)).toEqual({});
  });

  it("bounds what a link can ask for", () => {
    const many = Array.from({ length: 500 }, (_, i) => `T${i}`);
    expect(parseFilter({ types: many }).types).toHaveLength(200);
    expect(parseFilter({ types: ["x".repeat(5000)] }).types?.[0]).toHaveLength(1000);
  });
});
