"""Property-based checks: ids are deterministic and order-sensitive, normalisers idempotent."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from intelgraph.errors import InvalidValue
from intelgraph.model import canonical_json, sha256_hex
from intelgraph.ontology import TYPES, get_type, make_entity_id

keys = st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=5)
nonblank = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")


@given(
    schema=st.sampled_from(["Person", "Company", "Uses"]), key_values=keys, ns=st.text(max_size=8)
)
def test_entity_id_is_deterministic(schema: str, key_values: list[str], ns: str) -> None:
    assume(any(k.strip() for k in key_values))
    first = make_entity_id(schema, key_values, ns)
    assert first == make_entity_id(schema, list(key_values), ns)
    assert len(first) == 40
    assert all(c in "0123456789abcdef" for c in first)


@given(a=nonblank, b=nonblank)
def test_entity_id_is_order_sensitive(a: str, b: str) -> None:
    assume(" ".join(a.split()) != " ".join(b.split()))
    assert make_entity_id("Person", [a, b]) != make_entity_id("Person", [b, a])


@given(key=nonblank)
def test_entity_id_depends_on_schema_and_namespace(key: str) -> None:
    base = make_entity_id("Person", [key])
    assert base != make_entity_id("Company", [key])
    assert base != make_entity_id("Person", [key], namespace="tenant-b")


@given(key=nonblank)
def test_entity_id_ignores_whitespace_differences(key: str) -> None:
    assert make_entity_id("Person", [key]) == make_entity_id("Person", [f"  {key}\t "])


def test_entity_id_known_value_and_errors() -> None:
    # Pinned so that ids stay stable across releases: stored data depends on them.
    expected = sha256_hex(canonical_json(["", "Person", ["Jane Doe", "1970"]]))[:40]
    assert expected == "3c4d352ed32826eb062cdc2bde730a31da6074f6"
    assert make_entity_id("Person", ["Jane  Doe", "1970"]) == expected
    assert make_entity_id("Person", [" Jane\nDoe ", "1970"]) == expected
    for bad in ([], [""], ["  ", "\t"]):
        with pytest.raises(InvalidValue):
            make_entity_id("Person", bad)
    with pytest.raises(InvalidValue):
        make_entity_id("", ["x"])
    with pytest.raises(InvalidValue):
        make_entity_id("Person", "Jane")


IDEMPOTENT_TEXT_TYPES = ["name", "text", "identifier", "keyword", "entity", "boolean"]


@pytest.mark.parametrize("type_name", sorted(TYPES))
@given(raw=st.text(max_size=40))
def test_normalize_is_idempotent_on_arbitrary_text(type_name: str, raw: str) -> None:
    ptype = get_type(type_name)
    try:
        once = ptype.normalize(raw)
    except InvalidValue:
        return
    assert ptype.normalize(once) == once


@given(value=st.dates())
def test_dates_round_trip(value: object) -> None:
    text = str(value)
    assert get_type("date").normalize(text) == text


@given(value=st.datetimes(timezones=st.timezones()))
def test_datetimes_are_idempotent(value: object) -> None:
    raw = value.isoformat()  # type: ignore[attr-defined]
    try:
        once = get_type("date").normalize(raw)
    except InvalidValue:
        return  # out of range after conversion to UTC
    assert get_type("date").normalize(once) == once


@given(value=st.ip_addresses())
def test_ip_addresses_are_idempotent(value: object) -> None:
    once = get_type("ip").normalize(str(value).upper())
    assert once == str(value)


@given(value=st.decimals(allow_nan=False, allow_infinity=False))
def test_numbers_are_idempotent(value: object) -> None:
    once = get_type("number").normalize(str(value))
    assert get_type("number").normalize(once) == once


@given(value=st.emails())
def test_emails_are_idempotent(value: str) -> None:
    try:
        once = get_type("email").normalize(value)
    except InvalidValue:
        return  # hypothesis emails may use quoted or special local parts we refuse
    assert get_type("email").normalize(once) == once
