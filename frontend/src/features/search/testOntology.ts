/** A small ontology for unit tests: a person (pii caption), a company, a phone. */
import { indexOntology, type OntologyIndex } from "../../state/ontology";
import type { OntologyProperty, OntologyType } from "../../state/types";

const prop = (name: string, label: string, type = "string", privacy = "public"): OntologyProperty => ({ name, label, type, privacy, multiple: true });

const type = (name: string, label: string, ancestors: string[], properties: OntologyProperty[], extra: Partial<OntologyType> = {}): OntologyType => ({
  name,
  label,
  plural: `${label}s`,
  abstract: false,
  isEdge: false,
  ancestors,
  edgeSource: null,
  edgeTarget: null,
  properties,
  ...extra,
});

export function testOntology(): OntologyIndex {
  return indexOntology({
    version: "test",
    types: [
      type("Thing", "Thing", [], [prop("name", "Name", "name")], { abstract: true }),
      type("Person", "Person", ["LegalEntity", "Thing"], [
        prop("name", "Name", "name"),
        prop("birthDate", "Birth date", "date", "pii"),
        prop("nationality", "Nationality", "country", "pii"),
        prop("country", "Country", "country"),
      ]),
      type("Company", "Company", ["Organization", "LegalEntity", "Thing"], [prop("name", "Name", "name"), prop("jurisdiction", "Jurisdiction", "country"), prop("incorporationDate", "Incorporation date", "date")]),
      type("Phone", "Phone number", ["Observable", "Thing"], [prop("value", "Phone number", "phone", "pii"), prop("name", "Name", "name")]),
    ],
    edges: [type("Ownership", "Ownership", ["Link"], [prop("percentage", "Percentage")], { isEdge: true })],
  });
}
