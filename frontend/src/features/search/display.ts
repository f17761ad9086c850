/**
 * How an entity's labels and caption are shown in lists (search results, the table):
 * the highest classification of its visible label sets, their compartments, and the
 * caption masked in safe mode when it is built from personal data.
 */
import type { OntologyIndex } from "../../state/ontology";
import type { ClassificationMark } from "../../state/types";
import { captionIsPii, MASK } from "../privacy/mask";

// Safe mode masks the same way in every view: the privacy feature decides what a pii caption is.
export { captionIsPii, MASK };

/** The label fields lists ask for. */
export interface ListLabels {
  classification: number;
  classificationName: string;
  compartments: string[];
}

/** The highest classification among an entity's label sets (null when it has none). */
export function highestMark(labels: readonly ListLabels[]): ClassificationMark | null {
  let best: ClassificationMark | null = null;
  for (const label of labels) if (!best || label.classification > best.level) best = { level: label.classification, name: label.classificationName };
  return best;
}

/** Every compartment of an entity's label sets, sorted, once. */
export function compartmentsOf(labels: readonly ListLabels[]): string[] {
  return [...new Set(labels.flatMap((label) => label.compartments))].sort();
}

/** The distinct marks of every label set shown, for the classification banner. */
export function marksOf(entities: readonly { labels: readonly ListLabels[] }[]): ClassificationMark[] {
  const byLevel = new Map<number, ClassificationMark>();
  for (const entity of entities)
    for (const label of entity.labels)
      if (!byLevel.has(label.classification)) byLevel.set(label.classification, { level: label.classification, name: label.classificationName });
  return [...byLevel.values()].sort((a, b) => a.level - b.level);
}

/** The caption to show: masked in safe mode when {@link captionIsPii}. */
export function shownCaption(caption: string, schema: string, ontology: OntologyIndex | null, safeMode: boolean): { text: string; masked: boolean } {
  if (safeMode && captionIsPii(ontology, schema)) return { text: MASK, masked: true };
  return { text: caption, masked: false };
}
