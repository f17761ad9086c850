import { describe, expect, it } from "vitest";
import fixture from "./fixtures/ledger-evidence.json";
import { fromBase64, toHex } from "./encoding";
import { VerifyError } from "./errors";
import { keyId, parseCheckpoint, splitNote, verifierKey } from "./note";

const cosigned = fixture.cases.cosigned.evidence.checkpoint.note;

function code(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof VerifyError) return error.code;
    throw error;
  }
  return "passed";
}

describe("signed notes", () => {
  it("splits a co-signed checkpoint into its text and two signature lines", () => {
    const note = splitNote(cosigned);
    expect(note.text.split("\n")).toEqual([fixture.keys.origin, "14", fixture.cases.cosigned.evidence.checkpoint.rootHash, ""]);
    expect(note.signatures.map((line) => [line.name, toHex(line.keyId), line.signature.length])).toEqual([
      [fixture.keys.origin, fixture.keys.keys[0]?.keyId, 64],
      [fixture.keys.origin, fixture.keys.keys[1]?.keyId, 64],
    ]);
  });

  it("derives each key's id and verifier key exactly as the Python ledger does", () => {
    for (const key of fixture.keys.keys) {
      const publicKey = fromBase64(key.publicKey, "publicKey");
      expect(toHex(keyId(key.noteName, publicKey))).toBe(key.keyId);
      expect(verifierKey({ name: key.noteName, publicKey })).toBe(key.vkey);
    }
  });

  it("refuses malformed notes", () => {
    const [text = "", block = ""] = cosigned.split("\n\n");
    expect(code(() => splitNote(cosigned.slice(0, -1)))).toBe("noteMalformed"); // no final newline
    expect(code(() => splitNote(`${text}\n`))).toBe("noteMalformed"); // no blank line
    expect(code(() => splitNote(`${text}\n\n`))).toBe("noteNoSignature");
    expect(code(() => splitNote(`${text}\n\n${block.replace("\u2014", "-")}`))).toBe("noteMalformed");
    expect(code(() => splitNote(`${text}\n\n${block.replace(/ (\S+)\n/, " $1!\n")}`))).toBe("noteMalformed");
    expect(code(() => splitNote(`${text}\tx\n\n${block}`))).toBe("noteMalformed"); // control character
    expect(code(() => splitNote(`x\n\n${text}\n\n${block}`))).toBe("noteMalformed"); // a blank line in the text
  });
});

describe("checkpoints", () => {
  it("reads origin, size and root", () => {
    const checkpoint = parseCheckpoint(splitNote(cosigned).text);
    expect(checkpoint.origin).toBe(fixture.keys.origin);
    expect(checkpoint.size).toBe(14);
    expect(checkpoint.root).toEqual(fromBase64(fixture.cases.cosigned.evidence.checkpoint.rootHash, "root"));
    expect(checkpoint.extensions).toEqual([]);
  });

  it("refuses a bad size or root", () => {
    const root = fixture.cases.cosigned.evidence.checkpoint.rootHash;
    expect(code(() => parseCheckpoint(`o\n014\n${root}\n`))).toBe("checkpointMalformed");
    expect(code(() => parseCheckpoint(`o\n-1\n${root}\n`))).toBe("checkpointMalformed");
    expect(code(() => parseCheckpoint(`o\n14\n${root.slice(4)}\n`))).toBe("checkpointMalformed");
    expect(code(() => parseCheckpoint(`\n14\n${root}\n`))).toBe("checkpointMalformed");
    expect(code(() => parseCheckpoint(`o\n14\n`))).toBe("checkpointMalformed");
    expect(parseCheckpoint(`o\n0\n${root}\next\n`).extensions).toEqual(["ext"]);
  });
});
