import { describe, expect, it } from "vitest";
import { isUsable, refreshDelay, sessionFromTokens, type Session } from "./session";

const pair = { accessToken: "a", tokenType: "Bearer", expiresIn: 900, refreshToken: "r", refreshExpiresIn: 3600 };

describe("session timing", () => {
  it("refreshes a minute before expiry", () => {
    const session = sessionFromTokens(pair, 0);
    expect(session.expiresAt).toBe(900_000);
    expect(refreshDelay(session, 0)).toBe(840_000);
  });

  it("refreshes half-way through a short token", () => {
    const session = sessionFromTokens({ ...pair, expiresIn: 60 }, 0);
    expect(refreshDelay(session, 0)).toBe(30_000);
  });

  it("an expired token with a live refresh token is still usable, without one it is not", () => {
    const session: Session = sessionFromTokens(pair, 0);
    expect(isUsable(session, 1_000_000)).toBe(true);
    expect(isUsable({ ...session, refreshToken: null }, 1_000_000)).toBe(false);
    expect(isUsable(session, 4_000_000)).toBe(false);
    expect(isUsable(null)).toBe(false);
  });
});
