/**
 * The graph view's state, kept outside React: the shell unmounts a view when the analyst
 * switches tabs, and the canvas (with its undo history) must still be there on return.
 * A tiny external store read through useSyncExternalStore; all changes go through here.
 */
import { useSyncExternalStore } from "react";
import type { Params } from "../../i18n";
import { canRedo, canUndo, push, redo, replace, startHistory, undo, type History } from "./history";
import { emptyModel, type GraphModel } from "./model";
import { placeNewNodes } from "./placement";
import { pluralKey } from "./plural";
import type { LayoutName, Viewport } from "./investigation";
import type { ApiDirection } from "./api";
import type { FoundPath } from "./api";

/** Above this many nodes the canvas switches to its fast rendering and cheap first layouts. */
export const BIG_GRAPH = 500;

export interface Status {
  key: string;
  params?: Params;
  seq: number;
  tone: "info" | "error";
}

/** The next page of an expansion, offered as "more…". */
export interface MoreRequest {
  nodeId: string;
  direction: ApiDirection;
  edgeTypes: string[] | null;
  cursor: string;
}

export interface PathsState {
  from: string;
  to: string;
  maxHops: number;
  paths: FoundPath[];
  chosen: number;
}

export interface LayoutRequest {
  seq: number;
  /** A layout the analyst chose is an undoable step; the first placement of a canvas is not. */
  undoable: boolean;
}

export interface GraphState {
  history: History<GraphModel>;
  selected: readonly string[];
  focused: string | null;
  layout: LayoutName;
  layoutRequest: LayoutRequest;
  layoutRunning: boolean;
  hiddenEdgeTypes: ReadonlySet<string>;
  investigation: { id: string; name: string } | null;
  /** The model as last saved or opened, to tell whether there are unsaved changes. */
  savedModel: GraphModel | null;
  viewport: Viewport | null;
  status: Status | null;
  more: MoreRequest | null;
  paths: PathsState | null;
  busy: boolean;
  /** Whose canvas this is (viewer id); another viewer starts with an empty one. */
  owner: string | null;
  /** Purpose and authority the canvas was last checked under. */
  rightsKey: string | null;
  handledRequest: number;
  /** Nodes the canvas should bring into view (new neighbours, a found path). */
  reveal: { ids: readonly string[]; seq: number };
}

function initialState(): GraphState {
  return {
    history: startHistory(emptyModel()),
    selected: [],
    focused: null,
    layout: "cose",
    layoutRequest: { seq: 0, undoable: false },
    layoutRunning: false,
    hiddenEdgeTypes: new Set(),
    investigation: null,
    savedModel: null,
    viewport: null,
    status: null,
    more: null,
    paths: null,
    busy: false,
    owner: null,
    rightsKey: null,
    handledRequest: 0,
    reveal: { ids: [], seq: 0 },
  };
}

let state: GraphState = initialState();
const listeners = new Set<() => void>();
let statusSeq = 0;

export function getGraphState(): GraphState {
  return state;
}

export function setGraphState(update: (current: GraphState) => GraphState): void {
  const next = update(state);
  if (next === state) return;
  state = next;
  listeners.forEach((listener) => listener());
}

export function subscribeGraph(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useGraphState(): GraphState {
  return useSyncExternalStore(subscribeGraph, getGraphState, getGraphState);
}

/** Back to an empty canvas (another viewer signed in; tests). */
export function resetGraph(owner: string | null = null): void {
  // Requests already handled stay handled: a new viewer must not replay the last one's.
  setGraphState((current) => ({ ...initialState(), owner, handledRequest: current.handledRequest }));
}

export const present = (): GraphModel => state.history.present;

/** Drops selection and focus that point at nodes no longer on the canvas. */
function pruneSelection(current: GraphState, model: GraphModel): Pick<GraphState, "selected" | "focused"> {
  const selected = current.selected.filter((id) => model.nodes.has(id));
  return {
    selected: selected.length === current.selected.length ? current.selected : selected,
    focused: current.focused && model.nodes.has(current.focused) ? current.focused : null,
  };
}

/**
 * Records a new model. New nodes are placed next to what they belong to; a canvas with
 * nothing placed yet asks the canvas for a full layout (a cheap one for big graphs).
 */
export function commit(next: GraphModel, how: "push" | "replace" = "push"): void {
  const placed = placeNewNodes(next);
  const needsLayout = [...placed.nodes.values()].some((node) => !node.position);
  setGraphState((current) => {
    if (placed === current.history.present) return current;
    const history = how === "push" ? push(current.history, placed) : replace(current.history, placed);
    const cheap = needsLayout && placed.nodes.size > BIG_GRAPH && current.layout === "cose";
    return {
      ...current,
      history,
      ...pruneSelection(current, placed),
      layout: cheap ? "grid" : current.layout,
      layoutRequest: needsLayout ? { seq: current.layoutRequest.seq + 1, undoable: false } : current.layoutRequest,
    };
  });
}

export function undoGraph(): boolean {
  if (!canUndo(state.history)) return false;
  setGraphState((current) => {
    const history = undo(current.history);
    return { ...current, history, ...pruneSelection(current, history.present) };
  });
  return true;
}

export function redoGraph(): boolean {
  if (!canRedo(state.history)) return false;
  setGraphState((current) => {
    const history = redo(current.history);
    return { ...current, history, ...pruneSelection(current, history.present) };
  });
  return true;
}

export function announce(key: string, params?: Params, tone: Status["tone"] = "info"): void {
  statusSeq += 1;
  const seq = statusSeq;
  setGraphState((current) => ({ ...current, status: { key, params, seq, tone } }));
}

/** A counted message: picks the ".one"/".other" form and passes the count. */
export function announceCount(key: string, count: number, params?: Params): void {
  announce(pluralKey(key, count), { count, ...params });
}

export function reveal(ids: readonly string[]): void {
  if (ids.length) setGraphState((current) => ({ ...current, reveal: { ids, seq: current.reveal.seq + 1 } }));
}

export function setSelected(ids: readonly string[]): void {
  setGraphState((current) => {
    const model = current.history.present;
    const next = [...new Set(ids)].filter((id) => model.nodes.has(id));
    const same = next.length === current.selected.length && next.every((id, i) => id === current.selected[i]);
    return same ? current : { ...current, selected: next };
  });
}

export function setFocused(id: string | null): void {
  setGraphState((current) => (current.focused === id ? current : { ...current, focused: id }));
}

export function requestLayout(layout: LayoutName): void {
  setGraphState((current) => ({ ...current, layout, layoutRequest: { seq: current.layoutRequest.seq + 1, undoable: true } }));
}

export function setHiddenEdgeType(type: string, hidden: boolean): void {
  setGraphState((current) => {
    if (current.hiddenEdgeTypes.has(type) === hidden) return current;
    const next = new Set(current.hiddenEdgeTypes);
    if (hidden) next.add(type);
    else next.delete(type);
    return { ...current, hiddenEdgeTypes: next };
  });
}

export const hasUnsavedChanges = (current: GraphState): boolean =>
  current.savedModel !== null ? current.savedModel !== current.history.present : current.history.present.nodes.size > 0;
