/**
 * The graph feature's reads and writes, turned into model nodes and edges. An entity's
 * labels come as one label set per visible statement: the canvas shows the highest
 * classification among them and the union of their compartments.
 */
import { ApiError, call as rawCall } from "../../api/client";
import type { OperationName } from "../../graphql/documents.generated";
import type { GraphEdge, NodeInput, NodeLabels } from "./model";
import type { InvestigationState } from "./investigation";

interface ApiLabel {
  classification: number;
  classificationName: string;
  /** Not asked for on edges (nothing shows them; labels lists are what the server's cost counts). */
  compartments?: string[];
}

interface ApiEntity {
  id: string;
  schema: string;
  caption: string;
  labels: ApiLabel[];
  sourceId?: string | null;
  targetId?: string | null;
}

const MAX_RETRIES = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A call that waits out the server's rate limit instead of failing: reopening a big
 * investigation spends more of the per-minute budget than one request may.
 */
async function call<T>(name: OperationName, variables: Record<string, unknown> = {}, options: { signal?: AbortSignal } = {}): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await rawCall<T>(name, variables, options);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "rate_limited" || attempt >= MAX_RETRIES || options.signal?.aborted) throw error;
      const seconds = Number(/(\d+)\s*s/.exec(error.hint ?? "")?.[1] ?? 2);
      await sleep(Math.min(Math.max(seconds, 1), 10) * 1000);
    }
  }
}

/** The entity's marking: highest classification, all compartments (sorted). */
export function combineLabels(labels: readonly ApiLabel[] | null | undefined): NodeLabels {
  let top: ApiLabel | null = null;
  const compartments = new Set<string>();
  for (const label of labels ?? []) {
    if (!top || label.classification > top.classification) top = label;
    for (const compartment of label.compartments ?? []) compartments.add(compartment);
  }
  return {
    classification: top?.classification ?? 0,
    classificationName: top?.classificationName ?? "UNCLASSIFIED",
    compartments: [...compartments].sort(),
  };
}

export function toNode(entity: ApiEntity): NodeInput {
  return { id: entity.id, schema: entity.schema, caption: entity.caption, labels: combineLabels(entity.labels) };
}

/** Subgraph and path answers can name ids hidden from the viewer; those never reach here. */
export interface Fetched {
  nodes: NodeInput[];
  edges: GraphEdge[];
}

export interface SubgraphResult extends Fetched {
  truncated: boolean;
  missing: string[];
}

/** The server takes at most 500 ids per request. */
export const ID_LIMIT = 500;

export async function fetchSubgraph(ids: readonly string[], hops: 0 | 1, signal?: AbortSignal): Promise<SubgraphResult> {
  const data = await call<{
    subgraph: {
      truncated: boolean;
      missing: string[];
      nodes: ApiEntity[];
      edges: { id: string; edgeType: string; sourceId: string; targetId: string; edge: { labels: ApiLabel[] } | null }[];
    };
  }>(
    "Subgraph",
    // The server prices a query by its limit (rate limits count that cost): with no hops,
    // exactly the asked ids can come back, so ask for no more room than that.
    { ids: ids.slice(0, ID_LIMIT), hops, limit: hops === 0 ? Math.max(1, Math.min(ids.length, ID_LIMIT)) : ID_LIMIT },
    { signal },
  );
  const { subgraph } = data;
  return {
    truncated: subgraph.truncated || ids.length > ID_LIMIT,
    missing: subgraph.missing,
    nodes: subgraph.nodes.map(toNode),
    edges: subgraph.edges.map((edge) => ({
      id: edge.id,
      schema: edge.edgeType,
      source: edge.sourceId,
      target: edge.targetId,
      labels: combineLabels(edge.edge?.labels),
    })),
  };
}

export type ApiDirection = "OUT" | "IN" | "BOTH";

export interface NeighbourPage extends Fetched {
  hasNextPage: boolean;
  endCursor: string | null;
}

export const NEIGHBOUR_PAGE = 50;

