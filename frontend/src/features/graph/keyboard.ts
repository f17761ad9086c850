/**
 * Keyboard navigation on the canvas: from the focused node, an arrow key moves to the
 * nearest node in that direction. Screen coordinates: y grows downwards.
 */

export type Direction = "left" | "right" | "up" | "down";

export interface Point {
  id: string;
  x: number;
  y: number;
}

const KEYS: Record<string, Direction> = { ArrowLeft: "left", ArrowRight: "right", ArrowUp: "up", ArrowDown: "down" };

export function directionOfKey(key: string): Direction | null {
  return KEYS[key] ?? null;
}

/** Distance along the arrow (main) and across it (side). */
function axes(from: Point, to: Point, direction: Direction): { main: number; side: number } {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  switch (direction) {
    case "right":
      return { main: dx, side: Math.abs(dy) };
    case "left":
      return { main: -dx, side: Math.abs(dy) };
    case "down":
      return { main: dy, side: Math.abs(dx) };
    default:
      return { main: -dy, side: Math.abs(dx) };
  }
}

/**
 * The nearest node in the direction: nodes inside the 45° cone around the arrow come first,
 * scored by distance with sideways offset counting double; failing that, any node ahead.
 * Null when nothing lies that way.
 */
export function nearestInDirection(from: Point, candidates: readonly Point[], direction: Direction): string | null {
  let best: { id: string; inCone: boolean; score: number } | null = null;
  for (const candidate of candidates) {
    if (candidate.id === from.id) continue;
    const { main, side } = axes(from, candidate, direction);
    if (main <= 0) continue;
    const inCone = side <= main;
    const score = main + 2 * side;
    if (!best || (inCone && !best.inCone) || (inCone === best.inCone && (score < best.score || (score === best.score && candidate.id < best.id))))
      best = { id: candidate.id, inCone, score };
  }
  return best?.id ?? null;
}

/** The node nearest to a point (the viewport's centre when nothing has focus yet). */
export function nearestTo(x: number, y: number, candidates: readonly Point[]): string | null {
  let best: { id: string; d: number } | null = null;
  for (const c of candidates) {
    const d = (c.x - x) ** 2 + (c.y - y) ** 2;
    if (!best || d < best.d) best = { id: c.id, d };
  }
  return best?.id ?? null;
}

export type CanvasCommand =
  /** select: the node reached becomes the selection; focus: only focus moves; extend: it joins the selection. */
  | { kind: "move"; direction: Direction; mode: "select" | "focus" | "extend" }
  | { kind: "toggle-select" }
  | { kind: "inspect" }
  | { kind: "expand" }
  | { kind: "collapse" }
  | { kind: "pin" }
  | { kind: "remove" }
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "zoom-in" }
  | { kind: "zoom-out" }
  | { kind: "fit" }
  | { kind: "menu" }
  | { kind: "escape" };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

/** What a key press on the canvas means, or null to let it through (Tab must leave). */
export function commandOfKey(event: KeyLike): CanvasCommand | null {
  const mod = Boolean(event.ctrlKey || event.metaKey);
  const key = event.key;
  const direction = directionOfKey(key);
  if (direction && !event.altKey) return { kind: "move", direction, mode: mod ? "focus" : event.shiftKey ? "extend" : "select" };
  if (mod && !event.altKey) {
    const lower = key.toLowerCase();
    if (lower === "z") return { kind: event.shiftKey ? "redo" : "undo" };
    if (lower === "y") return { kind: "redo" };
    return null;
  }
  if (event.altKey) return null;
  if (key === "F10" && event.shiftKey) return { kind: "menu" };
  switch (key) {
    case "ContextMenu":
      return { kind: "menu" };
    case " ":
    case "Spacebar":
      return { kind: "toggle-select" };
    case "Enter":
      return { kind: "inspect" };
    case "Delete":
    case "Backspace":
      return { kind: "remove" };
    case "+":
    case "=":
      return { kind: "zoom-in" };
    case "-":
    case "_":
      return { kind: "zoom-out" };
    case "Escape":
      return { kind: "escape" };
    default:
      break;
  }
  switch (key.toLowerCase()) {
    case "e":
      return { kind: "expand" };
    case "c":
      return { kind: "collapse" };
    case "p":
      return { kind: "pin" };
    case "f":
      return { kind: "fit" };
    default:
      return null;
  }
}
