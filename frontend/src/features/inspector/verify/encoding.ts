/**
 * Byte helpers for the verifier: strict base64 and hex (a lenient decoder would let two
 * different texts stand for the same hash), SHA-256 and comparison. SHA-256 is the pure-JS
 * one from @noble/hashes so proofs check synchronously and also where `crypto.subtle` is
 * missing (pages served over plain HTTP from another host).
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { VerifyError, type Field } from "./errors";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard, padded base64 only (as Python's `b64decode(validate=True)` accepts). */
export function fromBase64(text: string, what: Field): Uint8Array {
  if (typeof text !== "string" || !BASE64.test(text)) throw new VerifyError("badBase64", { what });
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Lower-case hex of an exact length in bytes (ids are hex of fixed-size hashes). */
export function fromHex(text: string, bytes: number, what: Field): Uint8Array {
  if (typeof text !== "string" || text.length !== bytes * 2 || !/^[0-9a-f]*$/.test(text))
    throw new VerifyError("badHex", { what, bytes });
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 1) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  return nobleSha256(concat(...parts));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  /** Refuses invalid UTF-8 instead of replacing it (a leaf is hashed as bytes). */
  decode: (bytes: Uint8Array): string => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
};
