"""Cost-weighted rate limits over HTTP: headers on every answer, expensive operations drain
more, a spent principal gets 429 with Retry-After, its colleagues go on until the tenant's
budget is spent, and other tenants never notice."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from intelgraph.api.graphql.errors import CODES
from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    DemoWorld,
    check_errors,
    data_of,
    gql,
    gql_get,
    make_client,
)

PRINCIPAL, TENANT, WINDOW = 200, 300, 60
CHEAP = "{ me { name } }"  # costs 2
EXPENSIVE = '{ search(query: "aurora", first: 10) { edges { node { id caption } } } }'  # 41
TOO_BIG = '{ search(query: "aurora", first: 100) { edges { node { id caption } } } }'  # 401
LIMIT = re.compile(r'^"(principal|tenant)";r=(\d+);t=(\d+)$')


@pytest.fixture
def limited(demo: DemoWorld) -> Iterator[tuple[Platform, TestClient]]:
    """A platform of the test's own (fresh buckets) with small budgets."""
    with (
        demo.open(
            rate_limit_principal=PRINCIPAL,
            rate_limit_tenant=TENANT,
            rate_limit_window_seconds=WINDOW,
        ) as platform,
        make_client(platform) as client,
    ):
        yield platform, client


def remaining(response: httpx.Response) -> tuple[str, int]:
    """The policy the RateLimit header reports and the units it has left."""
    found = LIMIT.match(response.headers["ratelimit"])
    assert found, response.headers["ratelimit"]
    return found.group(1), int(found.group(2))


def spend_until_refused(client: TestClient, token: str, limit: int = 20) -> httpx.Response:
    for _ in range(limit):
        response = gql(client, EXPENSIVE, token=token)
        if response.status_code != 200:
            return response
        data_of(response)
    raise AssertionError(f"{limit} expensive requests were all admitted")


def assert_limited(response: httpx.Response, by: str) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= WINDOW
    assert response.headers["ratelimit-policy"]
    assert LIMIT.match(response.headers["ratelimit"])
    body = response.json()
    assert "data" not in body
    (error,) = check_errors(body)
    assert error["extensions"]["code"] == "rate_limited"
    details = error["extensions"]["details"]
    assert details["limit"] == by, details
    assert details["retry_after"] == retry_after


def test_every_answer_carries_the_rate_limit_headers(
    limited: tuple[Platform, TestClient], tokens: dict[str, str]
) -> None:
    _, client = limited
    policy = f'"principal";q={PRINCIPAL};w={WINDOW}, "tenant";q={TENANT};w={WINDOW}'
    for response in (
        gql(client, CHEAP, token=tokens["analyst"]),
        gql_get(client, {"query": CHEAP}, token=tokens["analyst"]),
        gql(client, '{ neighbors(id: "nope") { edges { cursor } } }', token=tokens["analyst"]),
    ):
        assert response.status_code == 200
        assert response.headers["ratelimit-policy"] == policy
        name, left = remaining(response)
        assert name == "principal"
        assert 0 <= left < PRINCIPAL


def test_an_expensive_query_drains_more_than_a_cheap_one(
    limited: tuple[Platform, TestClient], tokens: dict[str, str]
) -> None:
    _, client = limited
    token = tokens["analyst"]
    first = remaining(gql(client, CHEAP, token=token))[1]
    second = remaining(gql(client, CHEAP, token=token))[1]
    third = remaining(gql(client, EXPENSIVE, token=token))[1]
    cheap, expensive = first - second, second - third
    assert cheap <= 2
    assert expensive > cheap + 20, (first, second, third)


def test_a_spent_principal_gets_429_with_retry_after(
    limited: tuple[Platform, TestClient], tokens: dict[str, str]
) -> None:
    _, client = limited
    refused = spend_until_refused(client, tokens["analyst"])
    assert_limited(refused, "principal")
    assert remaining(refused)[0] == "principal"
    again = gql_get(client, {"query": EXPENSIVE}, token=tokens["analyst"])
    assert_limited(again, "principal")


def test_colleagues_go_on_until_the_tenant_is_spent_other_tenants_never_notice(
    limited: tuple[Platform, TestClient], tokens: dict[str, str]
) -> None:
    _, client = limited
    assert_limited(spend_until_refused(client, tokens["analyst"]), "principal")

    colleague = gql(client, EXPENSIVE, token=tokens["analyst2"])
    assert data_of(colleague)["search"]["edges"]
    refused = spend_until_refused(client, tokens["analyst2"])
    assert_limited(refused, "tenant")  # analyst2 still has principal budget left
    assert remaining(refused)[0] == "tenant"

    third = gql(client, EXPENSIVE, token=tokens["low"])  # never asked before
    assert_limited(third, "tenant")

    other = gql(client, EXPENSIVE, token=tokens["ursula"])
    assert data_of(other)["search"]["edges"] is not None
    name, left = remaining(other)
    assert name == "principal"
    assert left >= PRINCIPAL - 45  # one expensive query's worth, and no one else's


def test_an_operation_bigger_than_the_bucket_gets_a_documented_code(
    limited: tuple[Platform, TestClient], tokens: dict[str, str]
) -> None:
    _, client = limited
    response = gql(client, TOO_BIG, token=tokens["analyst"])
    assert response.status_code == 429, response.text
    (error,) = check_errors(response.json())
    assert error["extensions"]["code"] in CODES
    assert error["extensions"]["details"]["limit"] == "principal"


def test_a_refused_operation_costs_nothing(
    limited: tuple[Platform, TestClient], tokens: dict[str, str]
) -> None:
    _, client = limited
    before = remaining(gql(client, CHEAP, token=tokens["analyst"]))[1]
    gql(client, TOO_BIG, token=tokens["analyst"])
    assert gql(client, "{ me { nope } }", token=tokens["analyst"]).status_code == 200
    after = remaining(gql(client, CHEAP, token=tokens["analyst"]))[1]
    assert before - after <= 2 + 2  # the cheap query, and at most the invalid one's size
