"""No N+1: nested selections over many entities cost a fixed number of SQL statements, on
both backends, because every nested read goes through a per-operation batch loader.

Measured on the demo (scale 2), per request over HTTP: 5 to 7 statements read data
(entities, their statements, edge ends, sources, records) whatever the number of
entities; authenticating adds up to 3 when the credential is not cached, and SQLite a
``BEGIN`` per read (11 in all there, 6 on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    COMPANY0,
    PERSON0,
    DemoWorld,
    SqlCounter,
    data_of,
    gql,
    make_client,
)

DATA_BOUND = 8  # data statements per operation, whatever N is (measured 5 to 7)
TOTAL_BOUND = 18  # all statements: authentication and BEGINs included
EDGE_TYPES = {
    "Ownership",
    "Payment",
    "UnknownLink",
    "Directorship",
    "Uses",
    "Indicates",
    "ResolvesTo",
    "Associate",
}
AUTH_TABLES = ("auth_sessions", "users", "group_members", "api_tokens")
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

ENTITIES = """
query Nested($ids: [ID!]!) {
  entities(ids: $ids) {
    caption
    labels { tenant classification compartments }
    provenance { edges { node { value source { name } record { uri } } } }
    ... on Edge { source { caption } target { caption } }
  }
}
"""
SEARCH = """
query Search($first: Int!) {
  search(query: "a*", first: $first) {
    totalCount
    edges { node { id caption labels { tenant }
      provenance { edges { node { value source { name } record { uri location } } } } } }
  }
}
"""
NEIGHBORS = """
query Around($id: ID!) {
  neighbors(id: $id, first: 50) {
    edges {
      edgeType
      node { caption labels { tenant } properties { name values }
             provenance { edges { node { source { name } } } } }
      edge { caption properties { name values } source { caption } target { caption } }
    }
  }
}
"""


@pytest.fixture(scope="module")
def world(backend: DemoWorld) -> Iterator[tuple[DemoWorld, Platform, TestClient]]:
    with backend.open() as platform, make_client(platform) as client:
        yield backend, platform, client


def data_statements(sql: SqlCounter) -> list[str]:
    return [
        s
        for s in sql.statements
        if not s.lstrip().upper().startswith(CONTROL)
        and not any(f"FROM {t}" in s or f"JOIN {t}" in s for t in AUTH_TABLES)
    ]


def measured(
    world: tuple[DemoWorld, Platform, TestClient], document: str, variables: dict[str, Any]
) -> tuple[dict[str, Any], int, int]:
    """The data, the data statements and all statements of one request."""
    demo, platform, client = world
    with SqlCounter(platform.store) as sql:
        data = data_of(gql(client, document, variables, token=demo.tokens["analyst"]))
    return data, len(data_statements(sql)), sql.count


def mixed_ids(demo: DemoWorld, count: int) -> list[str]:
    """``count`` ids the analyst can see, half of them edges (with two ends each)."""
    visible = sorted(demo.visible["analyst"])
    edges = [i for i in visible if demo.schema_of[i] in EDGE_TYPES]
    nodes = [i for i in visible if demo.schema_of[i] not in EDGE_TYPES]
    chosen = edges[: count // 2] + nodes[: count - count // 2]
    assert len(chosen) == count
    return chosen


def test_nested_entities_do_not_grow_with_n(
    world: tuple[DemoWorld, Platform, TestClient],
) -> None:
    demo = world[0]
    measured(world, ENTITIES, {"ids": mixed_ids(demo, 3)})  # warm the label-set cache
    counts = {}
    for n in (100, 20):
        data, count, total = measured(world, ENTITIES, {"ids": mixed_ids(demo, n)})
        found = data["entities"]
        assert len(found) == n
        assert all(entity is not None for entity in found)
        statements = sum(len(e["provenance"]["edges"]) for e in found)
        assert statements >= n  # every entity has provenance, so each one was resolved
        ends = [e for e in found if "source" in e]
        assert len(ends) == n // 2
        assert all(e["source"] and e["target"] for e in ends)
        assert count <= DATA_BOUND, count
        assert total <= TOTAL_BOUND, total
        counts[n] = count
    assert counts[100] <= counts[20] + 1, counts


def test_search_with_provenance_stays_under_the_bound(
    world: tuple[DemoWorld, Platform, TestClient],
) -> None:
    counts = {}
    for first in (50, 5):
        data, count, total = measured(world, SEARCH, {"first": first})
        hits = data["search"]["edges"]
        assert len(hits) == min(first, data["search"]["totalCount"])
        assert all(hit["node"]["provenance"]["edges"] for hit in hits)
        assert count <= DATA_BOUND, count
        assert total <= TOTAL_BOUND, total
        counts[first] = count
    assert len(hits) == 5
    assert counts[50] <= counts[5] + 1, counts


def test_neighbors_with_node_and_edge_properties_stay_under_the_bound(
    world: tuple[DemoWorld, Platform, TestClient],
) -> None:
    counts = {}
    for start in (COMPANY0, PERSON0):
        data, count, total = measured(world, NEIGHBORS, {"id": start})
        edges = data["neighbors"]["edges"]
        assert edges
        assert all(e["node"] and e["edge"] and e["edge"]["source"] for e in edges)
        assert count <= DATA_BOUND, count
        assert total <= TOTAL_BOUND, total
        counts[len(edges)] = count
    assert len(counts) == 2  # two different fan-outs
    assert max(counts.values()) <= min(counts.values()) + 1, counts
