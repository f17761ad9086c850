/**
 * `window.__igGraph`: what the end-to-end suite and the UI benchmark drive the canvas with.
 * `load` goes through the normal path (store → model → Cytoscape), so it measures what an
 * analyst would wait for.
 */
import type { Core } from "cytoscape";
import { addElements, emptyModel, UNCLASSIFIED, type GraphEdge, type NodeInput, type NodeLabels } from "./model";
import { commit, getGraphState, setGraphState, setSelected } from "./store";

export interface GraphTestHook {
  nodeIds(): string[];
  edgeIds(): string[];
  selected(): string[];
  select(ids: string[]): void;
  highlighted(): string[];
  load(nodes: NodeInput[], edges: GraphEdge[]): Promise<number>;
  panFrames(frames: number): Promise<number[]>;
  layoutDone(): boolean;
}

declare global {
  interface Window {
    __igGraph?: GraphTestHook;
  }
}

const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

/** Bench data is hand-written (in Python): default what it leaves out. */
function labelsOf(labels: Partial<NodeLabels> | undefined): NodeLabels {
  return Object.assign({ ...UNCLASSIFIED }, labels ?? {});
}

function normaliseNode(node: NodeInput): NodeInput {
  return { ...node, schema: node.schema ?? "Thing", caption: node.caption ?? node.id, labels: labelsOf(node.labels) };
}

function normaliseEdge(edge: GraphEdge): GraphEdge {
  return { ...edge, schema: edge.schema ?? "UnknownLink", labels: labelsOf(edge.labels) };
}

/** A point on the canvas with no node under it, in client coordinates. */
function emptyPoint(cy: Core): { x: number; y: number } | null {
  const container = cy.container();
  if (!container) return null;
  const boxes = cy.nodes().map((node) => node.renderedBoundingBox({ includeLabels: true }));
  const rect = container.getBoundingClientRect();
  for (let gy = 1; gy < 10; gy += 1)
    for (let gx = 1; gx < 10; gx += 1) {
      const x = (rect.width * gx) / 10;
      const y = (rect.height * gy) / 10;
      if (!boxes.some((b) => x >= b.x1 - 4 && x <= b.x2 + 4 && y >= b.y1 - 4 && y <= b.y2 + 4)) return { x: rect.left + x, y: rect.top + y };
    }
  return null;
}

function startBackgroundDrag(cy: Core): { move: (step: { x: number; y: number }) => void; end: () => void } | null {
  const container = cy.container();
  const start = emptyPoint(cy);
  if (!container || !start) return null;
  const at = { ...start };
  const mouse = (type: string) => new MouseEvent(type, { clientX: at.x, clientY: at.y, bubbles: true, cancelable: true, button: 0, buttons: type === "mouseup" ? 0 : 1 });
  container.dispatchEvent(mouse("mousedown"));
  return {
    move(step) {
      at.x += step.x;
      at.y += step.y;
      window.dispatchEvent(mouse("mousemove"));
    },
    end() {
      window.dispatchEvent(mouse("mouseup"));
    },
  };
}

export function installTestHook(getCy: () => Core | null): () => void {
  const hook: GraphTestHook = {
    nodeIds: () => getCy()?.nodes().map((n) => n.id()) ?? [],
    edgeIds: () => getCy()?.edges().map((e) => e.id()) ?? [],
    selected: () => [...getGraphState().selected],
    select: (ids) => setSelected(ids),
    highlighted: () => {
      const highlight = getGraphState().history.present.highlight;
      return [...highlight.nodes, ...highlight.edges];
    },
    async load(nodes, edges) {
      const started = performance.now();
      const { model } = addElements(emptyModel(), nodes.map(normaliseNode), edges.map(normaliseEdge));
      setGraphState((current) => ({ ...current, selected: [], focused: null, paths: null, more: null, viewport: null }));
      commit(model);
      // The canvas may be rebuilt for a big graph; wait until it shows every node, laid out.
      for (let i = 0; i < 600; i += 1) {
        const cy = getCy();
        if (cy && cy.nodes().length === model.nodes.size && !getGraphState().layoutRunning) break;
        await frame();
      }
      await frame();
      return performance.now() - started;
    },
    async panFrames(frames) {
      const cy = getCy();
      const durations: number[] = [];
      if (!cy) return durations;
      // Pan the way a user does (drag on the background), so the renderer takes its
      // interactive path (textures, hidden edges), not the full redraw a programmatic pan gets.
      const drag = startBackgroundDrag(cy);
      let last = await frame();
      for (let i = 0; i < frames; i += 1) {
        const step = { x: i % 120 < 60 ? 6 : -6, y: i % 80 < 40 ? 3 : -3 };
        if (drag) drag.move(step);
        else cy.panBy(step);
        const now = await frame();
        durations.push(now - last);
        last = now;
      }
      drag?.end();
      return durations;
    },
    layoutDone: () => !getGraphState().layoutRunning,
  };
  window.__igGraph = hook;
  return () => {
    if (window.__igGraph === hook) delete window.__igGraph;
  };
}
