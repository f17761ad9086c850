/**
 * Layout options per layout and graph size. Pinned nodes are locked in Cytoscape: cose
 * works around them (they act as fixed anchors); the geometric layouts arrange only the rest.
 */
import type { LayoutOptions } from "cytoscape";
import type { LayoutName } from "./investigation";

export interface LayoutContext {
  nodeCount: number;
  /** Roots for the hierarchy (the selection), when any. */
  roots: string[];
  /** First placement of a fresh canvas: cose may start from random positions. */
  initial: boolean;
}

/** Animation is a help for small graphs and a cost for big ones. */
export const ANIMATE_UP_TO = 150;

export function layoutOptions(name: LayoutName, context: LayoutContext): LayoutOptions {
  const animate = context.nodeCount <= ANIMATE_UP_TO;
  const common = { fit: true, padding: 40, animate, animationDuration: 350 };
  switch (name) {
    case "cose":
      return {
        ...common,
        name: "cose",
        randomize: context.initial,
        numIter: context.nodeCount > 500 ? 300 : 1000,
        idealEdgeLength: () => 150,
        nodeRepulsion: () => 900_000,
        // Long captions need room: count labels in node sizes while that is affordable.
        nodeDimensionsIncludeLabels: context.nodeCount <= 500,
        nodeOverlap: 20,
        componentSpacing: 80,
        gravity: 1,
        animationThreshold: 250,
        // Only the final positions are drawn: intermediate refreshes cost frames.
        refresh: animate ? 20 : 0,
      } as LayoutOptions;
    case "breadthfirst":
      return {
        ...common,
        name: "breadthfirst",
        directed: false,
        spacingFactor: 1.15,
        avoidOverlap: true,
        ...(context.roots.length ? { roots: context.roots } : {}),
      };
    case "concentric":
      return {
        ...common,
        name: "concentric",
        avoidOverlap: true,
        minNodeSpacing: 24,
        concentric: (node) => node.degree(false),
        levelWidth: () => 2,
      };
    default:
      return { ...common, name: "grid", avoidOverlap: true, avoidOverlapPadding: 30 };
  }
}
