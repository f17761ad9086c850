/**
 * Where new nodes appear without re-laying out the whole canvas (the analyst's mental map
 * stays put): around the node they were expanded from, else around a placed neighbour,
 * else in a grid beside everything already placed.
 */
import { setPositions, type GraphModel, type Position } from "./model";

const SPACING = 90;

/** Positions on rings around a centre: the first ring holds up to 12, each next one 6 more. */
export function ringPositions(centre: Position, count: number, startAngle = -Math.PI / 2): Position[] {
  const out: Position[] = [];
  let ring = 0;
  while (out.length < count) {
    const capacity = 12 + ring * 6;
    const inRing = Math.min(capacity, count - out.length);
    const radius = SPACING * 1.6 + ring * SPACING;
    for (let i = 0; i < inRing; i += 1) {
      const angle = startAngle + (2 * Math.PI * i) / inRing + ring * 0.3;
      out.push({ x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) });
    }
    ring += 1;
  }
  return out;
}

/** Positions the model's unplaced nodes; returns the model unchanged when all are placed. */
export function placeNewNodes(model: GraphModel): GraphModel {
  const unplaced = [...model.nodes.values()].filter((node) => !node.position);
  if (!unplaced.length) return model;
  const placed = [...model.nodes.values()].filter((node) => node.position);
  if (!placed.length) return model; // nothing to anchor to: the caller runs a full layout
  const anchorOf = new Map<string, string>();
  const neighbours = new Map<string, string[]>();
  for (const edge of model.edges.values()) {
    (neighbours.get(edge.source) ?? neighbours.set(edge.source, []).get(edge.source))?.push(edge.target);
    (neighbours.get(edge.target) ?? neighbours.set(edge.target, []).get(edge.target))?.push(edge.source);
  }
  for (const node of unplaced) {
    const origin = node.expandedFrom && model.nodes.get(node.expandedFrom)?.position ? node.expandedFrom : undefined;
    const neighbour = origin ?? neighbours.get(node.id)?.find((id) => model.nodes.get(id)?.position);
    if (neighbour) anchorOf.set(node.id, neighbour);
  }
  const groups = new Map<string, string[]>();
  const orphans: string[] = [];
  for (const node of unplaced) {
    const anchor = anchorOf.get(node.id);
    if (anchor) (groups.get(anchor) ?? groups.set(anchor, []).get(anchor))?.push(node.id);
    else orphans.push(node.id);
  }
  const positions = new Map<string, Position>();
  const centre = centroid(placed.map((node) => node.position as Position));
  for (const [anchor, ids] of groups) {
    const at = model.nodes.get(anchor)?.position as Position;
    // Open the ring away from the middle of the canvas, where the rest of the graph is.
    const away = Math.atan2(at.y - centre.y, at.x - centre.x);
    const start = at.x === centre.x && at.y === centre.y ? -Math.PI / 2 : away - Math.PI / 2;
    ringPositions(at, ids.length, start).forEach((position, i) => positions.set(ids[i] as string, position));
  }
  if (orphans.length) {
    const right = Math.max(...placed.map((node) => (node.position as Position).x));
    const top = Math.min(...placed.map((node) => (node.position as Position).y));
    const columns = Math.max(1, Math.ceil(Math.sqrt(orphans.length)));
    orphans.forEach((id, i) =>
      positions.set(id, { x: right + SPACING * 2 + (i % columns) * SPACING * 1.5, y: top + Math.floor(i / columns) * SPACING }),
    );
  }
  return setPositions(model, positions);
}

function centroid(points: readonly Position[]): Position {
  const sum = points.reduce((acc, p) => ({ x: acc.x + p.x, y: acc.y + p.y }), { x: 0, y: 0 });
  return { x: sum.x / points.length, y: sum.y / points.length };
}
