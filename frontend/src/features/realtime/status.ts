/** The live connection's state, shared between the subscriber and the indicator that shows it. */
import { useSyncExternalStore } from "react";

export type ConnectionStatus = "off" | "connecting" | "live" | "reconnecting";

let status: ConnectionStatus = "off";
const listeners = new Set<() => void>();

export function setConnectionStatus(next: ConnectionStatus): void {
  if (next === status) return;
  status = next;
  listeners.forEach((listener) => listener());
}

export function connectionStatus(): ConnectionStatus {
  return status;
}

function listen(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useConnectionStatus(): ConnectionStatus {
  return useSyncExternalStore(listen, connectionStatus, connectionStatus);
}
