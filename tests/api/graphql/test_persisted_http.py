"""Persisted queries over HTTP: the APQ round trip in allow mode, and enforce mode, where
only registered documents run and anything else is refused before it touches the store."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intelgraph.api.graphql.service import GraphQLService
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest
from tests.api.graphql.conftest import (
    PERSON0,
    DemoWorld,
    SqlCounter,
    check_errors,
    data_of,
    gql,
    gql_get,
    make_client,
)

REGISTERED = "query Registered($id: ID!) { entity(id: $id) { id caption } }"
REGISTERED_ME = "query Me { me { name } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = check_errors(body)
    assert body.get("data") is None
    return error


# -- allow mode (APQ) ------------------------------------------------------------------------


def test_apq_round_trip(client: TestClient, platform: Platform, tokens: dict[str, str]) -> None:
    assert platform.settings.graphql_persisted == "allow"
    document = f"query Apq {{ me {{ name }} }} # {uuid.uuid4().hex}"  # a hash never seen
    digest = sha(document)
    token = tokens["analyst"]

    unknown = client.post(
        "/graphql",
        json={"extensions": persisted(digest)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert unknown.status_code < 500
    error = error_of(unknown.json())
    assert error["message"] == "PersistedQueryNotFound"  # what Apollo clients match on
    assert error["extensions"]["code"] == "persisted_query_not_found"

    both = gql(client, document, token=token, extensions=persisted(digest))
    assert data_of(both) == {"me": {"name": "analyst"}}

    by_hash = client.post(
        "/graphql",
        json={"extensions": persisted(digest)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert data_of(by_hash) == {"me": {"name": "analyst"}}
    over_get = gql_get(client, {"extensions": persisted(digest)}, token=token)
    assert data_of(over_get) == {"me": {"name": "analyst"}}


def test_apq_refuses_a_hash_that_does_not_match(client: TestClient, tokens: dict[str, str]) -> None:
    document = "query Mismatch { me { name } }"
    response = gql(client, document, token=tokens["analyst"], extensions=persisted("a" * 64))
    assert error_of(response.json())["extensions"]["code"] == "persisted_query_mismatch"
    # ...and the wrong hash did not get registered for that document
    again = client.post(
        "/graphql",
        json={"extensions": persisted("a" * 64)},
        headers={"Authorization": f"Bearer {tokens['analyst']}"},
    )
    assert error_of(again.json())["extensions"]["code"] == "persisted_query_not_found"


@pytest.mark.parametrize(
    "extension",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "xyz"}},
        {"persistedQuery": "nope"},
    ],
    ids=["version", "hash", "shape"],
)
def test_malformed_persisted_extensions_are_invalid_requests(
    client: TestClient, tokens: dict[str, str], extension: dict[str, Any]
) -> None:
    response = client.post(
        "/graphql",
        json={"extensions": extension},
        headers={"Authorization": f"Bearer {tokens['analyst']}"},
    )
    assert response.status_code == 400, response.text
    assert error_of(response.json())["extensions"]["code"] == "invalid_request"


def test_a_persisted_mutation_cannot_run_over_get(
    client: TestClient, tokens: dict[str, str]
) -> None:
    document = f"mutation Apq {{ __typename }} # {uuid.uuid4().hex}"
    digest = sha(document)
    gql(client, document, token=tokens["analyst"], extensions=persisted(digest))
    response = gql_get(client, {"extensions": persisted(digest)}, token=tokens["analyst"])
    assert response.status_code == 405, response.text
    assert error_of(response.json())["extensions"]["code"] == "operation_not_allowed"


# -- enforce mode ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("persisted") / "registry.json"
    path.write_text(json.dumps({sha(REGISTERED): REGISTERED, sha(REGISTERED_ME): REGISTERED_ME}))
    return path


@pytest.fixture(scope="module")
def enforcing(demo: DemoWorld, registry: Path) -> Iterator[Platform]:
    with demo.open(graphql_persisted="enforce", graphql_persisted_files=str(registry)) as opened:
        yield opened


@pytest.fixture(scope="module")
def enforcing_client(enforcing: Platform) -> Iterator[TestClient]:
    with make_client(enforcing) as test_client:
        yield test_client


def test_registered_documents_run_by_hash_and_by_text(
    enforcing_client: TestClient, tokens: dict[str, str]
) -> None:
    token = tokens["analyst"]
    headers = {"Authorization": f"Bearer {token}"}
    variables = {"id": PERSON0}
    by_hash = enforcing_client.post(
        "/graphql",
        json={"extensions": persisted(sha(REGISTERED)), "variables": variables},
        headers=headers,
    )
    expected = {"entity": {"id": PERSON0, "caption": "Anna Adler"}}
    assert data_of(by_hash) == expected
    assert data_of(gql(enforcing_client, REGISTERED, variables, token=token)) == expected
    both = gql(
        enforcing_client, REGISTERED, variables, token=token, extensions=persisted(sha(REGISTERED))
    )
    assert data_of(both) == expected
    over_get = gql_get(
        enforcing_client,
        {"extensions": persisted(sha(REGISTERED_ME))},
        token=token,
    )
    assert data_of(over_get) == {"me": {"name": "analyst"}}


def test_enforce_refuses_unregistered_text_and_unknown_hashes_over_http(
    enforcing_client: TestClient, enforcing: Platform, tokens: dict[str, str]
) -> None:
    token = tokens["analyst"]
    calls = _count_reads(enforcing)
    with SqlCounter(enforcing.store) as sql:
        text = gql(enforcing_client, "{ sources { name } }", token=token)
        almost = gql(enforcing_client, REGISTERED + " ", {"id": PERSON0}, token=token)
        unknown = enforcing_client.post(
            "/graphql",
            json={"extensions": persisted(sha("{ sources { name } }"))},
            headers={"Authorization": f"Bearer {token}"},
        )
        batch = enforcing_client.post(
            "/graphql",
            json=[{"query": "{ me { name } }"}, {"query": "{ sources { name } }"}],
            headers={"Authorization": f"Bearer {token}"},
        )
    assert error_of(text.json())["extensions"]["code"] == "persisted_query_required"
    assert error_of(almost.json())["extensions"]["code"] == "persisted_query_required"
    assert error_of(unknown.json())["extensions"]["code"] == "persisted_query_not_found"
    assert [error_of(b)["extensions"]["code"] for b in batch.json()] == [
        "persisted_query_required"
    ] * 2
    assert sum(calls.values()) == 0, calls
    data_tables = ("entities", "statements", "edges", "records", "sources", "nodes")
    touched = [s for s in sql.statements if any(f" {t}" in s for t in data_tables)]
    assert touched == []  # only authentication ran (users, sessions)


def _count_reads(platform: Platform) -> Counter[str]:
    """Wrap the read API and the store's entry points of this platform instance to count
    calls (the real methods still run)."""
    calls: Counter[str] = Counter()

    def counted(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return method(*args, **kwargs)

        return wrapper

    reads = platform.reads
    for name in (
        "entity",
        "entities",
        "statements",
        "statements_of",
        "search",
        "neighbors",
        "paths",
        "subgraph",
        "counts",
        "sources",
    ):
        setattr(reads, name, counted(f"reads.{name}", getattr(reads, name)))
    store = platform.store
    for name in (
        "entity",
        "entities",
        "search",
        "neighbors",
        "paths",
        "subgraph",
        "sources",
        "records",
        "counts",
    ):
        if hasattr(store, name):
            setattr(store, name, counted(f"store.{name}", getattr(store, name)))
    return calls


def _documents(count: int) -> Iterator[dict[str, Any]]:
    """``count`` varied payloads, none registered: new text, text with a hash, hash only."""
    fields = [
        "me { name }",
        "sources { name }",
        'search(query: "%s") { totalCount }',
        'entity(id: "%s") { id caption }',
        "ledgerCheckpoint { size }",
        'neighbors(id: "%s") { edges { nodeId } }',
        "ontology { version }",
    ]
    shapes = itertools.cycle(range(5))
    for i, shape in zip(range(count), shapes, strict=False):
        field = fields[i % len(fields)]
        body = field % f"x{i}" if "%s" in field else field
        text = {
            0: f"query Q{i} {{ {body} }}",
            1: f"{{ {body} }} # {i}",
            2: f"query {{ a{i}: {body} }}",
            3: f"mutation M{i} {{ __typename }}",
            4: f"query V{i}($v: Int) {{ {body} }}",
        }[shape]
        match i % 4:
            case 0 | 1:
                yield {"query": text}
            case 2:
                yield {"query": text, "extensions": persisted(sha(text))}
            case _:
                yield {"extensions": persisted(sha(text))}


def test_ten_thousand_unregistered_documents_are_refused_before_any_resolver(
    enforcing: Platform, demo: DemoWorld
) -> None:
    service = GraphQLService.from_platform(enforcing)
    principal = enforcing.identity.authenticate(f"Bearer {demo.tokens['analyst']}")
    request: AccessRequest = enforcing.access.request(principal)
    payloads = list(_documents(10_000))
    assert len({json.dumps(p, sort_keys=True) for p in payloads}) == 10_000
    calls = _count_reads(enforcing)

    async def run_all() -> Counter[str]:
        codes: Counter[str] = Counter()
        for payload in payloads:
            outcome = await service.run(request, payload)
            for error in check_errors(outcome.body):
                codes[error["extensions"]["code"]] += 1
            assert outcome.body.get("data") is None, outcome.body
        return codes

    with SqlCounter(enforcing.store) as sql:
        codes = asyncio.run(run_all())
    assert sum(codes.values()) == 10_000
    assert set(codes) == {"persisted_query_required", "persisted_query_not_found"}
    assert codes["persisted_query_not_found"] == 2_500  # the hash-only quarter
    assert sum(calls.values()) == 0, calls
    assert sql.count == 0, sql.statements[:5]

    # the control: a registered document through the same service does read the store
    with SqlCounter(enforcing.store) as sql:
        outcome = asyncio.run(
            service.run(request, {"query": REGISTERED, "variables": {"id": PERSON0}})
        )
    assert outcome.body["data"]["entity"]["caption"] == "Anna Adler"
    assert calls["reads.entity"] == 1
    assert sql.count > 0
