import { describe, expect, it } from "vitest";
import { compartmentsOf, highestMark, marksOf, shownCaption } from "./display";
import { facetEntries } from "./FacetPanel";
import { testOntology } from "./testOntology";
import { mergeChoices, propertyChoices, searchableTypes } from "./useSearchChoices";

const label = (classification: number, classificationName: string, compartments: string[] = []) => ({ classification, classificationName, compartments });

describe("labels in lists", () => {
  it("shows the highest classification of an entity's label sets", () => {
    expect(highestMark([label(0, "UNCLASSIFIED"), label(2, "SECRET"), label(1, "CONFIDENTIAL")])).toEqual({ level: 2, name: "SECRET" });
    expect(highestMark([])).toBeNull();
  });

  it("unites compartments, sorted, once", () => {
    expect(compartmentsOf([label(0, "U", ["HUM", "FIN"]), label(1, "C", ["FIN"])])).toEqual(["FIN", "HUM"]);
  });

  it("reports each level shown once, lowest first", () => {
    expect(marksOf([{ labels: [label(1, "CONFIDENTIAL")] }, { labels: [label(0, "UNCLASSIFIED"), label(1, "CONFIDENTIAL")] }])).toEqual([
      { level: 0, name: "UNCLASSIFIED" },
      { level: 1, name: "CONFIDENTIAL" },
    ]);
  });
});

describe("captions in safe mode", () => {
  const ontology = testOntology();
  it("masks people and pii-captioned types only when safe mode is on", () => {
    expect(shownCaption("Anna Adler", "Person", ontology, true)).toEqual({ text: "••••", masked: true });
    expect(shownCaption("+44 1234", "Phone", ontology, true).masked).toBe(true);
    expect(shownCaption("Aurora Ltd", "Company", ontology, true)).toEqual({ text: "Aurora Ltd", masked: false });
    expect(shownCaption("Anna Adler", "Person", ontology, false)).toEqual({ text: "Anna Adler", masked: false });
  });
});

describe("builder choices", () => {
  const ontology = testOntology();
  it("offers concrete, non-edge types", () => {
    expect(searchableTypes(ontology).map((type) => type.name)).toEqual(["Person", "Company", "Phone"]);
  });

  it("offers the chosen types' properties, or every searchable type's, once each by label", () => {
    expect(propertyChoices(ontology, ["Company"]).map((choice) => choice.value)).toEqual(["incorporationDate", "jurisdiction", "name"]);
    const all = propertyChoices(ontology, []).map((choice) => choice.value);
    expect(all).toContain("birthDate");
    expect(all).toContain("value");
    expect(all.filter((name) => name === "name")).toHaveLength(1);
    expect(all).not.toContain("percentage");
  });

  it("merges choice lists by value, first label wins", () => {
    expect(mergeChoices([{ value: "FIN", label: "Finance" }], [{ value: "FIN", label: "FIN" }, { value: "HUM", label: "HUM" }])).toEqual([
      { value: "FIN", label: "Finance" },
      { value: "HUM", label: "HUM" },
    ]);
  });

  it("keeps selected facet values that matched nothing, at zero", () => {
    const entries = facetEntries([{ value: "Person", label: "Person", count: 4 }], ["Person", "Email"], (value) => `label:${value}`);
    expect(entries).toEqual([
      { value: "Person", label: "Person", count: 4 },
      { value: "Email", label: "label:Email", count: 0 },
    ]);
  });
});
