/**
 * Ed25519 signature verification: the browser's own WebCrypto where it supports Ed25519,
 * else @noble/ed25519 in JavaScript (older browsers, and pages without `crypto.subtle`:
 * it exists only in secure contexts). The caller learns which one gave the verdict.
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

// noble's synchronous API needs a SHA-512; the pure-JS one keeps the fallback free of WebCrypto.
ed.hashes.sha512 = sha512;

export type Implementation = "WebCrypto" | "JavaScript";

export interface SignatureVerdict {
  valid: boolean;
  implementation: Implementation;
}

export interface VerifyOptions {
  /** Use this implementation only (tests force the JavaScript path). */
  force?: Implementation;
}

/** WebCrypto's verdict, or null when this browser cannot do Ed25519 there. */
async function viaWebCrypto(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  let key: CryptoKey;
  try {
    key = await subtle.importKey("raw", publicKey as BufferSource, { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    // A key WebCrypto finds malformed is a verdict; anything else (no Ed25519 here) falls back.
    if (error instanceof DOMException && error.name === "DataError") return false;
    return null;
  }
  return subtle.verify({ name: "Ed25519" }, key, signature as BufferSource, message as BufferSource);
}

function viaJavaScript(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    // Strict RFC 8032 rules (not ZIP-215), as OpenSSL on the server and WebCrypto apply.
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false; // a malformed key or signature is simply not a valid signature
  }
}

export async function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options: VerifyOptions = {},
): Promise<SignatureVerdict> {
  if (signature.length !== 64 || publicKey.length !== 32) return { valid: false, implementation: options.force ?? "JavaScript" };
  if (options.force !== "JavaScript") {
    const verdict = await viaWebCrypto(publicKey, message, signature);
    if (verdict !== null) return { valid: verdict, implementation: "WebCrypto" };
    if (options.force === "WebCrypto") throw new Error("this browser's WebCrypto cannot verify Ed25519");
  }
  return { valid: viaJavaScript(publicKey, message, signature), implementation: "JavaScript" };
}
