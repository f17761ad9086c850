/**
 * The ledger's public keys, from GET /ledger/keys.json (no credential: public keys).
 * Loaded once per page and again on demand, e.g. after a key rotation made a fresh
 * checkpoint's key unknown to the cached list.
 */
import type { LedgerKey } from "./verify";

export interface LedgerKeys {
  origin: string | null;
  keys: LedgerKey[];
}

export const KEYS_URL = "/ledger/keys.json";

let cached: Promise<LedgerKeys> | null = null;

function isKey(value: unknown): value is LedgerKey {
  const key = value as Partial<LedgerKey> | null;
  return (
    typeof key?.keyId === "string" &&
    typeof key.algorithm === "string" &&
    typeof key.publicKey === "string" &&
    typeof key.noteName === "string" &&
    typeof key.current === "boolean"
  );
}

/** The key list as sent; refuses anything else (a proxy's HTML page, an error body). */
export function parseKeys(body: unknown): LedgerKeys {
  const value = body as { origin?: unknown; keys?: unknown } | null;
  if (!value || !Array.isArray(value.keys) || !value.keys.every(isKey)) throw new Error("not a ledger key list");
  return { origin: typeof value.origin === "string" ? value.origin : null, keys: value.keys };
}

async function load(): Promise<LedgerKeys> {
  const response = await fetch(KEYS_URL, { headers: { Accept: "application/json" }, cache: "no-cache" });
  if (!response.ok) throw new Error(`${KEYS_URL} answered ${response.status}`);
  return parseKeys(await response.json());
}

export function ledgerKeys(refresh = false): Promise<LedgerKeys> {
  if (!cached || refresh) {
    const loading = load();
    cached = loading;
    loading.catch(() => {
      if (cached === loading) cached = null; // the next verification tries again
    });
  }
  return cached;
}
