/**
 * The panel in a DOM with the app's real state, i18n and verifier; only the network is
 * answered here (GraphQL by operation name, the key list), from the Python-made fixture.
 */
import { ThemeProvider } from "@mui/material";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import axe from "axe-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import { AppProvider, useApp } from "../../state/app";
import type { Ontology } from "../../state/types";
import { theme } from "../../theme";
import { publishGraphChange } from "../realtime/bus";
import { InspectorPanel } from "./InspectorPanel";
import type { EntityData, LabelSet, StatementNode } from "./model";
import fixture from "./verify/fixtures/ledger-evidence.json";
import { toBase64, fromBase64 } from "./verify/encoding";

const ANNA = "407a1721ad059c1ce55710de2a8097d5be55c9ae";
const OTHER = "c".repeat(40);
const REGISTRY = { id: "src-registry", name: "demo-company-registries", licence: "Open-Data-OK" };
const LEAK = { id: "src-leak", name: "demo-incorporation-leak", licence: "Restricted-TOS" };
const UNCLASSIFIED: LabelSet = { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] };
const CONFIDENTIAL: LabelSet = { classification: 1, classificationName: "CONFIDENTIAL", compartments: ["HUM"] };

function statement(id: string, property: string, value: string, source: typeof REGISTRY, labels: LabelSet = UNCLASSIFIED): StatementNode {
  const seen = "2024-03-01T00:00:00+00:00";
  return {
    id,
    entityId: ANNA,
    property,
    value,
    firstSeen: seen,
    lastSeen: seen,
    recordId: "e".repeat(64),
    labels: { ...labels, tenant: "default", purposes: [], residency: null },
    source,
    record: { uri: "demo://unit-0", location: "Person:person-0-0" },
  };
}

// Two statements exactly as the Python API listed them (their evidence is in the fixture), one more.
const STATEMENTS: StatementNode[] = [
  fixture.cases.batch.statement as StatementNode,
  statement(OTHER, "name", "Anna Adler", LEAK, CONFIDENTIAL),
  fixture.cases.claim.statement as StatementNode,
];

const ENTITY: EntityData = {
  id: ANNA,
  schema: "Person",
  caption: "Anna Adler",
  firstObserved: "2024-03-01T00:00:00+00:00",
  lastObserved: "2024-03-10T00:00:00+00:00",
  labels: [UNCLASSIFIED, CONFIDENTIAL],
  redactions: [{ property: "birthDate", reason: "no active authority you hold covers this entity for this purpose" }],
  properties: [
    { name: "name", values: ["Anna Adler"] },
    { name: "country", values: ["gb"] },
    { name: "position", values: ["Director, Aurora Maritime Holdings Ltd"] },
    { name: "passportNumber", values: ["X1234567"] },
  ],
  provenance: { totalCount: 4, pageInfo: { hasNextPage: true, endCursor: "c1" }, edges: STATEMENTS.map((node) => ({ node })) },
};

const property = (name: string, label: string, privacy = "public") => ({ name, label, type: "string", privacy, multiple: true });
const ONTOLOGY: Ontology = {
  version: "test",
  types: [
    {
      name: "Person",
      label: "Person",
      plural: "People",
      abstract: false,
      isEdge: false,
      ancestors: ["LegalEntity", "Thing"],
      edgeSource: null,
      edgeTarget: null,
      properties: [
        property("name", "Name"),
        property("country", "Country"),
        property("position", "Position"),
        property("birthDate", "Birth date", "pii"),
        property("passportNumber", "Passport number", "pii"),
      ],
    },
  ],
  edges: [],
};

const VIEWER = {
  id: "u1", name: "admin", tenant: "default", kind: "user", clearance: 3, clearanceName: "TOP SECRET",
  compartments: ["HUM"], purposes: ["investigation"], groups: [], currentPurpose: "investigation", authority: null, admin: true,
};

/** What the fake server answers; tests change it. */
let entityAnswer: EntityData | null = ENTITY;

function evidenceFor(id: string): unknown {
  if (id === fixture.cases.batch.statementId) return fixture.cases.batch.evidence;
  if (id === fixture.cases.claim.statementId) {
    // Tampered in transit: one hash of the leaf's inclusion proof flipped.
    const evidence = structuredClone(fixture.cases.claim.evidence);
    evidence.leafProof[0] = toBase64(fromBase64(evidence.leafProof[0] ?? "", "leafProof").map((b, i) => (i === 0 ? b ^ 1 : b)));
    return evidence;
  }
  return null;
}

