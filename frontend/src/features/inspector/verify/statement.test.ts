import { describe, expect, it } from "vitest";
import fixture from "./fixtures/ledger-evidence.json";
import { labelsKey, statementId, type StatementContent } from "./statement";

// Expected values computed with src/intelgraph/model.py (`Labels.key`, `statement_id`).
const awkward: StatementContent = {
  entityId: "e".repeat(40),
  property: "name",
  value: 'Zoë "quoted" \\ back\n\ttab \u2028 \x01',
  sourceId: "src-1",
  recordId: "f".repeat(64),
  // U+FF21 sorts before U+1D538 by code point (Python), after it by UTF-16 unit (JavaScript's default).
  labels: { tenant: "acme", classification: 2, compartments: ["b", "a", "\uff21", "\u{1d538}"], purposes: ["x"], residency: "eu" },
};

describe("statement ids", () => {
  it("match Python's for awkward values and labels", () => {
    expect(labelsKey(awkward.labels)).toBe('{"classification":2,"compartments":["a","b","Ａ","𝔸"],"purposes":["x"],"residency":"eu","tenant":"acme"}');
    expect(statementId(awkward)).toBe("09dd2d3071668393ba51c756caf4f7e07780fef5");
  });

  it("rebuild the ids of statements the Python API listed", () => {
    for (const { statement } of Object.values(fixture.cases)) {
      const { tenant, classification, compartments, purposes, residency } = statement.labels;
      const content = {
        entityId: statement.entityId,
        property: statement.property,
        value: statement.value,
        sourceId: statement.source.id,
        recordId: statement.recordId,
        labels: { tenant, classification, compartments, purposes, residency },
      };
      expect(statementId(content)).toBe(statement.id);
      // Any change to what is shown gives another id.
      expect(statementId({ ...content, value: `${content.value} ` })).not.toBe(statement.id);
      expect(statementId({ ...content, labels: { ...content.labels, classification: classification + 1 } })).not.toBe(statement.id);
      expect(statementId({ ...content, sourceId: "src-other" })).not.toBe(statement.id);
    }
  });
});
