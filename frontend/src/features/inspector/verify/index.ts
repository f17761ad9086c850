/**
 * Checks a statement's evidence in the browser, without trusting the server's own
 * `verified` flag: the statement and its record are members of a ledger leaf, the leaf is
 * in the log under a checkpoint, and the checkpoint's signed note is signed by a ledger
 * key and states that same size and root. Every step is reported, passed or not, so a
 * failure says exactly which link of the chain broke.
 */
import { equalBytes, fromBase64, fromHex, toHex, utf8 } from "./encoding";
import { VerifyError, type ReasonCode, type ReasonParams } from "./errors";
import { decodeBatchLeaf, type BatchLeaf } from "./leaf";
import { leafHash, rootFromInclusion, verifyInclusion } from "./merkle";
import { keyId, parseCheckpoint, splitNote, verifierKey, type NoteKey } from "./note";
import { verifyEd25519, type Implementation, type VerifyOptions } from "./ed25519";
import { statementId as contentId, type StatementContent } from "./statement";

export { VerifyError } from "./errors";
export type { ReasonCode, ReasonParams } from "./errors";
export type { Implementation } from "./ed25519";
export type { StatementContent, StatementLabels } from "./statement";

export interface MemberProofInput {
  position: number;
  size: number;
  path: string[];
}

/** The `evidence` query's answer (only what the check reads). */
export interface EvidenceInput {
  statement: { id: string };
  recordId: string;
  leafIndex: number;
  leaf: string;
  leafProof: string[];
  statementProof: MemberProofInput;
  recordProof: MemberProofInput;
  checkpoint: { size: number; rootHash: string; note: string; createdAt: string } | null;
}

/** One entry of GET /ledger/keys.json. */
export interface LedgerKey {
  keyId: string;
  algorithm: string;
  publicKey: string;
  noteName: string;
  current: boolean;
}

export interface VerifyRequest {
  /** The statement the viewer asked about (its id is what the batch must contain). */
  statementId: string;
  /** The statement's record as the listing showed it; null when not known. */
  recordId: string | null;
  /** What the panel shows of the statement; null when its source is hidden (the id cannot be rebuilt). */
  content: StatementContent | null;
  evidence: EvidenceInput;
  keys: LedgerKey[];
  /** The log's origin as the key list names it; the checkpoint must be for this log. */
  origin: string | null;
}

export type StepId = "content" | "leaf" | "statement" | "record" | "inclusion" | "signature" | "checkpoint";
export type StepStatus = "passed" | "failed" | "skipped";

export interface Step {
  id: StepId;
  status: StepStatus;
  /** What the step found (sizes, positions, hashes) for display. */
  params: ReasonParams;
  reason: { code: ReasonCode; params: ReasonParams } | null;
}

export interface Signer {
  name: string;
  keyId: string;
  /** The verifier key, rebuilt here from name and public key, to compare out of band. */
  vkey: string;
  current: boolean;
  implementation: Implementation;
}

export interface VerificationReport {
  status: "verified" | "failed";
  steps: Step[];
  /** The first failed step's reason. */
  failure: { step: StepId; code: ReasonCode; params: ReasonParams } | null;
  signers: Signer[];
  checkpoint: { size: number; origin: string | null; createdAt: string } | null;
}

/** Runs one step: its result, or the VerifyError it threw, becomes the step's outcome. */
async function attempt(id: StepId, work: () => ReasonParams | Promise<ReasonParams>): Promise<Step> {
  try {
    return { id, status: "passed", params: await work(), reason: null };
  } catch (error) {
    if (error instanceof VerifyError) return { id, status: "failed", params: {}, reason: { code: error.code, params: error.params } };
    throw error;
  }
}

/** A step that could not run; `needs` names the earlier step that did not check. */
const skipped = (id: StepId, needs: StepId): Step => ({ id, status: "skipped", params: { needs }, reason: null });

function member(proof: MemberProofInput, id: Uint8Array, summary: BatchLeaf["statements"]): ReasonParams {
  if (proof.size !== summary.count) throw new VerifyError("countMismatch", { size: proof.size, count: summary.count });
  const path = proof.path.map((hash) => fromBase64(hash, "memberPath"));
  if (!equalBytes(rootFromInclusion(proof.position, proof.size, leafHash(id), path), summary.root)) throw new VerifyError("rootMismatch");
  return { position: proof.position + 1, size: proof.size, depth: path.length };
}

