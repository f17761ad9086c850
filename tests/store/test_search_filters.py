"""Contract: browsing by filter, property filters and search facets, the same on both
backends; nothing hidden is matched, counted or named."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.ingest.claims import Claim, assert_claim
from intelgraph.model import Classification, Labels, Source, ViewerScope
from intelgraph.ontology import Ontology
from intelgraph.store import Store
from intelgraph.store import facets as facets_module
from intelgraph.store import search as search_module
from intelgraph.store.facets import FacetCount
from intelgraph.store.search import PropertyMatch, SearchFilter, matching
from tests.store.builders import EVERYTHING, NOBODY_SPECIAL, SECRET_FIN, company, entity, person

CONFIDENTIAL = Labels.make(classification="CONFIDENTIAL")
HUM = Labels.make(classification="SECRET", compartments=["HUM"])
ANALYST = ViewerScope.make(clearance="SECRET", compartments=["FIN"])


def ids(page: object) -> list[str]:
    return [hit.entity.id for hit in page.hits]  # type: ignore[attr-defined]  # a SearchPage


def prop(name: str, value: str) -> SearchFilter:
    return SearchFilter(properties=[PropertyMatch(name, value)])


@pytest.fixture
def sources(store: Store) -> dict[str, str]:
    """Source ids: a public registry, a SECRET/FIN bank feed, and a source whose own
    metadata is SECRET/HUM (its statements are public)."""
    return {
        "registry": store.put_source(Source(name="registry")),
        "bank": store.put_source(Source(name="bank-feed", labels=SECRET_FIN)),
        "shadow": store.put_source(Source(name="shadow-desk", labels=HUM)),
    }


@pytest.fixture
def world(store: Store, sources: dict[str, str]) -> Store:
    registry, bank, shadow = sources["registry"], sources["bank"], sources["shadow"]
    store.write(
        entity("p1", "Person", {"name": "Anna Weber", "country": "gb"}, source=registry)
        + entity("p2", "Person", {"name": "Bernd Müller", "country": "de"}, source=registry)
        + entity("c1", "Company", {"name": "Weber Holding", "country": "gb"}, source=registry)
        + entity(
            "s1",
            "Person",
            {"name": "Silent Weber", "country": "gb"},
            source=bank,
            labels=SECRET_FIN,
            record="rec-s",
        )
        + entity("h1", "Company", {"name": "Harbour Weber"}, source=shadow, record="rec-h")
    )
    # p1 also has a confidential row: a value there is p1's for those who may see it.
    store.write(
        entity(
            "p1", "Person", {"alias": "Annie"}, source=registry, labels=CONFIDENTIAL, record="r2"
        )
    )
    return store


# -- browsing --------------------------------------------------------------------------------


def test_a_query_without_words_browses_what_the_filter_keeps(
    world: Store, sources: dict[str, str]
) -> None:
    page = world.search(EVERYTHING, "", schemata=["Person"])
    assert ids(page) == ["p1", "p2", "s1"]  # first stored first
    assert page.total == 3
    assert {hit.score for hit in page.hits} == {0.0}
    assert ids(world.search(NOBODY_SPECIAL, "  ", schemata=["Person"])) == ["p1", "p2"]
    by_source = world.search(EVERYTHING, "*", where=SearchFilter(sources=[sources["registry"]]))
    assert ids(by_source) == ["c1", "p1", "p2"]  # one write: its new entities by id
    levels = world.search(EVERYTHING, "", where=SearchFilter(classifications=[1]))
    assert ids(levels) == ["p1"]


def test_a_query_without_words_needs_a_filter(world: Store) -> None:
    for query, where in (("", None), ("*", None), ("", SearchFilter())):
        with pytest.raises(InvalidInput, match="has no words") as caught:
            world.search(EVERYTHING, query, where=where)
        assert "filter" in (caught.value.hint or "")


def test_browsing_pages_with_the_cursor(store: Store) -> None:
    for i in range(7):
        store.write(person(f"p{i}", f"Person {i}", record=f"r{i}"))
    seen: list[str] = []
    cursor = None
    while True:
        page = store.search(EVERYTHING, "", schemata=["Person"], first=3, after=cursor)
        assert page.total == 7
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"p{i}" for i in range(7)]


# -- property filters ------------------------------------------------------------------------


def test_a_property_filter_matches_values_ignoring_ascii_case(world: Store) -> None:
    assert ids(world.search(EVERYTHING, "", where=prop("country", "GB"))) == ["c1", "p1", "s1"]
    assert ids(world.search(NOBODY_SPECIAL, "", where=prop("country", "gb"))) == ["c1", "p1"]
    assert ids(world.search(EVERYTHING, "weber", where=prop("country", "gb"), first=5)) == [
        h.entity.id for h in world.search(EVERYTHING, "weber", first=5).hits if h.entity.id != "h1"
    ]
    assert ids(world.search(EVERYTHING, "", where=prop("name", " anna WEBER "))) == ["p1"]
    assert ids(world.search(EVERYTHING, "", where=prop("name", "anna"))) == []  # whole values
    # Letters beyond A-Z compare as stored, on both backends alike.
    assert ids(world.search(EVERYTHING, "", where=prop("name", "bernd müller"))) == ["p2"]
    assert ids(world.search(EVERYTHING, "", where=prop("name", "BERND MÜLLER"))) == []


def test_property_conditions_all_hold_anywhere_in_what_the_viewer_sees(world: Store) -> None:
    both = SearchFilter(
        properties=[PropertyMatch("name", "Anna Weber"), PropertyMatch("alias", "annie")]
    )
    assert ids(world.search(EVERYTHING, "", where=both)) == ["p1"]  # two label sets
    assert ids(world.search(NOBODY_SPECIAL, "", where=both)) == []  # the alias is confidential
    assert ids(world.search(NOBODY_SPECIAL, "", where=prop("alias", "annie"))) == []
    assert ids(world.search(NOBODY_SPECIAL, "", where=prop("name", "silent weber"))) == []
    with_types = replace(both, sources=None)
    assert ids(world.search(EVERYTHING, "", schemata=["Company"], where=with_types)) == []


def test_a_property_filter_matches_the_canonical_form_too(store: Store, ontology: Ontology) -> None:
    canonical = ontology.property("Company", "phone").normalize("+44 20 7946 0000")
    assert canonical != "+44 20 7946 0000"
    store.write(entity("c", "Company", {"name": "Phoneco", "phone": canonical}))
    found = store.search(EVERYTHING, "", where=prop("phone", "+44 20 7946 0000"))
    assert ids(found) == ["c"]


def test_long_values_match_whole(store: Store) -> None:
    long = "Lorem ipsum " * 20
    store.write(entity("c", "Company", {"name": "Longco", "notes": long.strip()}))
    assert ids(store.search(EVERYTHING, "", where=prop("notes", long.upper()))) == ["c"]
    same_start = long[:100] + "but a different ending"
    assert ids(store.search(EVERYTHING, "", where=prop("notes", same_start))) == []


def test_a_retracted_value_no_longer_matches(store: Store) -> None:
    store.write(person("p", "Ann Smith"))
    made = assert_claim(
        store,
        NOBODY_SPECIAL,
        Claim(author="ann", entity_id="p", prop="alias", value="Zed", justification="seen"),
    )
    assert ids(store.search(EVERYTHING, "", where=prop("alias", "zed"))) == ["p"]
    store.retractions.retract(NOBODY_SPECIAL, made.statement_id, author="ann", reason="typo")
    assert ids(store.search(EVERYTHING, "", where=prop("alias", "zed"))) == []


def test_private_values_match_only_within_the_revealed_entities(store: Store) -> None:
    store.write(
        entity("p", "Person", {"name": "Ann", "birthDate": "1960-10-02"})
        + entity("q", "Person", {"name": "Bea", "birthDate": "1960-10-02"})
        + entity("c", "Company", {"name": "Co", "phone": "+35799000000"})
        + entity("r", "Person", {"name": "Rob", "phone": "+35799000000"})
    )
    born = PropertyMatch("birthDate", "1960-10-02")
    private = frozenset({"Person", "LegalEntity"})
    trusted = SearchFilter(properties=[born])  # no restriction: an operator's own read
    assert ids(store.search(EVERYTHING, "", where=trusted)) == ["p", "q"]
    hidden = SearchFilter(properties=[replace(born, private=private, within=frozenset())])
    assert ids(store.search(EVERYTHING, "", where=hidden)) == []
    revealed = SearchFilter(properties=[replace(born, private=private, within=frozenset({"q"}))])
    assert ids(store.search(EVERYTHING, "", where=revealed)) == ["q"]
    # A company's phone is public: only the person's needs revealing.
    phone = PropertyMatch("phone", "+35799000000", private=private, within=frozenset())
    assert ids(store.search(EVERYTHING, "", where=SearchFilter(properties=[phone]))) == ["c"]


def test_an_unknown_property_is_an_error_naming_it(world: Store) -> None:
    with pytest.raises(IntelGraphError) as caught:
        world.search(EVERYTHING, "", where=prop("nationalty", "de"))
    assert caught.value.code == "unknown_property"
    assert "'nationalty'" in caught.value.message
    assert "nationality" in (caught.value.hint or "")
    with pytest.raises(IntelGraphError) as typed:
        world.search(EVERYTHING, "weber", schemata=["Company"], where=prop("birthDate", "1960"))
    assert typed.value.code == "unknown_property"
    assert typed.value.message == "none of the types Company has a property 'birthDate'"
    with pytest.raises(IntelGraphError) as empty:
        world.search(EVERYTHING, "", where=prop("name", "   "))
    assert empty.value.code == "invalid_input"
    too_many = SearchFilter(properties=[PropertyMatch("name", str(i)) for i in range(21)])
    with pytest.raises(InvalidInput, match="at most 20"):
        world.search(EVERYTHING, "", where=too_many)


def test_a_property_condition_reads_only_the_candidates_statements(store: Store) -> None:
    """Correlated on the entity: a seek by the statements' primary key (nid first) for each
    candidate the words found, never a pass over every statement."""
    store.write(person("p", "Ann") + company("c", "Ann Co", record="r2"))
    where = SearchFilter(properties=[PropertyMatch("name", "ann", terms=("ann",))])
    with store._read(EVERYTHING) as (connection, visible):
        found = matching(store.dialect_name, visible, "ann", where_filter=where)
        query = f"{found.with_clause()}SELECT e.nid FROM {found.source} WHERE {found.condition}"
        params = dict(found.params)
        if store.dialect_name == "sqlite":
            rows = connection.execute(found.sql(f"EXPLAIN QUERY PLAN {query}"), params)
            plan = " ".join(str(r[-1]) for r in rows)
            assert "SEARCH st USING PRIMARY KEY (nid=?)" in plan, plan
            assert "SCAN st" not in plan, plan
        else:
            connection.execute(text("SET enable_seqscan = off"))
            rows = connection.execute(found.sql(f"EXPLAIN {query}"), params)
            plan = " ".join(str(r[0]) for r in rows)
            assert "pk_statements" in plan, plan


# -- facets ------------------------------------------------------------------------------------


def counts(found: list[FacetCount]) -> dict[str, int]:
    return {item.value: item.count for item in found}


def test_facets_count_the_visible_matches(world: Store, sources: dict[str, str]) -> None:
    every = world.search_facets(EVERYTHING, "weber")
    assert counts(every.types) == {"Person": 2, "Company": 2}
    assert [(f.value, f.label) for f in every.sources] == [
        (sources["registry"], "registry"),
        (sources["bank"], "bank-feed"),
        (sources["shadow"], "shadow-desk"),
    ]
    assert counts(every.sources) == {
        sources["registry"]: 2,
        sources["bank"]: 1,
        sources["shadow"]: 1,
    }
    assert counts(every.classifications) == {"UNCLASSIFIED": 3, "SECRET": 1}
    assert counts(every.compartments) == {"FIN": 1}

    low = world.search_facets(NOBODY_SPECIAL, "weber")
    assert counts(low.types) == {"Person": 1, "Company": 2}
    # The shadow desk's statement is public, its metadata is not: it is not named.
    assert counts(low.sources) == {sources["registry"]: 2}
    assert counts(low.classifications) == {"UNCLASSIFIED": 3}
    assert low.compartments == []

    analyst = world.search_facets(ANALYST, "", schemata=["Person"])
    assert counts(analyst.classifications) == {"UNCLASSIFIED": 2, "CONFIDENTIAL": 1, "SECRET": 1}
    assert [c.label for c in analyst.classifications] == ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET"]
    assert analyst.classifications[1].label == "CONFIDENTIAL"
    assert counts(analyst.sources) == {sources["registry"]: 2, sources["bank"]: 1}


def test_a_facet_value_as_a_filter_finds_what_it_counted(world: Store) -> None:
    for scope in (EVERYTHING, NOBODY_SPECIAL, ANALYST):
        found = world.search_facets(scope, "weber")
        for item in found.types:
            page = world.search(scope, "weber", schemata=[item.value])
            assert page.total == item.count, item
        for item in found.sources:
            page = world.search(scope, "weber", where=SearchFilter(sources=[item.value]))
            assert page.total == item.count, item
        for item in found.classifications:
            level = SearchFilter(classifications=[Classification.parse(item.value)])
            assert world.search(scope, "weber", where=level).total == item.count, item
        for item in found.compartments:
            where = SearchFilter(compartments=[item.value])
            assert world.search(scope, "weber", where=where).total == item.count, item


def test_facets_follow_the_filter(world: Store) -> None:
    found = world.search_facets(EVERYTHING, "weber", where=prop("country", "gb"))
    assert counts(found.types) == {"Person": 2, "Company": 1}
    narrowed = world.search_facets(EVERYTHING, "", where=SearchFilter(classifications=[2]))
    assert counts(narrowed.classifications) == {"SECRET": 1}
    assert world.search_facets(ViewerScope.make(tenant="elsewhere"), "weber").types == []


def test_facets_are_ordered_and_cut(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.write(
        person("p1", "Zeta One")
        + person("p2", "Zeta Two", record="r2")
        + company("c1", "Zeta Co", record="r3")
        + entity("v1", "Vessel", {"name": "Zeta Ship"}, record="r4")
        + entity("a1", "Address", {"full": "Zeta Street 1"}, record="r5")
    )
    found = store.search_facets(EVERYTHING, "zeta")
    assert [(f.value, f.count) for f in found.types] == [
        ("Person", 2),
        ("Address", 1),
        ("Company", 1),
        ("Vessel", 1),
    ]
    monkeypatch.setattr(facets_module, "FACET_LIMIT", 2)
    assert [f.value for f in store.search_facets(EVERYTHING, "zeta").types] == ["Person", "Address"]
    monkeypatch.setattr(search_module, "COUNT_CAP", 3)
    capped = store.search_facets(EVERYTHING, "zeta")
    assert sum(f.count for f in capped.classifications) == 3  # the first three matches
