/**
 * Undo/redo over immutable snapshots. Models share structure, so a snapshot costs a few
 * map copies, not a deep copy; the stacks are capped so a long session stays bounded.
 */

export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
}

export const HISTORY_CAP = 100;

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

/** A new undoable step; pushing the present itself is a no-op. */
export function push<T>(history: History<T>, next: T, cap = HISTORY_CAP): History<T> {
  if (next === history.present) return history;
  const past = [...history.past, history.present];
  return { past: past.length > cap ? past.slice(past.length - cap) : past, present: next, future: [] };
}

/** Changes the present without a new step (e.g. positions settling after the step's layout). */
export function replace<T>(history: History<T>, next: T): History<T> {
  return next === history.present ? history : { ...history, present: next };
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past[history.past.length - 1];
  if (previous === undefined) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}

export const canUndo = <T>(history: History<T>): boolean => history.past.length > 0;
export const canRedo = <T>(history: History<T>): boolean => history.future.length > 0;

/** Applies a change to every snapshot (fresh captions must survive undo and redo). */
export function mapAll<T>(history: History<T>, change: (snapshot: T) => T): History<T> {
  return { past: history.past.map(change), present: change(history.present), future: history.future.map(change) };
}
