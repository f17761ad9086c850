"""Contract: the write path and entity reads, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intelgraph.errors import InvalidInput, NotFound, OntologyError
from intelgraph.model import Labels, Record, Source, ViewerScope
from intelgraph.store import Store
from tests.store.builders import (
    EVERYTHING,
    NOBODY_SPECIAL,
    OTHER_TENANT,
    SECRET_FIN,
    T0,
    company,
    entity,
    owns,
    person,
)


def test_written_entity_reads_back_with_statements(store: Store) -> None:
    result = store.write(person("p1", "Anna Weber") + entity("p1", "Person", {"nationality": "de"}))
    assert result.statements_new == 2
    assert result.entities_new == 1
    got = store.entity(EVERYTHING, "p1")
    assert got.schema == "Person"
    assert got.properties == {"name": ["Anna Weber"], "nationality": ["de"]}
    assert got.caption == "Anna Weber"
    assert {s.prop for s in got.statements} == {"name", "nationality"}
    assert all(s.record_id == "rec-1" and s.source_id == "src-a" for s in got.statements)
    assert got.first_seen == T0


def test_rewriting_a_batch_changes_nothing(store: Store) -> None:
    batch = person("p1", "Anna") + company("c1", "Acme") + owns("o1", "p1", "c1")
    first = store.write(batch)
    assert first.changed
    before = store.counts(EVERYTHING)
    again = store.write(batch)
    assert not again.changed
    assert again.statements_new == 0
    assert store.counts(EVERYTHING) == before


def test_corroboration_keeps_one_statement_per_source(store: Store) -> None:
    store.write(person("p1", "Anna", source="src-a", record="r1"))
    result = store.write(person("p1", "Anna", source="src-b", record="r2"))
    assert result.statements_new == 1
    got = store.entity(EVERYTHING, "p1")
    assert got.properties["name"] == ["Anna"]
    assert sorted(s.source_id for s in got.statements) == ["src-a", "src-b"]


def test_conflicting_values_are_both_kept(store: Store) -> None:
    store.write(person("p1", "Anna Weber", record="r1"))
    store.write(person("p1", "Anna Webber", record="r2", source="src-b"))
    assert store.entity(EVERYTHING, "p1").properties["name"] == ["Anna Webber", "Anna Weber"]


def test_seeing_a_statement_again_widens_its_window(store: Store) -> None:
    store.write(person("p1", "Anna", seen=T0))
    later = T0 + timedelta(days=30)
    result = store.write(person("p1", "Anna", seen=later))
    assert result.statements_new == 0
    assert result.statements_updated == 1
    (statement,) = store.statements(EVERYTHING, "p1")
    assert statement.first_seen == T0
    assert statement.last_seen == later
    got = store.entity(EVERYTHING, "p1")
    assert got.last_seen == later
    # Seeing it again inside the window is not a change.
    assert not store.write(person("p1", "Anna", seen=T0 + timedelta(days=3))).changed


def test_more_specific_schema_wins(store: Store) -> None:
    store.write(entity("x", "LegalEntity", {"name": "Acme"}))
    store.write(entity("x", "Company", {"name": "Acme"}, record="r2"))
    assert store.entity(EVERYTHING, "x").schema == "Company"


def test_unknown_schema_rejected_and_nothing_written(store: Store) -> None:
    good = person("p1", "Anna")
    bad = entity("z", "NoSuchType", {"name": "x"})
    with pytest.raises(OntologyError):
        store.write(good + bad)
    with pytest.raises(NotFound):
        store.entity(EVERYTHING, "p1")
    assert store.counts(EVERYTHING).statements == 0


def test_labels_hide_entities_above_scope(store: Store) -> None:
    store.write(person("pub", "Public Person"))
    store.write(person("sec", "Secret Person", labels=SECRET_FIN))
    store.write(person("acme", "Other Tenant", labels=OTHER_TENANT))
    assert set(store.entities(EVERYTHING, ["pub", "sec", "acme"])) == {"pub", "sec"}
    assert set(store.entities(NOBODY_SPECIAL, ["pub", "sec", "acme"])) == {"pub"}
    no_compartment = ViewerScope.make(clearance="TOP_SECRET")
    assert set(store.entities(no_compartment, ["pub", "sec"])) == {"pub"}
    acme = ViewerScope.make(tenant="acme", clearance="TOP_SECRET")
    assert set(store.entities(acme, ["pub", "sec", "acme"])) == {"acme"}
    with pytest.raises(NotFound):
        store.entity(NOBODY_SPECIAL, "sec")


def test_properties_from_higher_labels_stay_hidden(store: Store) -> None:
    store.write(person("p1", "Anna"))
    store.write(entity("p1", "Person", {"idNumber": "X-123"}, labels=SECRET_FIN, record="r2"))
    low = store.entity(NOBODY_SPECIAL, "p1")
    assert "idNumber" not in low.properties
    assert all(s.prop != "idNumber" for s in low.statements)
    assert len(low.labels) == 1
    high = store.entity(EVERYTHING, "p1")
    assert high.properties["idNumber"] == ["X-123"]
    assert len(high.labels) == 2


def test_counts_are_scoped(store: Store) -> None:
    store.write(person("pub", "A") + person("sec", "B", labels=SECRET_FIN))
    assert store.counts(NOBODY_SPECIAL).entities == 1
    assert store.counts(EVERYTHING).entities == 2
    assert store.counts(NOBODY_SPECIAL).statements == 1


def test_records_and_sources_round_trip(store: Store) -> None:
    source = Source(name="registry", labels=Labels(), description="company registry")
    source_id = store.put_source(source)
    record = Record(
        source_id=source_id, content=b'{"name":"Acme"}', uri="file:///x.json", location="line 1"
    )
    result = store.write(company("c1", "Acme", source=source_id, record=record.id), [record])
    assert result.records_new == 1
    assert store.write([], [record]).records_new == 0
    got = store.record(EVERYTHING, record.id)
    assert got.content == record.content
    assert got.id == record.id
    cited = store.entity(EVERYTHING, "c1")
    assert cited.records == {record.id: got}
    assert got.location == "line 1"
    assert [s.name for s in store.sources(EVERYTHING)] == ["registry"]
    secret_record = Record(source_id=source_id, content=b"x", uri="u", labels=SECRET_FIN)
    store.write([], [secret_record])
    with pytest.raises(NotFound):
        store.record(NOBODY_SPECIAL, secret_record.id)


def test_edge_entities_expose_endpoints(store: Store) -> None:
    store.write(person("p1", "Anna") + company("c1", "Acme") + owns("o1", "p1", "c1"))
    edge = store.entity(EVERYTHING, "o1")
    assert edge.is_edge
    assert (edge.source_id, edge.target_id) == ("p1", "c1")
    stats = store.counts(EVERYTHING)
    assert (stats.entities, stats.edges) == (2, 1)


def test_invalid_paging_input_is_rejected(store: Store) -> None:
    store.write(person("p1", "Anna"))
    with pytest.raises(InvalidInput):
        store.search(EVERYTHING, "anna", after="not-a-cursor")
    with pytest.raises(InvalidInput):
        store.search(EVERYTHING, "anna", first=0)
    with pytest.raises(InvalidInput):
        store.search(EVERYTHING, "   ")
    with pytest.raises(InvalidInput):
        store.bulk_write([], batch_size=0)


def test_bulk_write_reports_progress(store: Store) -> None:
    statements = [s for i in range(25) for s in person(f"p{i}", f"Person {i}")]
    seen: list[int] = []
    total = store.bulk_write(
        statements, batch_size=10, progress=lambda r: seen.append(r.statements_new)
    )
    assert seen == [10, 10, 5]
    assert total.statements_new == 25
    assert store.bulk_write(statements, batch_size=7).statements_new == 0


def test_an_edge_to_a_hidden_entity_is_hidden_everywhere(store: Store) -> None:
    from tests.store.builders import link

    store.write(person("pub", "Public Person") + person("sec", "Secret Person", labels=SECRET_FIN))
    store.write(link("l1", "pub", "sec") + entity("l1", "UnknownLink", {"role": "handler of"}))
    assert set(store.entities(EVERYTHING, ["l1"])) == {"l1"}
    assert store.entities(NOBODY_SPECIAL, ["l1"]) == {}
    assert store.statements(NOBODY_SPECIAL, "l1") == []
    assert store.search(NOBODY_SPECIAL, "handler").total == 0
    assert store.search(EVERYTHING, "handler").total == 1
    assert store.counts(NOBODY_SPECIAL).edges == 0
    assert store.counts(NOBODY_SPECIAL).statements == 1
    with pytest.raises(NotFound):
        store.entity(NOBODY_SPECIAL, "l1")


def test_judgements_never_name_hidden_entities(store: Store) -> None:
    from intelgraph.model import Decision, Judgement

    store.write(
        person("a", "Anna") + person("b", "Anna B") + person("s", "Anna S", labels=SECRET_FIN)
    )
    store.put_judgement(Judgement("a", "b", Decision.SAME, "analyst", "same passport"))
    store.put_judgement(Judgement("a", "s", Decision.NOT_SAME, "analyst", "different dates"))
    low = store.judgements(NOBODY_SPECIAL, "a")
    assert [(j.left_id, j.right_id) for j in low] == [("a", "b")]
    assert len(store.judgements(EVERYTHING, "a")) == 2
    assert store.judgements(NOBODY_SPECIAL, "s") == []
    other_tenant = ViewerScope.make(tenant="acme", clearance=3)
    assert store.judgements(other_tenant, "a") == []
