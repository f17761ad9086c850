/**
 * The graph change feed on its own socket, so the UI can tell "live" from "reconnecting".
 * api/subscriptions.ts does not expose its socket's connection events; until it does, this
 * client is the one place that needs them (the shared socket stays for job progress).
 */
import { createClient } from "graphql-ws";
import { currentRequestContext, requestHeaders } from "../../api/client";
import { DOCUMENTS } from "../../graphql/documents.generated";
import type { ConnectionStatus } from "./status";

export interface GraphChangeEvent {
  kind: string;
  seq: number;
  at: string;
  entityIds: string[];
  count: number;
  entities: { id: string; schema: string }[];
}

export interface FeedHandlers {
  change: (change: GraphChangeEvent) => void;
  status: (status: ConnectionStatus) => void;
  /** The subscription ended (refused, or the server completed it): start a new feed later. */
  ended: (error?: unknown) => void;
}

/** Waits 1 s, 2 s, 4 s, … up to 30 s between attempts, with jitter so tabs do not stampede. */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1)) + Math.floor(random() * 500);
}

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/graphql`;
}

/** Opens the feed with the current credential, purpose and authority; returns the closer. */
export function openGraphFeed(handlers: FeedHandlers): () => void {
  let closed = false;
  const report = (status: ConnectionStatus) => {
    if (!closed) handlers.status(status);
  };
  const client = createClient({
    url: socketUrl(),
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffMs(retries + 1))),
    connectionParams: () => requestHeaders(currentRequestContext()),
    on: {
      connecting: (isRetry) => report(isRetry ? "reconnecting" : "connecting"),
      connected: () => report("live"),
      closed: () => report("reconnecting"),
    },
  });
  const document = DOCUMENTS.GraphChanged;
  const stop = client.subscribe<{ graphChanged: GraphChangeEvent }>(
    {
      query: document.body,
      operationName: "GraphChanged",
      variables: {},
      extensions: { persistedQuery: { version: 1, sha256Hash: document.id } },
    },
    {
      next: (result) => {
        if (!closed && result.data) handlers.change(result.data.graphChanged);
      },
      error: (error) => {
        if (!closed) handlers.ended(error);
      },
      complete: () => {
        if (!closed) handlers.ended();
      },
    },
  );
  return () => {
    closed = true;
    // Unsubscribing lets the lazy client close its socket. dispose() during a connection
    // attempt rejects a promise inside graphql-ws that nobody awaits ("Uncaught Event").
    stop();
  };
}
