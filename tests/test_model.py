"""Core value types: labels, scopes, ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intelgraph.errors import InvalidInput
from intelgraph.model import Classification, Decision, Judgement, Labels, Statement, ViewerScope


@pytest.mark.parametrize(
    ("raw", "level"),
    [(0, 0), ("2", 2), ("secret", 2), ("TOP SECRET", 3), ("top-secret", 3), (7, 7)],
)
def test_classification_parse(raw: str | int, level: int) -> None:
    assert Classification.parse(raw) == level


@pytest.mark.parametrize("raw", ["", "ultra", -1, "c0"])
def test_classification_parse_rejects(raw: str | int) -> None:
    with pytest.raises(InvalidInput):
        Classification.parse(raw)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tenant": ""},
        {"classification": -1},
        {"compartments": frozenset({"a,b"})},
        {"compartments": {"A"}},
        {"purposes": frozenset({" x"})},
    ],
)
def test_labels_validate(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Labels(**kwargs)  # type: ignore[arg-type]


def test_labels_round_trip() -> None:
    labels = Labels.make("t", "SECRET", ["B", "A"], ["aml"], "eu")
    assert Labels.from_dict(labels.to_dict()) == labels
    assert labels.key() == Labels.make("t", 2, ["A", "B"], ["aml"], "eu").key()


label_sets = st.builds(
    Labels.make,
    tenant=st.sampled_from(["t1", "t2"]),
    classification=st.integers(0, 3),
    compartments=st.sets(st.sampled_from(["A", "B", "C"])),
)
scopes = st.builds(
    ViewerScope.make,
    tenant=st.sampled_from(["t1", "t2"]),
    clearance=st.integers(0, 3),
    compartments=st.sets(st.sampled_from(["A", "B", "C"])),
)


@given(labels=label_sets, scope=scopes)
def test_can_see_is_tenant_clearance_and_compartments(labels: Labels, scope: ViewerScope) -> None:
    expected = (
        labels.tenant == scope.tenant
        and labels.classification <= scope.clearance
        and labels.compartments.issubset(scope.compartments)
    )
    assert scope.can_see(labels) is expected


def test_statement_id_depends_on_content_only() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    a = Statement("e", "Person", "name", "Anna", "s", "r", Labels(), t0)
    later = a._replace(first_seen=t0.replace(year=1999))
    relabelled = a._replace(labels=Labels.make(classification=2))
    other_record = a._replace(record_id="r2")
    assert a.id == later.id
    assert a.id != relabelled.id
    assert a.id != other_record.id
    assert len(a.id) == 40


def test_judgement_id_is_order_independent() -> None:
    one = Judgement("a", "b", Decision.SAME, "ann")
    two = Judgement("b", "a", Decision.SAME, "ann", created_at=one.created_at)
    assert one.id == two.id


# Stored text is valid Unicode: no NUL (the id's separator) and no lone surrogates.
field_text = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=8,
)


@given(
    parts=st.tuples(field_text, field_text, field_text, field_text, field_text),
    other=st.tuples(field_text, field_text, field_text, field_text, field_text),
    labels=label_sets,
)
def test_statement_ids_are_deterministic_and_unambiguous(
    parts: tuple[str, ...], other: tuple[str, ...], labels: Labels
) -> None:
    from intelgraph.model import statement_id

    assert statement_id(*parts, labels) == statement_id(*parts, labels)
    if parts != other:
        assert statement_id(*parts, labels) != statement_id(*other, labels)
    # Moving text across a field boundary changes the id ("ab"+"c" is not "a"+"bc").
    shifted = (parts[0] + parts[1][0], parts[1][1:] or "x", *parts[2:])
    if shifted != parts:
        assert statement_id(*shifted, labels) != statement_id(*parts, labels)
