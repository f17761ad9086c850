"""Leaves: RFC 8785 encoding (our fast path equals the reference), typed decoding."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import (
    LeafError,
    Members,
    batch_entry,
    canonical,
    check_members,
    decode,
    entry,
    micros,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=6))
def test_canonical_is_byte_identical_to_the_rfc8785_reference(value: dict[str, object]) -> None:
    try:
        wanted = rfc8785.dumps(value)
    except Exception as exc:
        with pytest.raises(type(exc)):
            canonical(value)
        return
    assert canonical(value) == wanted


AT = datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=UTC)


def test_leaves_decode_only_in_canonical_form() -> None:
    leaf = entry("audited-read", {"actor": "ann", "resource": "e1"}, at=AT)
    fields = decode(leaf.body)
    assert fields == {"type": "audited-read", "v": 1, "time": micros(AT), "actor": "ann",
                      "resource": "e1"}  # fmt: skip
    assert micros(AT) == 1795953600123456  # exact, no float rounding
    with pytest.raises(LeafError, match="canonical"):
        decode(leaf.body.replace(b",", b", ", 1))
    with pytest.raises(LeafError, match="no known type"):
        decode(b'{"type":"gossip"}')
    with pytest.raises(LeafError, match="not JSON"):
        decode(b"\xff")
    with pytest.raises(LeafError):
        entry("ingest-batch", {}, at=AT)  # batches need members


def test_batch_leaves_commit_to_sorted_distinct_members() -> None:
    records = ["bb" * 32, "aa" * 32, "bb" * 32]
    statements = ["22" * 20, "11" * 20]
    leaf = batch_entry("claim", {"author": "ann"}, record_ids=records, statement_ids=statements,
                       at=AT)  # fmt: skip
    assert leaf.members is not None
    assert leaf.members.record_hashes() == [bytes.fromhex("aa" * 32), bytes.fromhex("bb" * 32)]
    fields = decode(leaf.body)
    assert fields["statements"]["count"] == 2
    expected = merkle.root_of([merkle.leaf_hash(bytes.fromhex(s)) for s in sorted(statements)])
    assert fields["statements"]["root"] == base64.b64encode(expected).decode()
    check_members(fields, leaf.members)
    with pytest.raises(LeafError, match="statements do not match"):
        check_members(fields, Members(leaf.members.records, leaf.members.statements[:20]))
    with pytest.raises(LeafError, match="whole number"):
        Members(b"x" * 33).record_hashes()
