"""GraphQL over HTTP: JSON POSTs (batched up to a limit), GET for queries only, and every
request refused before it runs (wrong media type, bad JSON, too large, too many, no valid
credential, a purpose not held) in the one error shape."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from intelgraph.auth.issuer import EmbeddedIssuer
from intelgraph.auth.users import principal_of
from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    DemoWorld,
    auth,
    check_errors,
    codes_of,
    data_of,
    gql,
    gql_get,
    only_code,
)

ME = "{ me { name tenant } }"


def refused(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    """The response is an HTTP-level refusal in the error model; returns its one error."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "data" not in body or body["data"] is None
    (error,) = check_errors(body)
    assert error["extensions"]["code"] == code, error
    return error


# -- POST and GET --------------------------------------------------------------------------


def test_post_json_runs_a_query(client: TestClient, tokens: dict[str, str]) -> None:
    data = data_of(gql(client, ME, token=tokens["analyst"]))
    assert data == {"me": {"name": "analyst", "tenant": "default"}}


def test_post_with_variables_and_operation_name(client: TestClient, tokens: dict[str, str]) -> None:
    document = """
        query A($q: String!) { search(query: $q, first: 1) { totalCount } }
        query B { me { name } }
    """
    response = gql(client, document, {"q": "aurora"}, token=tokens["analyst"], operation_name="A")
    assert data_of(response)["search"]["totalCount"] >= 1
    chosen = gql(client, document, token=tokens["analyst"], operation_name="B")
    assert data_of(chosen) == {"me": {"name": "analyst"}}


def test_get_runs_a_query(client: TestClient, tokens: dict[str, str]) -> None:
    response = gql_get(client, {"query": ME}, token=tokens["analyst"])
    assert data_of(response) == {"me": {"name": "analyst", "tenant": "default"}}
    with_variables = gql_get(
        client,
        {
            "query": "query S($q: String!) { search(query: $q, first: 1) { totalCount } }",
            "variables": {"q": "aurora"},
        },
        token=tokens["analyst"],
    )
    assert data_of(with_variables)["search"]["totalCount"] >= 1


@pytest.mark.parametrize(
    "params",
    [
        {"query": "mutation { __typename }"},
        {"query": "mutation M { __typename }", "operationName": "M"},
        {"query": "query Q { __typename } mutation M { __typename }", "operationName": "M"},
        {"query": "subscription { __typename }"},
    ],
    ids=["anonymous", "named", "chosen-from-several", "subscription"],
)
def test_get_refuses_mutations_and_subscriptions(
    client: TestClient, tokens: dict[str, str], params: dict[str, str]
) -> None:
    response = gql_get(client, params, token=tokens["analyst"])
    refused(response, 405, "operation_not_allowed")


def test_get_runs_the_query_of_a_document_that_also_holds_a_mutation(
    client: TestClient, tokens: dict[str, str]
) -> None:
    params = {"query": "query Q { me { name } } mutation M { __typename }", "operationName": "Q"}
    assert data_of(gql_get(client, params, token=tokens["analyst"])) == {"me": {"name": "analyst"}}


def test_get_without_an_operation_or_with_bad_json_parameters(
    client: TestClient, tokens: dict[str, str]
) -> None:
    refused(client.get("/graphql", headers=auth(tokens["analyst"])), 400, "invalid_request")
    bad = client.get(
        "/graphql", params={"query": ME, "variables": "{nope"}, headers=auth(tokens["analyst"])
    )
    refused(bad, 400, "invalid_request")


# -- media types, JSON, sizes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("query=%7B+me+%7B+name+%7D+%7D", "application/x-www-form-urlencoded"),
        (json.dumps({"query": ME}), "text/plain"),
        (json.dumps({"query": ME}), "text/plain; charset=utf-8"),
        (ME, "application/graphql"),
        (json.dumps({"query": ME}), "application/xml"),
        (json.dumps({"query": ME}), None),
    ],
    ids=["form-urlencoded", "text-plain", "text-plain-charset", "graphql", "xml", "none"],
)
def test_non_json_bodies_are_refused_with_415(
    client: TestClient, tokens: dict[str, str], content: str, content_type: str | None
) -> None:
    headers = auth(tokens["analyst"])
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = client.post("/graphql", content=content, headers=headers)
    refused(response, 415, "invalid_request")


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "ig-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    "fields",
    [{"query": ME}, {"operations": json.dumps({"query": ME}), "map": "{}"}],
    ids=["form-fields", "operations-without-files"],
)
def test_multipart_without_files_is_refused_with_415(
    client: TestClient, tokens: dict[str, str], fields: dict[str, str]
) -> None:
    body, content_type = _multipart(fields)
    response = client.post(
        "/graphql", content=body, headers={**auth(tokens["analyst"]), "Content-Type": content_type}
    )
    assert response.status_code == 415, response.text
    check_errors(response.json())


