/**
 * Which relationship types can be expanded from a node: an edge type fits when its source
 * (outgoing) or target (incoming) type is the node's type or one of its ancestors.
 */
import type { OntologyType } from "../../state/types";
import type { ApiDirection } from "./api";

export interface ExpandableType {
  name: string;
  label: string;
}

export function expandableEdgeTypes(
  edges: readonly OntologyType[],
  nodeType: OntologyType | undefined,
  schema: string,
  direction: ApiDirection,
): ExpandableType[] {
  const kinds = new Set([schema, ...(nodeType?.ancestors ?? [])]);
  const fits = (edge: OntologyType) =>
    ((direction === "OUT" || direction === "BOTH") && edge.edgeSource !== null && kinds.has(edge.edgeSource)) ||
    ((direction === "IN" || direction === "BOTH") && edge.edgeTarget !== null && kinds.has(edge.edgeTarget));
  return edges
    .filter((edge) => !edge.abstract && fits(edge))
    .map((edge) => ({ name: edge.name, label: edge.label }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
