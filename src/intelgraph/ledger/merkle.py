"""RFC 9162 Merkle tree hashing, proofs and their verification (SHA-256).

Pure functions over hashes: the stored log, the export bundles and the offline
verifier all use this one module, so a proof made by one is checked by exactly
the same arithmetic in the other. Leaf hash ``H(0x00 ‖ data)``, node hash
``H(0x01 ‖ left ‖ right)``, and the empty tree hashes to ``H("")``.

Proof *generation* takes a ``subtree(start, end)`` callable returning the hash
of leaves ``[start, end)``; the store answers it from the interior nodes it
keeps, a list of leaves answers it by recursion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Subtree = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof that does not check; the message says which step failed."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly below ``size`` (``size`` ≥ 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """The tree hash of leaf hashes, iteratively (no recursion limit at millions)."""
    return roots_at(leaf_hashes, {len(leaf_hashes)})[len(leaf_hashes)]


def roots_at(leaf_hashes: Sequence[bytes], sizes: Collection[int]) -> dict[int, bytes]:
    """The root of the first ``size`` leaves for each of ``sizes`` (none beyond the
    leaves), in one pass."""
    out: dict[int, bytes] = {}
    sha256 = hashlib.sha256  # hot loop: a batch's members are hashed on every ingest commit
    frontier: list[tuple[int, bytes]] = []  # (height, hash) of complete subtrees, left to right
    done = 0
    for size in sorted(sizes):
        if not 0 <= size <= len(leaf_hashes):
            raise ValueError(f"no root at size {size} of {len(leaf_hashes)} leaves")
        for value in leaf_hashes[done:size]:
            height, current = 0, value
            while frontier and frontier[-1][0] == height:
                current = sha256(b"\x01" + frontier.pop()[1] + current).digest()
                height += 1
            frontier.append((height, current))
        done = size
        out[size] = fold_frontier([h for _, h in frontier])
    return out


def fold_frontier(hashes: Sequence[bytes]) -> bytes:
    """The root from the complete subtrees of a tree, largest (leftmost) first."""
    if not hashes:
        return EMPTY_ROOT
    current = hashes[-1]
    for value in reversed(hashes[:-1]):
        current = node_hash(value, current)
    return current


def frontier_ranges(size: int) -> list[tuple[int, int]]:
    """The aligned complete subtrees ``[start, end)`` a tree of ``size`` leaves splits into."""
    ranges: list[tuple[int, int]] = []
    start = 0
    for bit in reversed(range(size.bit_length())):
        width = 1 << bit
        if size & width:
            ranges.append((start, start + width))
            start += width
    return ranges


def list_subtree(leaf_hashes: Sequence[bytes]) -> Subtree:
    """A ``subtree`` callable over an in-memory list of leaf hashes."""

    def subtree(start: int, end: int) -> bytes:
        return root_of(leaf_hashes[start:end])

    return subtree


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]), leaf-side hash first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, subtree: Subtree) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old_size, D[new_size])."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"cannot prove size {old_size} consistent with size {new_size}")
    if old_size in (0, new_size):
        return []
    path: list[bytes] = []
    start, end, complete = 0, new_size, True
    m = old_size
    while True:
        n = end - start
        if m == n:
            if not complete:
                path.append(subtree(start, end))
            break
        k = split_point(n)
        if m <= k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
            m -= k
            complete = False
    path.reverse()
    return path


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2; raises :class:`ProofError` unless ``leaf`` is at ``index``."""
    computed = root_from_inclusion(index, size, leaf, proof)
    if computed != root:
        raise ProofError("the inclusion proof leads to a different root")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hashes([leaf, *proof])
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    return result


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2; raises :class:`ProofError` unless the old tree is a prefix.

    Roots are only compared (a root of the wrong length never matches), as in the
    transparency-dev reference verifier the test vectors come from.
    """
    _check_hashes(proof)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"size {old_size} cannot precede size {new_size}")
    if old_size == 0:
        # Every tree extends the empty one, so such a proof proves nothing; refused.
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if old_size == new_size:
        if proof:
            raise ProofError("equal sizes need an empty consistency proof")
        if old_root != new_root:
            raise ProofError("equal sizes with different roots")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for value in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            first = node_hash(value, first)
            second = node_hash(value, second)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            second = node_hash(second, value)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if first != old_root:
        raise ProofError("the consistency proof does not lead to the old root")
    if second != new_root:
        raise ProofError("the consistency proof does not lead to the new root")


def multiproof(positions: Sequence[int], size: int, subtree: Subtree) -> list[bytes]:
    """Hashes proving several leaves at once: the subtrees holding none of them, in
    depth-first left-to-right order of the RFC 9162 tree shape (shared path nodes
    are sent once, so proving many leaves of one batch stays small)."""
    wanted = _positions(positions, size)
    out: list[bytes] = []

    def walk(start: int, end: int, lo: int, hi: int) -> None:
        if lo == hi:  # no wanted leaf in [start, end)
            out.append(subtree(start, end))
            return
        if end - start == 1:
            return
        middle = start + split_point(end - start)
        cut = _bisect(wanted, middle, lo, hi)
        walk(start, middle, lo, cut)
        walk(middle, end, cut, hi)

    walk(0, size, 0, len(wanted))
    return out


def root_from_multiproof(size: int, leaves: dict[int, bytes], proof: Sequence[bytes]) -> bytes:
    """The root that leaf hashes at their positions and a :func:`multiproof` lead to."""
    wanted = _positions(list(leaves), size)
    _check_hashes([*leaves.values(), *proof])
    hashes = iter(proof)

    def walk(start: int, end: int, lo: int, hi: int) -> bytes:
        if lo == hi:
            value = next(hashes, None)
            if value is None:
                raise ProofError("the multi-leaf proof is too short")
            return value
        if end - start == 1:
            return leaves[start]
        middle = start + split_point(end - start)
        cut = _bisect(wanted, middle, lo, hi)
        left = walk(start, middle, lo, cut)
        return node_hash(left, walk(middle, end, cut, hi))

    root = walk(0, size, 0, len(wanted))
    if next(hashes, None) is not None:
        raise ProofError("the multi-leaf proof is too long")
    return root


def _positions(positions: Sequence[int], size: int) -> list[int]:
    wanted = sorted(set(positions))
    if not wanted:
        raise ProofError("a multi-leaf proof needs at least one leaf")
    if wanted[0] < 0 or wanted[-1] >= size:
        raise ProofError(f"a leaf position is outside a tree of size {size}")
    return wanted


def _bisect(values: list[int], limit: int, lo: int, hi: int) -> int:
    """First index in values[lo:hi] whose value is ≥ limit."""
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < limit:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _check_hashes(values: Iterable[bytes]) -> None:
    for value in values:
        if len(value) != HASH_SIZE:
            raise ProofError(f"a hash must be {HASH_SIZE} bytes, got {len(value)}")


__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "ProofError",
    "Subtree",
    "consistency_proof",
    "fold_frontier",
    "frontier_ranges",
    "inclusion_proof",
    "leaf_hash",
    "list_subtree",
    "multiproof",
    "node_hash",
    "root_from_inclusion",
    "root_from_multiproof",
    "root_of",
    "roots_at",
    "split_point",
    "verify_consistency",
    "verify_inclusion",
]
