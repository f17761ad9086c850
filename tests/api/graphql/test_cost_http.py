"""Cost limits from the settings, over HTTP: too deep, too costly or too large a page is
refused with ``query_too_complex`` naming the limit, before any SQL runs; admins get a
larger budget than users."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from graphql import parse

from intelgraph.api.graphql.cost import analyse
from intelgraph.api.graphql.service import GraphQLService
from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    PERSON0,
    DemoWorld,
    SqlCounter,
    check_errors,
    data_of,
    gql,
    make_client,
)

MAX_DEPTH, MAX_COST, MAX_ALIASES, ADMIN_FACTOR = 8, 2_000, 5, 4


def nested(levels: int) -> str:
    """An edge's source's source's… ``levels`` fields deep in all."""
    inner = "id"
    for _ in range(levels - 2):  # entity, the sources, then id
        inner = f"... on Edge {{ source {{ {inner} }} }}"
    return f'{{ entity(id: "{PERSON0}") {{ {inner} }} }}'


def page(first: int) -> str:
    return (
        f'{{ search(query: "a", first: {first}) '
        "{ edges { node { caption labels { tenant classification } } } } }"
    )


@pytest.fixture(scope="module")
def limited(demo: DemoWorld) -> Iterator[Platform]:
    with demo.open(
        graphql_max_depth=MAX_DEPTH,
        graphql_max_cost=MAX_COST,
        graphql_max_aliases=MAX_ALIASES,
        graphql_admin_cost_factor=ADMIN_FACTOR,
        rate_limit_principal=0,  # budgets off: only the cost limits speak here
    ) as platform:
        yield platform


@pytest.fixture(scope="module")
def limited_client(limited: Platform) -> Iterator[TestClient]:
    with make_client(limited) as client:
        yield client


@pytest.fixture(scope="module")
def service(limited: Platform) -> GraphQLService:
    return GraphQLService.from_platform(limited)


def cost_of(service: GraphQLService, document: str) -> int:
    return analyse(service.api.schema._schema, parse(document)).cost


def too_complex(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None
    (error,) = check_errors(body)
    assert error["extensions"]["code"] == "query_too_complex"
    details: dict[str, Any] = error["extensions"]["details"]
    return details


def test_the_limits_are_the_settings(limited: Platform) -> None:
    settings = limited.settings
    assert (settings.graphql_max_depth, settings.graphql_max_cost) == (MAX_DEPTH, MAX_COST)


def test_within_every_limit_runs(limited_client: TestClient, tokens: dict[str, str]) -> None:
    data = data_of(gql(limited_client, nested(MAX_DEPTH), token=tokens["analyst"]))
    assert data["entity"] == {}  # a person is no edge: the fragments select nothing
    assert data_of(gql(limited_client, page(5), token=tokens["analyst"]))["search"]["edges"]


CASES = [
    ("depth", nested(MAX_DEPTH + 1), "max_depth", MAX_DEPTH + 1, MAX_DEPTH),
    ("much-deeper", nested(40), "max_depth", 40, MAX_DEPTH),
    ("page", '{ search(query: "a", first: 100000) { totalCount } }', "max_list_size", 100000, 500),
    (
        "ids",
        "{ entities(ids: [" + ", ".join(f'"{i}"' for i in range(501)) + "]) { id } }",
        "max_list_size",
        501,
        500,
    ),
    (
        "aliases",
        "{ " + " ".join(f"a{i}: me {{ name }}" for i in range(MAX_ALIASES + 1)) + " }",
        "max_aliases",
        MAX_ALIASES + 1,
        MAX_ALIASES,
    ),
    ("cost", page(200), "max_cost", None, MAX_COST),
]


@pytest.mark.parametrize(
    ("name", "document", "limit", "value", "allowed"), CASES, ids=[c[0] for c in CASES]
)
def test_over_a_limit_is_refused_naming_it_before_any_sql(
    limited_client: TestClient,
    limited: Platform,
    service: GraphQLService,
    demo: DemoWorld,
    name: str,
    document: str,
    limit: str,
    value: int | None,
    allowed: int,
) -> None:
    details = too_complex(gql(limited_client, document, token=demo.tokens["analyst"]))
    assert details["limit"] == limit
    assert details["allowed"] == allowed
    assert details["value"] == (value if value is not None else cost_of(service, document))

    principal = limited.identity.authenticate(f"Bearer {demo.tokens['analyst']}")
    request = limited.access.request(principal)
    with SqlCounter(limited.store) as sql:
        outcome = asyncio.run(service.run(request, {"query": document}))
    assert [e["extensions"]["code"] for e in outcome.body["errors"]] == ["query_too_complex"]
    assert sql.count == 0, sql.statements


def test_an_admin_may_run_costlier_operations(
    limited_client: TestClient, service: GraphQLService, tokens: dict[str, str]
) -> None:
    between = page(50)
    assert MAX_COST < cost_of(service, between) <= MAX_COST * ADMIN_FACTOR
    user = too_complex(gql(limited_client, between, token=tokens["analyst"]))
    assert (user["limit"], user["allowed"]) == ("max_cost", MAX_COST)
    assert data_of(gql(limited_client, between, token=tokens["admin"]))["search"]["edges"]

    beyond = page(200)
    assert cost_of(service, beyond) > MAX_COST * ADMIN_FACTOR
    admin = too_complex(gql(limited_client, beyond, token=tokens["admin"]))
    assert (admin["limit"], admin["allowed"]) == ("max_cost", MAX_COST * ADMIN_FACTOR)


def test_the_admin_factor_does_not_lift_the_other_limits(
    limited_client: TestClient, tokens: dict[str, str]
) -> None:
    deep = too_complex(gql(limited_client, nested(MAX_DEPTH + 1), token=tokens["admin"]))
    assert (deep["limit"], deep["allowed"]) == ("max_depth", MAX_DEPTH)
    wide = too_complex(
        gql(
            limited_client,
            '{ search(query: "a", first: 501) { totalCount } }',
            token=tokens["admin"],
        )
    )
    assert wide["limit"] == "max_list_size"


def test_variables_count_like_literals(limited_client: TestClient, tokens: dict[str, str]) -> None:
    document = 'query($n: Int!) { search(query: "a", first: $n) { totalCount } }'
    details = too_complex(gql(limited_client, document, {"n": 100000}, token=tokens["analyst"]))
    assert details["limit"] == "max_list_size"
    defaulted = 'query($n: Int! = 100000) { search(query: "a", first: $n) { totalCount } }'
    assert too_complex(gql(limited_client, defaulted, token=tokens["analyst"]))["limit"] == (
        "max_list_size"
    )
