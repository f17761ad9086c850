/** What the builder's selects offer: ontology types and properties, sources, labels seen in facets. */
import { useEffect, useMemo, useState } from "react";
import { call } from "../../api/client";
import type { OntologyIndex } from "../../state/ontology";
import type { OntologyType } from "../../state/types";
import type { Choice } from "./MultiSelect";
import type { BuilderChoices } from "./SearchBuilder";
import type { Facets } from "./useSearchResults";

function byLabel(a: Choice, b: Choice): number {
  return a.label.localeCompare(b.label, undefined, { sensitivity: "base" }) || a.value.localeCompare(b.value);
}

/** Types an analyst searches for: concrete, not edges. */
export function searchableTypes(ontology: OntologyIndex | null): OntologyType[] {
  return (ontology?.ontology.types ?? []).filter((type) => !type.abstract && !type.isEdge);
}

/** The properties of the chosen types (or of every searchable type), once each by name. */
export function propertyChoices(ontology: OntologyIndex | null, chosenTypes: readonly string[]): Choice[] {
  const types = chosenTypes.length
    ? chosenTypes.map((name) => ontology?.type(name)).filter((type): type is OntologyType => type !== undefined)
    : searchableTypes(ontology);
  const byName = new Map<string, Choice>();
  for (const type of types)
    for (const property of type.properties) if (!byName.has(property.name)) byName.set(property.name, { value: property.name, label: property.label });
  return [...byName.values()].sort(byLabel);
}

/** Facet values merged with values known otherwise (e.g. the viewer's compartments). */
export function mergeChoices(...lists: readonly (readonly Choice[])[]): Choice[] {
  const byValue = new Map<string, Choice>();
  for (const list of lists) for (const choice of list) if (!byValue.has(choice.value)) byValue.set(choice.value, choice);
  return [...byValue.values()].sort(byLabel);
}

export function useSources(): Choice[] {
  const [sources, setSources] = useState<Choice[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    call<{ sources: { id: string; name: string }[] }>("SearchSources", {}, { signal: controller.signal })
      .then((data) => setSources(data.sources.map((source) => ({ value: source.id, label: source.name })).sort(byLabel)))
      .catch(() => undefined); // the facet column still offers the sources that matched
    return () => controller.abort();
  }, []);
  return sources;
}

export function useBuilderChoices(
  ontology: OntologyIndex | null,
  sources: Choice[],
  facets: Facets | null,
  viewerCompartments: readonly string[],
  chosenTypes: readonly string[],
): BuilderChoices {
  return useMemo(
    () => ({
      types: searchableTypes(ontology).map((type) => ({ value: type.name, label: type.label })).sort(byLabel),
      sources: mergeChoices(sources, facets?.sources ?? []),
      // Facets list levels by count; the order of a scale is not alphabetical.
      classifications: (facets?.classifications ?? []).map(({ value, label }) => ({ value, label })),
      compartments: mergeChoices(facets?.compartments ?? [], viewerCompartments.map((name) => ({ value: name, label: name }))),
      properties: propertyChoices(ontology, chosenTypes),
    }),
    [ontology, sources, facets, viewerCompartments, chosenTypes],
  );
}
