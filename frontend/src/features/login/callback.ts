/**
 * Handles an OpenID Connect callback in the current URL exactly once per page load, even
 * when React runs effects twice: the code is single use, so a second exchange would fail.
 */
import { cleanCallbackUrl, completeLogin, parseCallback } from "../../auth/oidc";
import type { Session } from "../../auth/session";

let inFlight: Promise<Session> | null = null;

/** The sign-in from the callback in the URL, or null when the URL holds none. */
export function takeCallback(): Promise<Session> | null {
  if (inFlight) return inFlight;
  const callback = parseCallback(window.location.href);
  if (!callback) return null;
  // Forget the code at once: a reload or a shared URL must not replay it.
  window.history.replaceState(window.history.state, "", cleanCallbackUrl(window.location.href));
  const exchange = completeLogin(callback);
  inFlight = exchange;
  // Settled: later mounts (after a sign-out) find a clean URL and no callback.
  const settle = () => {
    inFlight = null;
  };
  exchange.then(settle, settle);
  return exchange;
}
