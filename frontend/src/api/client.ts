/**
 * The one way the UI talks to the server: registered (persisted) GraphQL documents over
 * POST /graphql. The document text travels with its hash, so the same client works whether
 * the server's persisted-query mode is off, allow or enforce.
 */
import { DOCUMENTS, type OperationName } from "../graphql/documents.generated";

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; hint?: string; requestId?: string; [key: string]: unknown };
}

/** An error the server answered with; `code` is one of the documented error codes. */
export class ApiError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly status: number;
  constructor(message: string, code: string, hint?: string, status = 200) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.hint = hint;
    this.status = status;
  }
  /** The credential is missing, expired or revoked: the user must sign in again. */
  get sessionEnded(): boolean {
    return SESSION_CODES.has(this.code) || this.code.startsWith("token_") || this.status === 401;
  }
}

const SESSION_CODES = new Set(["unauthenticated", "token_missing", "api_token_invalid"]);

/** Who is asking and under which purpose and authority; read fresh for every request. */
export interface RequestContext {
  token: string | null;
  purpose: string | null;
  authority: string | null;
}

type ContextSource = () => RequestContext;
type SessionListener = (error: ApiError) => void;

let contextSource: ContextSource = () => ({ token: null, purpose: null, authority: null });
const sessionListeners = new Set<SessionListener>();

export function setRequestContext(source: ContextSource): void {
  contextSource = source;
}

export function currentRequestContext(): RequestContext {
  return contextSource();
}

/** Called whenever the server says the session is over (expired, revoked, logged out). */
export function onSessionEnded(listener: SessionListener): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

export function requestHeaders(context: RequestContext = contextSource()): Record<string, string> {
  const headers: Record<string, string> = {};
  if (context.token) headers.Authorization = `Bearer ${context.token}`;
  if (context.purpose) headers["X-IG-Purpose"] = context.purpose;
  if (context.authority) headers["X-IG-Authority"] = context.authority;
  return headers;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides for this one call (e.g. an export under a different purpose). */
  context?: Partial<RequestContext>;
}

/** Runs one registered operation and returns its `data`, or throws an {@link ApiError}. */
export async function call<T>(
  name: OperationName,
  variables: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<T> {
  const document = DOCUMENTS[name];
  const context = { ...contextSource(), ...options.context };
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...requestHeaders(context) },
      body: JSON.stringify({
        query: document.body,
        operationName: name,
        variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: document.id } },
      }),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("The server cannot be reached.", "network", "Check your connection and try again.", 0);
  }
  let payload: { data?: T | null; errors?: GraphQLErrorShape[]; error?: { code?: string; message?: string; hint?: string } };
  try {
    payload = (await response.json()) as typeof payload;
  } catch {
    throw new ApiError(`The server answered ${response.status} without a GraphQL result.`, "bad_response", undefined, response.status);
  }
  // Refusals before GraphQL runs (a bad token, a rate limit) come in the platform's error model.
  const first: GraphQLErrorShape | undefined =
    payload.errors?.[0] ??
    (payload.error ? { message: payload.error.message ?? "Request refused.", extensions: { code: payload.error.code, hint: payload.error.hint } } : undefined);
  if (first) {
    const error = new ApiError(first.message, first.extensions?.code ?? "error", first.extensions?.hint, response.status);
    if (error.sessionEnded) sessionListeners.forEach((listener) => listener(error));
    throw error;
  }
  if (payload.data == null) throw new ApiError("The server returned no data.", "bad_response", undefined, response.status);
  return payload.data;
}
