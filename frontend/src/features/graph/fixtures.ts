/** A small ontology in the server's shape, for tests. */
import { indexOntology } from "../../state/ontology";
import type { Ontology, OntologyType } from "../../state/types";

const type = (name: string, ancestors: string[], extra: Partial<OntologyType> = {}): OntologyType => ({
  name,
  label: name,
  plural: `${name}s`,
  abstract: false,
  isEdge: false,
  ancestors,
  edgeSource: null,
  edgeTarget: null,
  properties: [],
  ...extra,
});
const pii = (name: string) => ({ name, label: name, type: "string", privacy: "pii", multiple: true });
const plain = (name: string) => ({ name, label: name, type: "string", privacy: "public", multiple: true });
const edge = (name: string, label: string, edgeSource: string, edgeTarget: string, abstract = false) =>
  type(name, ["Interval", "Base"], { label, isEdge: true, edgeSource, edgeTarget, abstract });

export const ONTOLOGY: Ontology = {
  version: "test",
  types: [
    type("Thing", ["Base"], { abstract: true }),
    type("LegalEntity", ["Thing", "Base"], { properties: [plain("name")] }),
    type("Person", ["LegalEntity", "Thing", "Base"], { properties: [plain("name"), pii("email")] }),
    type("Informant", ["Person", "LegalEntity", "Thing", "Base"], { properties: [plain("name")] }),
    type("Company", ["Organization", "LegalEntity", "Thing", "Base", "Asset"], { properties: [plain("name")] }),
    type("Email", ["Observable", "Thing", "Base"], { properties: [pii("value")] }),
    type("Domain", ["Observable", "Thing", "Base"], { properties: [plain("value")] }),
  ],
  edges: [
    edge("Link", "Link", "Thing", "Thing", true),
    edge("Ownership", "Ownership", "LegalEntity", "Asset"),
    edge("Employment", "Employment", "Person", "LegalEntity"),
    edge("ResolvesTo", "Resolves to", "Domain", "IPAddress"),
    edge("UnknownLink", "Link", "Thing", "Thing"),
  ],
};

export const INDEX = indexOntology(ONTOLOGY);
