/**
 * The Cytoscape canvas: renders the store's model (model → cy, never the other way, except
 * drags and layouts reporting positions back), mirrors selection, runs layouts and turns
 * keys into commands. The focusable wrapper is an ARIA application with instructions.
 */
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useSyncExternalStore, type KeyboardEvent } from "react";
import { Box } from "@mui/material";
import cytoscape, { type Core, type Layouts } from "cytoscape";
import { commandOfKey, nearestInDirection, nearestTo, type CanvasCommand } from "./keyboard";
import { layoutOptions } from "./layouts";
import { setPositions, type Position } from "./model";
import type { Viewport } from "./investigation";
import {
  BIG_GRAPH,
  commit,
  getGraphState,
  present,
  setFocused,
  setGraphState,
  setSelected,
  subscribeGraph,
  type GraphState,
} from "./store";
import { graphStylesheet } from "./style";
import { syncModel, syncSelection, type Rendered, type ViewInputs } from "./sync";

/** Commands the view carries out (they need the server or the app). */
export type CanvasAction = "inspect" | "expand" | "collapse" | "pin" | "remove" | "menu" | "undo" | "redo";

export interface CanvasHandle {
  cy(): Core | null;
  fit(): void;
  zoomBy(factor: number): void;
  viewport(): Viewport | null;
  /** Where a node is drawn, in page coordinates (to open a menu there). */
  pagePosition(id: string): Position | null;
}

interface Props {
  view: ViewInputs;
  label: string;
  describedBy: string;
  onAction: (action: CanvasAction, id: string | null, at?: Position) => void;
}

const isBig = () => getGraphState().history.present.nodes.size > BIG_GRAPH;

/** The last layout request carried out, across remounts (a request runs once). */
let handledLayout = 0;