@pytest.mark.parametrize(
    "body",
    [b'{"query": ', b"not json", b"\xff\xfe{}", b""],
    ids=["truncated", "text", "not-utf8", "empty"],
)
def test_invalid_json_is_refused_with_400(
    client: TestClient, tokens: dict[str, str], body: bytes
) -> None:
    response = client.post(
        "/graphql",
        content=body,
        headers={**auth(tokens["analyst"]), "Content-Type": "application/json"},
    )
    refused(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "payload",
    [
        "a string",
        42,
        None,
        {"query": 42},
        {"query": ME, "variables": [1]},
        {"query": ME, "operationName": 1},
    ],
    ids=[
        "string",
        "number",
        "null",
        "query-not-string",
        "variables-list",
        "name-not-string",
    ],
)
def test_json_that_is_no_graphql_request_is_refused(
    client: TestClient, tokens: dict[str, str], payload: object
) -> None:
    response = client.post(
        "/graphql",
        content=json.dumps(payload),
        headers={**auth(tokens["analyst"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert set(codes_of(response)) == {"invalid_request"}
    check_errors(response.json())


def _padded(size: int) -> bytes:
    return json.dumps({"query": ME, "variables": {"pad": "x" * size}}).encode()


def test_bodies_over_the_limit_are_refused_with_413(
    client: TestClient, platform: Platform, tokens: dict[str, str]
) -> None:
    limit = platform.settings.graphql_max_body_kb * 1024
    headers = {**auth(tokens["analyst"]), "Content-Type": "application/json"}
    fits = client.post("/graphql", content=_padded(limit - 200), headers=headers)
    assert fits.status_code == 200, fits.text
    declared = client.post("/graphql", content=_padded(limit + 1), headers=headers)
    refused(declared, 413, "payload_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count as it reads
        body = _padded(limit * 2)
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    streamed = client.post("/graphql", content=chunks(), headers=headers)
    refused(streamed, 413, "payload_too_large")


# -- batches -----------------------------------------------------------------------------


def test_a_batch_up_to_the_limit_runs_in_order(
    client: TestClient, platform: Platform, tokens: dict[str, str]
) -> None:
    size = platform.settings.graphql_max_batch
    batch = [
        {
            "query": "query($q: String!) { search(query: $q, first: 1) { totalCount } }",
            "variables": {"q": word},
        }
        for word in ["aurora", "kite", "harbour", "zzzznothing", "limassol"][:size]
    ]
    batch[-1] = {"query": ME}
    response = client.post("/graphql", json=batch, headers=auth(tokens["analyst"]))
    assert response.status_code == 200, response.text
    results = response.json()
    assert isinstance(results, list)
    assert len(results) == size
    assert results[-1] == {"data": {"me": {"name": "analyst", "tenant": "default"}}}
    assert all("errors" not in result for result in results)
    assert results[0]["data"]["search"]["totalCount"] >= 1


@pytest.mark.parametrize("size", [6, 10, 100])
def test_a_batch_over_the_limit_is_refused_whole(
    client: TestClient, platform: Platform, tokens: dict[str, str], size: int
) -> None:
    assert size > platform.settings.graphql_max_batch
    response = client.post("/graphql", json=[{"query": ME}] * size, headers=auth(tokens["analyst"]))
    error = refused(response, 400, "batch_too_large")
    assert str(size) in str(error["message"])


def test_an_empty_batch_and_a_batch_item_that_is_no_object(
    client: TestClient, tokens: dict[str, str]
) -> None:
    empty = client.post("/graphql", json=[], headers=auth(tokens["analyst"]))
    refused(empty, 400, "batch_too_large")
    mixed = client.post("/graphql", json=[{"query": ME}, "nope"], headers=auth(tokens["analyst"]))
    body = mixed.json()
    assert isinstance(body, list)
    assert body[0]["data"]["me"]["name"] == "analyst"
    assert [e["extensions"]["code"] for e in body[1]["errors"]] == ["invalid_request"]
    check_errors(body)


# -- credentials -----------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


@pytest.fixture(scope="module")
def bad_tokens(
    demo: DemoWorld, platform: Platform, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Tokens for the analyst that must all be refused."""
    good = demo.tokens["analyst"]
    header, _, signature = good.split(".")
    claims = _claims(good)
    raised = {**claims, "clearance": 3, "admin": True}
    user = platform.store.identity.user_by_name("analyst")
    session = demo.sessions["analyst"]
    now = int(time.time())
    principal = principal_of(user, auth_time=now, session=session)
    expired = platform.identity.issuer.mint(
        principal, session=session, auth_time=now - 200_000, now=now - 100_000
    )
    stranger = EmbeddedIssuer(
        tmp_path_factory.mktemp("stranger"), issuer="http://testserver", audience="intelgraph"
    ).mint(principal, session=session, auth_time=now, now=now)
    none_header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    return {
        "tampered-claims": f"{header}.{_b64(json.dumps(raised).encode())}.{signature}",
        "tampered-signature": f"{header}.{good.split('.')[1]}.{signature[::-1]}",
        "other-key": stranger.token,
        "alg-none": f"{none_header}.{good.split('.')[1]}.",
        "expired": expired.token,
        "garbage": "not-a-token",
        "api-token-guess": "igt_" + "A" * 43,
    }


BAD = [
    "tampered-claims",
    "tampered-signature",
    "other-key",
    "alg-none",
    "expired",
    "garbage",
    "api-token-guess",
]


def _unauthorised(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "data" not in response.json()
    check_errors(response.json())
    return only_code(response)


def test_a_missing_token_is_refused_with_401(client: TestClient) -> None:
    assert _unauthorised(gql(client, ME, token=None)) == "token_missing"
    assert _unauthorised(gql_get(client, {"query": ME}, token=None)) == "token_missing"
    basic = client.post("/graphql", json={"query": ME}, headers={"Authorization": "Basic YTpi"})
    assert _unauthorised(basic) == "token_malformed"


@pytest.mark.parametrize("kind", BAD)
def test_forged_and_expired_tokens_are_refused_with_401(
    client: TestClient, bad_tokens: dict[str, str], kind: str
) -> None:
    code = _unauthorised(gql(client, ME, token=bad_tokens[kind]))
    assert _unauthorised(gql_get(client, {"query": ME}, token=bad_tokens[kind])) == code
    if kind == "expired":
        assert code == "token_expired"
        assert (
            'error="invalid_token"'
            in gql(client, ME, token=bad_tokens[kind]).headers["www-authenticate"]
        )


def test_a_refused_token_runs_nothing_even_in_a_batch(
    client: TestClient, bad_tokens: dict[str, str]
) -> None:
    response = client.post(
        "/graphql", json=[{"query": ME}, {"query": ME}], headers=auth(bad_tokens["expired"])
    )
    assert _unauthorised(response) == "token_expired"


def test_a_purpose_not_held_is_refused_with_403(client: TestClient, tokens: dict[str, str]) -> None:
    held = gql(
        client,
        "{ me { currentPurpose } }",
        token=tokens["analyst"],
        headers={"X-IG-Purpose": "investigation"},
    )
    assert data_of(held) == {"me": {"currentPurpose": "investigation"}}
    for purpose in ("aml", "marketing"):
        response = gql(client, ME, token=tokens["analyst"], headers={"X-IG-Purpose": purpose})
        error = refused(response, 403, "purpose_not_held")
        assert purpose in str(error["message"])
    over_get = gql_get(
        client, {"query": ME}, token=tokens["analyst"], headers={"X-IG-Purpose": "aml"}
    )
    refused(over_get, 403, "purpose_not_held")


def test_an_authority_of_another_tenant_is_unknown(
    client: TestClient, demo: DemoWorld, tokens: dict[str, str]
) -> None:
    headers = {"X-IG-Authority": demo.authority_id}
    foreign = gql(client, ME, token=tokens["ursula"], headers=headers)
    missing = gql(client, ME, token=tokens["ursula"], headers={"X-IG-Authority": "auth-nope"})
    first = refused(foreign, 403, "authority_unknown")
    second = refused(missing, 403, "authority_unknown")
    assert str(first["message"]).replace(demo.authority_id, "<id>") == str(
        second["message"]
    ).replace("auth-nope", "<id>")
