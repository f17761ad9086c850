/** Live updates over graphql-transport-ws, authenticated in `connection_init`. */
import { createClient, type Client } from "graphql-ws";
import { DOCUMENTS, type OperationName } from "../graphql/documents.generated";
import { currentRequestContext, requestHeaders } from "./client";

let client: Client | null = null;
let clientKey = "";

/** Disposing a socket that is still connecting rejects; the socket is going away anyway. */
function disposeQuietly(old: Client | null): void {
  if (!old) return;
  try {
    void Promise.resolve(old.dispose()).catch(() => undefined);
  } catch {
    // already closed
  }
}

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/graphql`;
}

/** One socket per credential/purpose/authority: a change of any of them reconnects. */
function sharedClient(): Client {
  const context = currentRequestContext();
  const key = JSON.stringify(context);
  if (client && key === clientKey) return client;
  disposeQuietly(client);
  clientKey = key;
  client = createClient({
    url: socketUrl(),
    lazy: true,
    retryAttempts: 5,
    connectionParams: () => requestHeaders(currentRequestContext()),
  });
  return client;
}

export interface SubscriptionHandlers<T> {
  next: (data: T) => void;
  error?: (error: unknown) => void;
  complete?: () => void;
}

/** Subscribes to a registered subscription; returns the function that ends it. */
export function subscribe<T>(
  name: OperationName,
  variables: Record<string, unknown>,
  handlers: SubscriptionHandlers<T>,
): () => void {
  const document = DOCUMENTS[name];
  return sharedClient().subscribe<T>(
    {
      query: document.body,
      operationName: name,
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: document.id } },
    },
    {
      next: (result) => {
        if (result.data) handlers.next(result.data as T);
        else if (result.errors?.length) handlers.error?.(result.errors);
      },
      error: (error) => handlers.error?.(error),
      complete: () => handlers.complete?.(),
    },
  );
}

/** Closes the socket (logout, purpose change). */
export function closeSubscriptions(): void {
  disposeQuietly(client);
  client = null;
  clientKey = "";
}
