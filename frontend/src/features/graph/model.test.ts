import { describe, expect, it } from "vitest";
import {
  addElements,
  applyRefresh,
  classificationMarks,
  collapse,
  collapseCandidates,
  emptyModel,
  neighbourIds,
  removeEdges,
  removeNodes,
  setHighlight,
  setPinned,
  setPositions,
  togglePinned,
  updateEntities,
  visibleEdges,
  type GraphEdge,
  type GraphModel,
  type NodeInput,
  type NodeLabels,
} from "./model";

const U: NodeLabels = { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] };
const S: NodeLabels = { classification: 2, classificationName: "SECRET", compartments: ["FIN"] };
const node = (id: string, extra: Partial<NodeInput> = {}): NodeInput => ({ id, schema: "Person", caption: id.toUpperCase(), labels: U, ...extra });
const edge = (id: string, source: string, target: string, schema = "Ownership"): GraphEdge => ({ id, schema, source, target, labels: U });

function build(nodes: NodeInput[], edges: GraphEdge[], expandedFrom?: string): GraphModel {
  return addElements(emptyModel(), nodes, edges, expandedFrom ? { expandedFrom } : {}).model;
}

describe("addElements", () => {
  it("adds nodes and the edges whose ends are both present", () => {
    const { model, addedNodes, addedEdges } = addElements(emptyModel(), [node("a"), node("b")], [edge("e1", "a", "b"), edge("e2", "a", "zz")]);
    expect([...model.nodes.keys()]).toEqual(["a", "b"]);
    expect([...model.edges.keys()]).toEqual(["e1"]);
    expect(addedNodes).toEqual(["a", "b"]);
    expect(addedEdges).toEqual(["e1"]);
  });

  it("merges a duplicate: keeps pin, position and origin, takes the fresh caption and labels", () => {
    let model = build([node("a"), node("b")], [], "root");
    model = setPinned(setPositions(model, { b: { x: 5, y: 6 } }), ["b"], true);
    const { model: merged, addedNodes } = addElements(model, [node("b", { caption: "Renamed", labels: S })], []);
    const b = merged.nodes.get("b");
    expect(addedNodes).toEqual([]);
    expect(b).toMatchObject({ caption: "Renamed", labels: S, pinned: true, position: { x: 5, y: 6 }, expandedFrom: "root" });
  });

  it("returns the same model when nothing changes", () => {
    const model = build([node("a"), node("b")], [edge("e1", "a", "b")]);
    expect(addElements(model, [node("a")], [edge("e1", "a", "b")]).model).toBe(model);
  });

  it("marks new nodes with the node they were expanded from, but not that node itself", () => {
    const start = build([node("a")], []);
    const { model } = addElements(start, [node("a"), node("b")], [edge("e", "a", "b")], { expandedFrom: "a" });
    expect(model.nodes.get("b")?.expandedFrom).toBe("a");
    expect(model.nodes.get("a")?.expandedFrom).toBeUndefined();
  });
});

describe("removal", () => {
  it("removes nodes with their edges and forgets them as an origin", () => {
    let model = build([node("a")], []);
    model = addElements(model, [node("b"), node("c")], [edge("ab", "a", "b"), edge("bc", "b", "c")], { expandedFrom: "a" }).model;
    const next = removeNodes(model, ["a"]);
    expect([...next.nodes.keys()]).toEqual(["b", "c"]);
    expect([...next.edges.keys()]).toEqual(["bc"]);
    expect(next.nodes.get("b")?.expandedFrom).toBeUndefined();
  });

  it("prunes the highlight and is a no-op for unknown ids", () => {
    const model = setHighlight(build([node("a"), node("b")], [edge("ab", "a", "b")]), ["a", "b"], ["ab"]);
    expect(removeNodes(model, ["nope"])).toBe(model);
    const next = removeNodes(model, ["b"]);
    expect(next.highlight).toEqual({ nodes: ["a"], edges: [] });
    const noEdge = removeEdges(model, ["ab"]);
    expect(noEdge.highlight.edges).toEqual([]);
    expect(noEdge.nodes.size).toBe(2);
  });
});

