/**
 * Model → Cytoscape. Each sync diffs the new model against the last rendered one by object
 * identity (models are immutable, so an unchanged node is the same object) and applies the
 * differences in one batch: with 2,000 nodes a drag or a pin touches a handful of elements.
 */
import type { CollectionArgument, Core, ElementDefinition, SingularElementReturnValue } from "cytoscape";
import type { GraphEdge, GraphModel, GraphNode } from "./model";
import { FAMILY_STYLES, classificationBadge, classificationBorder, familyIcon, familyOf, nodeLabel } from "./style";

/** Everything besides the model that changes how elements look. */
export interface ViewInputs {
  hiddenEdgeTypes: ReadonlySet<string>;
  /** Captions of these types are masked (safe mode). */
  maskedTypes: (schema: string) => boolean;
  ancestors: (schema: string) => readonly string[];
  edgeLabel: (schema: string) => string;
  maskedWord: string;
  /** Changes whenever any of the above does, so a change re-renders every element. */
  key: string;
}

export interface Rendered {
  model: GraphModel;
  key: string;
}

function nodeData(node: GraphNode, view: ViewInputs, step: number | undefined) {
  const family = familyOf(node.schema, view.ancestors(node.schema));
  const style = FAMILY_STYLES[family];
  return {
    id: node.id,
    label: nodeLabel({
      caption: node.caption,
      badge: classificationBadge(node.labels.classificationName, node.labels.classification),
      pinned: node.pinned,
      masked: view.maskedTypes(node.schema),
      maskedWord: view.maskedWord,
      step,
    }),
    shape: style.shape,
    fill: style.fill,
    icon: familyIcon(node.schema, family),
    border: classificationBorder(node.labels.classification),
  };
}

function edgeData(edge: GraphEdge, view: ViewInputs) {
  return { id: edge.id, source: edge.source, target: edge.target, label: view.edgeLabel(edge.schema) };
}

const sameLook = (a: GraphNode, b: GraphNode) =>
  a.caption === b.caption && a.schema === b.schema && a.labels === b.labels && a.pinned === b.pinned;

function nodeClasses(node: GraphNode, onPath: boolean): string[] {
  const classes: string[] = [];
  if (node.pinned) classes.push("pinned");
  if (onPath) classes.push("on-path");
  return classes;
}

/** Applies `model` to `cy`; returns what is now rendered (pass it to the next sync). */
export function syncModel(cy: Core, previous: Rendered | null, model: GraphModel, view: ViewInputs): Rendered {
  const all = !previous || previous.key !== view.key;
  const before = previous?.model;
  if (!all && before === model) return previous;
  const steps = new Map(model.highlight.nodes.map((id, i) => [id, i + 1]));
  const pathEdges = new Set(model.highlight.edges);
  const highlightChanged = !before || before.highlight !== model.highlight;
  const beforeSteps = new Map(before?.highlight.nodes.map((id, i) => [id, i + 1]) ?? []);
  const beforePathEdges = new Set(before?.highlight.edges ?? []);
  const shownEdge = (edge: GraphEdge) => !view.hiddenEdgeTypes.has(edge.schema);
  const shownEdgeId = (id: string) => {
    const edge = model.edges.get(id);
    return edge !== undefined && shownEdge(edge) && model.nodes.has(edge.source) && model.nodes.has(edge.target);
  };

  cy.batch(() => {
    // One pass over what is drawn (getElementById builds a collection per call: too slow for
    // thousands); removals first, so an id that comes back is added afresh.
    const drawn = new Map<string, SingularElementReturnValue>();
    const gone: SingularElementReturnValue[] = [];
    cy.elements().forEach((element) => {
      const id = element.id();
      const keep = element.isNode() ? model.nodes.has(id) : shownEdgeId(id);
      if (keep) drawn.set(id, element);
      else gone.push(element);
    });
    if (gone.length) cy.remove(cy.collection(gone as unknown as CollectionArgument));

    const additions: ElementDefinition[] = [];
    for (const node of model.nodes.values()) {
      const step = steps.get(node.id);
      const existing = drawn.get(node.id);
      if (!existing) {
        additions.push({
          group: "nodes",
          data: nodeData(node, view, step),
          position: node.position ? { ...node.position } : { x: 0, y: 0 },
          classes: nodeClasses(node, step !== undefined),
          locked: node.pinned,
        });
        continue;
      }
      const old = before?.nodes.get(node.id);
      const pathMoved = highlightChanged && steps.get(node.id) !== beforeSteps.get(node.id);
      if (!all && old === node && !pathMoved) continue;
      // Restyling is the expensive part: a node that only moved keeps its data and classes.
      if (all || pathMoved || !old || !sameLook(old, node)) {
        existing.data(nodeData(node, view, step));
        existing.classes(nodeClasses(node, step !== undefined));
      }
      const at = existing.position();
      if (node.position && (Math.abs(at.x - node.position.x) > 0.5 || Math.abs(at.y - node.position.y) > 0.5)) {
        // A locked node ignores position(): unlock for the move (undo can move pinned nodes).
        if (existing.locked()) existing.unlock();
        existing.position({ ...node.position });
      }
      if (existing.locked() !== node.pinned) {
        if (node.pinned) existing.lock();
        else existing.unlock();
      }
    }
    for (const edge of model.edges.values()) {
      if (!shownEdge(edge)) continue;
      const existing = drawn.get(edge.id);
      if (!existing) {
        additions.push({ group: "edges", data: edgeData(edge, view), classes: pathEdges.has(edge.id) ? ["on-path"] : [], selectable: false });
        continue;
      }
      const old = before?.edges.get(edge.id);
      const pathMoved = highlightChanged && pathEdges.has(edge.id) !== beforePathEdges.has(edge.id);
      if (!all && old === edge && !pathMoved) continue;
      existing.data(edgeData(edge, view));
      existing.classes(pathEdges.has(edge.id) ? ["on-path"] : []);
    }
    if (additions.length) cy.add(additions);
  });
  return { model, key: view.key };
}

/** Makes Cytoscape's selection and focus ring match the store's. */
export function syncSelection(cy: Core, selected: readonly string[], focused: string | null): void {
  const wanted = new Set(selected);
  cy.batch(() => {
    cy.nodes().forEach((node) => {
      const want = wanted.has(node.id());
      if (want && !node.selected()) node.select();
      else if (!want && node.selected()) node.unselect();
      if (node.id() === focused) node.addClass("focused");
      else if (node.hasClass("focused")) node.removeClass("focused");
    });
    cy.edges(":selected").unselect();
  });
}
