import { describe, expect, it } from "vitest";
import fixture from "./fixtures/ledger-evidence.json";
import { fromBase64, utf8 } from "./encoding";
import { verifyEd25519 } from "./ed25519";
import { splitNote } from "./note";

const note = splitNote(fixture.cases.cosigned.evidence.checkpoint.note);
const message = utf8.encode(note.text);
const [newKey, oldKey] = fixture.keys.keys.map((key) => fromBase64(key.publicKey, "publicKey")) as [Uint8Array, Uint8Array];
const [bySigNew, bySigOld] = note.signatures.map((line) => line.signature) as [Uint8Array, Uint8Array];

const flip = (bytes: Uint8Array, at: number) => bytes.map((byte, i) => (i === at ? byte ^ 0x01 : byte));

describe.each(["WebCrypto", "JavaScript"] as const)("Ed25519 via %s", (implementation) => {
  const hasWebCrypto = implementation === "JavaScript" || Boolean(globalThis.crypto?.subtle);

  it.skipIf(!hasWebCrypto)("accepts the Python ledger's signatures, each with its own key", async () => {
    expect(await verifyEd25519(newKey, message, bySigNew, { force: implementation })).toEqual({ valid: true, implementation });
    expect(await verifyEd25519(oldKey, message, bySigOld, { force: implementation })).toEqual({ valid: true, implementation });
  });

  it.skipIf(!hasWebCrypto)("refuses the wrong key, a changed message and a changed signature", async () => {
    const verdict = async (key: Uint8Array, text: Uint8Array, signature: Uint8Array) =>
      (await verifyEd25519(key, text, signature, { force: implementation })).valid;
    expect(await verdict(oldKey, message, bySigNew)).toBe(false);
    expect(await verdict(newKey, flip(message, 40), bySigNew)).toBe(false);
    expect(await verdict(newKey, message, flip(bySigNew, 10))).toBe(false);
    expect(await verdict(newKey, message, flip(bySigNew, 40))).toBe(false); // the scalar half
    expect(await verdict(newKey, message, bySigNew.slice(1))).toBe(false);
    expect(await verdict(flip(newKey, 3), message, bySigNew)).toBe(false);
  });
});

describe("choosing the implementation", () => {
  it.skipIf(!globalThis.crypto?.subtle)("uses WebCrypto where it can do Ed25519 and says so", async () => {
    expect((await verifyEd25519(newKey, message, bySigNew)).implementation).toBe("WebCrypto");
  });

  it("falls back to JavaScript when the browser has no crypto.subtle", async () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
    Object.defineProperty(globalThis, "crypto", { value: { getRandomValues: globalThis.crypto?.getRandomValues }, configurable: true });
    try {
      expect(await verifyEd25519(newKey, message, bySigNew)).toEqual({ valid: true, implementation: "JavaScript" });
    } finally {
      if (original) Object.defineProperty(globalThis, "crypto", original);
    }
  });
});
