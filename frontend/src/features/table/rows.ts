/**
 * The table's model: entities as rows of cells, one column per fixed field and per
 * property present. A cell knows whether it holds a value, a withheld value (with the
 * reason), a value masked in safe mode, or nothing; filtering, sorting and the CSV all
 * read cells, never the entity, so none of them can reveal what the screen hides.
 */
import type { OntologyIndex } from "../../state/ontology";
import type { ClassificationMark } from "../../state/types";
import { markingText } from "../privacy/classification";
import { captionIsPii, compartmentsOf, highestMark, MASK, type ListLabels } from "../search/display";
import { propertyMasked } from "../privacy/mask";

export interface TableEntity {
  id: string;
  schema: string;
  caption: string;
  firstObserved: string | null;
  lastObserved: string | null;
  labels: ListLabels[];
  redactions: { property: string; reason: string }[];
  properties: { name: string; values: string[] }[];
}

export type FixedColumn = "caption" | "type" | "classification" | "compartments" | "firstObserved" | "lastObserved";
export const FIXED_COLUMNS: readonly FixedColumn[] = ["caption", "type", "classification", "compartments", "firstObserved", "lastObserved"];

export interface Column {
  id: string;
  /** The property a property column shows; undefined for fixed columns. */
  property?: string;
  /** For property columns the ontology's label; fixed columns are labelled by the view. */
  label: string;
}

export type Cell =
  | { kind: "value"; text: string; csv: string; sort: string | number }
  | { kind: "withheld"; reason: string }
  | { kind: "masked" }
  | { kind: "empty" };

export interface Row {
  id: string;
  schema: string;
  mark: ClassificationMark | null;
  cells: Record<string, Cell>;
}

export interface BuildContext {
  ontology: OntologyIndex | null;
  safeMode: boolean;
  formatDateTime: (iso: string) => string;
}

export const propertyColumnId = (name: string) => `p:${name}`;

/** Whether safe mode hides a property (the rule every view shares). */
export const maskedInSafeMode = propertyMasked;

/** Property columns for every property any entity shows or withholds, most common first. */
export function propertyColumns(entities: readonly TableEntity[], ontology: OntologyIndex | null): Column[] {
  const counts = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const entity of entities) {
    const names = new Set([
      ...entity.properties.filter((property) => property.values.length > 0).map((property) => property.name),
      ...entity.redactions.map((redaction) => redaction.property),
    ]);
    for (const name of names) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (!labels.has(name)) {
        const label = ontology?.type(entity.schema)?.properties.find((property) => property.name === name)?.label;
        if (label) labels.set(name, label);
      }
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (labels.get(a[0]) ?? a[0]).localeCompare(labels.get(b[0]) ?? b[0]))
    .map(([name]) => ({ id: propertyColumnId(name), property: name, label: labels.get(name) ?? name }));
}

/** Which columns show at first: the fixed ones and the most common properties. */
export function defaultVisible(properties: readonly Column[], limit = 8): string[] {
  return [...FIXED_COLUMNS, ...properties.slice(0, limit).map((column) => column.id)];
}

function value(text: string, sort: string | number = text, csv: string = text): Cell {
  return text === "" ? { kind: "empty" } : { kind: "value", text, csv, sort };
}

function dateCell(iso: string | null, context: BuildContext): Cell {
  if (!iso) return { kind: "empty" };
  const time = Date.parse(iso);
  return value(context.formatDateTime(iso), Number.isNaN(time) ? iso : time, iso);
}

export function buildRow(entity: TableEntity, properties: readonly Column[], context: BuildContext): Row {
  const { ontology, safeMode } = context;
  const mark = highestMark(entity.labels);
  const withheld = new Map(entity.redactions.map((redaction) => [redaction.property, redaction.reason]));
  const values = new Map(entity.properties.map((property) => [property.name, property.values]));
  const cells: Record<string, Cell> = {
    caption: safeMode && captionIsPii(ontology, entity.schema) ? { kind: "masked" } : value(entity.caption),
    type: value(ontology?.label(entity.schema) ?? entity.schema),
    classification: mark ? value(markingText(mark) ?? String(mark.level), mark.level) : { kind: "empty" },
    compartments: value(compartmentsOf(entity.labels).join(", ")),
    firstObserved: dateCell(entity.firstObserved, context),
    lastObserved: dateCell(entity.lastObserved, context),
  };
  for (const column of properties) {
    const name = column.property ?? "";
    const reason = withheld.get(name);
    const shown = values.get(name) ?? [];
    if (reason !== undefined) cells[column.id] = { kind: "withheld", reason };
    else if (!shown.length) cells[column.id] = { kind: "empty" };
    else if (safeMode && maskedInSafeMode(ontology, entity.schema, name)) cells[column.id] = { kind: "masked" };
    else cells[column.id] = value(shown.join("; "));
  }
  return { id: entity.id, schema: entity.schema, mark, cells };
}

/** The words the screen shows for markers, so the filter matches what is seen. */
export interface MarkerWords {
  withheld: string;
  masked: string;
}

/** The text a cell shows (what the filter searches). */
export function cellText(cell: Cell | undefined, words: MarkerWords): string {
  switch (cell?.kind) {
    case "value":
      return cell.text;
    case "withheld":
      return `null ${words.withheld} ${cell.reason}`;
    case "masked":
      return `${MASK} ${words.masked}`;
    default:
      return "";
  }
}

/** What a cell becomes in the CSV: withheld and masked values never leave as values. */
export function cellCsv(cell: Cell | undefined): string {
  switch (cell?.kind) {
    case "value":
      return cell.csv;
    case "withheld":
      return `[withheld: ${cell.reason}]`;
    case "masked":
      return MASK;
    default:
      return "";
  }
}

/** Rows with a visible cell containing every word of the filter (case-insensitive). */
export function filterRows(rows: readonly Row[], columns: readonly string[], filter: string, words: MarkerWords, locale?: string): Row[] {
  const needles = filter.toLocaleLowerCase(locale).split(/\s+/).filter(Boolean);
  if (!needles.length) return [...rows];
  return rows.filter((row) => {
    const haystack = columns.map((id) => cellText(row.cells[id], words)).join("\n").toLocaleLowerCase(locale);
    return needles.every((needle) => haystack.includes(needle));
  });
}

export type Direction = "ascending" | "descending";

const RANK: Record<Cell["kind"], number> = { value: 0, masked: 1, withheld: 2, empty: 3 };

/** Rows by one column; cells without a shown value go last in either direction; ties keep their order. */
export function sortRows(rows: readonly Row[], column: string, direction: Direction, locale?: string): Row[] {
  const collator = new Intl.Collator(locale, { numeric: true, sensitivity: "base" });
  const sign = direction === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a.cells[column] ?? { kind: "empty" };
    const y = b.cells[column] ?? { kind: "empty" };
    if (x.kind !== "value" || y.kind !== "value") return RANK[x.kind] - RANK[y.kind];
    const order =
      typeof x.sort === "number" && typeof y.sort === "number" ? x.sort - y.sort : collator.compare(String(x.sort), String(y.sort));
    return sign * order;
  });
}
