/**
 * What the analyst does to the canvas that needs the server: open and add entities, expand,
 * find paths, refresh after live changes, save and reopen investigations. Each reads the
 * API, then commits one undoable step to the store and announces the outcome.
 */
import {
  fetchEntities,
  fetchNeighbours,
  fetchPaths,
  fetchSubgraph,
  ID_LIMIT,
  loadInvestigation,
  saveInvestigation,
  type ApiDirection,
  type Fetched,
} from "./api";
import { parseState, restore, serialise, MAX_SAVED_NODES, type LayoutName, type Viewport } from "./investigation";
import { addElements, applyRefresh, clearHighlight, emptyModel, setHighlight, type GraphModel } from "./model";
import { mapAll, startHistory } from "./history";
import { announce, announceCount, commit, getGraphState, present, reveal, setGraphState, type PathsState } from "./store";
import { pluralKey } from "./plural";

/**
 * Beyond this many nodes new ones are not joined to the rest of the canvas automatically:
 * the request's cost grows with the canvas and would eat the viewer's rate-limit budget.
 */
export const CONNECT_LIMIT = 200;

/** Adds what was fetched, plus the edges joining it to the rest of the canvas (small canvases). */
async function withConnectingEdges(model: GraphModel, fetched: Fetched): Promise<Fetched> {
  const ids = new Set([...model.nodes.keys(), ...fetched.nodes.map((node) => node.id)]);
  if (ids.size > Math.min(CONNECT_LIMIT, ID_LIMIT) || ids.size < 2) return fetched;
  const around = await fetchSubgraph([...ids], 0);
  return { nodes: fetched.nodes, edges: [...fetched.edges, ...around.edges] };
}

/** Entities sent from another view: "open" replaces the canvas, "add" merges into it. */
export async function openIds(ids: readonly string[], mode: "open" | "add"): Promise<void> {
  if (!ids.length) return;
  const base = mode === "open" ? emptyModel() : present();
  const found = await fetchSubgraph(ids, 0);
  const fetched = mode === "add" ? await withConnectingEdges(base, found) : found;
  const { model, addedNodes } = addElements(mode === "open" ? clearHighlight(base) : base, fetched.nodes, fetched.edges);
  commit(model);
  setGraphState((current) => ({ ...current, more: null, paths: mode === "open" ? null : current.paths, selected: found.nodes.map((n) => n.id) }));
  if (found.missing.length) announce("graph.status.openedHidden", { count: addedNodes.length, hidden: found.missing.length });
  else announceCount(mode === "open" ? "graph.status.opened" : "graph.status.added", mode === "open" ? model.nodes.size : addedNodes.length);
}

/** Neighbours of one node by direction and edge types; one page at a time ("more…" for the rest). */
export async function expand(nodeId: string, direction: ApiDirection, edgeTypes: string[] | null, after: string | null = null): Promise<void> {
  const page = await fetchNeighbours(nodeId, direction, edgeTypes, after);
  const start = present();
  if (!start.nodes.has(nodeId)) return; // removed (or undone) while the answer was on its way
  const fetched = await withConnectingEdges(start, page);
  const { model, addedNodes, addedEdges } = addElements(start, fetched.nodes, fetched.edges, { expandedFrom: nodeId });
  commit(model);
  setGraphState((current) => ({
    ...current,
    more: page.hasNextPage && page.endCursor ? { nodeId, direction, edgeTypes, cursor: page.endCursor } : null,
  }));
  reveal([nodeId, ...addedNodes]);
  if (!page.nodes.length && !after) announce("graph.status.noNeighbours");
  else announceCount("graph.status.expanded", addedNodes.length, { edges: addedEdges.length });
}

export async function expandMore(): Promise<void> {
  const more = getGraphState().more;
  if (more) await expand(more.nodeId, more.direction, more.edgeTypes, more.cursor);
}

/** Shortest paths between two nodes: missing parts are added and the shortest highlighted. */
export async function findPaths(from: string, to: string, maxHops: number): Promise<void> {
  const paths = await fetchPaths(from, to, maxHops);
  const shortest = paths[0];
  if (!shortest) {
    setGraphState((current) => ({ ...current, paths: { from, to, maxHops, paths: [], chosen: 0 } }));
    commit(clearHighlight(present()), "replace");
    announce(pluralKey("graph.status.noPath", maxHops), { hops: maxHops });
    return;
  }
  // Only the shortest path's elements are added; alternatives are offered in the panel.
  const { model } = addElements(present(), shortest.nodes, shortest.edges);
  commit(setHighlight(model, shortest.nodeIds, shortest.edgeIds));
  reveal(shortest.nodeIds);
  setGraphState((current) => ({ ...current, paths: { from, to, maxHops, paths, chosen: 0 } satisfies PathsState }));
  announce(pluralKey("graph.status.pathFound", shortest.hops), { hops: shortest.hops, count: paths.length });
}

