import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { OidcError } from "../../auth/oidc";
import { parseUiConfig } from "./config";
import { loginProblem } from "./errors";

describe("UI config", () => {
  it("reads the provider block", () => {
    expect(
      parseUiConfig({
        version: "0.1.0",
        oidc: { issuer: "https://sso.example.org/realms/intel", clientId: "web", scopes: ["openid", "profile"], redirectPath: "/" },
        embeddedLogin: false,
        persistedQueries: "enforce",
      }),
    ).toEqual({
      version: "0.1.0",
      oidc: { issuer: "https://sso.example.org/realms/intel", clientId: "web", scopes: ["openid", "profile"], redirectPath: "/" },
      embeddedLogin: false,
    });
  });

  it("never hides the only way in", () => {
    expect(parseUiConfig({ oidc: null, embeddedLogin: false }).embeddedLogin).toBe(true);
    expect(parseUiConfig({ oidc: { issuer: 42 }, embeddedLogin: false })).toMatchObject({ oidc: null, embeddedLogin: true });
    expect(parseUiConfig("nonsense").embeddedLogin).toBe(true);
  });

  it("accepts scopes as a space-separated string", () => {
    expect(parseUiConfig({ oidc: { issuer: "https://x", clientId: "c", scopes: "openid email" } }).oidc?.scopes).toEqual(["openid", "email"]);
  });
});

describe("login problems", () => {
  it("names wrong credentials and shows the throttle's hint", () => {
    expect(loginProblem(new ApiError("wrong user name or password", "credentials_invalid"))).toEqual({ key: "login.error.credentials" });
    expect(loginProblem(new ApiError("too many failed logins", "rate_limited", "wait 300 s before trying again"))).toEqual({
      key: "login.error.throttled",
      params: { hint: "wait 300 s before trying again" },
    });
  });

  it("explains OIDC failures", () => {
    expect(loginProblem(new OidcError("state_mismatch", "x"))).toEqual({ key: "login.oidcError.state" });
    expect(loginProblem(new OidcError("provider_error", "access_denied", "User cancelled"))).toEqual({
      key: "login.oidcError.provider",
      params: { detail: "access_denied: User cancelled" },
    });
  });
});
