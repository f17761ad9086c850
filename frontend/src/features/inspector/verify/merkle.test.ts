import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fromBase64, sha256, utf8 } from "./encoding";
import { VerifyError } from "./errors";
import { leafHash, nodeHash, rootFromInclusion, verifyInclusion } from "./merkle";

/** The frontend folder: the nearest parent holding this app's package.json. */
function frontendRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (dirname(folder) !== folder) {
    const manifest = join(folder, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "intelgraph-web") return folder;
    folder = dirname(folder);
  }
  throw new Error("no frontend/package.json above this test");
}

// The shared test data lives beside the repository (../../shared/data from frontend/), never in it.
const VECTORS = resolve(frontendRoot(), "..", "..", "shared", "data", "merkle-vectors", "inclusion");

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string | null;
  leafHash: string | null;
  proof: string[] | null;
  wantErr: boolean;
}

function files(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((item) =>
    item.isDirectory() ? files(join(folder, item.name)) : item.name.endsWith(".json") ? [join(folder, item.name)] : [],
  );
}

const bytes = (value: string | null) => (value ? fromBase64(value, "vector") : new Uint8Array());

function fails(check: () => void): boolean {
  try {
    check();
    return false;
  } catch (error) {
    if (error instanceof VerifyError) return true;
    throw error;
  }
}

describe.skipIf(!existsSync(VECTORS))("RFC 9162 inclusion vectors (transparency-dev/merkle)", () => {
  it("agrees with wantErr in every case", () => {
    const cases = files(VECTORS);
    expect(cases.length).toBe(98);
    const disagreements = cases.filter((path) => {
      const vector = JSON.parse(readFileSync(path, "utf8")) as InclusionCase;
      const failed = fails(() =>
        verifyInclusion(vector.leafIdx, vector.treeSize, bytes(vector.leafHash), (vector.proof ?? []).map(bytes), bytes(vector.root)),
      );
      return failed !== vector.wantErr;
    });
    expect(disagreements).toEqual([]);
  });
});

/** MTH from RFC 9162 §2.1.1, written as the recursive definition. */
function naiveRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leafHash(leaves[0] as Uint8Array);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

/** PATH(m, D[n]) from RFC 9162 §2.1.3.1, recursively. */
function naivePath(index: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return index < k
    ? [...naivePath(index, leaves.slice(0, k)), naiveRoot(leaves.slice(k))]
    : [...naivePath(index - k, leaves.slice(k)), naiveRoot(leaves.slice(0, k))];
}

describe("inclusion proofs against a naive tree", () => {
  const leaves = Array.from({ length: 13 }, (_, i) => utf8.encode(`leaf ${i}`));
  const root = naiveRoot(leaves);

  it("proves every leaf of trees of every size up to 13", () => {
    for (let size = 1; size <= leaves.length; size += 1) {
      const tree = leaves.slice(0, size);
      for (let index = 0; index < size; index += 1)
        expect(() => verifyInclusion(index, size, leafHash(tree[index] as Uint8Array), naivePath(index, tree), naiveRoot(tree))).not.toThrow();
    }
  });

  it("refuses a wrong index, size, leaf, sibling or root, naming the failure", () => {
    const path = naivePath(6, leaves);
    const leaf = leafHash(leaves[6] as Uint8Array);
    const code = (check: () => void) => {
      try {
        check();
      } catch (error) {
        return (error as VerifyError).code;
      }
      return "passed";
    };
    expect(code(() => verifyInclusion(6, 13, leaf, path, root))).toBe("passed");
    expect(code(() => verifyInclusion(7, 13, leaf, path, root))).toBe("rootMismatch");
    // (Size 14 would pass: its path for leaf 6 has the same shape, which is why the size is signed.)
    expect(code(() => verifyInclusion(6, 17, leaf, path, root))).toBe("proofTooShort");
    expect(code(() => verifyInclusion(6, 6, leaf, path, root))).toBe("indexOutside");
    expect(code(() => verifyInclusion(6, 13, leafHash(leaves[5] as Uint8Array), path, root))).toBe("rootMismatch");
    const flipped = path.map((hash, i) => (i === 1 ? hash.map((b, j) => (j === 0 ? b ^ 1 : b)) : hash));
    expect(code(() => verifyInclusion(6, 13, leaf, flipped, root))).toBe("rootMismatch");
    expect(code(() => verifyInclusion(6, 13, leaf, [...path, root], root))).toBe("proofTooLong");
    expect(code(() => verifyInclusion(6, 13, leaf, [path[0] as Uint8Array], root))).toBe("proofTooShort");
    expect(code(() => verifyInclusion(6, 13, leaf.slice(1), path, root))).toBe("badHash");
  });

  it("handles indexes beyond 32 bits (no bit operators)", () => {
    // The rightmost leaf of a tree of 2^33 + 1 leaves: one sibling, the left subtree's root.
    const size = 2 ** 33 + 1;
    const left = sha256(utf8.encode("left subtree"));
    const leaf = leafHash(utf8.encode("last"));
    expect(rootFromInclusion(size - 1, size, leaf, [left])).toEqual(nodeHash(left, leaf));
  });
});
