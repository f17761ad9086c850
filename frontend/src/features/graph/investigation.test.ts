import { describe, expect, it } from "vitest";
import { addElements, emptyModel, setPinned, setPositions, type GraphEdge, type NodeInput, type NodeLabels } from "./model";
import { InvalidState, parseState, restore, serialise } from "./investigation";

const U: NodeLabels = { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] };
const node = (id: string): NodeInput => ({ id, schema: "Company", caption: `Caption ${id}`, labels: U });
const edge = (id: string, source: string, target: string): GraphEdge => ({ id, schema: "Ownership", source, target, labels: U });

function canvas() {
  let model = addElements(emptyModel(), [node("a"), node("b"), node("c")], [edge("ab", "a", "b"), edge("bc", "b", "c")]).model;
  model = setPositions(model, { a: { x: 1.234, y: -5 }, b: { x: 100, y: 200 }, c: { x: -50, y: 0 } });
  return setPinned(model, ["b"], true);
}

describe("serialise", () => {
  it("stores ids, rounded positions, pins, layout and viewport, and no captions", () => {
    const state = serialise(canvas(), "breadthfirst", { zoom: 1.5, pan: { x: 10.04, y: 20 } });
    expect(state).toEqual({
      version: 1,
      nodes: [
        { id: "a", x: 1.2, y: -5, pinned: false },
        { id: "b", x: 100, y: 200, pinned: true },
        { id: "c", x: -50, y: 0, pinned: false },
      ],
      edges: ["ab", "bc"],
      layout: "breadthfirst",
      viewport: { zoom: 1.5, pan: { x: 10, y: 20 } },
    });
    expect(JSON.stringify(state)).not.toContain("Caption");
  });
});

describe("parseState", () => {
  it("round-trips through JSON", () => {
    const state = serialise(canvas(), "cose", null);
    expect(parseState(JSON.stringify(state))).toEqual(state);
  });

  it("refuses unknown versions and shapes", () => {
    expect(() => parseState({ version: 2, nodes: [], edges: [] })).toThrow(InvalidState);
    expect(() => parseState([])).toThrow(InvalidState);
    expect(() => parseState({ version: 1, nodes: {}, edges: [] })).toThrow(InvalidState);
  });

  it("skips bad entries and defaults what is missing", () => {
    const state = parseState({
      version: 1,
      nodes: [{ id: "a", x: "1", y: 2, pinned: "yes" }, { x: 1 }, { id: "a", x: 9, y: 9 }, null],
      edges: ["e1", 7, "e1", ""],
      layout: "spiral",
      viewport: { zoom: -1, pan: { x: 0, y: 0 } },
    });
    expect(state).toEqual({ version: 1, nodes: [{ id: "a", x: 0, y: 2, pinned: false }], edges: ["e1"], layout: "cose", viewport: null });
  });
});

describe("restore", () => {
  it("applies saved positions and pins to what came back and counts the rest as hidden", () => {
    const state = serialise(canvas(), "cose", null);
    // The viewer can no longer see c: neither it nor its edge comes back.
    const { model, hiddenNodes, hiddenEdges } = restore(state, [node("a"), node("b")], [edge("ab", "a", "b")]);
    expect([...model.nodes.keys()]).toEqual(["a", "b"]);
    expect(model.nodes.get("b")).toMatchObject({ pinned: true, position: { x: 100, y: 200 }, caption: "Caption b" });
    expect([...model.edges.keys()]).toEqual(["ab"]);
    expect(hiddenNodes).toBe(1);
    expect(hiddenEdges).toBe(1);
  });

  it("ignores fetched elements the state did not hold", () => {
    const state = serialise(canvas(), "cose", null);
    const { model } = restore(state, [node("a"), node("b"), node("intruder")], [edge("ab", "a", "b"), edge("x", "a", "intruder")]);
    expect(model.nodes.has("intruder")).toBe(false);
    expect(model.edges.has("x")).toBe(false);
  });
});
