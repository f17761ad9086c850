"""graphql-cop's checks against a production deployment: each attack is refused.

https://github.com/dolevf/graphql-cop runs these probes; every one of them must find the
door shut here (and a refused operation runs no resolver: ``data`` is absent or null).
"""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from intelgraph.platform import Platform
from tests.api.graphql.conftest import PERSON0, auth, check_errors, data_of, gql, gql_get


def refused(response: httpx.Response, *codes: str) -> list[dict[str, object]]:
    """The operation did not run: an error with one of ``codes``, and no data."""
    assert response.status_code < 500, response.text
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("data") is None, body
    errors = check_errors(body)
    assert errors, body
    assert {e["extensions"]["code"] for e in errors} <= set(codes), errors  # type: ignore[index]
    return errors


def too_complex(response: httpx.Response, limit: str) -> None:
    (error,) = refused(response, "query_too_complex")
    assert error["extensions"]["details"]["limit"] == limit  # type: ignore[index]


def test_the_deployment_is_in_production_mode(prod_platform: Platform) -> None:
    assert prod_platform.settings.mode == "production"


def test_alias_overloading(prod_client: TestClient, tokens: dict[str, str]) -> None:
    for body in ("__typename", "me { name }", f'entity(id: "{PERSON0}") {{ id }}'):
        document = "{ " + " ".join(f"a{i}: {body}" for i in range(100)) + " }"
        too_complex(gql(prod_client, document, token=tokens["analyst"]), "max_aliases")


@pytest.mark.parametrize("size", [10, 11, 50])
def test_array_batching(
    prod_client: TestClient, prod_platform: Platform, tokens: dict[str, str], size: int
) -> None:
    assert size > prod_platform.settings.graphql_max_batch
    response = prod_client.post(
        "/graphql", json=[{"query": "{ __typename }"}] * size, headers=auth(tokens["analyst"])
    )
    assert response.status_code == 400, response.text
    (error,) = check_errors(response.json())
    assert error["extensions"]["code"] == "batch_too_large"


@pytest.mark.parametrize(
    "document",
    [
        "{ " + "__typename " * 1000 + "}",
        "{ me { " + "name " * 1000 + "} }",
        "query { ...A } fragment A on Query { " + "__typename " * 1000 + "}",
    ],
    ids=["root-typename", "nested-field", "in-a-fragment"],
)
def test_field_duplication(prod_client: TestClient, tokens: dict[str, str], document: str) -> None:
    too_complex(gql(prod_client, document, token=tokens["analyst"]), "max_repeated_field")


@pytest.mark.parametrize(
    "directive", ["@include(if: true)", "@skip(if: false)", "@aa", "@deprecated"]
)
def test_directive_overloading(
    prod_client: TestClient, tokens: dict[str, str], directive: str
) -> None:
    on_field = "{ me " + f"{directive} " * 100 + "{ name } }"
    too_complex(gql(prod_client, on_field, token=tokens["analyst"]), "max_directives")
    on_typename = "{ __typename " + f"{directive} " * 100 + "}"
    too_complex(gql(prod_client, on_typename, token=tokens["analyst"]), "max_directives")


def test_a_few_directives_still_work(prod_client: TestClient, tokens: dict[str, str]) -> None:
    document = "{ me @include(if: true) { name } sources @skip(if: true) { name } }"
    assert data_of(gql(prod_client, document, token=tokens["analyst"])) == {
        "me": {"name": "analyst"}
    }


CIRCULAR = (
    "query { __schema { types { fields { type { fields { type { fields { type { fields "
    "{ type { name } } } } } } } } } } }"
)


@pytest.mark.parametrize(
    "document",
    [
        CIRCULAR,
        "query { __schema { queryType { fields { type { ofType { fields { type { ofType "
        "{ fields { name } } } } } } } } } }",
        "query { " + '__type(name: "Query") { fields { type { fields { type { name } } } } } }',
    ],
    ids=["types-fields", "query-type-oftype", "type-fields"],
)
def test_circular_introspection(
    prod_client: TestClient, tokens: dict[str, str], document: str
) -> None:
    refused(
        gql(prod_client, document, token=tokens["analyst"]),
        "query_too_complex",
        "graphql_validation_failed",
    )


@pytest.mark.parametrize(
    "document",
    [
        "{ __schema { queryType { name } } }",
        "query IntrospectionQuery { __schema { types { name } } }",
        '{ __type(name: "Query") { name } }',
        "query { ...F } fragment F on Query { __schema { queryType { name } } }",
        "query { ... on Query { __schema { queryType { name } } } }",
        "{ me { name } __schema { queryType { name } } }",
    ],
    ids=["schema", "named-operation", "type", "fragment", "inline-fragment", "mixed"],
)
def test_introspection_is_disabled(
    prod_client: TestClient, tokens: dict[str, str], document: str
) -> None:
    errors = refused(
        gql(prod_client, document, token=tokens["analyst"]), "graphql_validation_failed"
    )
    assert any("introspection" in str(e["message"]).lower() for e in errors)


def test_introspection_over_get_is_disabled_too(
    prod_client: TestClient, tokens: dict[str, str]
) -> None:
    response = gql_get(
        prod_client, {"query": "{ __schema { queryType { name } } }"}, token=tokens["analyst"]
    )
    refused(response, "graphql_validation_failed")


def test_typename_is_no_introspection(prod_client: TestClient, tokens: dict[str, str]) -> None:
    assert data_of(gql(prod_client, "{ __typename }", token=tokens["analyst"])) == {
        "__typename": "Query"
    }


