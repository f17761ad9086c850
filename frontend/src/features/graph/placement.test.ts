import { describe, expect, it } from "vitest";
import { addElements, emptyModel, setPositions, type GraphEdge, type NodeInput, type NodeLabels } from "./model";
import { placeNewNodes, ringPositions } from "./placement";

const U: NodeLabels = { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] };
const node = (id: string): NodeInput => ({ id, schema: "Person", caption: id, labels: U });
const edge = (id: string, source: string, target: string): GraphEdge => ({ id, schema: "Associate", source, target, labels: U });
const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

describe("ringPositions", () => {
  it("spreads nodes on rings around the centre without overlaps", () => {
    const points = ringPositions({ x: 10, y: 10 }, 30);
    expect(points).toHaveLength(30);
    for (let i = 0; i < points.length; i += 1)
      for (let j = i + 1; j < points.length; j += 1) expect(distance(points[i]!, points[j]!)).toBeGreaterThan(40);
    expect(Math.min(...points.map((p) => distance(p, { x: 10, y: 10 })))).toBeGreaterThan(100);
  });
});

describe("placeNewNodes", () => {
  it("leaves a canvas with nothing placed to a full layout", () => {
    const model = addElements(emptyModel(), [node("a"), node("b")], []).model;
    expect(placeNewNodes(model)).toBe(model);
  });

  it("places expanded neighbours around the node they came from", () => {
    let model = addElements(emptyModel(), [node("hub"), node("other")], []).model;
    model = setPositions(model, { hub: { x: 500, y: 500 }, other: { x: 0, y: 0 } });
    model = addElements(model, [node("n1"), node("n2"), node("n3")], [edge("1", "hub", "n1"), edge("2", "hub", "n2"), edge("3", "hub", "n3")], { expandedFrom: "hub" }).model;
    const placed = placeNewNodes(model);
    for (const id of ["n1", "n2", "n3"]) {
      const position = placed.nodes.get(id)?.position;
      expect(position).toBeDefined();
      expect(distance(position!, { x: 500, y: 500 })).toBeLessThan(200);
    }
    expect(placed.nodes.get("hub")?.position).toEqual({ x: 500, y: 500 });
  });

  it("puts unconnected newcomers in a grid right of the placed ones", () => {
    let model = addElements(emptyModel(), [node("a")], []).model;
    model = setPositions(model, { a: { x: 100, y: 50 } });
    model = addElements(model, [node("x"), node("y")], []).model;
    const placed = placeNewNodes(model);
    expect(placed.nodes.get("x")!.position!.x).toBeGreaterThan(100);
    expect(placed.nodes.get("y")!.position).not.toEqual(placed.nodes.get("x")!.position);
  });
});
