import { describe, expect, it } from "vitest";
import { syntheticGraph } from "./synthetic";

describe("syntheticGraph", () => {
  it("makes exactly the asked number of nodes and edges", () => {
    const { nodes, edges } = syntheticGraph(2000, 5000);
    expect(nodes).toHaveLength(2000);
    expect(edges).toHaveLength(5000);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(2000);
    expect(new Set(edges.map((e) => e.id)).size).toBe(5000);
  });

  it("is deterministic per seed and differs between seeds", () => {
    expect(syntheticGraph(50, 120, 3)).toEqual(syntheticGraph(50, 120, 3));
    expect(syntheticGraph(50, 120, 3).edges).not.toEqual(syntheticGraph(50, 120, 4).edges);
  });

  it("is connected, without self-loops or repeated pairs", () => {
    const { nodes, edges } = syntheticGraph(300, 700, 9);
    const pairs = edges.map((e) => [e.source, e.target].sort().join("|"));
    expect(new Set(pairs).size).toBe(edges.length);
    expect(edges.every((e) => e.source !== e.target)).toBe(true);
    const linked = new Set(edges.flatMap((e) => [e.source, e.target]));
    expect(nodes.every((n) => linked.has(n.id))).toBe(true);
  });

  it("caps the edges at what the nodes allow", () => {
    expect(syntheticGraph(4, 100).edges).toHaveLength(6);
    expect(syntheticGraph(0, 10)).toEqual({ nodes: [], edges: [] });
  });
});
