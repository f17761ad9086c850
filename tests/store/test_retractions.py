"""Retracting a statement on both backends: the projection, search, graph and statement
lists stop using it, the ledger logs it and still verifies, nothing is deleted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from intelgraph.errors import Conflict, InvalidInput, NotFound
from intelgraph.ingest.claims import Claim, assert_claim
from intelgraph.ledger.leaves import decode
from intelgraph.ledger.service import Ledger
from intelgraph.ontology import Ontology
from intelgraph.store import Store
from intelgraph.store.search import SearchFilter
from tests.store.builders import (
    EVERYTHING,
    NOBODY_SPECIAL,
    SECRET_FIN,
    T0,
    company,
    entity,
    owns,
    person,
)


def claim(store: Store, entity_id: str, prop: str, value: str) -> str:
    made = assert_claim(
        store,
        NOBODY_SPECIAL,
        Claim(author="ann", entity_id=entity_id, prop=prop, value=value, justification="seen"),
    )
    return made.statement_id


def statement_rows(store: Store) -> int:
    with store._read_all() as connection:  # test introspection of the raw table
        return int(connection.exec_driver_sql("SELECT COUNT(*) FROM statements").scalar_one())


def projected(store: Store, entity_id: str) -> list[str]:
    """The raw projection rows' properties (an edge without endpoints is never served)."""
    with store._read_all() as connection:
        rows = connection.execute(
            text(
                "SELECT e.properties FROM entities e JOIN nodes n ON n.nid = e.nid WHERE n.id = :id"
            ),
            {"id": entity_id},
        )
        return [str(row[0]) for row in rows]


def test_retracting_a_claim_removes_its_value_and_keeps_the_others(
    store: Store, tmp_path: Path
) -> None:
    store.write(person("p", "Ann Smith") + entity("q", "Person", {"nationality": "de"}))
    alias = claim(store, "p", "name", "Zed")
    only = claim(store, "q", "name", "Quinn")
    assert store.entity(EVERYTHING, "p").caption == "Zed"  # the shortest name
    assert store.entity(EVERYTHING, "q").caption == "Quinn"
    before = statement_rows(store)

    done = store.retractions.retract(NOBODY_SPECIAL, alias, author="ann", reason="typo")
    assert (done.statement_id, done.entity_id, done.tenant, done.author, done.reason) == (
        alias, "p", "default", "ann", "typo",
    )  # fmt: skip
    store.retractions.retract(NOBODY_SPECIAL, only, author="ann", reason="wrong person")

    p = store.entity(EVERYTHING, "p")
    assert (p.properties["name"], p.caption) == (["Ann Smith"], "Ann Smith")
    assert [s.value for s in p.statements] == ["Ann Smith"]
    q = store.entity(EVERYTHING, "q")
    assert "name" not in q.properties
    assert q.caption == "Person"
    assert q.properties["nationality"] == ["de"]
    assert [s.prop for s in store.statements(EVERYTHING, "q")] == ["nationality"]
    listed = store.entities(EVERYTHING, ["p", "q"], with_statements=True)
    assert alias not in {s.id for e in listed.values() for s in e.statements}
    assert store.search(EVERYTHING, "zed").total == 0
    assert store.search(EVERYTHING, "quinn").total == 0
    assert [h.entity.id for h in store.search(EVERYTHING, "smith").hits] == ["p"]
    claims_source = store.evidence.statement(EVERYTHING, alias)
    assert claims_source is not None
    only_claims = SearchFilter(sources=[claims_source.source_id])
    assert store.search(EVERYTHING, "smith", where=only_claims).total == 0
    assert store.counts(EVERYTHING).statements == 2

    # Nothing deleted: the statement row remains and its evidence still proves it.
    assert statement_rows(store) == before
    ledger = Ledger(store, tmp_path / "data")
    ledger.evidence(EVERYTHING, alias).check()
    assert store.retractions.retraction(alias) == done
    assert store.retractions.for_entity(EVERYTHING, "p") == [done]


def test_the_retraction_is_a_ledger_leaf_and_the_log_still_verifies(
    store: Store, tmp_path: Path
) -> None:
    store.write(person("p", "Ann Smith"))
    made = claim(store, "p", "alias", "Annie")
    ledger = Ledger(store, tmp_path / "data")
    ledger.checkpoint()
    done = store.retractions.retract(
        NOBODY_SPECIAL, made, author="ann", reason="not her", at=T0 + timedelta(days=1)
    )
    leaves = [(kind, decode(body)) for _, kind, body in store.ledger.leaves()]
    retractions = [fields for kind, fields in leaves if kind == "retraction"]
    assert len(retractions) == 1
    fields = retractions[0]
    assert (fields["statement"], fields["entity"], fields["author"], fields["tenant"]) == (
        made, "p", "ann", "default",
    )  # fmt: skip
    assert "not her" not in str(fields)  # the reason is logged only as a hash
    assert fields["time"] == 1_704_153_600_000_000  # 2024-01-02, in microseconds
    assert done.created_at == T0 + timedelta(days=1)
    ledger.checkpoint()
    report = ledger.verify()
    assert report.ok, report.problems


