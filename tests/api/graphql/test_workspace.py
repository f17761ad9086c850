"""Saved searches and investigations through GraphQL on both backends: each user sees,
changes and deletes only their own; bad input is refused with documented codes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from intelgraph.api.graphql.service import GraphQLService
from intelgraph.api.graphql.ws import anonymous_request
from intelgraph.platform import Platform
from intelgraph.store.workspace import MAX_NODES, MAX_STATE_BYTES
from tests.api.graphql.conftest import DemoWorld, check_errors, data_of, gql, make_client

World = tuple[DemoWorld, Platform, TestClient]

SAVE_SEARCH = """mutation($name: String!, $query: String!, $filter: JSON) {
  saveSearch(name: $name, query: $query, filter: $filter) {
    id name query filter createdAt updatedAt } }"""
SAVED = "{ savedSearches { id name query filter createdAt updatedAt } }"
DELETE_SEARCH = "mutation($id: ID!) { deleteSavedSearch(id: $id) }"
SAVE_INVESTIGATION = """mutation($id: ID, $name: String!, $state: JSON!) {
  saveInvestigation(id: $id, name: $name, state: $state) { id name state createdAt updatedAt } }"""
LIST = "{ investigations { id name createdAt updatedAt nodeCount } }"
GET = "query($id: ID!) { investigation(id: $id) { id name state createdAt updatedAt } }"
DELETE_INVESTIGATION = "mutation($id: ID!) { deleteInvestigation(id: $id) }"


@pytest.fixture(scope="module")
def world(backend: DemoWorld) -> Iterator[World]:
    with backend.open() as platform, make_client(platform) as client:
        yield backend, platform, client


def send(world: World, user: str, document: str, **variables: Any) -> httpx.Response:
    demo, _, client = world
    response = gql(client, document, variables, token=demo.tokens[user])
    assert response.status_code == 200, response.text
    check_errors(response.json())
    return response


def run(world: World, user: str, document: str, **variables: Any) -> Any:
    data = data_of(send(world, user, document, **variables))
    return next(iter(data.values()))


def error_of(world: World, user: str, document: str, **variables: Any) -> dict[str, Any]:
    (error,) = check_errors(send(world, user, document, **variables).json())
    return error


def test_saved_searches_round_trip_and_stay_private(world: World) -> None:
    search_filter = {"types": ["Company"], "properties": [{"name": "country", "value": "cy"}]}
    saved = run(world, "analyst", SAVE_SEARCH, name="Cyprus firms", query="", filter=search_filter)
    assert (saved["name"], saved["query"], saved["filter"]) == ("Cyprus firms", "", search_filter)
    assert saved["createdAt"] == saved["updatedAt"]
    again = run(world, "analyst", SAVE_SEARCH, name="Cyprus firms", query="ltd", filter=None)
    assert (again["id"], again["query"], again["filter"]) == (saved["id"], "ltd", {})
    assert again["createdAt"] == saved["createdAt"]
    run(world, "analyst2", SAVE_SEARCH, name="Cyprus firms", query="theirs")
    mine = run(world, "analyst", SAVED)
    assert [(s["id"], s["query"]) for s in mine if s["name"] == "Cyprus firms"] == [
        (saved["id"], "ltd")
    ]
    assert saved["id"] not in {s["id"] for s in run(world, "analyst2", SAVED)}
    assert run(world, "ursula", SAVED) == []
    for stranger in ("analyst2", "ursula"):
        assert run(world, stranger, DELETE_SEARCH, id=saved["id"]) is False
    assert run(world, "analyst", DELETE_SEARCH, id=saved["id"]) is True
    assert run(world, "analyst", DELETE_SEARCH, id=saved["id"]) is False


def test_investigations_round_trip_and_stay_private(world: World) -> None:
    state = {
        "nodes": [{"id": "6c7d2d04", "x": 10.5, "y": -3, "pinned": True}, {"id": "x", "x": 0}],
        "layout": "cose",
        "extra": {"zoom": 1.5, "labels": ["ünïcode ☃"]},
    }
    made = run(world, "analyst", SAVE_INVESTIGATION, name="Aurora network", state=state)
    assert made["state"] == state
    assert json.dumps(made["state"]) == json.dumps(state)  # key order kept
    listed = run(world, "analyst", LIST)
    assert {"id": made["id"], "name": "Aurora network", "nodeCount": 2} == {
        k: v for k, v in listed[0].items() if k in ("id", "name", "nodeCount")
    }
    assert run(world, "analyst", GET, id=made["id"]) == made
    changed = run(
        world, "analyst", SAVE_INVESTIGATION, id=made["id"], name="Aurora (v2)", state={"nodes": []}
    )
    assert (changed["id"], changed["name"], changed["createdAt"]) == (
        made["id"], "Aurora (v2)", made["createdAt"],
    )  # fmt: skip
    for stranger in ("analyst2", "ursula"):
        assert run(world, stranger, GET, id=made["id"]) is None
        assert made["id"] not in {i["id"] for i in run(world, stranger, LIST)}
        error = error_of(world, stranger, SAVE_INVESTIGATION, id=made["id"], name="x", state={})
        assert error["extensions"]["code"] == "not_found"
        assert run(world, stranger, DELETE_INVESTIGATION, id=made["id"]) is False
    assert run(world, "analyst", GET, id=made["id"])["name"] == "Aurora (v2)"
    assert run(world, "analyst", DELETE_INVESTIGATION, id=made["id"]) is True
    assert run(world, "analyst", GET, id=made["id"]) is None
    assert run(world, "analyst", GET, id="inv-0000000000000000") is None


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        (SAVE_SEARCH, {"name": "", "query": "q"}, "name_invalid"),
        (SAVE_SEARCH, {"name": "n" * 201, "query": "q"}, "name_invalid"),
        (SAVE_SEARCH, {"name": "n", "query": "q", "filter": [1]}, "invalid_input"),
        (SAVE_INVESTIGATION, {"name": " ", "state": {}}, "name_invalid"),
        (SAVE_INVESTIGATION, {"name": "n", "state": [1, 2]}, "state_invalid"),
        (SAVE_INVESTIGATION, {"name": "n", "state": "nodes"}, "state_invalid"),
        (SAVE_INVESTIGATION, {"name": "n", "state": {"nodes": 3}}, "state_invalid"),
        (
            SAVE_INVESTIGATION,
            {"name": "n", "state": {"nodes": [{}] * (MAX_NODES + 1)}},
            "state_too_large",
        ),
        (
            SAVE_INVESTIGATION,
            {"name": "n", "state": {"blob": "x" * MAX_STATE_BYTES}},
            "state_too_large",
        ),
    ],
    ids=[
        "empty-name",
        "long-name",
        "filter-list",
        "blank-name",
        "list",
        "string",
        "nodes",
        "nodes-20001",
        "2mib",
    ],
)
def test_bad_input_is_refused_with_a_documented_code(
    world: World, document: str, variables: dict[str, Any], code: str
) -> None:
    error = error_of(world, "analyst2", document, **variables)
    assert error["extensions"]["code"] == code, error
    assert error["extensions"].get("hint"), error


def test_a_state_of_nearly_2_mib_fits_the_default_request_body(world: World) -> None:
    """The default IG_GRAPHQL_MAX_BODY_KB leaves room for the largest state allowed."""
    nodes = [
        {"id": f"{i:040x}", "x": i * 1.25, "y": -i * 0.5, "pinned": i % 2 == 0}
        for i in range(MAX_NODES)
    ]
    state = {
        "nodes": nodes,
        "layout": "preset",
        "pad": "x" * (MAX_STATE_BYTES - len(json.dumps(nodes)) - 200),
    }
    made = run(world, "analyst2", SAVE_INVESTIGATION, name="Big", state=state)
    listed = {i["id"]: i["nodeCount"] for i in run(world, "analyst2", LIST)}
    assert listed[made["id"]] == MAX_NODES
    assert run(world, "analyst2", DELETE_INVESTIGATION, id=made["id"]) is True


def test_anonymous_callers_are_refused(world: World) -> None:
    _, platform, client = world
    response = client.post("/graphql", json={"query": SAVED})
    assert response.status_code == 401
    service = GraphQLService.from_platform(platform)
    for document in (SAVED, LIST, 'mutation { saveSearch(name: "n", query: "q") { id } }'):
        outcome = asyncio.run(service.run(anonymous_request(), {"query": document}))
        codes = [e["extensions"]["code"] for e in outcome.body["errors"]]
        assert codes == ["token_missing"], outcome.body
