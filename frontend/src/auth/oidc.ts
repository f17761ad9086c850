/**
 * Sign-in with an external OpenID Connect provider: the authorization-code flow with PKCE
 * (RFC 7636, S256) for a public client. The browser never holds a client secret; the
 * verifier, state and nonce live in sessionStorage only between the redirect and the callback.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { Session } from "./session";

/** What /ui/config.json says about the provider. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  scopes: string[];
  redirectPath: string;
}

export interface OidcEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** What we keep across the redirect. */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  tokenEndpoint: string;
  clientId: string;
  createdAt: number;
}

export type OidcErrorCode =
  | "discovery_failed"
  | "provider_error"
  | "no_pending_login"
  | "state_mismatch"
  | "token_failed"
  | "nonce_mismatch";

/** A failed step of the flow; `detail` is what the provider said, if anything. */
export class OidcError extends Error {
  readonly code: OidcErrorCode;
  readonly detail: string | undefined;
  constructor(code: OidcErrorCode, message: string, detail?: string) {
    super(message);
    this.name = "OidcError";
    this.code = code;
    this.detail = detail;
  }
}

const PENDING = "intelgraph.oidc.pending";
/** A login not completed within this time is stale (the user wandered off). */
const PENDING_TTL_MS = 10 * 60_000;
const CALLBACK_PARAMS = ["code", "state", "session_state", "iss", "error", "error_description", "error_uri"];

export function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** 32 random bytes → 43 URL-safe characters: enough entropy for verifier, state and nonce. */
export function randomToken(bytes = 32): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return base64Url(buffer);
}

/**
 * S256 code challenge. Hashed with @noble/hashes rather than crypto.subtle, which browsers
 * only offer in secure contexts (an intranet host over plain http would otherwise fail).
 */
export function pkceChallenge(verifier: string): string {
  return base64Url(sha256(new TextEncoder().encode(verifier)));
}

export function redirectUri(config: OidcConfig, origin: string): string {
  const path = config.redirectPath.startsWith("/") ? config.redirectPath : `/${config.redirectPath}`;
  return `${origin}${path}`;
}

/** The host to show on the button ("Sign in with sso.example.org"). */
export function issuerHost(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
}

