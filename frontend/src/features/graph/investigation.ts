/**
 * A saved investigation holds ids and positions only, never captions or values: reopening
 * fetches the entities again with the viewer's current rights, so what the viewer may no
 * longer see simply does not come back.
 */
import { addElements, emptyModel, setHighlight, type GraphEdge, type GraphModel, type NodeInput, type Position } from "./model";

export const LAYOUTS = ["cose", "breadthfirst", "concentric", "grid"] as const;
export type LayoutName = (typeof LAYOUTS)[number];

export interface Viewport {
  zoom: number;
  pan: Position;
}

export interface InvestigationState {
  version: 1;
  nodes: { id: string; x: number; y: number; pinned: boolean }[];
  edges: string[];
  layout: LayoutName;
  viewport: Viewport | null;
}

/** The server refuses states over 20,000 nodes; say so before sending. */
export const MAX_SAVED_NODES = 20_000;

const round = (value: number) => Math.round(value * 10) / 10;

export function serialise(model: GraphModel, layout: LayoutName, viewport: Viewport | null): InvestigationState {
  return {
    version: 1,
    nodes: [...model.nodes.values()].map((node) => ({
      id: node.id,
      x: round(node.position?.x ?? 0),
      y: round(node.position?.y ?? 0),
      pinned: node.pinned,
    })),
    edges: [...model.edges.keys()],
    layout,
    viewport: viewport ? { zoom: viewport.zoom, pan: { x: round(viewport.pan.x), y: round(viewport.pan.y) } } : null,
  };
}

export class InvalidState extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** Reads a stored state defensively: unknown versions are refused, bad entries skipped. */
export function parseState(raw: unknown): InvestigationState {
  const value = typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw;
  if (!isRecord(value)) throw new InvalidState("not an object");
  if (value.version !== 1) throw new InvalidState(`unknown version ${String(value.version)}`);
  if (!Array.isArray(value.nodes) || !Array.isArray(value.edges)) throw new InvalidState("nodes and edges must be lists");
  const seen = new Set<string>();
  const nodes: InvestigationState["nodes"] = [];
  for (const entry of value.nodes as unknown[]) {
    if (!isRecord(entry) || typeof entry.id !== "string" || !entry.id || seen.has(entry.id)) continue;
    seen.add(entry.id);
    nodes.push({
      id: entry.id,
      x: isFiniteNumber(entry.x) ? entry.x : 0,
      y: isFiniteNumber(entry.y) ? entry.y : 0,
      pinned: entry.pinned === true,
    });
  }
  const edges = [...new Set((value.edges as unknown[]).filter((id): id is string => typeof id === "string" && id.length > 0))];
  const layout = LAYOUTS.includes(value.layout as LayoutName) ? (value.layout as LayoutName) : "cose";
  let viewport: Viewport | null = null;
  if (isRecord(value.viewport) && isFiniteNumber(value.viewport.zoom) && value.viewport.zoom > 0 && isRecord(value.viewport.pan)) {
    const { x, y } = value.viewport.pan;
    if (isFiniteNumber(x) && isFiniteNumber(y)) viewport = { zoom: value.viewport.zoom, pan: { x, y } };
  }
  return { version: 1, nodes, edges, layout, viewport };
}

export interface Restored {
  model: GraphModel;
  /** Saved nodes and edges the viewer cannot see now (or that no longer exist). */
  hiddenNodes: number;
  hiddenEdges: number;
}

/**
 * Rebuilds the canvas from a saved state and the entities fetched for it. Only what came
 * back is shown; the saved positions and pins are applied to it.
 */
export function restore(state: InvestigationState, nodes: readonly NodeInput[], edges: readonly GraphEdge[]): Restored {
  const saved = new Map(state.nodes.map((node) => [node.id, node]));
  const wantedEdges = new Set(state.edges);
  const placed: NodeInput[] = [];
  for (const node of nodes) {
    const entry = saved.get(node.id);
    if (!entry) continue;
    placed.push({ ...node, pinned: entry.pinned, position: { x: entry.x, y: entry.y } });
  }
  const { model, addedNodes, addedEdges } = addElements(emptyModel(), placed, edges.filter((edge) => wantedEdges.has(edge.id)));
  return {
    model: setHighlight(model, [], []),
    hiddenNodes: state.nodes.length - addedNodes.length,
    hiddenEdges: state.edges.length - addedEdges.length,
  };
}
