import { describe, expect, it } from "vitest";
import { testOntology } from "../search/testOntology";
import { buildRow, cellCsv, cellText, defaultVisible, filterRows, maskedInSafeMode, propertyColumns, sortRows, type Row, type TableEntity } from "./rows";

const ontology = testOntology();
const words = { withheld: "withheld", masked: "masked" };

function entity(id: string, schema: string, caption: string, properties: Record<string, string[]>, extra: Partial<TableEntity> = {}): TableEntity {
  return {
    id,
    schema,
    caption,
    firstObserved: null,
    lastObserved: null,
    labels: [{ classification: 0, classificationName: "UNCLASSIFIED", compartments: [] }],
    redactions: [],
    properties: Object.entries(properties).map(([name, values]) => ({ name, values })),
    ...extra,
  };
}

const anna = entity("p1", "Person", "Anna Adler", { name: ["Anna Adler"], country: ["gb"] }, {
  redactions: [{ property: "birthDate", reason: "no authority" }],
  labels: [
    { classification: 0, classificationName: "UNCLASSIFIED", compartments: ["FIN"] },
    { classification: 1, classificationName: "CONFIDENTIAL", compartments: [] },
  ],
  firstObserved: "2024-03-01T00:00:00+00:00",
});
const aurora = entity("c1", "Company", "Aurora Ltd", { name: ["Aurora Ltd"], jurisdiction: ["vg"], incorporationDate: ["2012-01-15"] }, {
  firstObserved: "2023-01-01T00:00:00+00:00",
});
const phone = entity("t1", "Phone", "+44 20 7946 0000", { value: ["+44 20 7946 0000"] });
const entities = [anna, aurora, phone];
const columns = propertyColumns(entities, ontology);
const build = (safeMode: boolean) => entities.map((e) => buildRow(e, columns, { ontology, safeMode, formatDateTime: (iso) => `when:${iso.slice(0, 10)}` }));

describe("columns", () => {
  it("has one column per property shown or withheld, most common first, with ontology labels", () => {
    expect(columns.map((c) => c.property)).toEqual(["name", "birthDate", "country", "incorporationDate", "jurisdiction", "value"]);
    expect(columns.find((c) => c.property === "birthDate")?.label).toBe("Birth date");
    expect(defaultVisible(columns, 2)).toEqual(["caption", "type", "classification", "compartments", "firstObserved", "lastObserved", "p:name", "p:birthDate"]);
  });
});

describe("cells", () => {
  const [annaRow, auroraRow, phoneRow] = build(false) as [Row, Row, Row];

  it("shows a withheld value as withheld with its reason, never as a value", () => {
    expect(annaRow.cells["p:birthDate"]).toEqual({ kind: "withheld", reason: "no authority" });
    expect(cellCsv(annaRow.cells["p:birthDate"])).toBe("[withheld: no authority]");
    expect(cellText(annaRow.cells["p:birthDate"], words)).toContain("withheld");
  });

  it("labels, classifies and dates the fixed columns", () => {
    expect(annaRow.cells.classification).toMatchObject({ kind: "value", text: "CONFIDENTIAL", sort: 1 });
    expect(annaRow.mark).toEqual({ level: 1, name: "CONFIDENTIAL" });
    expect(annaRow.cells.compartments).toMatchObject({ text: "FIN" });
    expect(phoneRow.cells.type).toMatchObject({ text: "Phone number" });
    expect(auroraRow.cells.firstObserved).toMatchObject({ text: "when:2023-01-01", csv: "2023-01-01T00:00:00+00:00", sort: Date.parse("2023-01-01T00:00:00+00:00") });
    expect(auroraRow.cells.lastObserved).toEqual({ kind: "empty" });
    expect(auroraRow.cells["p:birthDate"]).toEqual({ kind: "empty" });
  });

  it("shows everything outside safe mode", () => {
    expect(annaRow.cells.caption).toMatchObject({ kind: "value", text: "Anna Adler" });
    expect(phoneRow.cells["p:value"]).toMatchObject({ kind: "value", text: "+44 20 7946 0000" });
  });

  it("masks pii, and a person's names next to the masked caption, in safe mode", () => {
    const [safeAnna, safeAurora, safePhone] = build(true) as [Row, Row, Row];
    expect(safeAnna.cells.caption).toEqual({ kind: "masked" });
    expect(safeAnna.cells["p:name"]).toEqual({ kind: "masked" });
    expect(safeAnna.cells["p:country"]).toMatchObject({ kind: "value", text: "gb" });
    expect(safeAnna.cells["p:birthDate"]).toEqual({ kind: "withheld", reason: "no authority" });
    expect(safePhone.cells["p:value"]).toEqual({ kind: "masked" });
    expect(safeAurora.cells.caption).toMatchObject({ kind: "value", text: "Aurora Ltd" });
    expect(safeAurora.cells["p:name"]).toMatchObject({ kind: "value" });
    expect(cellCsv(safeAnna.cells["p:name"])).toBe("••••");
    expect(maskedInSafeMode(null, "Company", "name")).toBe(true);
  });
});

