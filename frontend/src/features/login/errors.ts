/** Turns a failed sign-in into one clear, localised sentence (plus the server's hint). */
import { ApiError } from "../../api/client";
import { OidcError } from "../../auth/oidc";
import type { Params } from "../../i18n";

export interface LoginProblem {
  key: string;
  params?: Params;
}

export function loginProblem(error: unknown): LoginProblem {
  if (error instanceof OidcError) {
    const detail = error.detail ?? error.message;
    switch (error.code) {
      case "provider_error":
        return { key: "login.oidcError.provider", params: { detail: error.detail ? `${error.message}: ${error.detail}` : error.message } };
      case "state_mismatch":
        return { key: "login.oidcError.state" };
      case "nonce_mismatch":
        return { key: "login.oidcError.nonce" };
      case "no_pending_login":
        return { key: "login.oidcError.noPending" };
      case "discovery_failed":
        return { key: "login.oidcError.discovery", params: { detail } };
      default:
        return { key: "login.oidcError.token", params: { detail } };
    }
  }
  if (error instanceof ApiError) {
    switch (error.code) {
      case "credentials_invalid":
        return { key: "login.error.credentials" };
      case "rate_limited":
        return error.hint ? { key: "login.error.throttled", params: { hint: error.hint } } : { key: "login.error.throttledNoHint" };
      case "network":
        return { key: "login.error.network" };
      case "user_disabled":
        return { key: "login.error.disabled" };
      default:
        return error.hint
          ? { key: "login.error.otherHint", params: { message: error.message, hint: error.hint } }
          : { key: "login.error.other", params: { message: error.message } };
    }
  }
  return { key: "login.error.other", params: { message: error instanceof Error ? error.message : String(error) } };
}
