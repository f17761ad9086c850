import { describe, expect, it } from "vitest";
import { expandableEdgeTypes } from "./expandTypes";
import { INDEX, ONTOLOGY } from "./fixtures";

const names = (schema: string, direction: "OUT" | "IN" | "BOTH") =>
  expandableEdgeTypes(ONTOLOGY.edges, INDEX.type(schema), schema, direction).map((t) => t.name);

describe("expandableEdgeTypes", () => {
  it("offers outgoing types whose source fits the node's type or ancestors", () => {
    expect(names("Person", "OUT")).toEqual(["Employment", "UnknownLink", "Ownership"]);
  });

  it("offers incoming types whose target fits (a company is also an asset)", () => {
    expect(names("Company", "IN")).toEqual(["Employment", "UnknownLink", "Ownership"]);
    expect(names("Company", "OUT")).toEqual(["UnknownLink", "Ownership"]);
  });

  it("unites both directions, leaves out abstract types and sorts by label", () => {
    const both = expandableEdgeTypes(ONTOLOGY.edges, INDEX.type("Domain"), "Domain", "BOTH");
    expect(both.map((t) => t.label)).toEqual(["Link", "Resolves to"]);
    expect(names("Domain", "IN")).toEqual(["UnknownLink"]);
  });
});
