import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { addElements, emptyModel, setPinned, type GraphEdge, type NodeInput, type NodeLabels } from "./model";
import { NodeList, filterNodes } from "./NodeList";
import { describeHops } from "./PathPanel";
import { edgeTypeCounts } from "./EdgeTypeFilter";

afterEach(cleanup);

const U: NodeLabels = { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] };
const S: NodeLabels = { classification: 2, classificationName: "SECRET", compartments: ["FIN"] };
const node = (id: string, schema: string, caption: string, labels = U): NodeInput => ({ id, schema, caption, labels });
const edge = (id: string, source: string, target: string, schema = "Ownership"): GraphEdge => ({ id, schema, source, target, labels: U });

const model = setPinned(
  addElements(
    emptyModel(),
    [node("p", "Person", "Anna Adler", S), node("c", "Company", "Aurora Maritime"), node("b", "BankAccount", "Bank account")],
    [edge("pc", "p", "c"), edge("cb", "c", "b"), edge("pb", "p", "b", "Payment")],
  ).model,
  ["c"],
  true,
);
const typeLabel = (schema: string) => ({ Person: "Person", Company: "Company", BankAccount: "Bank account", Ownership: "Ownership", Payment: "Payment" })[schema] ?? schema;
const maskPeople = (schema: string) => schema === "Person";
const maskNone = () => false;

describe("filterNodes", () => {
  it("matches caption or type and sorts by caption", () => {
    expect(filterNodes(model.nodes.values(), "", typeLabel, maskNone).map((n) => n.id)).toEqual(["p", "c", "b"]);
    expect(filterNodes(model.nodes.values(), "bank", typeLabel, maskNone).map((n) => n.id)).toEqual(["b"]);
    expect(filterNodes(model.nodes.values(), "company", typeLabel, maskNone).map((n) => n.id)).toEqual(["c"]);
  });

  it("does not find a masked caption by what it hides", () => {
    expect(filterNodes(model.nodes.values(), "anna", typeLabel, maskPeople)).toEqual([]);
    expect(filterNodes(model.nodes.values(), "person", typeLabel, maskPeople).map((n) => n.id)).toEqual(["p"]);
  });
});

describe("NodeList", () => {
  it("lists caption, type and classification in words, and marks pins", () => {
    render(<NodeList model={model} selected={["c"]} focused={null} typeLabel={typeLabel} masked={maskNone} onSelect={() => {}} onInspect={() => {}} />);
    const list = screen.getByTestId("graph-node-list");
    expect(list.getAttribute("role")).toBe("listbox");
    const options = screen.getAllByRole("option");
    expect(options).toHaveLength(3);
    expect(options[0]?.textContent).toContain("SECRET (FIN)");
    expect(options[1]?.getAttribute("aria-selected")).toBe("true");
    expect(options[1]?.textContent).toContain("⚑");
  });

  it("masks captions in safe mode", () => {
    render(<NodeList model={model} selected={[]} focused={null} typeLabel={typeLabel} masked={maskPeople} onSelect={() => {}} onInspect={() => {}} />);
    expect(screen.getByTestId("graph-node-list").textContent).not.toContain("Anna");
    expect(screen.getByTestId("graph-node-list").textContent).toContain("••••");
  });

  it("selects by keyboard: arrows move, Space toggles, Enter inspects", () => {
    const onSelect = vi.fn();
    const onInspect = vi.fn();
    render(<NodeList model={model} selected={[]} focused={null} typeLabel={typeLabel} masked={maskNone} onSelect={onSelect} onInspect={onInspect} />);
    const list = screen.getByTestId("graph-node-list");
    fireEvent.keyDown(list, { key: "ArrowDown" });
    fireEvent.keyDown(list, { key: " " });
    expect(onSelect).toHaveBeenLastCalledWith(["c"], "c");
    fireEvent.keyDown(list, { key: "Enter" });
    expect(onInspect).toHaveBeenCalledWith("c");
    expect(list.getAttribute("aria-activedescendant")).toBe("graph-node-option-c");
  });

  it("a click selects one, a Ctrl+click adds", () => {
    const onSelect = vi.fn();
    render(<NodeList model={model} selected={["p"]} focused={null} typeLabel={typeLabel} masked={maskNone} onSelect={onSelect} onInspect={() => {}} />);
    const [, second] = screen.getAllByRole("option");
    fireEvent.click(second!);
    expect(onSelect).toHaveBeenLastCalledWith(["c"], "c");
    fireEvent.click(second!, { ctrlKey: true });
    expect(onSelect).toHaveBeenLastCalledWith(["p", "c"], "c");
  });
});

describe("describeHops", () => {
  it("names each hop with its relationship and direction", () => {
    const caption = (id: string) => model.nodes.get(id)?.caption ?? id;
    expect(describeHops(["p", "c", "b"], ["pc", "cb"], model, caption, typeLabel)).toEqual([
      { from: "Anna Adler", edge: "Ownership", to: "Aurora Maritime", forward: true },
      { from: "Aurora Maritime", edge: "Ownership", to: "Bank account", forward: true },
    ]);
    expect(describeHops(["b", "c"], ["cb"], model, caption, typeLabel)[0]?.forward).toBe(false);
  });
});

describe("edgeTypeCounts", () => {
  it("counts the edges per type, by label", () => {
    expect(edgeTypeCounts(model, typeLabel)).toEqual([
      { type: "Ownership", label: "Ownership", count: 2 },
      { type: "Payment", label: "Payment", count: 1 },
    ]);
  });
});