export async function discover(issuer: string, fetchImpl: typeof fetch = fetch): Promise<OidcEndpoints> {
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  let document: Record<string, unknown>;
  try {
    const response = await fetchImpl(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new OidcError("discovery_failed", `cannot read ${url}`, error instanceof Error ? error.message : undefined);
  }
  const authorizationEndpoint = document.authorization_endpoint;
  const tokenEndpoint = document.token_endpoint;
  if (typeof authorizationEndpoint !== "string" || typeof tokenEndpoint !== "string")
    throw new OidcError("discovery_failed", `${url} names no authorization or token endpoint`);
  // The discovery document must be the issuer's own (OpenID Connect Discovery §4.3).
  if (typeof document.issuer === "string" && document.issuer.replace(/\/+$/, "") !== issuer.replace(/\/+$/, ""))
    throw new OidcError("discovery_failed", `${url} belongs to ${document.issuer}, not ${issuer}`);
  return { authorizationEndpoint, tokenEndpoint };
}

export function authorizationUrl(
  endpoints: OidcEndpoints,
  config: OidcConfig,
  pending: Pick<PendingLogin, "state" | "nonce" | "verifier" | "redirectUri">,
): string {
  const url = new URL(endpoints.authorizationEndpoint);
  const scopes = config.scopes.length ? config.scopes : ["openid"];
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", pending.redirectUri);
  url.searchParams.set("scope", scopes.join(" "));
  url.searchParams.set("state", pending.state);
  url.searchParams.set("nonce", pending.nonce);
  url.searchParams.set("code_challenge", pkceChallenge(pending.verifier));
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

/** Prepares the redirect: returns the provider URL to go to and remembers what to check. */
export async function beginLogin(
  config: OidcConfig,
  { origin = window.location.origin, storage = sessionStorage, fetchImpl = fetch, now = Date.now() } = {},
): Promise<string> {
  const endpoints = await discover(config.issuer, fetchImpl);
  const pending: PendingLogin = {
    state: randomToken(),
    nonce: randomToken(),
    verifier: randomToken(),
    redirectUri: redirectUri(config, origin),
    tokenEndpoint: endpoints.tokenEndpoint,
    clientId: config.clientId,
    createdAt: now,
  };
  storage.setItem(PENDING, JSON.stringify(pending));
  return authorizationUrl(endpoints, config, pending);
}

export type Callback =
  | { kind: "code"; code: string; state: string }
  | { kind: "error"; error: string; description: string | null; state: string | null };

/** Reads the provider's answer from the URL; null when this is not a callback. */
export function parseCallback(href: string): Callback | null {
  const url = new URL(href);
  // Some providers answer in the fragment (response_mode=fragment); accept both.
  const params = url.searchParams.has("code") || url.searchParams.has("error") ? url.searchParams : new URLSearchParams(url.hash.replace(/^#/, ""));
  const error = params.get("error");
  if (error) return { kind: "error", error, description: params.get("error_description"), state: params.get("state") };
  const code = params.get("code");
  const state = params.get("state");
  if (code && state) return { kind: "code", code, state };
  return null;
}

/** The URL without the callback's parameters, for history.replaceState. */
export function cleanCallbackUrl(href: string): string {
  const url = new URL(href);
  for (const name of CALLBACK_PARAMS) url.searchParams.delete(name);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ""));
  if (hash.has("code") || hash.has("error")) url.hash = "";
  return `${url.pathname}${url.search}${url.hash}`;
}

function readPending(storage: Storage): PendingLogin | null {
  try {
    const raw = storage.getItem(PENDING);
    return raw ? (JSON.parse(raw) as PendingLogin) : null;
  } catch {
    return null;
  }
}

function jwtPayload(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Finishes the flow: checks the state, exchanges the code (with the verifier) at the token
 * endpoint and returns the session. The pending login is spent whatever happens, so a
 * replayed callback URL cannot be used twice.
 */
export async function completeLogin(
  callback: Callback,
  { storage = sessionStorage, fetchImpl = fetch, now = Date.now() } = {},
): Promise<Session> {
  const pending = readPending(storage);
  storage.removeItem(PENDING);
  if (callback.kind === "error") throw new OidcError("provider_error", callback.error, callback.description ?? undefined);
  if (!pending || now - pending.createdAt > PENDING_TTL_MS)
    throw new OidcError("no_pending_login", "no sign-in was started in this tab, or it took too long");
  if (callback.state !== pending.state) throw new OidcError("state_mismatch", "the answer does not belong to the sign-in started here");

  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: callback.code,
    redirect_uri: pending.redirectUri,
    client_id: pending.clientId,
    code_verifier: pending.verifier,
  });
  let answer: Record<string, unknown>;
  let status = 0;
  try {
    const response = await fetchImpl(pending.tokenEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: body.toString(),
    });
    status = response.status;
    answer = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    throw new OidcError("token_failed", "the token endpoint did not answer", error instanceof Error ? error.message : undefined);
  }
  if (status < 200 || status >= 300 || typeof answer.access_token !== "string") {
    const reason = [answer.error, answer.error_description].filter((part) => typeof part === "string").join(": ");
    throw new OidcError("token_failed", `the token endpoint refused the code (HTTP ${status})`, reason || undefined);
  }
  if (typeof answer.id_token === "string") {
    // The signature is the API's to check; the nonce binds the answer to this tab's request.
    const claims = jwtPayload(answer.id_token);
    if (claims && "nonce" in claims && claims.nonce !== pending.nonce)
      throw new OidcError("nonce_mismatch", "the identity token was issued for another sign-in");
  }
  const expiresIn = typeof answer.expires_in === "number" ? answer.expires_in : Number(answer.expires_in ?? 300);
  return {
    accessToken: answer.access_token,
    refreshToken: null,
    expiresAt: now + (Number.isFinite(expiresIn) ? expiresIn : 300) * 1000,
    refreshExpiresAt: null,
    kind: "oidc",
  };
}