function answer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

function fakeServer(url: string, init?: RequestInit): Response {
  if (url === "/ledger/keys.json") return answer(fixture.keys);
  const { operationName, variables } = JSON.parse(String(init?.body)) as { operationName: string; variables: Record<string, string> };
  const data: Record<string, () => unknown> = {
    Me: () => ({ me: VIEWER }),
    Ontology: () => ({ ontology: ONTOLOGY }),
    Entity: () => ({ entity: entityAnswer }),
    InspectorProvenance: () => ({
      entity: {
        id: ANNA,
        provenance: { totalCount: 4, pageInfo: { hasNextPage: false, endCursor: "c2" }, edges: [{ node: statement("d".repeat(40), "name", "A. Adler", LEAK) }] },
      },
    }),
    Evidence: () => ({ evidence: evidenceFor(variables.statementId ?? "") }),
  };
  const found = data[operationName];
  if (!found) throw new Error(`unexpected operation ${operationName}`);
  return answer({ data: found() });
}

/** Opens the inspector from a button (so focus has somewhere to return) and shows the banner's mark. */
function Harness({ safeMode = false }: { safeMode?: boolean }) {
  const app = useApp();
  return (
    <>
      <main id="main" tabIndex={-1}>
        <h1>Test</h1>
        <button
          onClick={() => {
            app.setSafeMode(safeMode);
            app.inspect(ANNA);
          }}
        >
          open
        </button>
        <output data-testid="banner">{app.highestClassification?.name ?? "none"}</output>
        <output data-testid="ontology">{app.ontology ? "loaded" : "loading"}</output>
      </main>
      <InspectorPanel />
    </>
  );
}

async function open(safeMode = false) {
  render(
    <ThemeProvider theme={theme}>
      <AppProvider initialLocale="en">
        <I18nProvider locale="en">
          <Harness safeMode={safeMode} />
        </I18nProvider>
      </AppProvider>
    </ThemeProvider>,
  );
  await waitFor(() => expect(screen.getByTestId("ontology").textContent).toBe("loaded"));
  const opener = screen.getByRole("button", { name: "open" });
  opener.focus();
  fireEvent.click(opener);
  return screen.findByTestId("inspector");
}

