/**
 * The inspector's data and the pure reasoning over it: classification shown, property rows
 * (visible, withheld, masked) and corroboration, i.e. how many distinct sources assert the
 * same property = value. There is no server field for corroboration, so it is counted
 * here over the statements loaded so far, and the panel says so.
 */
import type { OntologyIndex } from "../../state/ontology";
import type { ClassificationMark } from "../../state/types";
import { hides } from "./privacy";
import type { StatementContent } from "./verify";

export interface LabelSet {
  classification: number;
  classificationName: string;
  compartments: string[];
}

/** A statement's full label set: all of it goes into the statement's id. */
export interface StatementLabelSet extends LabelSet {
  tenant: string;
  purposes: string[];
  residency: string | null;
}

export interface StatementNode {
  id: string;
  /** The entity the statement was made about (before any merge). */
  entityId: string;
  property: string;
  value: string;
  firstSeen: string;
  lastSeen: string;
  recordId: string;
  labels: StatementLabelSet;
  /** Null when the source is hidden from the viewer. */
  source: { id: string; name: string; licence: string } | null;
  /** Null when the record is hidden from the viewer (its hash is still known). */
  record: { uri: string; location: string } | null;
}

export interface StatementPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: StatementNode }[];
}

export interface EntityData {
  id: string;
  schema: string;
  caption: string;
  firstObserved: string | null;
  lastObserved: string | null;
  labels: LabelSet[];
  redactions: { property: string; reason: string }[];
  properties: { name: string; values: string[] }[];
  provenance: StatementPage;
}

/** The highest classification among label sets (null for none). */
export function highestLabel(labels: readonly LabelSet[]): LabelSet | null {
  let best: LabelSet | null = null;
  for (const label of labels) if (!best || label.classification > best.classification) best = label;
  return best;
}

export function compartmentsOf(labels: readonly LabelSet[]): string[] {
  return [...new Set(labels.flatMap((label) => label.compartments))].sort();
}

/** Every distinct classification on screen: the entity's and its loaded statements'. */
export function classificationMarks(entity: EntityData, statements: readonly StatementNode[]): ClassificationMark[] {
  const marks = new Map<string, ClassificationMark>();
  for (const label of [...entity.labels, ...statements.map((statement) => statement.labels)])
    marks.set(`${label.classification} ${label.classificationName}`, { level: label.classification, name: label.classificationName });
  return [...marks.values()].sort((a, b) => b.level - a.level);
}

/** Property = value key; values are compared exactly (after Unicode NFC), never loosely. */
const claimKey = (property: string, value: string) => `${property}\u0000${value.normalize("NFC")}`;

export interface Corroboration {
  /** Distinct visible sources asserting this property = value. */
  forValue(property: string, value: string): number;
  /** Distinct visible sources asserting any value of this property. */
  forProperty(property: string): number;
}

/** Counts sources by id; a statement whose source is hidden counts for none (it may be one already counted). */
export function corroboration(statements: readonly StatementNode[]): Corroboration {
  const byValue = new Map<string, Set<string>>();
  const byProperty = new Map<string, Set<string>>();
  for (const statement of statements) {
    if (!statement.source) continue;
    const add = (map: Map<string, Set<string>>, key: string) => {
      const found = map.get(key) ?? new Set<string>();
      found.add(statement.source?.id ?? "");
      map.set(key, found);
    };
    add(byValue, claimKey(statement.property, statement.value));
    add(byProperty, statement.property);
  }
  return {
    forValue: (property, value) => byValue.get(claimKey(property, value))?.size ?? 0,
    forProperty: (property) => byProperty.get(property)?.size ?? 0,
  };
}

export interface ValueCell {
  value: string;
  masked: boolean;
  sources: number;
}

export interface PropertyRow {
  name: string;
  label: string;
  values: ValueCell[];
  /** The policy's reason when the property is withheld from the viewer. */
  withheld: string | null;
  sources: number;
}

export interface RowContext {
  ontology: OntologyIndex | null;
  safeMode: boolean;
}

/** Every visible property with its values, and every withheld one, by label. */
export function propertyRows(entity: EntityData, statements: readonly StatementNode[], context: RowContext): PropertyRow[] {
  const counts = corroboration(statements);
  const label = (name: string) => context.ontology?.type(entity.schema)?.properties.find((p) => p.name === name)?.label ?? name;
  const rows: PropertyRow[] = entity.properties.map((property) => ({
    name: property.name,
    label: label(property.name),
    values: property.values.map((value) => ({
      value,
      masked: hides(context, entity, property.name, value),
      sources: counts.forValue(property.name, value),
    })),
    withheld: null,
    sources: counts.forProperty(property.name),
  }));
  for (const redaction of entity.redactions)
    if (!rows.some((row) => row.name === redaction.property))
      rows.push({ name: redaction.property, label: label(redaction.property), values: [], withheld: redaction.reason, sources: 0 });
  return rows.sort((a, b) => a.label.localeCompare(b.label) || a.name.localeCompare(b.name));
}

/** Pages of statements joined without repeats (a page may overlap after a live change). */
export function mergeStatements(current: readonly StatementNode[], page: readonly StatementNode[]): StatementNode[] {
  const seen = new Set(current.map((statement) => statement.id));
  return [...current, ...page.filter((statement) => !seen.has(statement.id))];
}

/** What the verifier hashes to rebuild the statement's id; null when the source is hidden. */
export function statementContent(statement: StatementNode): StatementContent | null {
  if (!statement.source) return null;
  const { tenant, classification, compartments, purposes, residency } = statement.labels;
  return {
    entityId: statement.entityId,
    property: statement.property,
    value: statement.value,
    sourceId: statement.source.id,
    recordId: statement.recordId,
    labels: { tenant, classification, compartments, purposes, residency },
  };
}

/** A long hash as people read it: the start and end, the whole kept for the title and copy. */
export function abbreviate(hash: string, head = 8, tail = 4): string {
  return hash.length <= head + tail + 1 ? hash : `${hash.slice(0, head)}…${hash.slice(-tail)}`;
}
