import { describe, expect, it } from "vitest";
import { makeI18n } from "../../i18n";
import { indexOntology } from "../../state/ontology";
import { reasonText, sourcesText, stepDetail } from "./format";
import { parseKeys } from "./keys";
import {
  abbreviate,
  classificationMarks,
  compartmentsOf,
  corroboration,
  highestLabel,
  mergeStatements,
  propertyRows,
  type EntityData,
  type StatementNode,
} from "./model";
import { hides, spellsCaption } from "./privacy";
import { clampWidth, MIN_WIDTH } from "./Resizer";

const label = (classification: number, classificationName: string, compartments: string[] = []) => ({
  tenant: "default",
  classification,
  classificationName,
  compartments,
  purposes: [],
  residency: null,
});

let next = 0;
function statement(property: string, value: string, source: string | null, labels = label(0, "UNCLASSIFIED")): StatementNode {
  next += 1;
  return {
    id: String(next).padStart(40, "0"),
    entityId: "e1",
    property,
    value,
    firstSeen: "2024-01-01T00:00:00Z",
    lastSeen: "2024-01-01T00:00:00Z",
    recordId: "f".repeat(64),
    labels,
    source: source === null ? null : { id: source, name: source, licence: "MIT-OK" },
    record: null,
  };
}

const ontology = indexOntology({
  version: "1",
  types: [
    {
      name: "Person",
      label: "Person",
      plural: "People",
      abstract: false,
      isEdge: false,
      ancestors: ["LegalEntity"],
      edgeSource: null,
      edgeTarget: null,
      properties: [
        { name: "name", label: "Name", type: "name", privacy: "public", multiple: true },
        { name: "firstName", label: "First name", type: "name", privacy: "public", multiple: true },
        { name: "birthDate", label: "Birth date", type: "date", privacy: "pii", multiple: true },
        { name: "country", label: "Country", type: "country", privacy: "public", multiple: true },
      ],
    },
  ],
  edges: [],
});

function entity(overrides: Partial<EntityData> = {}): EntityData {
  return {
    id: "e1",
    schema: "Person",
    caption: "Anna Adler",
    firstObserved: null,
    lastObserved: null,
    labels: [],
    redactions: [],
    properties: [],
    provenance: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] },
    ...overrides,
  };
}

describe("corroboration", () => {
  it("counts distinct sources per exact value and per property", () => {
    const counts = corroboration([
      statement("name", "Anna Adler", "a"),
      statement("name", "Anna Adler", "a"), // the same source twice counts once
      statement("name", "Anna Adler", "b"),
      statement("name", "ANNA ADLER", "c"), // another value: never merged loosely
      statement("name", "Anna Adler", null), // a hidden source may be one already counted
    ]);
    expect(counts.forValue("name", "Anna Adler")).toBe(2);
    expect(counts.forValue("name", "ANNA ADLER")).toBe(1);
    expect(counts.forValue("name", "Nobody")).toBe(0);
    expect(counts.forProperty("name")).toBe(3);
    expect(counts.forProperty("country")).toBe(0);
  });

  it("treats the same text in two Unicode forms as one value", () => {
    const counts = corroboration([statement("name", "Zoe\u0301", "a"), statement("name", "Zo\u00e9", "b")]);
    expect(counts.forValue("name", "Zoé")).toBe(2);
  });
});

describe("classification", () => {
  it("finds the highest label, the compartments and every distinct mark on screen", () => {
    const labels = [label(0, "UNCLASSIFIED"), label(2, "SECRET", ["FIN"]), label(1, "CONFIDENTIAL", ["HUM", "FIN"])];
    expect(highestLabel(labels)?.classificationName).toBe("SECRET");
    expect(highestLabel([])).toBeNull();
    expect(compartmentsOf(labels)).toEqual(["FIN", "HUM"]);
    const marks = classificationMarks(entity({ labels: labels.slice(0, 1) }), [statement("name", "x", "a", label(3, "TOP SECRET")), statement("name", "y", "a")]);
    expect(marks).toEqual([
      { level: 3, name: "TOP SECRET" },
      { level: 0, name: "UNCLASSIFIED" },
    ]);
  });
});

