/**
 * A search in the URL hash (`#/search?q=…&f=<json>`), so it can be linked and survives a
 * reload. A link is untrusted input: decoding keeps only well-formed parts of the filter.
 */
import { EMPTY_SPEC, LIST_FACETS, normaliseFilter, type PropertyFilter, type SearchFilter, type SearchSpec } from "./spec";

const PREFIX = "#/search";
const MAX_VALUES = 200;
const MAX_TEXT = 1000;

export function encodeSearchHash(spec: SearchSpec): string {
  const params = new URLSearchParams();
  const query = spec.query.trim();
  if (query) params.set("q", query);
  const filter = normaliseFilter(spec.filter);
  if (Object.keys(filter).length) params.set("f", JSON.stringify(filter));
  const text = params.toString();
  return text ? `${PREFIX}?${text}` : PREFIX;
}

/** The search a hash names; null when the hash is not the search view's or names none. */
export function decodeSearchHash(hash: string): SearchSpec | null {
  const match = /^#\/?search(?:\?(.*))?$/.exec(hash);
  if (!match) return null;
  const params = new URLSearchParams(match[1] ?? "");
  if (!params.has("q") && !params.has("f")) return null;
  const query = (params.get("q") ?? "").slice(0, MAX_TEXT);
  return { ...EMPTY_SPEC, query, filter: parseFilter(params.get("f")) };
}

/** A filter from JSON of unknown origin (a link, a saved search): bad parts are dropped. */
export function parseFilter(raw: unknown): SearchFilter {
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  const source = value as Record<string, unknown>;
  const filter: SearchFilter = {};
  for (const facet of LIST_FACETS) {
    const list = strings(source[facet]);
    if (list.length) filter[facet] = list;
  }
  for (const bound of ["seenAfter", "seenBefore"] as const) {
    const text = source[bound];
    if (typeof text === "string" && text.length <= 64 && !Number.isNaN(Date.parse(text))) filter[bound] = text;
  }
  if (Array.isArray(source.properties)) {
    const properties: PropertyFilter[] = [];
    for (const item of source.properties.slice(0, MAX_VALUES)) {
      if (item && typeof item === "object") {
        const { name, value: text } = item as Record<string, unknown>;
        if (typeof name === "string" && typeof text === "string") properties.push({ name: name.slice(0, MAX_TEXT), value: text.slice(0, MAX_TEXT) });
      }
    }
    filter.properties = properties;
  }
  return normaliseFilter(filter);
}

function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .slice(0, MAX_VALUES)
    .filter((item): item is string => typeof item === "string")
    .map((item) => item.slice(0, MAX_TEXT));
}
