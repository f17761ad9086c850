/**
 * Safe mode in the inspector, on top of the shared rules in features/privacy/mask.ts (pii
 * values, and captions of types whose caption is made of pii): when the caption is masked,
 * a value that spells it out (a Person's name, first or last name) is masked too, or the
 * properties list would show what the header hides.
 */
import type { OntologyIndex } from "../../state/ontology";
import { captionIsPii, propertyMasked } from "../privacy/mask";

interface Context {
  ontology: OntologyIndex | null;
  safeMode: boolean;
}

interface Shown {
  schema: string;
  caption: string;
}

const words = (text: string) => text.toLocaleLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** True when every word of `value` occurs in `caption` (so showing it reveals the caption). */
export function spellsCaption(value: string, caption: string): boolean {
  const found = words(value);
  if (!found.length) return false;
  const captionWords = new Set(words(caption));
  return found.every((word) => captionWords.has(word));
}

export function captionHidden(context: Context, entity: Shown): boolean {
  return context.safeMode && captionIsPii(context.ontology, entity.schema);
}

/** Whether safe mode hides this value of this property of this entity. */
export function hides(context: Context, entity: Shown, property: string, value: string): boolean {
  if (!context.safeMode) return false;
  if (!context.ontology) return true; // which values are pii is not known yet: hide them all
  if (propertyMasked(context.ontology, entity.schema, property)) return true;
  return captionHidden(context, entity) && spellsCaption(value, entity.caption);
}
