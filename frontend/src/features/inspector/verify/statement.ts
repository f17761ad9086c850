/**
 * A statement's id is the hash of its content (src/intelgraph/model.py `statement_id`):
 * SHA-256 over entity id, property, value, source id, record hash and the canonical JSON
 * of its labels, joined with NUL, as 40 hex digits. Recomputing it binds what the panel
 * shows (the value, its source, its labels) to the id the ledger proves.
 */
import { sha256, toHex, utf8 } from "./encoding";

export interface StatementLabels {
  tenant: string;
  classification: number;
  compartments: string[];
  purposes: string[];
  residency: string | null;
}

export interface StatementContent {
  entityId: string;
  property: string;
  value: string;
  sourceId: string;
  recordId: string;
  labels: StatementLabels;
}

/** Python's `sorted()` on strings: by code point (UTF-16 order differs above U+FFFF). */
function byCodePoint(a: string, b: string): number {
  const left = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const right = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) if (left[i] !== right[i]) return (left[i] ?? 0) - (right[i] ?? 0);
  return left.length - right.length;
}

/** `Labels.key()`: sorted keys, no spaces, non-ASCII kept as is (json.dumps, ensure_ascii=False). */
export function labelsKey(labels: StatementLabels): string {
  return JSON.stringify({
    classification: labels.classification,
    compartments: [...labels.compartments].sort(byCodePoint),
    purposes: [...labels.purposes].sort(byCodePoint),
    residency: labels.residency,
    tenant: labels.tenant,
  });
}

export function statementId(content: StatementContent): string {
  const fields = [content.entityId, content.property, content.value, content.sourceId, content.recordId, labelsKey(content.labels)];
  return toHex(sha256(utf8.encode(fields.join("\u0000")))).slice(0, 40);
}