export async function verifyEvidence(request: VerifyRequest, options: VerifyOptions = {}): Promise<VerificationReport> {
  const { evidence, statementId } = request;
  const checkpoint = evidence.checkpoint;
  // What earlier steps established, for the later ones that build on it.
  const found: { bytes?: Uint8Array; leaf?: BatchLeaf; noteText?: string; origin?: string } = {};
  const signers: Signer[] = [];
  const steps: Step[] = [];

  // 1. The statement id is the hash of what is shown: value, source, record, labels.
  // Without the source's id the value shown cannot be tied to the log: that is a failure.
  const content = request.content;
  steps.push(
    await attempt("content", () => {
      if (!content) throw new VerifyError("sourceHidden");
      const computed = contentId(content);
      if (computed !== statementId) throw new VerifyError("contentMismatch", { computed });
      return { id: computed };
    }),
  );

  // 2. The leaf: its hash recomputed from the bytes the server sent, and its member roots.
  steps.push(
    await attempt("leaf", () => {
      const bytes = fromBase64(evidence.leaf, "leaf");
      found.bytes = bytes;
      const hash = toHex(leafHash(bytes));
      found.leaf = decodeBatchLeaf(bytes);
      return { hash, type: found.leaf.type, index: evidence.leafIndex };
    }),
  );
  const batch = found.leaf;

  // 3. The statement asked about is among the leaf's statements.
  steps.push(
    batch
      ? await attempt("statement", () => {
          if (evidence.statement.id !== statementId) throw new VerifyError("otherStatement", { id: evidence.statement.id });
          return member(evidence.statementProof, fromHex(statementId, 20, "statementId"), batch.statements);
        })
      : skipped("statement", "leaf"),
  );

  // 4. The statement's record (the SHA-256 of its bytes) is among the leaf's records.
  steps.push(
    batch
      ? await attempt("record", () => {
          if (request.recordId !== null && evidence.recordId !== request.recordId)
            throw new VerifyError("otherRecord", { id: evidence.recordId });
          const place = member(evidence.recordProof, fromHex(evidence.recordId, 32, "recordHash"), batch.records);
          return { ...place, hash: evidence.recordId };
        })
      : skipped("record", "leaf"),
  );

  // 5. The leaf is in the log: RFC 9162 inclusion under the checkpoint's size and root.
  const bytes = found.bytes;
  steps.push(
    bytes
      ? await attempt("inclusion", () => {
          if (!checkpoint) throw new VerifyError("noCheckpoint");
          const proof = evidence.leafProof.map((hash) => fromBase64(hash, "leafProof"));
          verifyInclusion(evidence.leafIndex, checkpoint.size, leafHash(bytes), proof, fromBase64(checkpoint.rootHash, "root"));
          return { index: evidence.leafIndex, size: checkpoint.size, depth: proof.length };
        })
      : skipped("inclusion", "leaf"),
  );

  // 6. The checkpoint's note is signed by a ledger key (every known signature must hold).
  steps.push(
    await attempt("signature", async () => {
      if (!checkpoint) throw new VerifyError("noCheckpoint");
      if (!request.keys.length) throw new VerifyError("noKeys");
      const note = splitNote(checkpoint.note);
      const known = knownKeys(request.keys);
      const message = utf8.encode(note.text);
      for (const line of note.signatures) {
        const key = known.get(`${line.name} ${toHex(line.keyId)}`);
        if (!key) continue; // another log's or a witness's signature: not ours to judge
        const verdict = await verifyEd25519(key.publicKey, message, line.signature, options);
        if (!verdict.valid) throw new VerifyError("noteBadSignature", { keyId: toHex(line.keyId), implementation: verdict.implementation });
        signers.push({ name: key.name, keyId: toHex(line.keyId), vkey: verifierKey(key), current: key.current, implementation: verdict.implementation });
      }
      if (!signers.length)
        throw new VerifyError("noteUnknownKey", { keyIds: note.signatures.map((line) => toHex(line.keyId)).join(", ") });
      found.noteText = note.text;
      const first = signers[0] as Signer;
      return { keyId: first.keyId, implementation: first.implementation, count: signers.length };
    }),
  );

  // 7. The signed note states the size and root the inclusion proof used, for this log.
  const signedText = found.noteText;
  steps.push(
    checkpoint && signedText !== undefined
      ? await attempt("checkpoint", () => {
          const signed = parseCheckpoint(signedText);
          found.origin = signed.origin;
          if (signed.size !== checkpoint.size || !equalBytes(signed.root, fromBase64(checkpoint.rootHash, "root")))
            throw new VerifyError("checkpointMismatch", { size: signed.size, expected: checkpoint.size });
          if (request.origin !== null && signed.origin !== request.origin)
            throw new VerifyError("originMismatch", { origin: signed.origin, expected: request.origin });
          return { size: signed.size, origin: signed.origin };
        })
      : skipped("checkpoint", "signature"),
  );

  const failed = steps.find((step) => step.status === "failed");
  const verified = steps.every((step) => step.status === "passed");
  const signatureHeld = steps.find((step) => step.id === "signature")?.status === "passed";
  return {
    status: verified ? "verified" : "failed",
    steps,
    failure: failed?.reason ? { step: failed.id, ...failed.reason } : null,
    signers: signatureHeld ? signers : [],
    checkpoint: checkpoint ? { size: checkpoint.size, origin: found.origin ?? null, createdAt: checkpoint.createdAt } : null,
  };
}

interface KnownKey extends NoteKey {
  current: boolean;
}

/** Ed25519 keys by "name keyid", the id computed here from name and key (never taken on trust). */
function knownKeys(keys: LedgerKey[]): Map<string, KnownKey> {
  const known = new Map<string, KnownKey>();
  for (const key of keys) {
    if (key.algorithm !== "Ed25519") continue;
    const publicKey = fromBase64(key.publicKey, "publicKey");
    const id = toHex(keyId(key.noteName, publicKey));
    if (id !== key.keyId.toLowerCase()) throw new VerifyError("keyIdMismatch", { keyId: key.keyId, computed: id });
    known.set(`${key.noteName} ${id}`, { name: key.noteName, publicKey, current: key.current });
  }
  return known;
}
