"""RFC 9162 arithmetic against the transparency-dev vectors and a naive reference."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intelgraph.ledger import merkle


def naive_root(leaves: list[bytes]) -> bytes:
    """MTH from RFC 9162 §2.1.1, written as the recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + naive_root(leaves[:k]) + naive_root(leaves[k:])).digest()


def data(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


def _vector_files(shared_data: Path, kind: str) -> list[Path]:
    return sorted((shared_data / "merkle-vectors" / kind).rglob("*.json"))


def _b(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _proof(values: list[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or []]


def _fails(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except merkle.ProofError:
        return True
    return False


def test_every_vector_agrees(shared_data: Path) -> None:
    inclusion = _vector_files(shared_data, "inclusion")
    consistency = _vector_files(shared_data, "consistency")
    assert len(inclusion) + len(consistency) == 196
    disagreements = []
    for path in inclusion:
        case = json.loads(path.read_text())
        failed = _fails(
            merkle.verify_inclusion,
            case["leafIdx"],
            case["treeSize"],
            _b(case["leafHash"]),
            _proof(case["proof"]),
            _b(case["root"]),
        )
        if failed != case["wantErr"]:
            disagreements.append(path.name)
    for path in consistency:
        case = json.loads(path.read_text())
        failed = _fails(
            merkle.verify_consistency,
            case["size1"],
            case["size2"],
            _b(case["root1"]),
            _b(case["root2"]),
            _proof(case["proof"]),
        )
        if failed != case["wantErr"]:
            disagreements.append(str(path.relative_to(shared_data)))
    assert disagreements == []


def test_roots_match_the_naive_definition_up_to_555() -> None:
    leaves = data(555)
    hashes = [merkle.leaf_hash(x) for x in leaves]
    wanted = {size: naive_root(leaves[:size]) for size in range(556)}
    for size in range(556):
        assert merkle.root_of(hashes[:size]) == wanted[size], size
    assert merkle.roots_at(hashes, {0, 1, 7, 64, 100, 555}) == {
        size: wanted[size] for size in (0, 1, 7, 64, 100, 555)
    }
    with pytest.raises(ValueError, match="no root at size 556"):
        merkle.roots_at(hashes, {556})


def test_every_inclusion_proof_up_to_100_verifies_and_only_for_its_leaf() -> None:
    leaves = data(100)
    hashes = [merkle.leaf_hash(x) for x in leaves]
    for size in range(1, 101):
        root = naive_root(leaves[:size])
        sub = merkle.list_subtree(hashes[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, sub)
            merkle.verify_inclusion(index, size, hashes[index], proof, root)
            other = hashes[(index + 1) % size]
            if size > 1:
                with pytest.raises(merkle.ProofError):
                    merkle.verify_inclusion(index, size, other, proof, root)


def test_every_size_pair_up_to_100_is_consistent() -> None:
    leaves = data(100)
    hashes = [merkle.leaf_hash(x) for x in leaves]
    roots = [naive_root(leaves[:n]) for n in range(101)]
    sub = merkle.list_subtree(hashes)
    for new in range(1, 101):
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(old, new, sub)
            merkle.verify_consistency(old, new, roots[old], roots[new], proof)
            if old < new:
                wrong = hashlib.sha256(roots[old]).digest()
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(old, new, wrong, roots[new], proof)


def test_bad_arguments_are_refused() -> None:
    sub = merkle.list_subtree([merkle.leaf_hash(b"x")])
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_proof(1, 1, sub)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_proof(2, 1, sub)
    with pytest.raises(merkle.ProofError, match="empty tree"):
        merkle.verify_consistency(0, 1, merkle.EMPTY_ROOT, bytes(32), [])
    with pytest.raises(merkle.ProofError, match="32 bytes"):
        merkle.verify_inclusion(0, 1, b"short", [], bytes(32))


@given(
    size=st.integers(min_value=1, max_value=300),
    picks=st.lists(st.integers(min_value=0, max_value=299), min_size=1, max_size=40),
)
def test_multiproof_round_trips_and_binds_every_leaf(size: int, picks: list[int]) -> None:
    hashes = [merkle.leaf_hash(x) for x in data(size)]
    positions = sorted({p % size for p in picks})
    proof = merkle.multiproof(positions, size, merkle.list_subtree(hashes))
    leaves = {p: hashes[p] for p in positions}
    assert merkle.root_from_multiproof(size, leaves, proof) == merkle.root_of(hashes)
    swapped = dict(leaves)
    swapped[positions[0]] = hashlib.sha256(b"other").digest()
    assert merkle.root_from_multiproof(size, swapped, proof) != merkle.root_of(hashes)
    with pytest.raises(merkle.ProofError):
        merkle.root_from_multiproof(size, leaves, [*proof, bytes(32)])
    if proof:
        with pytest.raises(merkle.ProofError):
            merkle.root_from_multiproof(size, leaves, proof[:-1])
