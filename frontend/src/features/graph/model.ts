/**
 * The graph on the canvas as plain immutable data. Every operation is a pure function that
 * returns a new model (or the same object when nothing changed, so callers can skip no-ops);
 * Cytoscape only ever renders a model, it never owns one.
 */

export interface NodeLabels {
  classification: number;
  classificationName: string;
  compartments: string[];
}

export interface Position {
  x: number;
  y: number;
}

export interface GraphNode {
  id: string;
  schema: string;
  caption: string;
  labels: NodeLabels;
  pinned: boolean;
  position?: Position;
  /** The node whose expansion brought this one onto the canvas (collapse removes it again). */
  expandedFrom?: string;
}

export interface GraphEdge {
  id: string;
  /** The edge type, e.g. Ownership. */
  schema: string;
  source: string;
  target: string;
  labels: NodeLabels;
}

export interface Highlight {
  nodes: readonly string[];
  edges: readonly string[];
}

export interface GraphModel {
  readonly nodes: ReadonlyMap<string, GraphNode>;
  readonly edges: ReadonlyMap<string, GraphEdge>;
  readonly highlight: Highlight;
}

/** What a loader hands in: a node without canvas state (pinned and position are optional). */
export type NodeInput = Omit<GraphNode, "pinned" | "position" | "expandedFrom"> & Partial<Pick<GraphNode, "pinned" | "position" | "expandedFrom">>;

const NO_HIGHLIGHT: Highlight = { nodes: [], edges: [] };

export const UNCLASSIFIED: NodeLabels = { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] };

export function emptyModel(): GraphModel {
  return { nodes: new Map(), edges: new Map(), highlight: NO_HIGHLIGHT };
}

function sameLabels(a: NodeLabels, b: NodeLabels): boolean {
  return (
    a.classification === b.classification &&
    a.classificationName === b.classificationName &&
    a.compartments.length === b.compartments.length &&
    a.compartments.every((c, i) => c === b.compartments[i])
  );
}

export interface AddResult {
  model: GraphModel;
  addedNodes: string[];
  addedEdges: string[];
}

/**
 * Adds nodes and edges, merging duplicates: a node already on the canvas keeps its pin,
 * position and origin but takes the fresh caption and labels. An edge is added only when
 * both its ends are on the canvas afterwards.
 */
export function addElements(
  model: GraphModel,
  nodes: readonly NodeInput[],
  edges: readonly GraphEdge[],
  options: { expandedFrom?: string } = {},
): AddResult {
  const nextNodes = new Map(model.nodes);
  const nextEdges = new Map(model.edges);
  const addedNodes: string[] = [];
  const addedEdges: string[] = [];
  let changed = false;
  for (const input of nodes) {
    const existing = nextNodes.get(input.id);
    if (existing) {
      if (existing.caption !== input.caption || existing.schema !== input.schema || !sameLabels(existing.labels, input.labels)) {
        nextNodes.set(input.id, { ...existing, schema: input.schema, caption: input.caption, labels: input.labels });
        changed = true;
      }
      continue;
    }
    const node: GraphNode = { id: input.id, schema: input.schema, caption: input.caption, labels: input.labels, pinned: input.pinned ?? false };
    if (input.position) node.position = input.position;
    const origin = input.expandedFrom ?? (input.id !== options.expandedFrom ? options.expandedFrom : undefined);
    if (origin) node.expandedFrom = origin;
    nextNodes.set(input.id, node);
    addedNodes.push(input.id);
    changed = true;
  }
  for (const edge of edges) {
    if (!nextNodes.has(edge.source) || !nextNodes.has(edge.target)) continue;
    const existing = nextEdges.get(edge.id);
    if (existing && existing.schema === edge.schema && sameLabels(existing.labels, edge.labels)) continue;
    nextEdges.set(edge.id, edge);
    if (!existing) addedEdges.push(edge.id);
    changed = true;
  }
  if (!changed) return { model, addedNodes, addedEdges };
  return { model: { ...model, nodes: nextNodes, edges: nextEdges }, addedNodes, addedEdges };
}

