"""Contract: full-text search is ranked, label-filtered and paged the same on both backends."""

from __future__ import annotations

import pytest

from intelgraph.store import Store
from tests.store.builders import EVERYTHING, NOBODY_SPECIAL, SECRET_FIN, company, entity, person


def test_search_finds_by_words_and_prefix(store: Store) -> None:
    store.write(
        person("p1", "Anna Weber") + person("p2", "Bernd Müller") + company("c1", "Weber Holding")
    )
    assert {h.entity.id for h in store.search(EVERYTHING, "weber").hits} == {"p1", "c1"}
    assert [h.entity.id for h in store.search(EVERYTHING, "anna web").hits] == ["p1"]
    assert [h.entity.id for h in store.search(EVERYTHING, "mull").hits] == ["p2"]
    assert [h.entity.id for h in store.search(EVERYTHING, "Müller").hits] == ["p2"]
    assert store.search(EVERYTHING, "nobody").total == 0


def test_search_ranks_better_matches_first(store: Store) -> None:
    store.write(
        entity("a", "Company", {"name": "Aurora Aurora Trading", "notes": "aurora"})
        + entity(
            "b",
            "Company",
            {
                "name": "Trading House",
                "notes": "once mentioned aurora in a long note about other things entirely",
            },
        )
    )
    hits = store.search(EVERYTHING, "aurora").hits
    assert [h.entity.id for h in hits] == ["a", "b"]
    assert hits[0].score > hits[1].score


def test_search_filters_by_type(store: Store) -> None:
    store.write(person("p1", "Weber") + company("c1", "Weber"))
    page = store.search(EVERYTHING, "weber", schemata=["Company"])
    assert [h.entity.id for h in page.hits] == ["c1"]
    # Super-types include their sub-types.
    page = store.search(EVERYTHING, "weber", schemata=["LegalEntity"])
    assert {h.entity.id for h in page.hits} == {"p1", "c1"}


def test_search_never_reveals_hidden_entities_even_in_totals(store: Store) -> None:
    store.write(person("p1", "Aurora Public"))
    store.write(person("p2", "Aurora Secret", labels=SECRET_FIN))
    low = store.search(NOBODY_SPECIAL, "aurora")
    assert [h.entity.id for h in low.hits] == ["p1"]
    assert low.total == 1
    assert low.next_cursor is None
    assert store.search(EVERYTHING, "aurora").total == 2
    # A word that only appears in a hidden entity finds nothing at all.
    assert store.search(NOBODY_SPECIAL, "secret").total == 0


def test_search_pages_with_cursor(store: Store) -> None:
    for i in range(7):
        store.write(person(f"p{i}", f"Meridian Person {i}", record=f"r{i}"))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.search(EVERYTHING, "meridian", first=3, after=cursor)
        assert page.total == 7
        seen.extend(h.entity.id for h in page.hits)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == [f"p{i}" for i in range(7)]


def test_search_index_follows_updates(store: Store) -> None:
    store.write(person("p1", "Anna"))
    store.write(entity("p1", "Person", {"alias": "Zephyrine"}, record="r2"))
    assert [h.entity.id for h in store.search(EVERYTHING, "zephyrine").hits] == ["p1"]
    assert [h.entity.id for h in store.search(EVERYTHING, "anna").hits] == ["p1"]


def test_totals_are_capped_for_very_common_words(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intelgraph.store import search as search_module

    monkeypatch.setattr(search_module, "COUNT_CAP", 4)
    store.write([s for i in range(9) for s in person(f"p{i}", f"Common Name {i}", record=f"r{i}")])
    page = store.search(EVERYTHING, "common", first=3)
    assert page.total == 4
    assert page.total_is_capped
    seen = [h.entity.id for h in page.hits]
    while page.next_cursor:
        page = store.search(EVERYTHING, "common", first=3, after=page.next_cursor)
        seen += [h.entity.id for h in page.hits]
    assert sorted(seen) == [f"p{i}" for i in range(9)]
    assert not store.search(EVERYTHING, "name 3").total_is_capped
