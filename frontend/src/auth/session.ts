/**
 * The signed-in session: tokens kept in sessionStorage (gone when the tab closes), refreshed
 * shortly before they expire. External (OIDC) sessions cannot be refreshed here; when they
 * end the user signs in again.
 */
import { call } from "../api/client";

export interface Session {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch milliseconds. */
  expiresAt: number;
  refreshExpiresAt: number | null;
  kind: "embedded" | "oidc";
}

const KEY = "intelgraph.session";

interface TokenPair {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string | null;
  refreshExpiresIn: number | null;
}

export function loadSession(storage: Storage = sessionStorage): Session | null {
  const raw = storage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (typeof session.accessToken !== "string" || typeof session.expiresAt !== "number") return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}

export function sessionFromTokens(pair: TokenPair, now = Date.now()): Session {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: now + pair.expiresIn * 1000,
    refreshExpiresAt: pair.refreshExpiresIn ? now + pair.refreshExpiresIn * 1000 : null,
    kind: "embedded",
  };
}

/** When to refresh: a minute before expiry, or half-way for very short tokens. */
export function refreshDelay(session: Session, now = Date.now()): number {
  const remaining = session.expiresAt - now;
  return Math.max(0, remaining > 120_000 ? remaining - 60_000 : remaining / 2);
}

export function isUsable(session: Session | null, now = Date.now()): boolean {
  if (!session) return false;
  if (session.expiresAt > now) return true;
  return session.refreshToken !== null && (session.refreshExpiresAt ?? 0) > now;
}

export async function loginEmbedded(username: string, password: string): Promise<Session> {
  const data = await call<{ login: TokenPair }>("Login", { username, password }, { context: { token: null } });
  return sessionFromTokens(data.login);
}

export async function refreshEmbedded(session: Session): Promise<Session> {
  if (!session.refreshToken) throw new Error("this session cannot be refreshed");
  const data = await call<{ refresh: TokenPair }>("Refresh", { refreshToken: session.refreshToken }, { context: { token: null } });
  return sessionFromTokens(data.refresh);
}

export async function logout(): Promise<void> {
  try {
    await call<{ logout: boolean }>("Logout");
  } catch {
    // the session may already be over; signing out locally is what matters
  }
}
