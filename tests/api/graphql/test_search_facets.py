"""``search`` facets, property filters and browsing through GraphQL on both backends: the
counts and names hold only what the caller may see, pii values match only under an
authority, and facets cost (and run) only when selected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from graphql import parse

from intelgraph.api.graphql.cost import analyse
from intelgraph.api.graphql.schema import build_api
from intelgraph.demo import generate
from intelgraph.ontology import default_ontology
from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    COMPANY0,
    DEMO_SCALE,
    PERSON0,
    DemoWorld,
    SqlCounter,
    check_errors,
    data_of,
    gql,
    make_client,
)

World = tuple[DemoWorld, Platform, TestClient]

FACETS = """query($q: String!, $filter: SearchFilterInput, $with: Boolean! = true) {
  search(query: $q, filter: $filter, first: 500) {
    totalCount totalIsCapped edges { score node { id schema } }
    facets @include(if: $with) {
      types { value label count } sources { value label count }
      classifications { value label count } compartments { value label count }
    }
  }
}"""
HIDDEN_FROM_LOW = (
    "demo-bank-reports",
    "demo-threat-feed",
    "demo-subscriber-records",
    "demo-incorporation-leak",
    "umbrella-feed",
    "CONFIDENTIAL",
    "SECRET",
    "FIN",
    "HUM",
    "CTI",
)


@pytest.fixture(scope="module")
def world(backend: DemoWorld) -> Iterator[World]:
    with backend.open() as platform, make_client(platform) as client:
        yield backend, platform, client


def ask(world: World, user: str, document: str, **variables: Any) -> httpx.Response:
    demo, _, client = world
    headers = variables.pop("headers", None)
    response = gql(client, document, variables, token=demo.tokens[user], headers=headers)
    assert response.status_code == 200, response.text
    check_errors(response.json())
    return response


def search(world: World, user: str, query: str, **variables: Any) -> dict[str, Any]:
    return data_of(ask(world, user, FACETS, q=query, **variables))["search"]


def total(facet: list[dict[str, Any]]) -> int:
    return sum(item["count"] for item in facet)


@pytest.mark.parametrize("user", ["low", "analyst", "admin", "ursula"])
@pytest.mark.parametrize("term", ["limassol", "aurora", "holdings", "ember"])
def test_facets_count_only_visible_matches(world: World, user: str, term: str) -> None:
    found = search(world, user, term)
    facets = found["facets"]
    assert total(facets["types"]) == found["totalCount"]  # one type per entity
    assert {e["node"]["schema"] for e in found["edges"]} == {t["value"] for t in facets["types"]}
    for name in ("types", "sources", "classifications", "compartments"):
        items = facets[name]
        assert items == sorted(items, key=lambda i: (-i["count"], i["label"])), name
        assert all(0 < item["count"] <= found["totalCount"] for item in items)


def test_facets_name_nothing_the_low_user_may_not_see(world: World) -> None:
    for term in ("limassol", "aurora", "kite", "bank", "holdings"):
        response = ask(world, "low", FACETS, q=term)
        facets = response.json()["data"]["search"]["facets"]
        for hidden in HIDDEN_FROM_LOW:
            assert hidden not in response.text, (term, hidden)
        assert [c["value"] for c in facets["classifications"]] in ([], ["UNCLASSIFIED"])
        assert facets["compartments"] == []
    analyst = search(world, "analyst", "limassol")["facets"]
    assert {s["label"] for s in analyst["sources"]} >= {"demo-bank-reports"}
    assert {c["value"] for c in analyst["compartments"]} >= {"FIN"}
    assert "umbrella-feed" not in str(search(world, "admin", "aurora"))
    mine = search(world, "ursula", "aurora")["facets"]
    assert [s["label"] for s in mine["sources"]] == ["umbrella-feed"]


def test_each_facet_value_filters_to_its_count(world: World) -> None:
    found = search(world, "analyst", "limassol")
    facets = found["facets"]
    keys = {"types": "types", "sources": "sources", "classifications": "classifications"}
    keys["compartments"] = "compartments"
    for name, field in keys.items():
        for item in facets[name]:
            narrowed = search(world, "analyst", "limassol", filter={field: [item["value"]]})
            if name != "types":  # a type filter takes its subtypes too
                assert narrowed["totalCount"] == item["count"], (name, item)
            else:
                assert narrowed["totalCount"] >= item["count"], item


def test_browsing_by_filter_without_words(world: World) -> None:
    demo = world[0]
    for user in ("low", "analyst"):
        found = search(world, user, "", filter={"types": ["Company"]})
        companies = {i for i in demo.visible[user] if demo.schema_of[i] == "Company"}
        assert found["totalCount"] == len(companies)
        assert {e["node"]["id"] for e in found["edges"]} == companies
        assert {e["score"] for e in found["edges"]} == {0.0}
        assert [t["value"] for t in found["facets"]["types"]] == ["Company"]
    refused = world[2].post(
        "/graphql",
        json={"query": '{ search(query: "") { totalCount } }'},
        headers={"Authorization": f"Bearer {demo.tokens['low']}"},
    )
    (error,) = check_errors(refused.json())
    assert error["extensions"]["code"] == "invalid_input"
    assert error["message"] == "the search query has no words"


def test_a_property_filter_matches_a_whole_value(world: World) -> None:
    name = {"properties": [{"name": "name", "value": "AURORA MARITIME HOLDINGS LTD"}]}
    found = search(world, "low", "", filter=name)
    assert [e["node"]["id"] for e in found["edges"]] == [COMPANY0]
    with_words = search(world, "low", "aurora", filter=name)
    assert [e["node"]["id"] for e in with_words["edges"]] == [COMPANY0]
    assert (
        search(world, "low", "", filter={"properties": [{"name": "name", "value": "aurora"}]})[
            "totalCount"
        ]
        == 0
    )


def test_an_unknown_property_is_an_error_naming_it(world: World) -> None:
    demo, _, client = world
    response = gql(
        client,
        FACETS,
        {"q": "", "filter": {"types": ["Person"], "properties": [{"name": "iban", "value": "x"}]}},
        token=demo.tokens["analyst"],
    )
    (error,) = check_errors(response.json())
    assert error["extensions"]["code"] == "unknown_property"
    assert error["message"] == "none of the types Person has a property 'iban'"
    assert error["extensions"]["details"] == {"property": "iban"}


def birth_date_of(entity_id: str) -> str:
    for statement in generate(DEMO_SCALE).statements:
        if statement.entity_id == entity_id and statement.prop == "birthDate":
            return statement.value
    raise AssertionError("the demo gives the person a birth date")


def test_a_pii_value_matches_only_under_an_authority_that_reveals_it(world: World) -> None:
    demo = world[0]
    born = {"properties": [{"name": "birthDate", "value": birth_date_of(PERSON0)}]}
    for user in ("analyst", "analyst2", "admin"):
        assert search(world, user, "", filter=born)["totalCount"] == 0, user
    warrant = {"X-IG-Authority": demo.authority_id}
    found = search(world, "analyst", "", filter=born, headers=warrant)
    assert [e["node"]["id"] for e in found["edges"]] == [PERSON0]
    assert total(found["facets"]["types"]) == 1
    # analyst2 names the warrant but does not hold it: nothing is revealed.
    assert search(world, "analyst2", "", filter=born, headers=warrant)["totalCount"] == 0


def test_facets_run_only_when_selected(world: World) -> None:
    _, platform, _ = world
    with SqlCounter(platform.store) as without:
        ask(world, "analyst", FACETS, q="limassol", **{"with": False})
    with SqlCounter(platform.store) as selected:
        data = data_of(ask(world, "analyst", FACETS, q="limassol"))
    assert data["search"]["facets"]["types"]
    facet_sql = [s for s in selected.statements if "JOIN m ON m.nid" in s]
    assert len(facet_sql) == 1
    assert not [s for s in without.statements if "JOIN m ON m.nid" in s]


def test_facets_cost_once_per_search_not_per_hit() -> None:
    schema = build_api(default_ontology()).schema._schema

    def cost(first: int, facets: bool) -> int:
        selection = "facets { types { value label count } }" if facets else ""
        document = f'{{ search(query: "a", first: {first}) {{ totalCount {selection} }} }}'
        return analyse(schema, parse(document)).cost

    # facets: 100 + 1 + types (1 + 20 x 3) = 162, added once whatever the page size
    assert cost(20, True) - cost(20, False) == 162
    assert cost(500, True) - cost(500, False) == 162
    skipped = '{ search(query: "a") { totalCount facets @include(if: false) { types { value } } } }'
    assert analyse(schema, parse(skipped)).cost == cost(20, False)
