/**
 * RFC 9162 Merkle tree hashing and inclusion-proof verification (SHA-256), the same
 * arithmetic as src/intelgraph/ledger/merkle.py: leaf hash H(0x00 ‖ data), node hash
 * H(0x01 ‖ left ‖ right). Indexes are plain numbers (exact up to 2^53) and use division,
 * not bit operators, which would cut them to 32 bits.
 */
import { equalBytes, sha256 } from "./encoding";
import { VerifyError } from "./errors";

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: the root that `leaf` (a leaf hash) at `index` and `proof` lead to. */
export function rootFromInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    throw new VerifyError("indexOutside", { index, size });
  for (const value of [leaf, ...proof]) if (value.length !== HASH_SIZE) throw new VerifyError("badHash", { length: value.length });
  let fn = index;
  let sn = size - 1;
  let result = leaf;
  for (const sibling of proof) {
    if (sn === 0) throw new VerifyError("proofTooLong");
    if (odd(fn) || fn === sn) {
      result = nodeHash(sibling, result);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      result = nodeHash(result, sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new VerifyError("proofTooShort");
  return result;
}

/** Throws a {@link VerifyError} unless `leaf` sits at `index` of the tree with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  if (!equalBytes(rootFromInclusion(index, size, leaf, proof), root)) throw new VerifyError("rootMismatch");
}
