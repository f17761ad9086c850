/**
 * Deterministic synthetic graphs for the benchmark and tests: the same (n, m, seed) always
 * gives the same nodes and edges. Every node after the first is joined to an earlier one,
 * so the graph is connected; the other edges join random distinct pairs without repeats.
 */
import type { GraphEdge, NodeInput, NodeLabels } from "./model";

const SCHEMAS = ["Person", "Company", "BankAccount", "Address", "Phone", "Email", "Domain", "IPAddress", "Malware", "ThreatActor", "Indicator", "Document", "Vessel"];
const EDGE_TYPES = ["Ownership", "Directorship", "Payment", "Associate", "UnknownLink"];
const LEVELS: NodeLabels[] = [
  { classification: 0, classificationName: "UNCLASSIFIED", compartments: [] },
  { classification: 1, classificationName: "CONFIDENTIAL", compartments: [] },
  { classification: 2, classificationName: "SECRET", compartments: ["FIN"] },
];

/** mulberry32: small, fast, good enough to scatter test data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticGraph {
  nodes: NodeInput[];
  edges: GraphEdge[];
}

export function syntheticGraph(nodeCount: number, edgeCount: number, seed = 1): SyntheticGraph {
  const n = Math.max(0, Math.floor(nodeCount));
  const maxEdges = (n * (n - 1)) / 2;
  const m = Math.max(0, Math.min(Math.floor(edgeCount), maxEdges));
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const nodes: NodeInput[] = [];
  for (let i = 0; i < n; i += 1) {
    const schema = SCHEMAS[i % SCHEMAS.length] as string;
    nodes.push({ id: `syn-n${i}`, schema, caption: `${schema} ${i}`, labels: pick(LEVELS) });
  }
  const edges: GraphEdge[] = [];
  const pairs = new Set<string>();
  const addEdge = (a: number, b: number): boolean => {
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    if (a === b || pairs.has(key)) return false;
    pairs.add(key);
    edges.push({ id: `syn-e${edges.length}`, schema: pick(EDGE_TYPES), source: `syn-n${a}`, target: `syn-n${b}`, labels: pick(LEVELS) });
    return true;
  };
  for (let i = 1; i < n && edges.length < m; i += 1) addEdge(i, Math.floor(next() * i));
  while (edges.length < m) addEdge(Math.floor(next() * n), Math.floor(next() * n));
  return { nodes, edges };
}
