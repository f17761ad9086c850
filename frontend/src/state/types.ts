/** Shapes the whole UI shares: the viewer, the ontology, labels. */

export interface Viewer {
  id: string;
  name: string;
  tenant: string;
  kind: string;
  clearance: number;
  clearanceName: string;
  compartments: string[];
  purposes: string[];
  groups: string[];
  currentPurpose: string | null;
  authority: string | null;
  admin: boolean;
}

export interface OntologyProperty {
  name: string;
  label: string;
  type: string;
  privacy: string;
  multiple: boolean;
}

export interface OntologyType {
  name: string;
  label: string;
  plural: string;
  abstract: boolean;
  isEdge: boolean;
  ancestors: string[];
  edgeSource: string | null;
  edgeTarget: string | null;
  properties: OntologyProperty[];
}

export interface Ontology {
  version: string;
  types: OntologyType[];
  edges: OntologyType[];
}

/** A value's security labels as the API returns them (any subset of LabelSet). */
export interface Labels {
  classification?: number;
  classificationName?: string;
  compartments?: string[];
  purposes?: string[];
}

/** Where the classification banner reads from: one report per screen region. */
export interface ClassificationMark {
  level: number;
  name: string;
}

export type View = "search" | "graph" | "table" | "ingest";