export const GraphCanvas = forwardRef<CanvasHandle, Props>(function GraphCanvas({ view, label, describedBy, onAction }, ref) {
  const containerRef = useRef<HTMLDivElement | null>(null);
  const cyRef = useRef<Core | null>(null);
  const renderedRef = useRef<Rendered | null>(null);
  const viewRef = useRef(view);
  viewRef.current = view;
  const actionRef = useRef(onAction);
  actionRef.current = onAction;
  const layoutRef = useRef<Layouts | null>(null);
  const appliedViewport = useRef<Viewport | null>(null);
  const revealed = useRef(getGraphState().reveal.seq);
  const big = useSyncExternalStore(subscribeGraph, isBig, isBig);

  const cyBig = useRef(big);
  const render = useCallback((state: GraphState) => {
    const cy = cyRef.current;
    // The graph crossed the size line: this instance is about to be replaced, skip the work.
    if (!cy || cyBig.current !== isBig()) return;
    renderedRef.current = syncModel(cy, renderedRef.current, state.history.present, viewRef.current);
    syncSelection(cy, state.selected, state.focused);
    if (state.viewport && state.viewport !== appliedViewport.current) {
      appliedViewport.current = state.viewport;
      cy.viewport({ zoom: state.viewport.zoom, pan: { ...state.viewport.pan } });
    }
    if (state.reveal.seq > revealed.current) {
      revealed.current = state.reveal.seq;
      revealNodes(cy, state.reveal.ids);
    }
    if (state.layoutRequest.seq > handledLayout) {
      handledLayout = state.layoutRequest.seq;
      runLayout(cy, state, layoutRef);
    }
  }, []);

  // One Cytoscape instance per size class: big graphs need construction-time options.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const cy = cytoscape({
      container,
      style: graphStylesheet(big),
      minZoom: 0.03,
      maxZoom: 4,
      boxSelectionEnabled: true,
      selectionType: "single",
      hideEdgesOnViewport: big,
      textureOnViewport: big,
      motionBlur: false,
      pixelRatio: big ? 1 : "auto",
    });
    cyRef.current = cy;
    cyBig.current = big;
    renderedRef.current = null;
    appliedViewport.current = null;

    let mirror = false;
    cy.on("select unselect", "node", () => {
      if (mirror) return;
      mirror = true;
      queueMicrotask(() => {
        mirror = false;
        const now = new Set(cy.nodes(":selected").map((n) => n.id()));
        const kept = getGraphState().selected.filter((id) => now.has(id));
        setSelected([...kept, ...[...now].filter((id) => !kept.includes(id))]);
      });
    });
    cy.on("tap", "node", (event) => setFocused(event.target.id()));
    cy.on("dbltap", "node", (event) => actionRef.current("inspect", event.target.id()));
    cy.on("cxttap", "node", (event) => {
      const id: string = event.target.id();
      if (!getGraphState().selected.includes(id)) setSelected([id]);
      setFocused(id);
      const box = container.getBoundingClientRect();
      actionRef.current("menu", id, { x: box.left + event.renderedPosition.x, y: box.top + event.renderedPosition.y });
    });
    const dragged = new Set<string>();
    cy.on("dragfree", "node", (event) => {
      dragged.add(event.target.id());
      if (dragged.size > 1) return;
      setTimeout(() => {
        const positions = new Map<string, Position>();
        for (const id of dragged) {
          const node = cy.getElementById(id);
          if (node.nonempty()) positions.set(id, { ...node.position() });
        }
        dragged.clear();
        commit(setPositions(present(), positions));
      }, 0);
    });

    // Cytoscape only notices window resizes; the inspector opening narrows the canvas too.
    const resizer = new ResizeObserver(() => {
      cy.resize();
      // Opening the inspector for the focused node must not push that node out of sight.
      const focused = getGraphState().focused;
      if (focused) revealNode(cy, focused);
    });
    resizer.observe(container);

    const state = getGraphState();
    render(state);
    if (!state.viewport && state.history.present.nodes.size && state.layoutRequest.seq <= handledLayout) fitGraph(cy);
    const unsubscribe = subscribeGraph(() => render(getGraphState()));
    return () => {
      unsubscribe();
      resizer.disconnect();
      layoutRef.current?.stop();
      layoutRef.current = null;
      // Keep where things are and the viewport for when the view comes back; an instance
      // replaced because the graph changed size class shows an old graph: it keeps nothing.
      if (cyBig.current === isBig()) {
        const positions = new Map<string, Position>();
        cy.nodes().forEach((node) => void positions.set(node.id(), { ...node.position() }));
        const viewport = { zoom: cy.zoom(), pan: { ...cy.pan() } };
        commit(setPositions(present(), positions), "replace");
        setGraphState((current) => ({ ...current, viewport, layoutRunning: false }));
      } else setGraphState((current) => ({ ...current, layoutRunning: false }));
      cy.destroy();
      cyRef.current = null;
    };
  }, [big, render]);

  // Safe mode, language or edge-type filter changed: re-render every element.
  useEffect(() => {
    render(getGraphState());
  }, [view.key, render]);

  useImperativeHandle(
    ref,
    () => ({
      cy: () => cyRef.current,
      fit: () => cyRef.current && fitGraph(cyRef.current),
      zoomBy: (factor) => {
        const cy = cyRef.current;
        if (!cy) return;
        cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      },
      viewport: () => (cyRef.current ? { zoom: cyRef.current.zoom(), pan: { ...cyRef.current.pan() } } : null),
      pagePosition: (id) => {
        const cy = cyRef.current;
        const node = cy?.getElementById(id);
        const container = containerRef.current;
        if (!cy || !node || node.empty() || !container) return null;
        const box = container.getBoundingClientRect();
        const at = node.renderedPosition();
        return { x: box.left + Math.min(Math.max(at.x, 0), box.width), y: box.top + Math.min(Math.max(at.y, 0), box.height) };
      },
    }),
    [],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const command = commandOfKey(event);
    if (!command) return;
    event.preventDefault();
    event.stopPropagation();
    handleCommand(command);
  };

  function handleCommand(command: CanvasCommand) {
    const cy = cyRef.current;
    const state = getGraphState();
    const target = state.focused ?? state.selected[state.selected.length - 1] ?? null;
    switch (command.kind) {
      case "move": {
        if (!cy || cy.nodes().empty()) return;
        const points = cy.nodes().map((n) => ({ id: n.id(), ...n.renderedPosition() }));
        const from = target ? points.find((p) => p.id === target) : undefined;
        const next = from ? nearestInDirection(from, points, command.direction) : nearestTo(cy.width() / 2, cy.height() / 2, points);
        if (!next) return;
        setFocused(next);
        if (command.mode === "select") setSelected([next]);
        else if (command.mode === "extend") setSelected([...getGraphState().selected, next]);
        revealNode(cy, next);
        return;
      }
      case "toggle-select": {
        if (!target) return;
        const selected = getGraphState().selected;
        setSelected(selected.includes(target) ? selected.filter((id) => id !== target) : [...selected, target]);
        return;
      }
      case "undo":
      case "redo":
        actionRef.current(command.kind, null);
        return;
      case "zoom-in":
      case "zoom-out":
        if (cy) cy.zoom({ level: cy.zoom() * (command.kind === "zoom-in" ? 1.25 : 0.8), renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
        return;
      case "fit":
        if (cy) fitGraph(cy);
        return;
      case "escape":
        setSelected([]);
        return;
      case "menu": {
        if (!target || !cy) return;
        const node = cy.getElementById(target);
        const box = containerRef.current?.getBoundingClientRect();
        const at = node.nonempty() && box ? { x: box.left + node.renderedPosition().x, y: box.top + node.renderedPosition().y } : undefined;
        actionRef.current("menu", target, at);
        return;
      }
      default:
        actionRef.current(command.kind, target);
    }
  }

  // Focus arriving on the canvas lands on a node, so the ring shows where keys act.
  const onFocus = () => {
    const state = getGraphState();
    const cy = cyRef.current;
    if (state.focused || !cy || cy.nodes().empty()) return;
    const first = state.selected[0];
    const id = first ?? nearestTo(cy.width() / 2, cy.height() / 2, cy.nodes().map((n) => ({ id: n.id(), ...n.renderedPosition() })));
    if (id) setFocused(id);
  };

  return (
    <Box
      role="application"
      aria-label={label}
      aria-describedby={describedBy}
      tabIndex={0}
      data-testid="graph-canvas"
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      sx={{
        position: "relative",
        flex: 1,
        minHeight: 360,
        border: 1,
        borderColor: "divider",
        borderRadius: 1,
        bgcolor: "#fbfbfd",
        "&:focus-visible": { outline: "3px solid #b45309", outlineOffset: "2px" },
      }}
    >
      <Box ref={containerRef} sx={{ position: "absolute", inset: 0 }} />
    </Box>
  );
});

