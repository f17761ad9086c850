import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  authorizationUrl,
  beginLogin,
  cleanCallbackUrl,
  completeLogin,
  discover,
  issuerHost,
  OidcError,
  parseCallback,
  pkceChallenge,
  randomToken,
  type OidcConfig,
} from "./oidc";

const config: OidcConfig = {
  issuer: "https://sso.example.org/realms/intel",
  clientId: "intelgraph-web",
  scopes: ["openid", "profile"],
  redirectPath: "/",
};

const discovery = {
  issuer: "https://sso.example.org/realms/intel",
  authorization_endpoint: "https://sso.example.org/realms/intel/auth",
  token_endpoint: "https://sso.example.org/realms/intel/token",
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, value),
  };
}

describe("PKCE", () => {
  it("matches the S256 vector of RFC 7636 appendix B", () => {
    expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("makes URL-safe random tokens of 43 characters that differ", () => {
    const a = randomToken();
    const b = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});

describe("authorization URL", () => {
  it("carries every parameter of the code flow with PKCE", () => {
    const href = authorizationUrl(
      { authorizationEndpoint: "https://sso.example.org/auth?kc_idp_hint=x", tokenEndpoint: "" },
      config,
      { state: "s1", nonce: "n1", verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", redirectUri: "https://ig.example.org/" },
    );
    const url = new URL(href);
    expect(url.origin + url.pathname).toBe("https://sso.example.org/auth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      kc_idp_hint: "x",
      response_type: "code",
      client_id: "intelgraph-web",
      redirect_uri: "https://ig.example.org/",
      scope: "openid profile",
      state: "s1",
      nonce: "n1",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
  });

  it("remembers state, nonce and verifier for the callback", async () => {
    const storage = memoryStorage();
    const fetchImpl = vi.fn(async () => json(discovery));
    const href = await beginLogin(config, { origin: "https://ig.example.org", storage, fetchImpl, now: 1000 });
    expect(fetchImpl).toHaveBeenCalledWith("https://sso.example.org/realms/intel/.well-known/openid-configuration", expect.anything());
    const pending = JSON.parse(storage.getItem("intelgraph.oidc.pending") ?? "{}");
    const url = new URL(href);
    expect(url.searchParams.get("state")).toBe(pending.state);
    expect(url.searchParams.get("nonce")).toBe(pending.nonce);
    expect(url.searchParams.get("code_challenge")).toBe(pkceChallenge(pending.verifier));
    expect(pending.redirectUri).toBe("https://ig.example.org/");
    expect(pending.tokenEndpoint).toBe(discovery.token_endpoint);
  });

  it("refuses a discovery document of another issuer", async () => {
    const fetchImpl = vi.fn(async () => json({ ...discovery, issuer: "https://evil.example.org" }));
    await expect(discover(config.issuer, fetchImpl)).rejects.toMatchObject({ code: "discovery_failed" });
  });

  it("shows the issuer's host", () => {
    expect(issuerHost("https://sso.example.org:8443/realms/intel")).toBe("sso.example.org:8443");
  });
});

describe("callback", () => {
  it("parses a code, an error, or nothing", () => {
    expect(parseCallback("https://ig.example.org/?code=abc&state=xyz")).toEqual({ kind: "code", code: "abc", state: "xyz" });
    expect(parseCallback("https://ig.example.org/?error=access_denied&error_description=User%20cancelled&state=xyz")).toEqual({
      kind: "error",
      error: "access_denied",
      description: "User cancelled",
      state: "xyz",
    });
    expect(parseCallback("https://ig.example.org/#code=abc&state=xyz")).toEqual({ kind: "code", code: "abc", state: "xyz" });
    expect(parseCallback("https://ig.example.org/?code=abc")).toBeNull();
    expect(parseCallback("https://ig.example.org/#/graph")).toBeNull();
  });

  it("cleans the callback parameters but keeps the rest", () => {
    expect(cleanCallbackUrl("https://ig.example.org/?code=a&state=b&session_state=c&iss=d&lang=de#/graph")).toBe("/?lang=de#/graph");
    expect(cleanCallbackUrl("https://ig.example.org/#code=a&state=b")).toBe("/");
  });
});

describe("completing the login", () => {
  let storage: Storage;
  beforeEach(() => {
    storage = memoryStorage();
    storage.setItem(
      "intelgraph.oidc.pending",
      JSON.stringify({
        state: "good-state",
        nonce: "n1",
        verifier: "v1",
        redirectUri: "https://ig.example.org/",
        tokenEndpoint: discovery.token_endpoint,
        clientId: "intelgraph-web",
        createdAt: 1000,
      }),
    );
  });

  it("refuses a state that is not ours, without calling the token endpoint", async () => {
    const fetchImpl = vi.fn();
    await expect(completeLogin({ kind: "code", code: "c", state: "forged" }, { storage, fetchImpl, now: 2000 })).rejects.toMatchObject({
      code: "state_mismatch",
    });
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(storage.getItem("intelgraph.oidc.pending")).toBeNull();
  });

  it("posts the code and verifier form-encoded and builds an oidc session", async () => {
    const fetchImpl = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => json({ access_token: "at", expires_in: 600, token_type: "Bearer" }));
    const session = await completeLogin({ kind: "code", code: "the-code", state: "good-state" }, { storage, fetchImpl, now: 2000 });
    expect(session).toEqual({ accessToken: "at", refreshToken: null, expiresAt: 602_000, refreshExpiresAt: null, kind: "oidc" });
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe(discovery.token_endpoint);
    expect((init?.headers as Record<string, string>)["Content-Type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(String(init?.body)))).toEqual({
      grant_type: "authorization_code",
      code: "the-code",
      redirect_uri: "https://ig.example.org/",
      client_id: "intelgraph-web",
      code_verifier: "v1",
    });
  });

  it("reports the token endpoint's refusal", async () => {
    const fetchImpl = vi.fn(async () => json({ error: "invalid_grant", error_description: "Code not valid" }, 400));
    const failure = completeLogin({ kind: "code", code: "c", state: "good-state" }, { storage, fetchImpl, now: 2000 });
    await expect(failure).rejects.toBeInstanceOf(OidcError);
    await expect(failure).rejects.toMatchObject({ code: "token_failed", detail: "invalid_grant: Code not valid" });
  });

  it("reports the provider's error answer", async () => {
    await expect(
      completeLogin({ kind: "error", error: "access_denied", description: "User cancelled", state: "good-state" }, { storage, now: 2000 }),
    ).rejects.toMatchObject({ code: "provider_error", message: "access_denied", detail: "User cancelled" });
  });

  it("refuses an identity token issued for another nonce", async () => {
    const idToken = `x.${btoa(JSON.stringify({ nonce: "other" }))}.y`;
    const fetchImpl = vi.fn(async () => json({ access_token: "at", expires_in: 600, id_token: idToken }));
    await expect(completeLogin({ kind: "code", code: "c", state: "good-state" }, { storage, fetchImpl, now: 2000 })).rejects.toMatchObject({
      code: "nonce_mismatch",
    });
  });

  it("refuses a stale or missing pending login", async () => {
    const fetchImpl = vi.fn();
    await expect(
      completeLogin({ kind: "code", code: "c", state: "good-state" }, { storage, fetchImpl, now: 1000 + 11 * 60_000 }),
    ).rejects.toMatchObject({ code: "no_pending_login" });
    await expect(completeLogin({ kind: "code", code: "c", state: "good-state" }, { storage, fetchImpl, now: 2000 })).rejects.toMatchObject({
      code: "no_pending_login",
    });
  });
});
