"""A tenant (or a low clearance) learns nothing of what it may not see, through every
read path the store offers: search, neighbours, paths, subgraph, entity, statements,
counts, sources and export; and hidden reads by id are audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intelgraph.access import AccessControl, Auditor, GuardedReads
from intelgraph.access.exports import PolicyExportGuard
from intelgraph.errors import InvalidInput, NotFound
from intelgraph.export.service import Exporter, ExportRequest, Selection
from intelgraph.ledger.leaves import BatchLeaf
from intelgraph.ledger.service import Ledger
from intelgraph.model import Labels, Record, Source, utcnow
from intelgraph.policy import AccessRequest, PolicyEngine, Principal
from intelgraph.store import Store
from tests.store.builders import company, entity, link, owns, person

ACME = Labels.make("acme")
ACME_SECRET = Labels.make("acme", "SECRET", ["FIN"])
UMBRELLA = Labels.make("umbrella")
NOW = 1_900_000_000


@pytest.fixture
def world(store: Store, tmp_path: Path) -> tuple[GuardedReads, Ledger]:
    a = store.put_source(Source(name="feed", labels=ACME))
    u = store.put_source(Source(name="feed", labels=UMBRELLA))
    records = [
        Record(a, b'{"row": "acme"}', "file:///acme.csv", labels=ACME),
        Record(u, b'{"row": "umbrella"}', "file:///umbrella.csv", labels=UMBRELLA),
    ]
    ra, ru = (r.id for r in records)
    statements = [
        *person("a1", "Alice Acme", labels=ACME, source=a, record=ra),
        *company("c1", "Acme Holdings Corp", labels=ACME, source=a, record=ra),
        *owns("o1", "a1", "c1", labels=ACME, source=a, record=ra),
        *person("s1", "Sam Secret", labels=ACME_SECRET, source=a, record=ra),
        *link(
            "l1", "a1", "s1", labels=ACME, source=a, record=ra
        ),  # a public edge to a secret person
        *person("u1", "Ursula Umbrella", labels=UMBRELLA, source=u, record=ru),
        *company("u2", "Umbrella Holdings Corp", labels=UMBRELLA, source=u, record=ru),
        *owns("uo", "u1", "u2", labels=UMBRELLA, source=u, record=ru),
        *entity(
            "e1",
            "Person",
            {"name": "Eve Mail", "email": "eve@example.org"},
            labels=ACME,
            source=a,
            record=ra,
        ),
    ]
    fields = {"run": None, "source": "probe", "mapping": None, "input": "probe", "cursor": "0"}
    store.write(statements, records, leaf=BatchLeaf("ingest-batch", fields, utcnow()))
    ledger = Ledger(store, tmp_path / "ig")
    control = AccessControl(store, PolicyEngine.load(), Auditor(ledger), platform_tenant="acme")
    return GuardedReads(store, control), ledger


def _as(tenant: str, clearance: int = 0, compartments: tuple[str, ...] = ()) -> AccessRequest:
    principal = Principal.make(f"{tenant}-analyst", tenant, clearance, compartments=compartments)
    return AccessRequest(principal, None, None, NOW)


LOW = _as("acme")
HIGH = _as("acme", 2, ("FIN",))


def _same_not_found(call: object, hidden: str, absent: str = "no-such-id") -> None:
    errors = []
    for ident in (hidden, absent):
        with pytest.raises(NotFound) as caught:
            call(ident)  # type: ignore[operator]
        errors.append(
            (caught.value.code, caught.value.message.replace(ident, "<id>"), caught.value.hint)
        )
    assert errors[0] == errors[1]


def test_search_shows_no_other_tenant_hit_or_count(world: tuple[GuardedReads, Ledger]) -> None:
    reads, _ = world
    page = reads.search(LOW, "holdings")
    assert [hit.entity.id for hit in page.hits] == ["c1"]
    assert page.total == 1
    for query in ("umbrella", "ursula", "sam secret"):
        empty = reads.search(LOW, query)
        assert (empty.hits, empty.total) == ([], 0)
    assert [hit.entity.id for hit in reads.search(HIGH, "sam").hits] == ["s1"]


def test_entity_and_statements_of_hidden_ids_look_absent(
    world: tuple[GuardedReads, Ledger],
) -> None:
    reads, _ = world
    for hidden in ("u1", "s1"):
        _same_not_found(lambda i: reads.entity(LOW, i), hidden)
        assert reads.statements(LOW, hidden) == reads.statements(LOW, "no-such-id") == []
    assert reads.entity(HIGH, "s1").caption == "Sam Secret"


def test_neighbours_paths_and_subgraph_stop_at_what_is_visible(
    world: tuple[GuardedReads, Ledger],
) -> None:
    reads, _ = world
    around = reads.neighbors(LOW, "a1")
    assert {(n.edge_id, n.entity_id) for n in around.items} == {("o1", "c1")}  # not l1 → s1
    assert {n.entity_id for n in reads.neighbors(HIGH, "a1").items} == {"c1", "s1"}
    _same_not_found(lambda i: reads.neighbors(LOW, i), "u1")
    _same_not_found(lambda i: reads.paths(LOW, "a1", i), "s1")
    _same_not_found(lambda i: reads.paths(LOW, i, "a1"), "u2")
    assert [p.nodes for p in reads.paths(HIGH, "c1", "s1")] == [("c1", "a1", "s1")]
    sub = reads.subgraph(LOW, ["a1", "u1"], hops=3)
    assert set(sub.nodes) == {"a1", "c1"}  # not s1 (secret) nor u1 (another tenant)
    assert {e.id for e in sub.edges} == {"o1"}
    assert sub.missing == ["u1"]


def test_counts_and_sources_are_the_tenants_own(world: tuple[GuardedReads, Ledger]) -> None:
    reads, _ = world
    low, high, other = reads.counts(LOW), reads.counts(HIGH), reads.counts(_as("umbrella"))
    assert low.entities == 3  # a1, c1, e1
    assert high.entities == 4
    assert other.entities == 2
    assert other.by_schema == {"Person": 1, "Company": 1, "Ownership": 1}
    assert {s.labels.tenant for s in reads.sources(LOW)} == {"acme"}


def test_export_cannot_reach_another_tenant(world: tuple[GuardedReads, Ledger]) -> None:
    reads, ledger = world

    def export(selection: Selection, request: AccessRequest = LOW) -> bytes:
        guard = PolicyExportGuard(reads.control, request)
        job = ExportRequest(selection, "jsonl", reads.control.scope(request), "probe", guard=guard)
        return Exporter(reads.store, ledger).export(job).archive

    for ids in (("u1",), ("s1",)):
        with pytest.raises(InvalidInput) as hidden:
            export(Selection("entities", ids))
        with pytest.raises(InvalidInput) as absent:
            export(Selection("entities", ("zz",)))
        assert hidden.value.message.replace(ids[0], "<id>") == absent.value.message.replace(
            "zz", "<id>"
        )
    archive = export(Selection("search", query="holdings"))
    assert b"Umbrella" not in archive
    assert b"Acme Holdings" in archive
    with pytest.raises(InvalidInput, match="matched nothing"):
        export(Selection("subgraph", ("u1",), hops=2))


def test_private_values_are_withheld_everywhere_without_an_authority(
    world: tuple[GuardedReads, Ledger],
) -> None:
    reads, _ = world
    shown = reads.entity(LOW, "e1")
    assert "email" not in shown.properties
    assert "email" in shown.redactions
    assert all(s.prop != "email" for s in shown.statements)
    assert all(s.prop != "email" for s in reads.statements(LOW, "e1"))
    hit = reads.search(LOW, "eve").hits[0].entity
    assert "email" not in hit.properties
    assert "eve@example.org" not in json.dumps([list(v) for v in hit.properties.values()])


def test_hidden_reads_by_id_are_audited_absent_ones_are_not(
    world: tuple[GuardedReads, Ledger],
) -> None:
    reads, ledger = world

    def audited() -> list[dict[str, object]]:
        return [
            json.loads(body)
            for _, kind, body in ledger.store.ledger.leaves()
            if kind == "audited-read"
        ]

    before = len(audited())
    with pytest.raises(NotFound):
        reads.entity(LOW, "no-such-id")
    assert len(audited()) == before
    with pytest.raises(NotFound):
        reads.entity(LOW, "u1")
    leaves = audited()
    assert len(leaves) == before + 1
    last = leaves[-1]
    assert last["decision"] == "deny"
    assert last["resources"] == ["Entity:u1"]
    assert last["principal"] == "user:acme-analyst"
    assert "Ursula" not in json.dumps(last)