/** A fitted view is never blown up beyond this zoom (one node would fill the screen). */
const FIT_MAX_ZOOM = 1.25;

/** Fits the graph (or some elements) into view without zooming in further than is useful. */
export function fitGraph(cy: Core, eles = cy.elements()) {
  if (eles.empty()) return;
  cy.fit(eles, 40);
  if (cy.zoom() > FIT_MAX_ZOOM) {
    cy.zoom(FIT_MAX_ZOOM);
    cy.center(eles);
  }
}

/** Pans a node into view when keyboard focus lands outside the visible part. */
function revealNode(cy: Core, id: string) {
  const node = cy.getElementById(id);
  if (node.empty()) return;
  const at = node.renderedPosition();
  const margin = 40;
  if (at.x < margin || at.y < margin || at.x > cy.width() - margin || at.y > cy.height() - margin)
    cy.animate({ center: { eles: node } }, { duration: 200 });
}

/** Brings nodes into view when some are outside it: the whole graph while small, else just them. */
function revealNodes(cy: Core, ids: readonly string[]) {
  const nodes = cy.collection();
  for (const id of ids) nodes.merge(cy.getElementById(id));
  if (nodes.empty()) return;
  const extent = cy.extent();
  const box = nodes.boundingBox();
  if (box.x1 >= extent.x1 && box.x2 <= extent.x2 && box.y1 >= extent.y1 && box.y2 <= extent.y2) return;
  fitGraph(cy, cy.nodes().length <= 300 ? cy.elements() : nodes);
}

/** Runs the store's layout over the canvas and records the positions it settles on. */
function runLayout(cy: Core, state: GraphState, layoutRef: { current: Layouts | null }) {
  layoutRef.current?.stop();
  const nodes = cy.nodes();
  if (nodes.empty()) return;
  const pinned = nodes.filter((node) => node.locked());
  const eles = state.layout === "cose" ? cy.elements() : nodes.difference(pinned);
  const undoable = state.layoutRequest.undoable;
  const initial = !undoable && [...state.history.present.nodes.values()].every((node) => !node.position);
  const layout = eles.layout(layoutOptions(state.layout, { nodeCount: nodes.length, roots: state.selected.filter((id) => cy.getElementById(id).nonempty()), initial }));
  layoutRef.current = layout;
  setGraphState((current) => ({ ...current, layoutRunning: true }));
  layout.one("layoutstop", () => {
    if (layoutRef.current !== layout) return; // superseded by a newer layout
    layoutRef.current = null;
    const positions = new Map<string, Position>();
    cy.nodes().forEach((node) => void positions.set(node.id(), { ...node.position() }));
    commit(setPositions(present(), positions), undoable ? "push" : "replace");
    setGraphState((current) => ({ ...current, layoutRunning: false }));
    if (cy.zoom() > FIT_MAX_ZOOM) fitGraph(cy);
  });
  layout.run();
}