def test_the_last_statement_of_a_label_set_takes_the_entity_row_with_it(store: Store) -> None:
    public, secret = person("p", "Zebulon Public"), person("p", "Zebulon Secret", labels=SECRET_FIN)
    store.write(public + secret)
    assert store.search(NOBODY_SPECIAL, "zebulon").total == 1
    store.retractions.retract(EVERYTHING, public[0].id, author="admin", reason="bad source")
    with pytest.raises(NotFound):
        store.entity(NOBODY_SPECIAL, "p")
    assert store.statements(NOBODY_SPECIAL, "p") == []
    assert store.search(NOBODY_SPECIAL, "zebulon").total == 0
    kept = store.entity(EVERYTHING, "p")
    assert kept.properties["name"] == ["Zebulon Secret"]
    assert [h.entity.id for h in store.search(EVERYTHING, "zebulon").hits] == ["p"]
    assert store.retractions.for_entity(NOBODY_SPECIAL, "p") != []  # the public one
    store.retractions.retract(EVERYTHING, secret[0].id, author="admin", reason="bad source")
    with pytest.raises(NotFound):
        store.entity(EVERYTHING, "p")
    assert store.search(EVERYTHING, "zebulon").total == 0
    assert store.counts(EVERYTHING).entities == 0


def test_hidden_absent_repeated_and_unexplained_retractions_are_refused(store: Store) -> None:
    secret = person("s", "Secret", labels=SECRET_FIN)
    public = person("p", "Public")
    store.write(secret + public)
    for wanted in (secret[0].id, "0" * 40):
        with pytest.raises(NotFound) as hidden:
            store.retractions.retract(NOBODY_SPECIAL, wanted, author="ann", reason="x")
        assert hidden.value.code == "not_found"
    assert store.retractions.for_entity(NOBODY_SPECIAL, "s") == []
    for reason in ("", "   ", "x" * 10_001):
        with pytest.raises(InvalidInput):
            store.retractions.retract(NOBODY_SPECIAL, public[0].id, author="ann", reason=reason)
    assert store.retractions.retraction(public[0].id) is None
    store.retractions.retract(NOBODY_SPECIAL, public[0].id, author="ann", reason="x" * 10_000)
    with pytest.raises(Conflict) as twice:
        store.retractions.retract(NOBODY_SPECIAL, public[0].id, author="bob", reason="again")
    assert twice.value.code == "conflict"
    assert "ann" in twice.value.message
    assert twice.value.details["author"] == "ann"


def test_ingesting_a_retracted_statement_again_keeps_it_retracted(store: Store) -> None:
    batch = person("p", "Ann") + entity("p", "Person", {"alias": "Annie"})
    store.write(batch)
    store.retractions.retract(EVERYTHING, batch[1].id, author="ann", reason="wrong")
    store.write(batch)  # the same batch: nothing new
    later = [s._replace(last_seen=T0 + timedelta(days=30)) for s in batch]
    assert [s.id for s in later] == [s.id for s in batch]
    result = store.write(later)  # seen again, for longer
    assert result.statements_updated == 2
    found = store.entity(EVERYTHING, "p")
    assert "alias" not in found.properties
    assert [s.id for s in found.statements] == [batch[0].id]
    assert found.last_seen == T0 + timedelta(days=30)  # the kept statement did widen
    assert store.search(EVERYTHING, "annie").total == 0
    assert store.retractions.retraction(batch[1].id) is not None


def test_retracting_an_edge_endpoint_removes_the_edge_from_graph_reads(
    store: Store, store_url: str, ontology: Ontology
) -> None:
    edge = owns("o", "p", "c")
    store.write(person("p", "Ann") + company("c", "Acme") + edge)
    with Store(store_url, ontology) as other:  # another process's graph index
        assert [n.edge_id for n in other.neighbors(EVERYTHING, "p").items] == ["o"]
        assert [n.edge_id for n in store.neighbors(EVERYTHING, "c").items] == ["o"]
        owner = next(s for s in edge if s.prop == "owner")
        store.retractions.retract(EVERYTHING, owner.id, author="ann", reason="not the owner")
        for reader in (store, other):
            assert reader.neighbors(EVERYTHING, "p").items == []
            assert reader.neighbors(EVERYTHING, "c").items == []
            assert reader.paths(EVERYTHING, "p", "c") == []
        with pytest.raises(NotFound):  # an edge without both endpoints is not shown
            store.entity(EVERYTHING, "o")
        assert projected(store, "o") == ['{"asset":["c"]}']
        asset = next(s for s in edge if s.prop == "asset")
        store.retractions.retract(EVERYTHING, asset.id, author="ann", reason="no such deal")
        assert projected(other, "o") == []
        # Writes after a reload are seen incrementally again.
        store.write(owns("o2", "c", "p"))
        assert [n.edge_id for n in other.neighbors(EVERYTHING, "p").items] == ["o2"]


def test_retracting_one_of_two_endpoint_values_moves_the_edge(store: Store) -> None:
    edge = entity("o", "Ownership", {"owner": ["a", "b"], "asset": "c"})
    store.write(person("a", "A") + person("b", "B") + company("c", "C") + edge)
    assert [n.entity_id for n in store.neighbors(EVERYTHING, "c").items] == ["a"]
    first = next(s for s in edge if s.value == "a")
    store.retractions.retract(EVERYTHING, first.id, author="ann", reason="sold")
    assert [n.entity_id for n in store.neighbors(EVERYTHING, "c").items] == ["b"]
    assert store.neighbors(EVERYTHING, "a").items == []
