/**
 * Per-statement verification: fetch the statement's evidence, fetch the ledger's keys,
 * check everything in the browser (./verify). The server's own `verified` flag is kept
 * only to show beside the browser's verdict; it decides nothing.
 */
import { useCallback, useState } from "react";
import { call } from "../../api/client";
import { ledgerKeys, type LedgerKeys } from "./keys";
import { statementContent, type StatementNode } from "./model";
import { verifyEvidence, type EvidenceInput, type VerificationReport } from "./verify";

export interface EvidenceAnswer extends EvidenceInput {
  verified: boolean;
  problem: string | null;
  checkpoint: (EvidenceInput["checkpoint"] & { keyId: string }) | null;
  run: { id: string; connector: string; startedAt: string } | null;
}

export type Verification =
  | { status: "running" }
  /** The evidence query answered null: not in the ledger, or not visible to the viewer. */
  | { status: "absent" }
  /** The evidence or the keys could not be fetched; nothing was decided. */
  | { status: "error"; what: "evidence" | "keys"; message: string }
  | { status: "done"; report: VerificationReport; server: { verified: boolean; problem: string | null }; run: EvidenceAnswer["run"] };

export async function verifyStatement(statement: StatementNode): Promise<Verification> {
  let evidence: EvidenceAnswer | null;
  try {
    ({ evidence } = await call<{ evidence: EvidenceAnswer | null }>("Evidence", { statementId: statement.id }));
  } catch (error) {
    return { status: "error", what: "evidence", message: error instanceof Error ? error.message : String(error) };
  }
  if (!evidence) return { status: "absent" };
  const found = evidence;
  const check = (keys: LedgerKeys) =>
    verifyEvidence({
      statementId: statement.id,
      recordId: statement.recordId,
      content: statementContent(statement),
      evidence: found,
      keys: keys.keys,
      origin: keys.origin,
    });
  let keys: LedgerKeys;
  try {
    keys = await ledgerKeys();
  } catch (error) {
    return { status: "error", what: "keys", message: error instanceof Error ? error.message : String(error) };
  }
  let report = await check(keys);
  if (report.failure?.code === "noteUnknownKey") {
    // A key unknown to the cached list may have been rotated in since: ask once more.
    const fresh = await ledgerKeys(true).catch(() => null);
    if (fresh) report = await check(fresh);
  }
  return { status: "done", report, server: { verified: found.verified, problem: found.problem }, run: found.run };
}

export function useVerification() {
  const [results, setResults] = useState<ReadonlyMap<string, Verification>>(new Map());

  const verify = useCallback(async (statement: StatementNode) => {
    const set = (value: Verification) => setResults((current) => new Map(current).set(statement.id, value));
    set({ status: "running" });
    set(await verifyStatement(statement));
  }, []);

  return { results, verify };
}