export async function fetchNeighbours(
  id: string,
  direction: ApiDirection,
  edgeTypes: readonly string[] | null,
  after: string | null,
  signal?: AbortSignal,
): Promise<NeighbourPage> {
  const data = await call<{
    neighbors: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { direction: "OUT" | "IN"; edgeType: string; edgeId: string; edge: { labels: ApiLabel[] } | null; node: ApiEntity | null }[];
    };
  }>("Neighbors", { id, direction, edgeTypes: edgeTypes?.length ? edgeTypes : null, first: NEIGHBOUR_PAGE, after }, { signal });
  const nodes: NodeInput[] = [];
  const edges: GraphEdge[] = [];
  for (const item of data.neighbors.edges) {
    if (!item.node) continue; // the other end is hidden from the viewer
    nodes.push(toNode(item.node));
    const outgoing = item.direction === "OUT";
    edges.push({
      id: item.edgeId,
      schema: item.edgeType,
      source: outgoing ? id : item.node.id,
      target: outgoing ? item.node.id : id,
      labels: combineLabels(item.edge?.labels),
    });
  }
  return { nodes, edges, hasNextPage: data.neighbors.pageInfo.hasNextPage, endCursor: data.neighbors.pageInfo.endCursor };
}

export interface FoundPath extends Fetched {
  hops: number;
  nodeIds: string[];
  edgeIds: string[];
}

export async function fetchPaths(from: string, to: string, maxHops: number, signal?: AbortSignal): Promise<FoundPath[]> {
  const data = await call<{
    paths: { hops: number; nodeIds: string[]; edgeIds: string[]; nodes: (ApiEntity | null)[]; edges: (ApiEntity | null)[] }[];
  }>("Paths", { from, to, maxHops, first: 3 }, { signal });
  return data.paths.map((path) => ({
    hops: path.hops,
    nodeIds: path.nodeIds,
    edgeIds: path.edgeIds,
    nodes: path.nodes.filter((node): node is ApiEntity => node !== null).map(toNode),
    edges: path.edges.filter((edge): edge is ApiEntity => Boolean(edge?.sourceId && edge.targetId)).map(toEdge),
  }));
}

function toEdge(entity: ApiEntity): GraphEdge {
  return { id: entity.id, schema: entity.schema, source: entity.sourceId ?? "", target: entity.targetId ?? "", labels: combineLabels(entity.labels) };
}

/** Nodes and edges by id, 500 at a time; ids the viewer cannot see are simply absent. */
export async function fetchEntities(ids: readonly string[], signal?: AbortSignal): Promise<Fetched> {
  const nodes: NodeInput[] = [];
  const edges: GraphEdge[] = [];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += ID_LIMIT) chunks.push(ids.slice(i, i + ID_LIMIT));
  // One chunk after another: in parallel they would only hit the rate limit together.
  const answers: { entities: (ApiEntity | null)[] }[] = [];
  for (const chunk of chunks) answers.push(await call<{ entities: (ApiEntity | null)[] }>("GraphEntities", { ids: chunk }, { signal }));
  for (const answer of answers)
    for (const entity of answer.entities) {
      if (!entity) continue;
      if (entity.sourceId && entity.targetId) edges.push(toEdge(entity));
      else if (entity.sourceId === undefined && entity.targetId === undefined) nodes.push(toNode(entity));
    }
  return { nodes, edges };
}

export interface InvestigationSummary {
  id: string;
  name: string;
  updatedAt: string;
  nodeCount: number;
}

export async function listInvestigations(): Promise<InvestigationSummary[]> {
  return (await call<{ investigations: InvestigationSummary[] }>("InvestigationList")).investigations;
}

export async function loadInvestigation(id: string): Promise<{ id: string; name: string; state: unknown } | null> {
  return (await call<{ investigation: { id: string; name: string; state: unknown } | null }>("InvestigationGet", { id })).investigation;
}

export async function saveInvestigation(id: string | null, name: string, state: InvestigationState): Promise<{ id: string; name: string; updatedAt: string }> {
  return (await call<{ saveInvestigation: { id: string; name: string; updatedAt: string } }>("InvestigationSave", { id, name, state }))
    .saveInvestigation;
}

export async function deleteInvestigation(id: string): Promise<boolean> {
  return (await call<{ deleteInvestigation: boolean }>("InvestigationDelete", { id })).deleteInvestigation;
}