/** Removes nodes with their edges; nodes they had brought in forget that origin. */
export function removeNodes(model: GraphModel, ids: Iterable<string>): GraphModel {
  const gone = new Set([...ids].filter((id) => model.nodes.has(id)));
  if (!gone.size) return model;
  const nodes = new Map<string, GraphNode>();
  for (const [id, node] of model.nodes) {
    if (gone.has(id)) continue;
    if (node.expandedFrom && gone.has(node.expandedFrom)) {
      const { expandedFrom: _dropped, ...rest } = node;
      nodes.set(id, rest);
    } else nodes.set(id, node);
  }
  const edges = new Map<string, GraphEdge>();
  for (const [id, edge] of model.edges) if (!gone.has(edge.source) && !gone.has(edge.target)) edges.set(id, edge);
  return { nodes, edges, highlight: pruneHighlight(model.highlight, nodes, edges) };
}

export function removeEdges(model: GraphModel, ids: Iterable<string>): GraphModel {
  const gone = new Set([...ids].filter((id) => model.edges.has(id)));
  if (!gone.size) return model;
  const edges = new Map([...model.edges].filter(([id]) => !gone.has(id)));
  return { ...model, edges, highlight: pruneHighlight(model.highlight, model.nodes, edges) };
}

function pruneHighlight(highlight: Highlight, nodes: ReadonlyMap<string, GraphNode>, edges: ReadonlyMap<string, GraphEdge>): Highlight {
  if (!highlight.nodes.length && !highlight.edges.length) return highlight;
  return { nodes: highlight.nodes.filter((id) => nodes.has(id)), edges: highlight.edges.filter((id) => edges.has(id)) };
}

/** Ids of the nodes joined to `id` by an edge on the canvas. */
export function neighbourIds(model: GraphModel, id: string): Set<string> {
  const out = new Set<string>();
  for (const edge of model.edges.values()) {
    if (edge.source === id) out.add(edge.target);
    else if (edge.target === id) out.add(edge.source);
  }
  out.delete(id);
  return out;
}

/**
 * The nodes collapsing `id` would remove: those its expansion brought in, unless pinned or
 * still joined to a node that stays (siblings joined only to each other go together).
 */
export function collapseCandidates(model: GraphModel, id: string): Set<string> {
  const candidates = new Set<string>();
  for (const node of model.nodes.values()) if (node.expandedFrom === id && !node.pinned && node.id !== id) candidates.add(node.id);
  let shrunk = true;
  while (shrunk && candidates.size) {
    shrunk = false;
    for (const edge of model.edges.values()) {
      for (const [end, other] of [[edge.source, edge.target], [edge.target, edge.source]] as const) {
        if (candidates.has(end) && other !== id && !candidates.has(other)) {
          candidates.delete(end);
          shrunk = true;
        }
      }
    }
  }
  return candidates;
}

export function collapse(model: GraphModel, id: string): GraphModel {
  return removeNodes(model, collapseCandidates(model, id));
}

export function setPinned(model: GraphModel, ids: Iterable<string>, pinned: boolean): GraphModel {
  let nodes: Map<string, GraphNode> | null = null;
  for (const id of ids) {
    const node = (nodes ?? model.nodes).get(id);
    if (!node || node.pinned === pinned) continue;
    nodes ??= new Map(model.nodes);
    nodes.set(id, { ...node, pinned });
  }
  return nodes ? { ...model, nodes } : model;
}

/** Pins all of `ids` when any is unpinned, else unpins them all (one toolbar button). */
export function togglePinned(model: GraphModel, ids: readonly string[]): GraphModel {
  const present = ids.filter((id) => model.nodes.has(id));
  const anyLoose = present.some((id) => !model.nodes.get(id)?.pinned);
  return setPinned(model, present, anyLoose);
}