describe("filtering", () => {
  const visible = ["caption", "type", "p:name", "p:country", "p:birthDate"];
  it("keeps rows with a visible cell holding every word, ignoring case", () => {
    expect(filterRows(build(false), visible, "AURORA", words).map((r) => r.id)).toEqual(["c1"]);
    expect(filterRows(build(false), visible, "person gb", words).map((r) => r.id)).toEqual(["p1"]);
    expect(filterRows(build(false), visible, "  ", words)).toHaveLength(3);
  });

  it("never matches a masked value or a hidden column", () => {
    expect(filterRows(build(true), visible, "anna", words)).toEqual([]);
    expect(filterRows(build(true), visible, "masked", words).map((r) => r.id)).toEqual(["p1", "t1"]);
    expect(filterRows(build(false), visible, "vg", words)).toEqual([]);
    expect(filterRows(build(false), [...visible, "p:jurisdiction"], "vg", words).map((r) => r.id)).toEqual(["c1"]);
  });

  it("matches what a withheld cell shows", () => {
    expect(filterRows(build(false), visible, "no authority", words).map((r) => r.id)).toEqual(["p1"]);
  });
});

describe("sorting", () => {
  it("sorts text both ways, with empty cells last either way", () => {
    const rows = build(false);
    expect(sortRows(rows, "p:country", "ascending").map((r) => r.id)).toEqual(["p1", "c1", "t1"]);
    expect(sortRows(rows, "caption", "ascending").map((r) => r.id)).toEqual(["t1", "p1", "c1"]);
    expect(sortRows(rows, "caption", "descending").map((r) => r.id)).toEqual(["c1", "p1", "t1"]);
    expect(sortRows(rows, "firstObserved", "descending").map((r) => r.id)).toEqual(["p1", "c1", "t1"]);
  });

  it("sorts classifications by level, not by name", () => {
    const rows = build(false);
    expect(sortRows(rows, "classification", "descending")[0]?.id).toBe("p1");
    expect(sortRows(rows, "classification", "ascending").at(-1)?.id).toBe("p1");
  });

  it("puts masked before withheld before empty, and keeps ties in order", () => {
    const rows = build(true);
    expect(sortRows(rows, "p:birthDate", "ascending").map((r) => r.id)).toEqual(["p1", "c1", "t1"]);
    expect(sortRows(rows, "caption", "ascending").map((r) => r.id)).toEqual(["c1", "p1", "t1"]);
  });

  it("compares numbers inside text naturally", () => {
    const numbered = ["item 10", "item 9", "item 100"].map((caption, i) =>
      buildRow(entity(`n${i}`, "Company", caption, {}), [], { ontology, safeMode: false, formatDateTime: String }),
    );
    expect(sortRows(numbered, "caption", "ascending").map((r) => r.cells.caption && cellText(r.cells.caption, words))).toEqual(["item 9", "item 10", "item 100"]);
  });
});
