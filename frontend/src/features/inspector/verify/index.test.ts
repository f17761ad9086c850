import * as ed from "@noble/ed25519";
import { describe, expect, it } from "vitest";
import fixture from "./fixtures/ledger-evidence.json";
import { fromBase64, toBase64, toHex, utf8 } from "./encoding";
import { verifyEvidence, type LedgerKey, type StepId, type VerificationReport, type VerifyRequest } from "./index";
import { keyId } from "./note";
import { statementContent, type StatementNode } from "../model";
import "./ed25519"; // installs noble's SHA-512 hook, used to sign test notes below

type Case = keyof typeof fixture.cases;

function request(name: Case, change: (request: VerifyRequest) => void = () => undefined): VerifyRequest {
  const { statementId, recordId, statement, evidence } = structuredClone(fixture.cases[name]);
  const built: VerifyRequest = {
    statementId,
    recordId,
    content: statementContent(statement as StatementNode),
    evidence,
    keys: structuredClone(fixture.keys.keys),
    origin: fixture.keys.origin,
  };
  change(built);
  return built;
}

function contentOf(r: VerifyRequest) {
  if (!r.content) throw new Error("the fixture's statements have visible sources");
  return r.content;
}

const statuses = (report: VerificationReport) => Object.fromEntries(report.steps.map((step) => [step.id, step.status]));

function failedAt(report: VerificationReport): [StepId, string] | null {
  return report.failure ? [report.failure.step, report.failure.code] : null;
}

/** Base64 of the value with one bit flipped in byte `at`. */
function flipped(base64: string, at = 0): string {
  return toBase64(fromBase64(base64, "vector").map((byte, i) => (i === at ? byte ^ 0x01 : byte)));
}

function checkpointOf(r: VerifyRequest) {
  const checkpoint = r.evidence.checkpoint;
  if (!checkpoint) throw new Error("the fixture has a checkpoint");
  return checkpoint;
}