/** Moves nodes; movements under half a pixel are noise from the renderer and ignored. */
export function setPositions(model: GraphModel, positions: ReadonlyMap<string, Position> | Record<string, Position>): GraphModel {
  const entries = positions instanceof Map ? [...positions.entries()] : Object.entries(positions);
  let nodes: Map<string, GraphNode> | null = null;
  for (const [id, position] of entries) {
    const node = model.nodes.get(id);
    if (!node || !Number.isFinite(position.x) || !Number.isFinite(position.y)) continue;
    const old = node.position;
    if (old && Math.abs(old.x - position.x) < 0.5 && Math.abs(old.y - position.y) < 0.5) continue;
    nodes ??= new Map(model.nodes);
    nodes.set(id, { ...node, position: { x: position.x, y: position.y } });
  }
  return nodes ? { ...model, nodes } : model;
}

/** Highlights a path: only ids on the canvas are kept. */
export function setHighlight(model: GraphModel, nodeIds: readonly string[], edgeIds: readonly string[]): GraphModel {
  const highlight = { nodes: nodeIds.filter((id) => model.nodes.has(id)), edges: edgeIds.filter((id) => model.edges.has(id)) };
  if (!highlight.nodes.length && !highlight.edges.length && !model.highlight.nodes.length && !model.highlight.edges.length) return model;
  return { ...model, highlight };
}

export function clearHighlight(model: GraphModel): GraphModel {
  return setHighlight(model, [], []);
}

export interface EntityUpdate {
  id: string;
  schema: string;
  caption: string;
  labels: NodeLabels;
}

/** Fresh captions and labels for elements on the canvas (others are ignored). */
export function updateEntities(model: GraphModel, updates: readonly EntityUpdate[]): GraphModel {
  let nodes: Map<string, GraphNode> | null = null;
  let edges: Map<string, GraphEdge> | null = null;
  for (const update of updates) {
    const node = (nodes ?? model.nodes).get(update.id);
    if (node) {
      if (node.caption === update.caption && node.schema === update.schema && sameLabels(node.labels, update.labels)) continue;
      nodes ??= new Map(model.nodes);
      nodes.set(update.id, { ...node, caption: update.caption, schema: update.schema, labels: update.labels });
      continue;
    }
    const edge = (edges ?? model.edges).get(update.id);
    if (edge && (edge.schema !== update.schema || !sameLabels(edge.labels, update.labels))) {
      edges ??= new Map(model.edges);
      edges.set(update.id, { ...edge, schema: update.schema, labels: update.labels });
    }
  }
  if (!nodes && !edges) return model;
  return { ...model, nodes: nodes ?? model.nodes, edges: edges ?? model.edges };
}

/** Edges of the given types are left out of the view (the model keeps them). */
export function visibleEdges(model: GraphModel, hiddenTypes: ReadonlySet<string>): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (const edge of model.edges.values()) if (!hiddenTypes.has(edge.schema)) out.push(edge);
  return out;
}

/** Every distinct classification mark on the canvas, for the banner. */
export function classificationMarks(model: GraphModel): { level: number; name: string }[] {
  const seen = new Map<string, { level: number; name: string }>();
  const add = (labels: NodeLabels) => {
    const key = `${labels.classification}:${labels.classificationName}`;
    if (!seen.has(key)) seen.set(key, { level: labels.classification, name: labels.classificationName });
  };
  for (const node of model.nodes.values()) add(node.labels);
  for (const edge of model.edges.values()) add(edge.labels);
  return [...seen.values()].sort((a, b) => a.level - b.level);
}

/** Fresh data from the server: updates what is still visible, removes what is not. */
export function applyRefresh(model: GraphModel, updates: readonly EntityUpdate[], gone: readonly string[]): GraphModel {
  const fresh = updateEntities(model, updates);
  return gone.length ? removeEdges(removeNodes(fresh, gone), gone) : fresh;
}
