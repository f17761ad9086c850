/** Every key the search and table sources ask for exists in English (German is checked against English elsewhere). */
import { describe, expect, it } from "vitest";
import { en as searchEn } from "./i18n";
import { en as tableEn } from "../table/i18n";
import { en as coreEn } from "../../i18n/core";

const sources = {
  ...import.meta.glob("./*.tsx", { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob("../table/*.tsx", { query: "?raw", import: "default", eager: true }),
} as Record<string, string>;

const known = new Set([...Object.keys(searchEn), ...Object.keys(tableEn), ...Object.keys(coreEn)]);

describe("string keys", () => {
  it("reads sources", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
  });

  it("every literal key used exists", () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources))
      for (const match of text.matchAll(/\bt\(\s*"((?:search|table|common)\.[\w.]+)"/g)) if (!known.has(match[1]!)) missing.push(`${file}: ${match[1]}`);
    expect(missing).toEqual([]);
  });

  it("every templated family used exists for each value", () => {
    const families: Record<string, readonly string[]> = {
      "search.filter.": ["types", "sources", "classifications", "compartments", "seenAfter", "seenBefore"],
      "search.chip.": ["types", "sources", "classifications", "compartments", "seenAfter", "seenBefore"],
      "table.col.": ["caption", "type", "classification", "compartments", "firstObserved", "lastObserved"],
      "table.page.": ["first", "last", "next", "previous"],
    };
    for (const [prefix, names] of Object.entries(families)) for (const name of names) expect(known.has(prefix + name), prefix + name).toBe(true);
  });
});
