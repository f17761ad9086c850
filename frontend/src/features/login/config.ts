/** The server's public UI settings (GET /ui/config.json, no credential needed). */
import type { OidcConfig } from "../../auth/oidc";

export interface UiConfig {
  version: string | null;
  oidc: OidcConfig | null;
  embeddedLogin: boolean;
}

/** Used when the server is older than /ui/config.json or cannot be read: the embedded form. */
export const FALLBACK_CONFIG: UiConfig = { version: null, oidc: null, embeddedLogin: true };

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  if (typeof value === "string") return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** Accepts only what it understands; an unusable `oidc` block simply hides the button. */
export function parseUiConfig(raw: unknown): UiConfig {
  if (!raw || typeof raw !== "object") return FALLBACK_CONFIG;
  const data = raw as Record<string, unknown>;
  const oidcRaw = data.oidc as Record<string, unknown> | null | undefined;
  let oidc: OidcConfig | null = null;
  if (oidcRaw && typeof oidcRaw.issuer === "string" && typeof oidcRaw.clientId === "string") {
    oidc = {
      issuer: oidcRaw.issuer,
      clientId: oidcRaw.clientId,
      scopes: strings(oidcRaw.scopes).length ? strings(oidcRaw.scopes) : ["openid"],
      redirectPath: typeof oidcRaw.redirectPath === "string" ? oidcRaw.redirectPath : "/",
    };
  }
  return {
    version: typeof data.version === "string" ? data.version : null,
    oidc,
    // Never leave the user without a way in: no provider means the embedded form.
    embeddedLogin: data.embeddedLogin === false && oidc ? false : true,
  };
}

export async function loadUiConfig(fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<UiConfig> {
  try {
    const response = await fetchImpl("/ui/config.json", { headers: { Accept: "application/json" }, signal });
    if (!response.ok) return FALLBACK_CONFIG;
    return parseUiConfig(await response.json());
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    return FALLBACK_CONFIG;
  }
}