@pytest.mark.parametrize(
    "document",
    [
        "{ entitz(id: 1) { id } }",
        "{ me { nam } }",
        '{ entity(idd: "x") { id } }',
        '{ entity(id: "x") { ... on Persn { id } } }',
        '{ entity(id: "x") { ... on Person { birthdate } } }',
        f'{{ neighbors(id: "{PERSON0}", direction: BOT) {{ pageInfo {{ hasNextPage }} }} }}',
        '{ search(query: "a", filter: { type: ["Person"] }) { totalCount } }',
        'query($f: SearchFiltr) { search(query: "a", filter: $f) { totalCount } }',
    ],
    ids=[
        "root-field",
        "field",
        "argument",
        "type",
        "typed-field",
        "enum",
        "input-field",
        "variable-type",
    ],
)
def test_no_field_suggestions(
    prod_client: TestClient, tokens: dict[str, str], document: str
) -> None:
    response = gql(prod_client, document, token=tokens["analyst"])
    refused(response, "graphql_validation_failed", "bad_user_input")
    assert "did you mean" not in response.text.lower()


def test_suggestions_are_a_development_aid_only(client: TestClient, tokens: dict[str, str]) -> None:
    """The control: the same mistake in development gets its suggestion."""
    response = gql(client, "{ entitz(id: 1) { id } }", token=tokens["analyst"])
    assert "Did you mean" in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"query": "mutation { __typename }"},
        {"query": "mutation cop { __typename }", "operationName": "cop"},
    ],
)
def test_mutation_over_get_is_refused(
    prod_client: TestClient, tokens: dict[str, str], params: dict[str, str]
) -> None:
    for token in (tokens["analyst"], None):
        response = gql_get(prod_client, params, token=token)
        assert response.status_code in (401, 405), response.text
        assert "data" not in response.json()
        check_errors(response.json())
    assert gql_get(prod_client, params, token=tokens["analyst"]).status_code == 405


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_post_with_a_cross_site_form_type_is_refused(
    prod_client: TestClient, tokens: dict[str, str], content_type: str
) -> None:
    body = "query=%7B+__typename+%7D"
    response = prod_client.post(
        "/graphql",
        content=body,
        headers={**auth(tokens["analyst"]), "Content-Type": content_type},
    )
    assert response.status_code in (400, 415), response.text
    assert "data" not in response.json()
    check_errors(response.json())
    if content_type != "multipart/form-data":
        assert response.status_code == 415


@pytest.mark.parametrize(
    "document",
    [
        "{ me { name } }",
        "{ __typename }",
        "{ nope }",
        '{ neighbors(id: "x") { edges { cursor } } }',
    ],
)
def test_no_tracing_or_debug_extensions(
    prod_client: TestClient, tokens: dict[str, str], document: str
) -> None:
    response = gql(
        prod_client,
        document,
        token=tokens["analyst"],
        headers={"X-Apollo-Tracing": "1", "Apollo-Require-Preflight": "true"},
        extensions={"tracing": True, "debug": True},
    )
    body = response.json()
    assert set(body) <= {"data", "errors"}, body
    for error in body.get("errors", []):
        assert set(error["extensions"]) <= {"code", "hint", "details"}, error
        assert not {"exception", "stacktrace", "tracing"} & set(error["extensions"])
    lowered = response.text.lower()
    assert "tracing" not in lowered
    assert "stacktrace" not in lowered


def test_unhandled_error_detection(prod_client: TestClient, tokens: dict[str, str]) -> None:
    """graphql-cop's probe: a nonsense document must get a clean parse error."""
    response = gql(prod_client, "qwerty cop { abc }", token=tokens["analyst"])
    refused(response, "graphql_parse_failed")
    assert "exception" not in response.text.lower()


@pytest.mark.parametrize("path", ["/graphql", "/graphiql", "/graphql/", "/playground"])
def test_no_graphiql_in_production(prod_client: TestClient, path: str) -> None:
    for accept in ("text/html", "text/html,application/xhtml+xml,*/*;q=0.8"):
        response = prod_client.get(path, headers={"Accept": accept})
        assert not response.headers.get("content-type", "").startswith("text/html"), path
        text = response.text.lower()
        assert "<html" not in text
        assert "<script" not in text


def test_graphiql_is_a_development_tool(client: TestClient) -> None:
    """The control: development serves the IDE at /graphql to a browser."""
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def test_a_fragment_bomb_is_refused(prod_client: TestClient, tokens: dict[str, str]) -> None:
    """Each fragment spreads the next twice: 2**30 fields if expanded naively."""
    fragments = [f"fragment F{i} on Viewer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30)]
    document = "query { me { ...F0 } } " + " ".join(fragments) + " fragment F30 on Viewer { name }"
    refused(
        gql(prod_client, document, token=tokens["analyst"]),
        "query_too_complex",
        "graphql_validation_failed",
    )


def test_circular_fragments_are_refused(prod_client: TestClient, tokens: dict[str, str]) -> None:
    document = (
        "query { me { ...A } } fragment A on Viewer { name ...B } "
        "fragment B on Viewer { tenant ...A }"
    )
    refused(
        gql(prod_client, document, token=tokens["analyst"]),
        "query_too_complex",
        "graphql_validation_failed",
    )


def test_every_probe_response_is_json(prod_client: TestClient, tokens: dict[str, str]) -> None:
    response = gql(prod_client, "{ " + "__typename " * 1000 + "}", token=tokens["analyst"])
    assert response.headers["content-type"].startswith("application/json")
    json.loads(response.text)
