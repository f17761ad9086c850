/** Lookups over the ontology the server sent. */
import type { Ontology, OntologyType } from "./types";

export interface OntologyIndex {
  readonly ontology: Ontology;
  type(name: string): OntologyType | undefined;
  label(name: string): string;
  /** Property names the ontology marks `pii` on this type (or any type when omitted). */
  isPii(property: string, typeName?: string): boolean;
}

export function indexOntology(ontology: Ontology): OntologyIndex {
  const byName = new Map<string, OntologyType>();
  for (const type of [...ontology.types, ...ontology.edges]) byName.set(type.name, type);
  const piiAnywhere = new Set<string>();
  for (const type of byName.values())
    for (const property of type.properties) if (property.privacy === "pii") piiAnywhere.add(property.name);
  return {
    ontology,
    type: (name) => byName.get(name),
    label: (name) => byName.get(name)?.label ?? name,
    isPii(property, typeName) {
      if (typeName === undefined) return piiAnywhere.has(property);
      const found = byName.get(typeName)?.properties.find((p) => p.name === property);
      return found ? found.privacy === "pii" : piiAnywhere.has(property);
    },
  };
}
