/**
 * A search as the analyst built it: free text plus structured filters. The filter has the
 * shape of the API's SearchFilterInput, so a saved search or a link holds exactly what is
 * sent. Every change goes through {@link reduceSpec}, which keeps the filter normalised
 * (no empty lists, no duplicates) so that equal searches encode to equal links.
 */

export interface PropertyFilter {
  name: string;
  value: string;
}

export interface SearchFilter {
  types?: string[];
  sources?: string[];
  classifications?: string[];
  compartments?: string[];
  /** ISO date-times: the observation window overlaps the range. */
  seenAfter?: string;
  seenBefore?: string;
  properties?: PropertyFilter[];
}

export interface SearchSpec {
  query: string;
  filter: SearchFilter;
}

/** Filters that are lists of values a facet can toggle. */
export type ListFacet = "types" | "sources" | "classifications" | "compartments";
export const LIST_FACETS: readonly ListFacet[] = ["types", "sources", "classifications", "compartments"];

export type DateBound = "seenAfter" | "seenBefore";

/** One removable chip in the filter bar. */
export type Chip =
  | { kind: ListFacet; value: string }
  | { kind: "property"; name: string; value: string }
  | { kind: DateBound; value: string };

export type SpecAction =
  | { type: "setQuery"; query: string }
  | { type: "toggle"; facet: ListFacet; value: string }
  | { type: "setValues"; facet: ListFacet; values: string[] }
  | { type: "addProperty"; name: string; value: string }
  | { type: "setDate"; bound: DateBound; value: string | null }
  | { type: "removeChip"; chip: Chip }
  | { type: "clearFilters" }
  | { type: "replace"; spec: SearchSpec };

export const EMPTY_SPEC: SearchSpec = { query: "", filter: {} };

function unique(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of values) {
    const value = raw.trim();
    if (value && !seen.has(value)) {
      seen.add(value);
      out.push(value);
    }
  }
  return out;
}

function sameProperty(a: PropertyFilter, b: PropertyFilter): boolean {
  return a.name === b.name && a.value.toLowerCase() === b.value.toLowerCase();
}

/** The filter without empty parts, lists de-duplicated, keys in one fixed order. */
export function normaliseFilter(filter: SearchFilter): SearchFilter {
  const out: SearchFilter = {};
  for (const facet of LIST_FACETS) {
    const values = unique(filter[facet] ?? []);
    if (values.length) out[facet] = values;
  }
  if (filter.seenAfter) out.seenAfter = filter.seenAfter;
  if (filter.seenBefore) out.seenBefore = filter.seenBefore;
  const properties: PropertyFilter[] = [];
  for (const property of filter.properties ?? []) {
    const clean = { name: property.name.trim(), value: property.value.trim() };
    if (clean.name && clean.value && !properties.some((p) => sameProperty(p, clean))) properties.push(clean);
  }
  if (properties.length) out.properties = properties;
  return out;
}

export function reduceSpec(spec: SearchSpec, action: SpecAction): SearchSpec {
  const filter = spec.filter;
  switch (action.type) {
    case "setQuery":
      return { ...spec, query: action.query };
    case "toggle": {
      const current = filter[action.facet] ?? [];
      const values = current.includes(action.value)
        ? current.filter((value) => value !== action.value)
        : [...current, action.value];
      return { ...spec, filter: normaliseFilter({ ...filter, [action.facet]: values }) };
    }
    case "setValues":
      return { ...spec, filter: normaliseFilter({ ...filter, [action.facet]: action.values }) };
    case "addProperty":
      return {
        ...spec,
        filter: normaliseFilter({ ...filter, properties: [...(filter.properties ?? []), { name: action.name, value: action.value }] }),
      };
    case "setDate":
      return { ...spec, filter: normaliseFilter({ ...filter, [action.bound]: action.value ?? undefined }) };
    case "removeChip":
      return { ...spec, filter: normaliseFilter(withoutChip(filter, action.chip)) };
    case "clearFilters":
      return { ...spec, filter: {} };
    case "replace":
      return { query: action.spec.query, filter: normaliseFilter(action.spec.filter) };
  }
}

function withoutChip(filter: SearchFilter, chip: Chip): SearchFilter {
  switch (chip.kind) {
    case "property":
      return { ...filter, properties: (filter.properties ?? []).filter((p) => !sameProperty(p, chip)) };
    case "seenAfter":
    case "seenBefore":
      return { ...filter, [chip.kind]: undefined };
    default:
      return { ...filter, [chip.kind]: (filter[chip.kind] ?? []).filter((value) => value !== chip.value) };
  }
}

/** The chips of a filter, in the order the builder shows its controls. */
export function chipsOf(filter: SearchFilter): Chip[] {
  const chips: Chip[] = [];
  for (const facet of LIST_FACETS) for (const value of filter[facet] ?? []) chips.push({ kind: facet, value });
  for (const property of filter.properties ?? []) chips.push({ kind: "property", name: property.name, value: property.value });
  if (filter.seenAfter) chips.push({ kind: "seenAfter", value: filter.seenAfter });
  if (filter.seenBefore) chips.push({ kind: "seenBefore", value: filter.seenBefore });
  return chips;
}

export function chipKey(chip: Chip): string {
  return chip.kind === "property" ? `property:${chip.name}=${chip.value}` : `${chip.kind}:${chip.value}`;
}

export function hasFilter(filter: SearchFilter): boolean {
  return chipsOf(filter).length > 0;
}

/** The server refuses a search with neither words nor a filter; so do we, before asking. */
export function isRunnable(spec: SearchSpec): boolean {
  return spec.query.trim() !== "" || hasFilter(spec.filter);
}

export function sameSpec(a: SearchSpec, b: SearchSpec): boolean {
  return a.query.trim() === b.query.trim() && JSON.stringify(normaliseFilter(a.filter)) === JSON.stringify(normaliseFilter(b.filter));
}

/** The variables of the Search document. */
export function searchVariables(spec: SearchSpec, first: number, after: string | null, withFacets: boolean) {
  const filter = normaliseFilter(spec.filter);
  return {
    query: spec.query.trim(),
    filter: hasFilter(filter) ? filter : null,
    first,
    after,
    withFacets,
  };
}

/** A day picked in a date field (YYYY-MM-DD, read as UTC) as the bound's ISO date-time. */
export function dayToIso(day: string, bound: DateBound): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const iso = bound === "seenAfter" ? `${day}T00:00:00Z` : `${day}T23:59:59Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

/** The day part of a bound, for a date field. */
export function isoToDay(iso: string | undefined): string {
  return iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : "";
}
