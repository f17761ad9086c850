/**
 * Ledger leaves that carry members (ingest batches and analyst claims), read as
 * src/intelgraph/ledger/leaves.py writes them: RFC 8785 canonical JSON whose `statements`
 * and `records` are `{count, root}`, the RFC 9162 root over the sorted member ids.
 */
import { fromBase64, utf8 } from "./encoding";
import { VerifyError } from "./errors";

export const MEMBER_KINDS = ["ingest-batch", "claim"] as const;

export interface MemberSummary {
  count: number;
  root: Uint8Array;
}

export interface BatchLeaf {
  type: (typeof MEMBER_KINDS)[number];
  /** Microseconds since the epoch, when the leaf was written. */
  time: number | null;
  statements: MemberSummary;
  records: MemberSummary;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * RFC 8785 (JCS) text of a parsed JSON value. JCS is defined through ECMAScript's own
 * JSON.stringify for strings and numbers, so only the key order needs doing here: by
 * UTF-16 code units, which is what Array.prototype.sort compares.
 */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function summary(value: Json | undefined, part: string): MemberSummary {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new VerifyError("leafNoMembers", { part });
  const { count, root } = value;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0 || typeof root !== "string")
    throw new VerifyError("leafNoMembers", { part });
  return { count, root: fromBase64(root, "memberRoot") };
}

/** The leaf's bytes as a batch leaf; refuses anything not canonical (duplicate keys included). */
export function decodeBatchLeaf(bytes: Uint8Array): BatchLeaf {
  let text: string;
  let value: Json;
  try {
    text = utf8.decode(bytes);
    value = JSON.parse(text) as Json;
  } catch {
    throw new VerifyError("leafNotJson");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new VerifyError("leafNotJson");
  if (canonicalJson(value) !== text) throw new VerifyError("notCanonical");
  const type = value.type;
  if (!MEMBER_KINDS.includes(type as BatchLeaf["type"])) throw new VerifyError("leafNotBatch", { type: String(type) });
  return {
    type: type as BatchLeaf["type"],
    time: typeof value.time === "number" ? value.time : null,
    statements: summary(value.statements, "statements"),
    records: summary(value.records, "records"),
  };
}
