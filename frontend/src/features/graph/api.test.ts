import { describe, expect, it } from "vitest";
import { combineLabels, toNode } from "./api";

describe("combineLabels", () => {
  it("shows the highest classification and every compartment", () => {
    expect(
      combineLabels([
        { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] },
        { classification: 2, classificationName: "SECRET", compartments: ["HUM", "FIN"] },
        { classification: 1, classificationName: "CONFIDENTIAL", compartments: ["FIN", "CTI"] },
      ]),
    ).toEqual({ classification: 2, classificationName: "SECRET", compartments: ["CTI", "FIN", "HUM"] });
  });

  it("treats no labels as unclassified", () => {
    expect(combineLabels([])).toEqual({ classification: 0, classificationName: "UNCLASSIFIED", compartments: [] });
    expect(combineLabels(undefined).classificationName).toBe("UNCLASSIFIED");
  });

  it("turns an API entity into a model node", () => {
    expect(toNode({ id: "1", schema: "Person", caption: "A", labels: [{ classification: 1, classificationName: "CONFIDENTIAL", compartments: [] }] })).toEqual({
      id: "1",
      schema: "Person",
      caption: "A",
      labels: { classification: 1, classificationName: "CONFIDENTIAL", compartments: [] },
    });
  });
});