describe("collapse", () => {
  // x expanded into a, b, c, d; a is pinned, b also links to y (elsewhere), c and d only to x and each other.
  function expanded(): GraphModel {
    let model = build([node("x"), node("y")], []);
    model = addElements(
      model,
      [node("a"), node("b"), node("c"), node("d")],
      [edge("xa", "x", "a"), edge("xb", "x", "b"), edge("xc", "x", "c"), edge("xd", "x", "d"), edge("cd", "c", "d"), edge("by", "b", "y")],
      { expandedFrom: "x" },
    ).model;
    return setPinned(model, ["a"], true);
  }

  it("removes the neighbours the expansion brought in, except pinned and those linked elsewhere", () => {
    expect([...collapseCandidates(expanded(), "x")].sort()).toEqual(["c", "d"]);
    const next = collapse(expanded(), "x");
    expect([...next.nodes.keys()].sort()).toEqual(["a", "b", "x", "y"]);
    expect([...next.edges.keys()].sort()).toEqual(["by", "xa", "xb"]);
  });

  it("keeps a neighbour that was on the canvas before the expansion", () => {
    const model = addElements(build([node("x"), node("old")], []), [node("old"), node("n")], [edge("xo", "x", "old"), edge("xn", "x", "n")], {
      expandedFrom: "x",
    }).model;
    expect([...collapseCandidates(model, "x")]).toEqual(["n"]);
  });

  it("keeps a candidate linked to another candidate that must stay", () => {
    // e is linked to b, and b stays (linked to y): e stays too.
    let model = expanded();
    model = addElements(model, [node("e")], [edge("xe", "x", "e"), edge("eb", "e", "b")], { expandedFrom: "x" }).model;
    expect([...collapseCandidates(model, "x")].sort()).toEqual(["c", "d"]);
  });

  it("does nothing for a node that expanded nothing", () => {
    const model = expanded();
    expect(collapse(model, "y")).toBe(model);
  });
});

describe("pins and positions", () => {
  it("toggles: pins all when any is loose, unpins when all are pinned", () => {
    let model = setPinned(build([node("a"), node("b")], []), ["a"], true);
    model = togglePinned(model, ["a", "b"]);
    expect([model.nodes.get("a")?.pinned, model.nodes.get("b")?.pinned]).toEqual([true, true]);
    model = togglePinned(model, ["a", "b"]);
    expect([model.nodes.get("a")?.pinned, model.nodes.get("b")?.pinned]).toEqual([false, false]);
  });

  it("ignores sub-pixel moves, unknown ids and non-finite numbers", () => {
    const model = setPositions(build([node("a")], []), { a: { x: 10, y: 10 } });
    expect(setPositions(model, { a: { x: 10.2, y: 9.9 } })).toBe(model);
    expect(setPositions(model, { zz: { x: 1, y: 1 } })).toBe(model);
    expect(setPositions(model, { a: { x: Number.NaN, y: 1 } })).toBe(model);
    expect(setPositions(model, new Map([["a", { x: 50, y: 10 }]])).nodes.get("a")?.position).toEqual({ x: 50, y: 10 });
  });
});

describe("updates from the server", () => {
  it("updates captions and labels of nodes and labels of edges on the canvas only", () => {
    const model = build([node("a"), node("b")], [edge("ab", "a", "b")]);
    const next = updateEntities(model, [
      { id: "a", schema: "Person", caption: "New", labels: S },
      { id: "ab", schema: "Ownership", caption: "", labels: S },
      { id: "zz", schema: "Person", caption: "Ghost", labels: U },
    ]);
    expect(next.nodes.get("a")?.caption).toBe("New");
    expect(next.edges.get("ab")?.labels).toEqual(S);
    expect(next.nodes.has("zz")).toBe(false);
    expect(updateEntities(next, [{ id: "a", schema: "Person", caption: "New", labels: S }])).toBe(next);
  });

  it("removes what is no longer visible", () => {
    const model = build([node("a"), node("b"), node("c")], [edge("ab", "a", "b"), edge("bc", "b", "c")]);
    const next = applyRefresh(model, [], ["c", "ab"]);
    expect([...next.nodes.keys()]).toEqual(["a", "b"]);
    expect([...next.edges.keys()]).toEqual([]);
  });
});

describe("queries", () => {
  it("lists neighbours, visible edges and distinct classification marks", () => {
    const model = addElements(emptyModel(), [node("a"), node("b", { labels: S }), node("c")], [edge("ab", "a", "b"), edge("ca", "c", "a", "Payment")]).model;
    expect([...neighbourIds(model, "a")].sort()).toEqual(["b", "c"]);
    expect(visibleEdges(model, new Set(["Payment"])).map((e) => e.id)).toEqual(["ab"]);
    expect(classificationMarks(model)).toEqual([
      { level: 0, name: "UNCLASSIFIED" },
      { level: 2, name: "SECRET" },
    ]);
  });

  it("highlights only what is on the canvas", () => {
    const model = build([node("a"), node("b")], [edge("ab", "a", "b")]);
    expect(setHighlight(model, ["a", "x", "b"], ["ab", "xy"]).highlight).toEqual({ nodes: ["a", "b"], edges: ["ab"] });
  });
});