beforeEach(() => {
  entityAnswer = ENTITY;
  sessionStorage.clear();
  localStorage.clear();
  sessionStorage.setItem(
    "intelgraph.session",
    JSON.stringify({ accessToken: "t", refreshToken: null, expiresAt: Date.now() + 3_600_000, refreshExpiresAt: null, kind: "embedded" }),
  );
  vi.stubGlobal("fetch", vi.fn((url: string, init?: RequestInit) => Promise.resolve(fakeServer(url, init))));
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

// A full MUI render with axe is slow on a busy machine; the default 5 s is too tight.
describe("InspectorPanel", { timeout: 30_000 }, () => {
  it("is a labelled complementary region with properties, withheld values and statements", async () => {
    const panel = await open();
    await within(panel).findByRole("heading", { level: 2, name: "Anna Adler" });
    expect(screen.getByRole("complementary", { name: "Inspector Anna Adler" })).toBe(panel);
    const rows = within(panel).getAllByTestId("inspector-property");
    expect(rows.map((row) => row.dataset.property)).toEqual(["birthDate", "country", "name", "passportNumber", "position"]);
    const birth = rows[0] as HTMLElement;
    expect(birth.textContent).toContain("null");
    expect(birth.textContent).toContain("withheld");
    expect(birth.textContent).toContain("no active authority you hold covers this entity");
    // Corroboration over the loaded statements: one source each for country and name.
    expect((rows[1] as HTMLElement).textContent).toContain("gb (1 source)");
    expect((rows[2] as HTMLElement).textContent).toContain("Anna Adler (1 source)");
    const items = within(panel).getAllByTestId("statement");
    expect(items.map((item) => item.dataset.statementId)).toEqual(STATEMENTS.map((s) => s.id));
    expect(items[0]?.textContent).toContain("1 source");
    expect(within(panel).getByText(/computed in your browser over the 3 of 4 statements/)).toBeTruthy();
  });

  it("reports the classifications it shows, and clears them when closed", async () => {
    const panel = await open();
    await within(panel).findByRole("heading", { level: 2, name: "Anna Adler" });
    await waitFor(() => expect(screen.getByTestId("banner").textContent).toBe("CONFIDENTIAL"));
    fireEvent.click(within(panel).getByTestId("inspector-close"));
    expect(screen.queryByTestId("inspector")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("banner").textContent).toBe("none"));
  });

  it("closes on Escape and gives focus back to what opened it", async () => {
    const panel = await open();
    const verify = (await within(panel).findAllByTestId("statement-verify"))[0] as HTMLElement;
    verify.focus();
    fireEvent.keyDown(verify, { key: "Escape" });
    expect(screen.queryByTestId("inspector")).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "open" }));
  });

  it("verifies a statement in the browser, and shows a tampered proof as failed with its reason", async () => {
    const panel = await open();
    const buttons = await within(panel).findAllByTestId("statement-verify");
    fireEvent.click(buttons[0] as HTMLElement);
    fireEvent.click(buttons[2] as HTMLElement);
    fireEvent.click(buttons[1] as HTMLElement);
    const items = within(panel).getAllByTestId("statement");
    const result = (index: number) => within(items[index] as HTMLElement).findByTestId("verify-result", {}, { timeout: 15_000 });
    const good = await result(0);
    expect(good.dataset.status).toBe("verified");
    expect(good.dataset.implementation).toBe("WebCrypto");
    expect(good.textContent).toContain("Verified in your browser");
    expect(good.textContent).toContain(fixture.keys.keys[1]?.vkey.slice(0, 24));
    const tampered = await result(2);
    expect(tampered.dataset.status).toBe("failed");
    expect(tampered.textContent).toContain("Verification failed: the proof leads to a different root");
    expect(tampered.textContent).toContain("The server's own check also says verified");
    const absent = await result(1);
    expect(absent.dataset.status).toBe("failed");
    expect(absent.textContent).toContain("not in the ledger or not visible to you");
  });

  it("loads more statements on demand", async () => {
    const panel = await open();
    fireEvent.click(await within(panel).findByTestId("inspector-more"));
    await waitFor(() => expect(within(panel).getAllByTestId("statement")).toHaveLength(4));
    expect(within(panel).queryByTestId("inspector-more")).toBeNull();
    // The button is gone; focus moved to the first statement it loaded.
    await waitFor(() => expect(document.activeElement).toBe(within(panel).getAllByTestId("statement")[3]));
  });

  it("reloads when a live change touches the entity, and says so politely", async () => {
    const panel = await open();
    await within(panel).findByRole("heading", { level: 2, name: "Anna Adler" });
    entityAnswer = { ...ENTITY, caption: "Anna M. Adler" };
    act(() => publishGraphChange({ kind: "update", seq: 2, at: "2026-01-01T00:00:00Z", entityIds: ["someone-else"], count: 1 }));
    expect(within(panel).queryByText("Updated after a live change")).toBeNull();
    act(() => publishGraphChange({ kind: "update", seq: 3, at: "2026-01-01T00:00:00Z", entityIds: [ANNA], count: 1 }));
    await within(panel).findByRole("heading", { level: 2, name: "Anna M. Adler" });
    expect(within(panel).getByText("Updated after a live change").getAttribute("role")).toBe("status");
  });

  it("masks pii values, the Person caption and the values that spell it in safe mode", async () => {
    const panel = await open(true);
    const heading = await within(panel).findByRole("heading", { level: 2 });
    expect(heading.textContent).toContain("masked");
    expect(panel.textContent).not.toContain("Anna Adler");
    expect(panel.textContent).not.toContain("X1234567");
    const passport = within(panel).getAllByTestId("inspector-property").find((row) => row.dataset.property === "passportNumber");
    expect(passport?.textContent).toContain("masked");
    expect(panel.textContent).toContain("gb"); // not pii, not part of the caption
  });

  it("answers an absent or hidden entity with one message", async () => {
    entityAnswer = null;
    const panel = await open();
    expect(await within(panel).findByRole("heading", { level: 2, name: "No such entity or not visible to you" })).toBeTruthy();
  });

  it("has no serious or critical accessibility violations", async () => {
    const panel = await open();
    const buttons = await within(panel).findAllByTestId("statement-verify");
    fireEvent.click(buttons[0] as HTMLElement);
    await within(panel).findByTestId("verify-result", {}, { timeout: 15_000 });
    let violations: axe.Result[] = [];
    await act(async () => {
      // Colour contrast needs layout, which jsdom has not: the browser check covers it.
      const results = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
      violations = results.violations;
    });
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  });
});
