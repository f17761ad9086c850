/** Graph changes seen on the live subscription, for any view that shows entities. */
export interface GraphChange {
  kind: string;
  seq: number;
  at: string;
  entityIds: string[];
  count: number;
}

type Listener = (change: GraphChange) => void;
const listeners = new Set<Listener>();

export function publishGraphChange(change: GraphChange): void {
  listeners.forEach((listener) => listener(change));
}

/** Returns the function that stops listening. */
export function onGraphChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
