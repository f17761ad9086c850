import { beforeEach, describe, expect, it } from "vitest";
import { addElements, emptyModel, removeNodes, setPositions, type NodeInput, type NodeLabels } from "./model";
import { commit, getGraphState, hasUnsavedChanges, present, redoGraph, resetGraph, setSelected, undoGraph } from "./store";
import { syntheticGraph } from "./synthetic";

const U: NodeLabels = { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] };
const node = (id: string): NodeInput => ({ id, schema: "Person", caption: id, labels: U });

beforeEach(() => resetGraph("viewer"));

describe("graph store", () => {
  it("asks for a full layout when nothing is placed yet, and places newcomers itself afterwards", () => {
    commit(addElements(emptyModel(), [node("a"), node("b")], []).model);
    const first = getGraphState().layoutRequest.seq;
    expect(first).toBe(1);
    commit(setPositions(present(), { a: { x: 0, y: 0 }, b: { x: 100, y: 0 } }), "replace");
    commit(addElements(present(), [node("c")], []).model);
    expect(getGraphState().layoutRequest.seq).toBe(first);
    expect(present().nodes.get("c")?.position).toBeDefined();
  });

  it("starts big graphs with the grid instead of the force-directed layout", () => {
    const { nodes, edges } = syntheticGraph(600, 700);
    commit(addElements(emptyModel(), nodes, edges).model);
    expect(getGraphState().layout).toBe("grid");
  });

  it("undo and redo drop selection of nodes that are gone", () => {
    commit(setPositions(addElements(emptyModel(), [node("a"), node("b")], []).model, { a: { x: 0, y: 0 }, b: { x: 1, y: 1 } }));
    setSelected(["a", "b", "ghost"]);
    expect(getGraphState().selected).toEqual(["a", "b"]);
    commit(removeNodes(present(), ["b"]));
    expect(getGraphState().selected).toEqual(["a"]);
    expect(undoGraph()).toBe(true);
    expect(present().nodes.has("b")).toBe(true);
    expect(redoGraph()).toBe(true);
    expect(present().nodes.has("b")).toBe(false);
    expect(redoGraph()).toBe(false);
  });

  it("knows when there are unsaved changes", () => {
    expect(hasUnsavedChanges(getGraphState())).toBe(false);
    commit(addElements(emptyModel(), [node("a")], []).model);
    expect(hasUnsavedChanges(getGraphState())).toBe(true);
  });
});