describe("property rows", () => {
  const shown = entity({
    properties: [
      { name: "name", values: ["Anna Adler"] },
      { name: "country", values: ["gb"] },
      { name: "firstName", values: ["Anna"] },
    ],
    redactions: [{ property: "birthDate", reason: "no authority" }],
  });
  const statements = [statement("name", "Anna Adler", "a"), statement("name", "Anna Adler", "b"), statement("country", "gb", "a")];

  it("lists visible and withheld properties by label, with corroboration", () => {
    const rows = propertyRows(shown, statements, { ontology, safeMode: false });
    expect(rows.map((row) => [row.label, row.withheld, row.sources])).toEqual([
      ["Birth date", "no authority", 0],
      ["Country", null, 1],
      ["First name", null, 0],
      ["Name", null, 2],
    ]);
    expect(rows[3]?.values).toEqual([{ value: "Anna Adler", masked: false, sources: 2 }]);
  });

  it("masks in safe mode the values that would spell out a masked caption", () => {
    const rows = propertyRows(shown, statements, { ontology, safeMode: true });
    const masked = Object.fromEntries(rows.map((row) => [row.name, row.values.map((cell) => cell.masked)]));
    expect(masked).toEqual({ birthDate: [], country: [false], firstName: [true], name: [true] });
  });

  it("hides pii everywhere in safe mode, and everything while the ontology is unknown", () => {
    const context = { ontology, safeMode: true };
    const company = { schema: "Company", caption: "Aurora Maritime" };
    expect(hides(context, { schema: "Person", caption: "Anna Adler" }, "birthDate", "1960-10-02")).toBe(true);
    expect(hides(context, company, "name", "Aurora Maritime")).toBe(false); // a company's caption is not masked
    expect(hides({ ontology: null, safeMode: true }, company, "name", "Aurora Maritime")).toBe(true);
    expect(hides({ ontology, safeMode: false }, { schema: "Person", caption: "Anna Adler" }, "birthDate", "1960-10-02")).toBe(false);
    expect(spellsCaption("adler", "Anna Adler")).toBe(true);
    expect(spellsCaption("Anna Berg", "Anna Adler")).toBe(false);
    expect(spellsCaption("—", "Anna Adler")).toBe(false);
  });
});

describe("paging and display", () => {
  it("merges pages without repeating statements", () => {
    const [a, b, c] = [statement("name", "a", "s"), statement("name", "b", "s"), statement("name", "c", "s")] as StatementNode[];
    expect(mergeStatements([a, b] as StatementNode[], [b, c] as StatementNode[]).map((s) => s.value)).toEqual(["a", "b", "c"]);
  });

  it("abbreviates long hashes only", () => {
    expect(abbreviate("0123456789abcdef0123")).toBe("01234567…0123");
    expect(abbreviate("0123456789ab")).toBe("0123456789ab");
  });

  it("keeps the panel width within bounds", () => {
    expect(clampWidth(10, 1600)).toBe(MIN_WIDTH);
    expect(clampWidth(2000, 1600)).toBe(960);
    expect(clampWidth(2000, 1000)).toBe(700);
    expect(clampWidth(500, 400)).toBe(MIN_WIDTH); // a narrow window still gets a usable panel
  });

  it("accepts only a real key list", () => {
    expect(() => parseKeys("<!doctype html>")).toThrow();
    expect(() => parseKeys({ keys: [{ keyId: "1" }] })).toThrow();
    expect(parseKeys({ origin: "o", keys: [] })).toEqual({ origin: "o", keys: [] });
  });
});

describe("wording", () => {
  const en = makeI18n("en").t;
  const de = makeI18n("de").t;

  it("translates the codes inside a reason", () => {
    expect(reasonText(en, { code: "badBase64", params: { what: "leafProof" } })).toBe("a hash of the leaf's proof is not valid base64");
    expect(reasonText(de, { code: "noteMalformed", params: { problem: "badDash" } })).toBe(
      "die signierte Notiz ist fehlerhaft: eine Signaturzeile beginnt nicht mit einem Geviertstrich",
    );
  });

  it("describes each step and counts sources", () => {
    const leaf = { id: "leaf", status: "passed", params: { index: 3, type: "claim", hash: "a".repeat(64) }, reason: null } as const;
    expect(stepDetail(en, leaf)).toBe(`leaf #3 (claim): SHA-256(0x00 ‖ leaf) = ${"a".repeat(16)}…${"a".repeat(8)}`);
    expect(stepDetail(en, { id: "record", status: "skipped", params: { needs: "leaf" }, reason: null })).toBe("needs the leaf, which did not check");
    expect(stepDetail(de, { id: "checkpoint", status: "skipped", params: { needs: "signature" }, reason: null })).toContain("gültige Signatur");
    const cosigned = { id: "signature", status: "passed", params: { keyId: "k", implementation: "JavaScript", count: 2 }, reason: null } as const;
    expect(stepDetail(de, cosigned)).toBe("Ed25519-Signaturen mit 2 Schlüsseln, geprüft mit JavaScript");
    expect([0, 1, 1200].map((n) => sourcesText(de, n))).toEqual(["keine sichtbare Quelle", "1 Quelle", "1.200 Quellen"]);
  });
});
