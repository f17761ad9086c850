import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { I18nProvider } from "../../i18n";
import { ResultsTable } from "./ResultsTable";
import { testOntology } from "./testOntology";
import type { Hit } from "./useSearchResults";

const hits: Hit[] = [
  { score: 3.14159, node: { id: "p1", schema: "Person", caption: "Anna Adler", labels: [{ classification: 1, classificationName: "CONFIDENTIAL", compartments: ["FIN"] }] } },
  { score: 0, node: { id: "c1", schema: "Company", caption: "Aurora Ltd", labels: [] } },
];

function setup(safeMode = false, selected: string[] = []) {
  const onToggle = vi.fn();
  const onToggleAll = vi.fn();
  const onInspect = vi.fn();
  render(
    <I18nProvider locale="en">
      <ResultsTable hits={hits} selected={new Set(selected)} onToggle={onToggle} onToggleAll={onToggleAll} onInspect={onInspect} ontology={testOntology()} safeMode={safeMode} busy={false} />
    </I18nProvider>,
  );
  return { onToggle, onToggleAll, onInspect, rows: screen.getAllByTestId("search-row") };
}

afterEach(cleanup);

describe("result rows", () => {
  it("are tab stops carrying the entity id; Space selects, Enter inspects", () => {
    const { rows, onToggle, onInspect } = setup();
    expect(rows.map((row) => row.getAttribute("data-entity-id"))).toEqual(["p1", "c1"]);
    expect(rows[0]!.tabIndex).toBe(0);
    fireEvent.keyDown(rows[0]!, { key: " " });
    expect(onToggle).toHaveBeenCalledWith("p1");
    fireEvent.keyDown(rows[1]!, { key: "Enter" });
    expect(onInspect).toHaveBeenCalledWith("c1");
  });

  it("leave keys inside their own controls alone", () => {
    const { rows, onToggle } = setup();
    const checkbox = within(rows[0]!).getByRole("checkbox");
    fireEvent.keyDown(checkbox, { key: " " });
    expect(onToggle).not.toHaveBeenCalled();
  });

  it("move focus with the arrow keys", () => {
    const { rows } = setup();
    rows[0]!.focus();
    fireEvent.keyDown(rows[0]!, { key: "ArrowDown" });
    expect(document.activeElement).toBe(rows[1]);
    fireEvent.keyDown(rows[1]!, { key: "ArrowUp" });
    expect(document.activeElement).toBe(rows[0]);
  });

  it("show classification as text, compartments, and a rounded score", () => {
    const { rows } = setup();
    expect(within(rows[0]!).getByText("CONFIDENTIAL")).toBeTruthy();
    expect(within(rows[0]!).getByText("FIN")).toBeTruthy();
    expect(within(rows[0]!).getByText("3.14")).toBeTruthy();
    expect(within(rows[1]!).getByText("—")).toBeTruthy();
  });

  it("mask a person's caption in safe mode, with a marker, in the name too", () => {
    const { rows } = setup(true);
    expect(rows[0]!.textContent).not.toContain("Anna");
    expect(rows[0]!.getAttribute("aria-label")).not.toContain("Anna");
    expect(within(rows[0]!).getByTestId("masked-marker")).toBeTruthy();
    expect(rows[1]!.textContent).toContain("Aurora Ltd");
  });

  it("select the page from the header checkbox", () => {
    const { onToggleAll } = setup(false, ["p1"]);
    fireEvent.click(screen.getByRole("checkbox", { name: "Select every entity on this page" }));
    expect(onToggleAll).toHaveBeenCalledWith(["p1", "c1"], true);
  });
});
