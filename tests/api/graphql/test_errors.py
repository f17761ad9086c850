"""The error shape: every error has a message and a documented ``extensions.code``, and no
response tells a client about the server's insides (tracebacks, SQL, paths, class names)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intelgraph.api.graphql.errors import CODES
from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    ABSENT,
    ACTOR,
    PERSON0,
    DemoWorld,
    check_errors,
    data_of,
    gql,
    leaks_in,
    make_client,
)

SEARCH_FIRST = 'query($f: Int!) { search(query: "aurora", first: $f) { totalCount } }'

# (id, document, variables, expected code, data expected to be null at the root)
CASES: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("syntax-eof", "{ me { name }", None, "graphql_parse_failed"),
    ("syntax-garbage", "qwerty cop { abc }", None, "graphql_parse_failed"),
    ("syntax-bad-token", "{ me { name } } }", None, "graphql_parse_failed"),
    (
        "syntax-unterminated-string",
        '{ search(query: "abc) { totalCount } }',
        None,
        "graphql_parse_failed",
    ),
    ("unknown-field", "{ me { nope } }", None, "graphql_validation_failed"),
    ("unknown-root-field", "{ entitz(id: 1) { id } }", None, "graphql_validation_failed"),
    ("unknown-argument", '{ entity(idd: "x") { id } }', None, "graphql_validation_failed"),
    (
        "unknown-type",
        '{ entity(id: "x") { ... on Nope { id } } }',
        None,
        "graphql_validation_failed",
    ),
    ("missing-selection", "{ me }", None, "graphql_validation_failed"),
    ("selection-on-scalar", "{ me { name { x } } }", None, "graphql_validation_failed"),
    (
        "literal-of-wrong-type",
        "{ search(query: 12) { totalCount } }",
        None,
        "graphql_validation_failed",
    ),
    (
        "enum-value-unknown",
        f'{{ neighbors(id: "{PERSON0}", direction: SIDEWAYS) {{ pageInfo {{ hasNextPage }} }} }}',
        None,
        "graphql_validation_failed",
    ),
    ("variable-wrong-type", SEARCH_FIRST, {"f": "ten"}, "bad_user_input"),
    ("variable-missing", SEARCH_FIRST, {}, "bad_user_input"),
    ("variable-null", SEARCH_FIRST, {"f": None}, "bad_user_input"),
    (
        "variable-too-big-for-int",
        'query($h: Int!) { paths(from: "a", to: "b", maxHops: $h) { hops } }',
        {"h": 2**40},
        "bad_user_input",
    ),
    ("variable-object", SEARCH_FIRST, {"f": {"$gt": 1}}, "bad_user_input"),
    (
        "variable-undeclared",
        "{ search(query: $q) { totalCount } }",
        {"q": "x"},
        "bad_user_input",
    ),
    (
        "not-found-neighbors",
        f'{{ neighbors(id: "{ABSENT}") {{ pageInfo {{ hasNextPage }} }} }}',
        None,
        "not_found",
    ),
    (
        "not-found-paths",
        f'{{ paths(from: "{ABSENT}", to: "{PERSON0}") {{ hops }} }}',
        None,
        "not_found",
    ),
    (
        "invalid-cursor-search",
        '{ search(query: "a", after: "garbage") { totalCount } }',
        None,
        "invalid_input",
    ),
    (
        "invalid-cursor-statements",
        f'{{ statements(entityId: "{PERSON0}", after: "Zm9v") {{ totalCount }} }}',
        None,
        "invalid_input",
    ),
    (
        "invalid-cursor-neighbors",
        f'{{ neighbors(id: "{PERSON0}", after: "eyJ4IjoxfQ") {{ pageInfo {{ hasNextPage }} }} }}',
        None,
        "invalid_input",
    ),
    (
        "invalid-cursor-runs",
        '{ ingestRuns(after: "nope") { pageInfo { hasNextPage } } }',
        None,
        "invalid_input",
    ),
    (
        "cursor-of-another-list",
        '{ search(query: "a", after: "%s") { totalCount } }',
        None,
        "invalid_input",
    ),
    (
        "first-oversized",
        '{ search(query: "a", first: 100000) { totalCount } }',
        None,
        "query_too_complex",
    ),
    (
        "first-just-over",
        '{ search(query: "a", first: 501) { totalCount } }',
        None,
        "query_too_complex",
    ),
    ("first-zero", '{ search(query: "a", first: 0) { totalCount } }', None, "invalid_input"),
    ("first-negative", '{ search(query: "a", first: -5) { totalCount } }', None, "invalid_input"),
    (
        "first-over-int",
        '{ search(query: "a", first: 99999999999) { totalCount } }',
        None,
        "query_too_complex",
    ),
    (
        "too-many-ids",
        "{ entities(ids: [" + ",".join(['"x"'] * 501) + "]) { id } }",
        None,
        "query_too_complex",
    ),
    (
        "hops-out-of-range",
        f'{{ paths(from: "{PERSON0}", to: "{ACTOR}", maxHops: 60) {{ hops }} }}',
        None,
        "invalid_input",
    ),
    ("no-operation-named", "query A { me { name } }", None, "invalid_request"),
]


@pytest.fixture(scope="module")
def statements_cursor(client: TestClient, tokens: dict[str, str]) -> str:
    """A valid cursor of the statements list, to be refused by search."""
    data = data_of(
        gql(
            client,
            f'{{ statements(entityId: "{PERSON0}", first: 1) {{ pageInfo {{ endCursor }} }} }}',
            token=tokens["analyst"],
        )
    )
    cursor: str = data["statements"]["pageInfo"]["endCursor"]
    return cursor


def _assert_clean(text: str) -> None:
    assert not leaks_in(text), (leaks_in(text), text[:2000])


@pytest.mark.parametrize(
    ("name", "document", "variables", "code"), CASES, ids=[c[0] for c in CASES]
)
def test_each_error_has_a_documented_code_and_no_internals(
    client: TestClient,
    tokens: dict[str, str],
    statements_cursor: str,
    name: str,
    document: str,
    variables: dict[str, Any] | None,
    code: str,
) -> None:
    if name == "cursor-of-another-list":
        document = document % statements_cursor
    operation = "B" if name == "no-operation-named" else None
    response = gql(client, document, variables, token=tokens["analyst"], operation_name=operation)
    assert response.status_code < 500, response.text
    body = response.json()
    errors = check_errors(body)
    assert errors, body
    assert errors[0]["extensions"]["code"] == code, errors
    assert code in CODES
    _assert_clean(response.text)
    if code in {"graphql_parse_failed", "graphql_validation_failed", "bad_user_input"}:
        assert body.get("data") is None  # nothing ran


def test_query_too_complex_names_the_limit(client: TestClient, tokens: dict[str, str]) -> None:
    response = gql(
        client, '{ search(query: "a", first: 100000) { totalCount } }', token=tokens["analyst"]
    )
    (error,) = check_errors(response.json())
    details = error["extensions"]["details"]
    assert details == {"limit": "max_list_size", "value": 100000, "allowed": 500}
    assert error["extensions"]["hint"]


def test_hidden_and_absent_not_found_errors_are_identical(
    client: TestClient, tokens: dict[str, str]
) -> None:
    def shape(entity_id: str) -> Any:
        response = gql(
            client,
            f'{{ neighbors(id: "{entity_id}") {{ pageInfo {{ hasNextPage }} }} }}',
            token=tokens["low"],
        )
        (error,) = check_errors(response.json())
        return (
            response.status_code,
            error["message"].replace(entity_id, "<id>"),
            error["extensions"],
            response.json()["data"],
        )

    assert shape(ACTOR) == shape(ABSENT)


@pytest.fixture
def crashing(
    demo: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Platform, TestClient]]:
    """A platform of this test's own whose source listing crashes with internals in the
    message."""
    with demo.open() as platform:

        def crash(*_: object, **__: object) -> None:
            raise RuntimeError("secret /work/x.py SELECT * FROM entities")

        monkeypatch.setattr(platform.reads, "sources", crash)
        with make_client(platform) as client:
            yield platform, client


@pytest.mark.parametrize(
    "document",
    [
        "{ sources { name } }",
        f'{{ entity(id: "{PERSON0}") {{ provenance(first: 1) '
        "{ edges { node { source { name } } } } } }",
    ],
    ids=["root-field", "nested-loader"],
)
def test_an_internal_error_is_internal_with_a_request_id_and_nothing_else(
    crashing: tuple[Platform, TestClient], demo: DemoWorld, document: str
) -> None:
    _, client = crashing
    response = gql(client, document, token=demo.tokens["analyst"])
    assert response.status_code == 200, response.text
    text = response.text
    for secret in ("secret", "/work/x.py", "SELECT", "FROM entities", "RuntimeError"):
        assert secret not in text
    _assert_clean(text)
    body = response.json()
    (error,) = check_errors(body)
    assert error["message"] == "internal error"
    extensions = error["extensions"]
    assert extensions["code"] == "internal"
    request_id = response.headers["x-request-id"]
    assert request_id in extensions["hint"]
    assert extensions["details"] == {"requestId": request_id}
    assert set(error) <= {"message", "locations", "path", "extensions"}


def test_other_fields_still_answer_next_to_an_internal_error(
    crashing: tuple[Platform, TestClient], demo: DemoWorld
) -> None:
    _, client = crashing
    response = gql(client, "{ me { name } sources { name } }", token=demo.tokens["analyst"])
    body = response.json()
    (error,) = check_errors(body)
    assert error["extensions"]["code"] == "internal"
    assert error["path"] == ["sources"]
    _assert_clean(response.text)


def test_request_level_refusals_have_the_same_shape(
    client: TestClient, tokens: dict[str, str]
) -> None:
    responses = [
        client.post("/graphql", content=b"{", headers={"Content-Type": "application/json"}),
        client.post("/graphql", content=b"x", headers={"Content-Type": "text/plain"}),
        client.post("/graphql", json={"query": "{ me { name } }"}),
        client.get(
            "/graphql",
            params={"query": "mutation { __typename }"},
            headers={"Authorization": f"Bearer {tokens['analyst']}"},
        ),
        client.post(
            "/graphql",
            json=[{"query": "{ me { name } }"}] * 10,
            headers={"Authorization": f"Bearer {tokens['analyst']}"},
        ),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500, response.text
        assert check_errors(response.json())
        _assert_clean(response.text)


UNKNOWN_TYPES = [
    (
        "neighbors",
        f'{{ neighbors(id: "{PERSON0}", edgeTypes: ["Nope"]) {{ edges {{ edgeId }} }} }}',
    ),
    ("search", '{ search(query: "a", filter: { types: ["Nope"] }) { totalCount } }'),
    ("subgraph", f'{{ subgraph(ids: ["{PERSON0}"], edgeTypes: ["Nope"]) {{ nodeIds }} }}'),
    ("paths", f'{{ paths(from: "{PERSON0}", to: "{ACTOR}", edgeTypes: ["Nope"]) {{ hops }} }}'),
]


@pytest.mark.parametrize(("field", "document"), UNKNOWN_TYPES, ids=[u[0] for u in UNKNOWN_TYPES])
def test_an_unknown_ontology_type_gets_a_documented_code(
    client: TestClient, tokens: dict[str, str], field: str, document: str
) -> None:
    response = gql(client, document, token=tokens["analyst"])
    (error,) = response.json()["errors"]
    assert error["path"] == [field]
    assert error["extensions"]["code"] in CODES, error


ODD_IDS = {"nul": "a\x00b", "lone-surrogate": "\ud800"}
BY_ID = {
    "entity": "query($id: ID!) { entity(id: $id) { id } }",
    "entities": "query($id: ID!) { entities(ids: [$id]) { id } }",
    "neighbors": "query($id: ID!) { neighbors(id: $id) { edges { edgeId } } }",
    "paths": f'query($id: ID!) {{ paths(from: $id, to: "{PERSON0}") {{ hops }} }}',
    "subgraph": "query($id: ID!) { subgraph(ids: [$id]) { nodeIds } }",
    "statements": "query($id: ID!) { statements(entityId: $id) { totalCount } }",
    "evidence": "query($id: ID!) { evidence(statementId: $id) { verified } }",
}


@pytest.fixture(scope="module")
def on_backend(backend: DemoWorld) -> Iterator[tuple[DemoWorld, Platform, TestClient]]:
    with backend.open() as platform, make_client(platform) as client:
        yield backend, platform, client


@pytest.mark.parametrize("kind", list(ODD_IDS))
@pytest.mark.parametrize("field", list(BY_ID))
def test_an_id_no_entity_can_have_is_answered_like_an_absent_one(
    on_backend: tuple[DemoWorld, Platform, TestClient],
    field: str,
    kind: str,
) -> None:
    demo, _, client = on_backend

    def answer(entity_id: str) -> Any:
        body = json.dumps({"query": BY_ID[field], "variables": {"id": entity_id}})
        response = client.post(
            "/graphql",
            content=body,  # json.dumps escapes a lone surrogate, as any client would
            headers={
                "Authorization": f"Bearer {demo.tokens['analyst']}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code == 200, response.text
        _assert_clean(response.text)
        errors = check_errors(response.json())
        return response.json().get("data"), [e["extensions"]["code"] for e in errors]

    assert answer(ODD_IDS[kind]) == answer(ABSENT)
