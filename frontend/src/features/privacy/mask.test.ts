import { describe, expect, it } from "vitest";
import { indexOntology } from "../../state/ontology";
import type { OntologyType } from "../../state/types";
import { MASK, maskCaption, maskValue } from "./mask";

function type(name: string, ancestors: string[], properties: [string, string][] = []): OntologyType {
  return {
    name,
    label: name,
    plural: `${name}s`,
    abstract: false,
    isEdge: false,
    ancestors,
    edgeSource: null,
    edgeTarget: null,
    properties: properties.map(([property, privacy]) => ({ name: property, label: property, type: "string", privacy, multiple: true })),
  };
}

const ontology = indexOntology({
  version: "1",
  types: [
    type("Person", ["LegalEntity", "Thing"], [["name", "public"], ["birthDate", "pii"]]),
    type("Informant", ["Person", "LegalEntity", "Thing"]),
    type("Company", ["Organization", "LegalEntity", "Thing"], [["name", "public"]]),
  ],
  edges: [],
});

describe("safe mode masking", () => {
  it("masks pii values only when safe mode is on", () => {
    expect(maskValue(true, ontology, "birthDate", "Person", "1960-10-02")).toBe(MASK);
    expect(maskValue(false, ontology, "birthDate", "Person", "1960-10-02")).toBe("1960-10-02");
    expect(maskValue(true, ontology, "name", "Company", "Harbor Trading Ltd")).toBe("Harbor Trading Ltd");
  });

  it("masks captions of people and their subtypes, not of companies", () => {
    expect(maskCaption(true, ontology, "Person", "Anna Adler")).toBe(MASK);
    expect(maskCaption(true, ontology, "Informant", "Source K")).toBe(MASK);
    expect(maskCaption(true, ontology, "Company", "Harbor Trading Ltd")).toBe("Harbor Trading Ltd");
    expect(maskCaption(false, ontology, "Person", "Anna Adler")).toBe("Anna Adler");
  });
});