/** Shows another of the found paths (adding its elements when needed). */
export function choosePath(index: number): void {
  const paths = getGraphState().paths;
  const path = paths?.paths[index];
  if (!paths || !path) return;
  const { model } = addElements(present(), path.nodes, path.edges);
  commit(setHighlight(model, path.nodeIds, path.edgeIds));
  setGraphState((current) => (current.paths ? { ...current, paths: { ...current.paths, chosen: index } } : current));
  announce("graph.status.pathShown", { n: index + 1, hops: path.hops });
}

/**
 * Fetches canvas entities again (live changes, another purpose or authority): fresh captions
 * and labels everywhere in the history; what the viewer can no longer see leaves the canvas.
 * Returns how many were updated and removed.
 */
export async function refreshEntities(ids: readonly string[]): Promise<{ updated: number; removed: number }> {
  const model = present();
  const onCanvas = ids.filter((id) => model.nodes.has(id) || model.edges.has(id));
  if (!onCanvas.length) return { updated: 0, removed: 0 };
  const fetched = await fetchEntities(onCanvas);
  const updates = [...fetched.nodes, ...fetched.edges.map((edge) => ({ ...edge, caption: "" }))];
  const seen = new Set(updates.map((update) => update.id));
  const gone = onCanvas.filter((id) => !seen.has(id));
  const apply = (snapshot: GraphModel) => applyRefresh(snapshot, updates, gone);
  setGraphState((current) => {
    const history = mapAll(current.history, apply);
    const next = history.present;
    return {
      ...current,
      history,
      selected: current.selected.filter((id) => next.nodes.has(id)),
      focused: current.focused && next.nodes.has(current.focused) ? current.focused : null,
      // A refresh is not an edit: a saved canvas stays saved.
      savedModel: current.savedModel === current.history.present ? next : current.savedModel,
    };
  });
  // Counted in entities (nodes): their edges go with them and are not news of their own.
  return {
    updated: updates.filter((update) => model.nodes.has(update.id)).length,
    removed: gone.filter((id) => model.nodes.has(id)).length,
  };
}

/** Re-checks the whole canvas under the viewer's current rights. */
export async function revalidateCanvas(): Promise<number> {
  const model = present();
  const ids = [...model.nodes.keys(), ...model.edges.keys()];
  if (!ids.length) return 0;
  const { removed } = await refreshEntities(ids);
  return removed;
}

export async function saveCurrent(name: string, asNew: boolean, viewport: Viewport | null): Promise<void> {
  const current = getGraphState();
  const model = current.history.present;
  if (model.nodes.size > MAX_SAVED_NODES) throw new RangeError(String(MAX_SAVED_NODES));
  const state = serialise(model, current.layout, viewport);
  const id = asNew ? null : (current.investigation?.id ?? null);
  const saved = await saveInvestigation(id, name, state);
  setGraphState((s) => ({ ...s, investigation: { id: saved.id, name: saved.name }, savedModel: s.history.present, viewport }));
  announce("graph.status.saved", { name: saved.name });
}

/** Reopens a saved investigation with the viewer's current rights; starts a fresh history. */
export async function openInvestigation(id: string): Promise<{ layout: LayoutName; viewport: Viewport | null } | null> {
  const found = await loadInvestigation(id);
  if (!found) {
    announce("graph.status.investigationGone", undefined, "error");
    return null;
  }
  const state = parseState(found.state);
  const fetched = await fetchEntities([...state.nodes.map((node) => node.id), ...state.edges]);
  const { model, hiddenNodes } = restore(state, fetched.nodes, fetched.edges);
  setGraphState((current) => ({
    ...current,
    history: startHistory(model),
    savedModel: model,
    selected: [],
    focused: null,
    more: null,
    paths: null,
    layout: state.layout,
    viewport: state.viewport,
    investigation: { id: found.id, name: found.name },
  }));
  if (hiddenNodes) announce(pluralKey("graph.status.openedInvestigationHidden", hiddenNodes), { name: found.name, count: model.nodes.size, hidden: hiddenNodes });
  else announce("graph.status.openedInvestigation", { name: found.name, count: model.nodes.size });
  return { layout: state.layout, viewport: state.viewport };
}
