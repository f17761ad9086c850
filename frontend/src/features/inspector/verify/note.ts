/**
 * C2SP signed notes (https://c2sp.org/signed-note) and tlog checkpoints
 * (https://c2sp.org/tlog-checkpoint), read exactly as src/intelgraph/ledger/note.py writes
 * them: UTF-8 text ending in a newline, a blank line, then signature lines
 * `— <key name> <base64(4-byte key id ‖ Ed25519 signature)>`. The key id is the first four
 * bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
 */
import { concat, fromBase64, sha256, toBase64, toHex, utf8 } from "./encoding";
import { VerifyError, type NoteProblem } from "./errors";

export const ALG_ED25519 = 0x01;
const DASH = "\u2014 ";
const MAX_NOTE = 1 << 20;

export interface SignatureLine {
  name: string;
  keyId: Uint8Array;
  signature: Uint8Array;
}

export interface Note {
  /** The signed text (what the signatures cover), ending in a newline. */
  text: string;
  signatures: SignatureLine[];
}

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions: string[];
}

/** A public key that signs notes under `name`. */
export interface NoteKey {
  name: string;
  publicKey: Uint8Array;
}

export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(utf8.encode(`${name}\n`), new Uint8Array([ALG_ED25519]), publicKey).slice(0, 4);
}

/** The verifier key text `name+keyid+base64(0x01 ‖ key)`, as `intelgraph keys show` prints it. */
export function verifierKey(key: NoteKey): string {
  return `${key.name}+${toHex(keyId(key.name, key.publicKey))}+${toBase64(concat(new Uint8Array([ALG_ED25519]), key.publicKey))}`;
}

function malformed(problem: NoteProblem): VerifyError {
  return new VerifyError("noteMalformed", { problem });
}

function checkText(text: string): void {
  if (!text.endsWith("\n")) throw malformed("noFinalNewline");
  if (text.includes("\n\n")) throw malformed("blankLineInText");
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw malformed("controlCharacter");
}

/** The text and parsed signature lines of a note; nothing is verified yet. */
export function splitNote(note: string): Note {
  if (note.length > MAX_NOTE) throw malformed("tooLarge");
  const cut = note.lastIndexOf("\n\n");
  if (cut < 0 || !note.endsWith("\n")) throw malformed("noBlankLine");
  const text = note.slice(0, cut + 1);
  const block = note.slice(cut + 2);
  checkText(text);
  const signatures: SignatureLine[] = [];
  const lines = block ? block.slice(0, -1).split("\n") : [];
  for (const line of lines) {
    if (!line.startsWith(DASH)) throw malformed("badDash");
    const fields = line.slice(DASH.length).split(" ");
    if (fields.length !== 2 || !fields[0]) throw malformed("badLine");
    const [name, encoded] = fields as [string, string];
    let blob: Uint8Array;
    try {
      blob = fromBase64(encoded, "signature");
    } catch {
      throw malformed("signatureNotBase64");
    }
    if (blob.length < 5) throw malformed("signatureTooShort");
    signatures.push({ name, keyId: blob.slice(0, 4), signature: blob.slice(4) });
  }
  if (!signatures.length) throw new VerifyError("noteNoSignature");
  return { text, signatures };
}

/** A checkpoint's body: origin, decimal size, base64 root hash, extension lines. */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "")
    throw new VerifyError("checkpointMalformed", { problem: "tooFewLines" });
  const [origin = "", sizeText = "", rootText = "", ...extensions] = lines.slice(0, -1);
  if (!origin) throw new VerifyError("checkpointMalformed", { problem: "emptyOrigin" });
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw new VerifyError("checkpointMalformed", { problem: "badSize" });
  let root: Uint8Array;
  try {
    root = fromBase64(rootText, "root");
  } catch {
    throw new VerifyError("checkpointMalformed", { problem: "rootNotBase64" });
  }
  if (root.length !== 32) throw new VerifyError("checkpointMalformed", { problem: "rootNotSha256" });
  return { origin, size: Number(sizeText), root, extensions };
}
