import { beforeEach, describe, expect, it, vi } from "vitest";

// The API is the boundary: the operations run for real against scripted server answers.
const answers: Record<string, (variables: Record<string, unknown>) => unknown> = {};
const calls: { name: string; variables: Record<string, unknown> }[] = [];
vi.mock("../../api/client", () => ({
  ApiError: class ApiError extends Error {},
  call: async (name: string, variables: Record<string, unknown> = {}) => {
    calls.push({ name, variables });
    const answer = answers[name];
    if (!answer) throw new Error(`unexpected ${name}`);
    return answer(variables);
  },
}));

const { expand, expandMore, findPaths, openIds, openInvestigation, refreshEntities } = await import("./operations");
const { getGraphState, present, resetGraph } = await import("./store");

const label = (classification: number, classificationName: string) => [{ classification, classificationName, compartments: [] }];
const entity = (id: string, caption = id.toUpperCase(), schema = "Person") => ({ id, schema, caption, labels: label(0, "UNCLASSIFIED") });

beforeEach(() => {
  resetGraph("viewer");
  calls.length = 0;
  for (const key of Object.keys(answers)) delete answers[key];
  answers.Subgraph = (v) => ({
    subgraph: { truncated: false, missing: (v.ids as string[]).filter((id) => id === "hidden"), nodes: (v.ids as string[]).filter((id) => id !== "hidden").map((id) => entity(id)), edges: [] },
  });
});

describe("openIds", () => {
  it("opens what is visible and says what is not", async () => {
    await openIds(["a", "hidden"], "open");
    expect([...present().nodes.keys()]).toEqual(["a"]);
    expect(getGraphState().status?.key).toBe("graph.status.openedHidden");
    expect(getGraphState().status?.params).toMatchObject({ count: 1, hidden: 1 });
  });

  it("adds to the canvas and asks for the edges joining old and new", async () => {
    await openIds(["a"], "open");
    await openIds(["b"], "add");
    expect([...present().nodes.keys()]).toEqual(["a", "b"]);
    const last = calls[calls.length - 1];
    expect(last?.name).toBe("Subgraph");
    expect(new Set(last?.variables.ids as string[])).toEqual(new Set(["a", "b"]));
  });
});

describe("expand", () => {
  it("adds one page of neighbours, remembers the cursor and fetches the next page with it", async () => {
    await openIds(["hub"], "open");
    answers.Neighbors = (v) => ({
      neighbors: {
        pageInfo: v.after ? { hasNextPage: false, endCursor: "c2" } : { hasNextPage: true, endCursor: "c1" },
        edges: (v.after ? ["n3"] : ["n1", "n2"]).map((id, i) => ({
          direction: i % 2 ? "IN" : "OUT",
          edgeType: "Ownership",
          edgeId: `e-${id}`,
          edge: { labels: label(1, "CONFIDENTIAL") },
          node: entity(id),
        })),
      },
    });
    await expand("hub", "BOTH", ["Ownership"]);
    expect(calls.find((c) => c.name === "Neighbors")?.variables).toMatchObject({ id: "hub", direction: "BOTH", edgeTypes: ["Ownership"], after: null });
    expect(present().nodes.get("n1")?.expandedFrom).toBe("hub");
    expect(present().edges.get("e-n1")).toMatchObject({ source: "hub", target: "n1" });
    expect(present().edges.get("e-n2")).toMatchObject({ source: "n2", target: "hub" });
    expect(getGraphState().more).toEqual({ nodeId: "hub", direction: "BOTH", edgeTypes: ["Ownership"], cursor: "c1" });
    await expandMore();
    expect(calls.filter((c) => c.name === "Neighbors").map((c) => c.variables.after)).toEqual([null, "c1"]);
    expect(present().nodes.has("n3")).toBe(true);
    expect(getGraphState().more).toBeNull();
  });
});

describe("findPaths", () => {
  it("adds and highlights the shortest path, or says there is none", async () => {
    await openIds(["a", "d"], "open");
    answers.Paths = () => ({ paths: [] });
    await findPaths("a", "d", 2);
    expect(getGraphState().status?.key).toBe("graph.status.noPath.other");
    answers.Paths = () => ({
      paths: [
        {
          hops: 2,
          nodeIds: ["a", "m", "d"],
          edgeIds: ["am", "md"],
          nodes: [entity("a"), entity("m"), entity("d")],
          edges: [
            { id: "am", schema: "Payment", labels: label(0, "UNCLASSIFIED"), sourceId: "a", targetId: "m" },
            { id: "md", schema: "Payment", labels: label(0, "UNCLASSIFIED"), sourceId: "d", targetId: "m" },
          ],
        },
      ],
    });
    await findPaths("a", "d", 4);
    expect(present().nodes.has("m")).toBe(true);
    expect(present().highlight).toEqual({ nodes: ["a", "m", "d"], edges: ["am", "md"] });
    expect(getGraphState().status?.key).toBe("graph.status.pathFound.other");
  });
});

describe("refresh and reopen", () => {
  it("updates captions everywhere in the history and drops what is hidden now", async () => {
    await openIds(["a", "b"], "open");
    answers.GraphEntities = () => ({ entities: [{ ...entity("a"), caption: "Renamed" }, null] });
    const result = await refreshEntities(["a", "b", "not-on-canvas"]);
    expect(result).toEqual({ updated: 1, removed: 1 });
    expect(present().nodes.get("a")?.caption).toBe("Renamed");
    expect(present().nodes.has("b")).toBe(false);
    expect(getGraphState().history.past.every((snapshot) => !snapshot.nodes.has("b"))).toBe(true);
  });

  it("reopens an investigation with only what the viewer can see", async () => {
    answers.InvestigationGet = () => ({
      investigation: {
        id: "inv1",
        name: "Case",
        state: { version: 1, nodes: [{ id: "a", x: 1, y: 2, pinned: true }, { id: "gone", x: 0, y: 0, pinned: false }], edges: [], layout: "concentric", viewport: null },
      },
    });
    answers.GraphEntities = (v) => ({ entities: (v.ids as string[]).map((id) => (id === "gone" ? null : entity(id))) });
    await openInvestigation("inv1");
    expect([...present().nodes.keys()]).toEqual(["a"]);
    expect(present().nodes.get("a")).toMatchObject({ pinned: true, position: { x: 1, y: 2 } });
    expect(getGraphState().investigation).toEqual({ id: "inv1", name: "Case" });
    expect(getGraphState().layout).toBe("concentric");
    expect(getGraphState().status?.key).toBe("graph.status.openedInvestigationHidden.one");
  });
});
