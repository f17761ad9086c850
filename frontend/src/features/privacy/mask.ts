/**
 * Safe mode: what to hide while the screen is shared. Every feature masks the same way, so a
 * value hidden in one view is not readable in another.
 */
import type { OntologyIndex } from "../../state/ontology";

export const MASK = "••••";

/**
 * Types whose caption is built from pii values (the catalog's `caption` lists for Person,
 * Account, Identification, Email and Phone). The ontology query does not send caption
 * properties, so they are named here; subtypes are found through `ancestors`. Any other type
 * whose usual caption property (name, value, email…) is pii counts too.
 */
const PII_CAPTION_TYPES = new Set(["Person", "Account", "Identification", "Email", "Phone"]);
const CAPTION_PROPERTIES = new Set(["name", "value", "email", "phone", "username", "number", "displayName", "fullName"]);

export function captionIsPii(ontology: OntologyIndex | null, schema: string): boolean {
  if (PII_CAPTION_TYPES.has(schema)) return true;
  const type = ontology?.type(schema);
  if (!type) return false;
  if (type.ancestors.some((name) => PII_CAPTION_TYPES.has(name))) return true;
  return type.properties.some((property) => CAPTION_PROPERTIES.has(property.name) && property.privacy === "pii");
}

/** A property value as safe mode shows it. */
export function maskValue(safeMode: boolean, ontology: OntologyIndex | null, property: string, schema: string, value: string): string {
  return safeMode && ontology?.isPii(property, schema) ? MASK : value;
}

/** A caption as safe mode shows it. */
export function maskCaption(safeMode: boolean, ontology: OntologyIndex | null, schema: string, caption: string): string {
  return safeMode && captionIsPii(ontology, schema) ? MASK : caption;
}

/**
 * Whether safe mode hides a property of a type: pii properties, and for types whose caption
 * is masked (people, accounts…) also their name-typed properties, which the caption is made
 * of; otherwise a masked caption would sit next to the name it hides. Unknown: hidden.
 */
export function propertyMasked(ontology: OntologyIndex | null, schema: string, property: string): boolean {
  if (ontology?.isPii(property, schema) ?? true) return true;
  if (!captionIsPii(ontology, schema)) return false;
  const type = ontology?.type(schema)?.properties.find((candidate) => candidate.name === property)?.type;
  return type === undefined || type === "name";
}
