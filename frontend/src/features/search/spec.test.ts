import { describe, expect, it } from "vitest";
import { chipsOf, dayToIso, EMPTY_SPEC, isRunnable, isoToDay, normaliseFilter, reduceSpec, sameSpec, searchVariables, type SearchSpec } from "./spec";

const base: SearchSpec = { query: "aurora", filter: {} };

describe("filter chip reducer", () => {
  it("toggles a facet value on and off, dropping the empty list", () => {
    const on = reduceSpec(base, { type: "toggle", facet: "types", value: "Person" });
    expect(on.filter).toEqual({ types: ["Person"] });
    const two = reduceSpec(on, { type: "toggle", facet: "types", value: "Company" });
    expect(two.filter.types).toEqual(["Person", "Company"]);
    const off = reduceSpec(reduceSpec(two, { type: "toggle", facet: "types", value: "Person" }), { type: "toggle", facet: "types", value: "Company" });
    expect(off.filter).toEqual({});
    expect(off.query).toBe("aurora");
  });

  it("sets a list with blanks and duplicates removed", () => {
    const next = reduceSpec(base, { type: "setValues", facet: "compartments", values: ["FIN", " FIN ", "", "HUM"] });
    expect(next.filter.compartments).toEqual(["FIN", "HUM"]);
  });

  it("adds property conditions once, ignoring the case of the value and empty input", () => {
    let spec = reduceSpec(base, { type: "addProperty", name: "country", value: " DE " });
    spec = reduceSpec(spec, { type: "addProperty", name: "country", value: "de" });
    spec = reduceSpec(spec, { type: "addProperty", name: "country", value: "  " });
    spec = reduceSpec(spec, { type: "addProperty", name: "name", value: "Anna" });
    expect(spec.filter.properties).toEqual([
      { name: "country", value: "DE" },
      { name: "name", value: "Anna" },
    ]);
  });

  it("removes exactly the chip asked for, of every kind", () => {
    let spec = reduceSpec(base, { type: "setValues", facet: "sources", values: ["s1", "s2"] });
    spec = reduceSpec(spec, { type: "addProperty", name: "country", value: "de" });
    spec = reduceSpec(spec, { type: "setDate", bound: "seenAfter", value: "2024-01-01T00:00:00Z" });
    spec = reduceSpec(spec, { type: "setDate", bound: "seenBefore", value: "2024-12-31T23:59:59Z" });
    expect(chipsOf(spec.filter).map((chip) => chip.kind)).toEqual(["sources", "sources", "property", "seenAfter", "seenBefore"]);

    const noS1 = reduceSpec(spec, { type: "removeChip", chip: { kind: "sources", value: "s1" } });
    expect(noS1.filter.sources).toEqual(["s2"]);
    const noProperty = reduceSpec(spec, { type: "removeChip", chip: { kind: "property", name: "country", value: "DE" } });
    expect(noProperty.filter.properties).toBeUndefined();
    const noAfter = reduceSpec(spec, { type: "removeChip", chip: { kind: "seenAfter", value: "2024-01-01T00:00:00Z" } });
    expect(noAfter.filter.seenAfter).toBeUndefined();
    expect(noAfter.filter.seenBefore).toBe("2024-12-31T23:59:59Z");
  });

  it("clears filters but keeps the words; replace normalises", () => {
    const spec = reduceSpec(base, { type: "toggle", facet: "types", value: "Person" });
    expect(reduceSpec(spec, { type: "clearFilters" })).toEqual({ query: "aurora", filter: {} });
    const replaced = reduceSpec(spec, { type: "replace", spec: { query: "x", filter: { types: [], compartments: ["FIN", "FIN"] } } });
    expect(replaced).toEqual({ query: "x", filter: { compartments: ["FIN"] } });
  });

  it("clears a date with null", () => {
    const spec = reduceSpec(base, { type: "setDate", bound: "seenAfter", value: "2024-01-01T00:00:00Z" });
    expect(reduceSpec(spec, { type: "setDate", bound: "seenAfter", value: null }).filter).toEqual({});
  });
});

describe("search rules", () => {
  it("runs only with words or a filter", () => {
    expect(isRunnable(EMPTY_SPEC)).toBe(false);
    expect(isRunnable({ query: "   ", filter: {} })).toBe(false);
    expect(isRunnable({ query: "", filter: { types: ["Person"] } })).toBe(true);
    expect(isRunnable({ query: "x", filter: {} })).toBe(true);
  });

  it("compares searches by meaning, not by spacing or key order", () => {
    expect(sameSpec({ query: " a ", filter: { types: ["P"], sources: ["s"] } }, { query: "a", filter: { sources: ["s"], types: ["P"] } })).toBe(true);
    expect(sameSpec({ query: "a", filter: {} }, { query: "b", filter: {} })).toBe(false);
    expect(sameSpec({ query: "a", filter: { types: ["P"] } }, { query: "a", filter: {} })).toBe(false);
  });

  it("sends a null filter when there is none, and trimmed words", () => {
    expect(searchVariables({ query: " x ", filter: { types: [] } }, 20, null, true)).toEqual({ query: "x", filter: null, first: 20, after: null, withFacets: true });
    expect(searchVariables({ query: "", filter: { types: ["Person"] } }, 10, "c1", false).filter).toEqual({ types: ["Person"] });
  });

  it("turns picked days into inclusive UTC bounds and back", () => {
    expect(dayToIso("2024-03-01", "seenAfter")).toBe("2024-03-01T00:00:00Z");
    expect(dayToIso("2024-03-01", "seenBefore")).toBe("2024-03-01T23:59:59Z");
    expect(dayToIso("2024-13-45", "seenAfter")).toBeNull();
    expect(dayToIso("yesterday", "seenAfter")).toBeNull();
    expect(isoToDay("2024-03-01T23:59:59Z")).toBe("2024-03-01");
    expect(isoToDay(undefined)).toBe("");
  });

  it("normalises in a fixed key order", () => {
    expect(Object.keys(normaliseFilter({ seenAfter: "2024-01-01T00:00:00Z", types: ["P"], properties: [{ name: "n", value: "v" }] }))).toEqual(["types", "seenAfter", "properties"]);
  });
});
