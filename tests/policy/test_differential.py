"""The compiled SQL filter and Cedar agree on every one of >10,000 random combinations.

Random principals (tenant, clearance, compartments, purposes, request purpose,
authority) meet random resources stored in a real store on both backends:
entities, edges (whose ends have their own labels) and ``pii`` properties. For
each combination the store's answer (SQL with the principal's compiled scope,
then Cedar redaction for properties, as every read path does) must equal
Cedar's own decision on the resource.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from intelgraph.access import AccessControl, Auditor, GuardedReads
from intelgraph.ledger.service import Ledger
from intelgraph.model import Labels
from intelgraph.policy import AccessRequest, Authority, PolicyEngine, Principal, scope_for
from intelgraph.policy.resources import Resource, edge_resource, property_resource
from intelgraph.store import Store
from tests.store.builders import entity

TENANTS = ("t1", "t2")
COMPARTMENTS = ("A", "B", "C")
PURPOSES = ("p1", "p2", "p3")
NOW = 1_900_000_000
ENTITIES = 80
EDGES = 70
PRINCIPALS = 50


def _subset(rng: random.Random, names: tuple[str, ...], p: float) -> list[str]:
    return [name for name in names if rng.random() < p]


def _labels(rng: random.Random) -> Labels:
    return Labels.make(
        tenant=rng.choice(TENANTS) if rng.random() < 0.3 else "t1",
        classification=rng.randint(0, 3),
        compartments=_subset(rng, COMPARTMENTS, 0.3),
        purposes=_subset(rng, PURPOSES, 0.25),
    )


@dataclass
class World:
    labels: dict[str, Labels]  # entity or edge id → its labels
    edges: dict[str, tuple[str, str]]  # edge id → (source, target)


def _build(store: Store, rng: random.Random) -> World:
    labels: dict[str, Labels] = {}
    statements = []
    for i in range(ENTITIES):
        entity_id = f"p{i:03d}"
        labels[entity_id] = _labels(rng)
        props = {"name": f"Person {i}", "email": f"person{i}@example.org"}
        statements += entity(entity_id, "Person", props, labels=labels[entity_id])
    edges: dict[str, tuple[str, str]] = {}
    nodes = sorted(labels)
    for i in range(EDGES):
        edge_id = f"l{i:03d}"
        source, target = rng.sample(nodes, 2)
        edges[edge_id] = (source, target)
        labels[edge_id] = _labels(rng)
        props = {"subject": source, "object": target}
        statements += entity(edge_id, "UnknownLink", props, labels=labels[edge_id])
    store.write(statements)
    return World(labels, edges)


def _request(rng: random.Random, entity_ids: list[str]) -> AccessRequest:
    purposes = _subset(rng, PURPOSES, 0.5)
    principal = Principal.make(
        f"u{rng.randrange(10**6)}",
        rng.choice(TENANTS) if rng.random() < 0.25 else "t1",
        rng.randint(0, 3),
        compartments=_subset(rng, COMPARTMENTS, 0.6),
        purposes=purposes,
        groups=["g1"] if rng.random() < 0.5 else [],
    )
    purpose = rng.choice([*purposes, None, None, "p3"]) if purposes else rng.choice([None, "p1"])
    authority = None
    if rng.random() < 0.6:
        authority = Authority(
            id="w1",
            tenant=rng.choice(TENANTS) if rng.random() < 0.2 else principal.tenant,
            kind="warrant",
            issuer="court",
            reference="1/26",
            purposes=frozenset(_subset(rng, PURPOSES, 0.6)),
            entities=frozenset(rng.sample(entity_ids, 40)),
            holders=frozenset(rng.choice([[], [principal.name], ["g1"], ["someone"]])),
            not_before=NOW - 100,
            expires=NOW + rng.choice([-10, 100]),
            revoked=rng.random() < 0.1,
        )
    return AccessRequest(principal, purpose, authority, NOW)


def _node(entity_id: str, labels: Labels) -> Resource:
    return Resource("Entity", entity_id, labels, {"schema": "Person"})


def test_sql_filter_and_cedar_agree(store: Store, tmp_path: object) -> None:
    rng = random.Random(20261129)
    world = _build(store, rng)
    engine = PolicyEngine.load()
    access = AccessControl(
        store,
        engine,
        Auditor(Ledger(store, tmp_path)),
        platform_tenant="t1",  # type: ignore[arg-type]
    )
    reads = GuardedReads(store, access)
    node_ids = sorted(i for i in world.labels if i.startswith("p"))
    edge_ids = sorted(world.edges)
    compared = 0
    disagreements: list[str] = []
    for _ in range(PRINCIPALS):
        request = _request(rng, node_ids)
        scope = scope_for(request)
        nodes = [_node(i, world.labels[i]) for i in node_ids]
        by_id = {r.id: r for r in nodes}
        edges = [
            edge_resource(
                e,
                "UnknownLink",
                world.labels[e],
                by_id[world.edges[e][0]],
                by_id[world.edges[e][1]],
            )
            for e in edge_ids
        ]
        emails = [property_resource(i, "email", "pii", world.labels[i]) for i in node_ids]
        cedar_nodes = engine.decide_many(request, "read", nodes)
        cedar_edges = engine.decide_many(request, "read", edges)
        cedar_emails = engine.decide_many(request, "read", emails)

        sql_visible = set(store.entities(scope, node_ids + edge_ids))
        shown = reads.entities(request, node_ids)
        for resource, decision in zip(nodes + edges, cedar_nodes + cedar_edges, strict=True):
            if decision.allowed != (resource.id in sql_visible):
                disagreements.append(f"{request} {resource} cedar={decision}")
        for resource, decision in zip(emails, cedar_emails, strict=True):
            entity_id = resource.attrs["entity"]
            has_email = entity_id in shown and "email" in shown[entity_id].properties
            if decision.allowed != has_email:
                disagreements.append(f"{request} {resource} cedar={decision}")
            if entity_id in shown and not has_email:
                assert "email" in shown[entity_id].redactions
        compared += len(nodes) + len(edges) + len(emails)
    assert compared >= 10_000
    assert not disagreements, f"{len(disagreements)} disagreements, first: {disagreements[0]}"