describe("real evidence from the Python ledger", () => {
  it.each(["batch", "claim", "cosigned"] as const)("verifies the %s case with WebCrypto and with JavaScript", async (name) => {
    for (const force of ["WebCrypto", "JavaScript"] as const) {
      const report = await verifyEvidence(request(name), { force });
      expect(report.failure).toBeNull();
      expect(report.status).toBe("verified");
      expect(Object.values(statuses(report))).toEqual(Array(7).fill("passed"));
      expect(report.signers.every((signer) => signer.implementation === force)).toBe(true);
    }
  });

  it("reports what it checked: leaf hash, positions, sizes, key and origin", async () => {
    const report = await verifyEvidence(request("batch"));
    const params = Object.fromEntries(report.steps.map((step) => [step.id, step.params]));
    const evidence = fixture.cases.batch.evidence;
    expect(params.leaf).toMatchObject({ type: "ingest-batch", index: evidence.leafIndex });
    expect(params.leaf?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(params.statement).toMatchObject({ position: evidence.statementProof.position + 1, size: 225 });
    expect(params.inclusion).toMatchObject({ index: 1, size: 12 });
    expect(report.checkpoint).toEqual({ size: 12, origin: fixture.keys.origin, createdAt: evidence.checkpoint.createdAt });
    const [key] = fixture.keys.keys.filter((k) => !k.current);
    expect(report.signers).toEqual([{ name: key?.noteName, keyId: key?.keyId, vkey: key?.vkey, current: false, implementation: "WebCrypto" }]);
  });

  it("checks every known signature of a co-signed checkpoint", async () => {
    const report = await verifyEvidence(request("cosigned"), { force: "JavaScript" });
    expect(report.signers.map((signer) => [signer.keyId, signer.current])).toEqual([
      [fixture.keys.keys[0]?.keyId, true],
      [fixture.keys.keys[1]?.keyId, false],
    ]);
  });

  it("ignores signatures by keys it does not know, as long as one known key signed", async () => {
    // Only the old key listed: the new key's line is skipped, the old key's still holds.
    const report = await verifyEvidence(request("cosigned", (r) => void (r.keys = r.keys.filter((k) => !k.current))));
    expect(report.status).toBe("verified");
    expect(report.signers.map((signer) => signer.current)).toEqual([false]);
  });
});

describe("tampering is detected, and where", () => {
  const cases: [string, Case, (r: VerifyRequest) => void, [StepId, string]][] = [
    ["a value other than the one logged", "batch", (r) => void (contentOf(r).value = "fr"), ["content", "contentMismatch"]],
    ["labels other than the ones logged", "claim", (r) => void (contentOf(r).labels.purposes = ["cti"]), ["content", "contentMismatch"]],
    ["another source than the one logged", "claim", (r) => void (contentOf(r).sourceId = "src-other"), ["content", "contentMismatch"]],
    [
      "a leaf whose statement count was changed",
      "batch",
      (r) => {
        const text = utf8.decode(fromBase64(r.evidence.leaf, "leaf")).replace('"count":225', '"count":224');
        r.evidence.leaf = toBase64(utf8.encode(text));
      },
      ["statement", "countMismatch"],
    ],
    [
      "a leaf re-encoded with spaces (not canonical)",
      "batch",
      (r) => {
        const value = JSON.parse(utf8.decode(fromBase64(r.evidence.leaf, "leaf"))) as unknown;
        r.evidence.leaf = toBase64(utf8.encode(JSON.stringify(value, null, 1)));
      },
      ["leaf", "notCanonical"],
    ],
    ["a leaf that is not base64", "batch", (r) => void (r.evidence.leaf = `${r.evidence.leaf}!`), ["leaf", "badBase64"]],
    ["a flipped hash in the leaf's inclusion proof", "batch", (r) => void (r.evidence.leafProof[1] = flipped(r.evidence.leafProof[1] ?? "")), ["inclusion", "rootMismatch"]],
    ["a proof one hash short", "batch", (r) => void r.evidence.leafProof.pop(), ["inclusion", "proofTooShort"]],
    ["another leaf index", "batch", (r) => void (r.evidence.leafIndex += 1), ["inclusion", "rootMismatch"]],
    ["a different root hash", "batch", (r) => void (checkpointOf(r).rootHash = flipped(checkpointOf(r).rootHash, 31)), ["inclusion", "rootMismatch"]],
    ["a flipped hash in the statement's path", "batch", (r) => void (r.evidence.statementProof.path[0] = flipped(r.evidence.statementProof.path[0] ?? "")), ["statement", "rootMismatch"]],
    ["another statement's position", "batch", (r) => void (r.evidence.statementProof.position += 1), ["statement", "rootMismatch"]],
    [
      "evidence about another statement",
      "batch",
      (r) => void (r.evidence.statement.id = fixture.cases.claim.statementId),
      ["statement", "otherStatement"],
    ],
    [
      "a statement id the batch does not hold",
      "batch",
      (r) => {
        // The claim's statement, shown and hashed faithfully, against the batch's proof.
        r.statementId = fixture.cases.claim.statementId;
        r.content = statementContent(fixture.cases.claim.statement as StatementNode);
        r.evidence.statement.id = fixture.cases.claim.statementId;
      },
      ["statement", "rootMismatch"],
    ],
    ["a record other than the statement's", "batch", (r) => void (r.recordId = fixture.cases.claim.recordId), ["record", "otherRecord"]],
    ["a flipped hash in the record's path", "batch", (r) => void (r.evidence.recordProof.path[2] = flipped(r.evidence.recordProof.path[2] ?? "")), ["record", "rootMismatch"]],
    [
      "a flipped signature",
      "claim",
      (r) => {
        const checkpoint = checkpointOf(r);
        const [text, line = ""] = checkpoint.note.split("\n\n");
        const [name, signature = ""] = line.trim().split(" ").slice(1);
        checkpoint.note = `${text}\n\n\u2014 ${name} ${flipped(signature, 20)}\n`;
      },
      ["signature", "noteBadSignature"],
    ],
    [
      "a note whose size was changed after signing",
      "claim",
      (r) => void (checkpointOf(r).note = checkpointOf(r).note.replace("\n12\n", "\n13\n")),
      ["signature", "noteBadSignature"],
    ],
    ["no key listed", "batch", (r) => void (r.keys = []), ["signature", "noKeys"]],
    [
      "a key list without the signing key",
      "batch",
      (r) => void (r.keys = r.keys.filter((k) => k.current)),
      ["signature", "noteUnknownKey"],
    ],
    [
      "the wrong public key under the signing key's id",
      "batch",
      (r) => {
        const [current, old] = r.keys as [LedgerKey, LedgerKey];
        old.publicKey = current.publicKey;
      },
      ["signature", "keyIdMismatch"],
    ],
    ["no checkpoint", "batch", (r) => void (r.evidence.checkpoint = null), ["inclusion", "noCheckpoint"]],
    ["a checkpoint of another log", "batch", (r) => void (r.origin = "intelgraph.local/elsewhere"), ["checkpoint", "originMismatch"]],
  ];

  it.each(cases)("%s", async (_, name, change, where) => {
    for (const force of ["WebCrypto", "JavaScript"] as const) {
      const report = await verifyEvidence(request(name, change), { force });
      expect(report.status).toBe("failed");
      expect(failedAt(report)).toEqual(where);
    }
  });

  it("fails, and says why, when a hidden source keeps the id from being rebuilt; the rest still checks", async () => {
    const report = await verifyEvidence(request("batch", (r) => void (r.content = null)));
    expect(failedAt(report)).toEqual(["content", "sourceHidden"]);
    expect(report.steps.filter((step) => step.id !== "content").every((step) => step.status === "passed")).toBe(true);
  });

  it("skips the member checks a broken leaf cannot support, and still checks the signature", async () => {
    const report = await verifyEvidence(request("batch", (r) => void (r.evidence.leaf = "e30=")), { force: "JavaScript" }); // "{}"
    expect(statuses(report)).toEqual({
      content: "passed",
      leaf: "failed",
      statement: "skipped",
      record: "skipped",
      inclusion: "failed",
      signature: "passed",
      checkpoint: "passed",
    });
  });

  it("refuses a validly signed note that states another size or root than the proof's", async () => {
    // A key of our own signs a note for size 13: the signature holds, the contents do not match.
    const secret = ed.utils.randomSecretKey();
    const publicKey = ed.getPublicKey(secret);
    const r = request("batch");
    const checkpoint = checkpointOf(r);
    const text = `${fixture.keys.origin}\n13\n${checkpoint.rootHash}\n`;
    const blob = new Uint8Array([...keyId(fixture.keys.origin, publicKey), ...ed.sign(utf8.encode(text), secret)]);
    checkpoint.note = `${text}\n\u2014 ${fixture.keys.origin} ${toBase64(blob)}\n`;
    r.keys = [{ keyId: toHex(keyId(fixture.keys.origin, publicKey)), algorithm: "Ed25519", publicKey: toBase64(publicKey), noteName: fixture.keys.origin, current: true }];
    const report = await verifyEvidence(r);
    expect(statuses(report).signature).toBe("passed");
    expect(failedAt(report)).toEqual(["checkpoint", "checkpointMismatch"]);
  });
});
