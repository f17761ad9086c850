"""Mutations through HTTP: sessions, claims and retractions, judgements, authorities,
exports and uploads, each decided by policy and logged."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from intelgraph.api import create_app
from intelgraph.api.graphql.service import GraphQLService
from intelgraph.export.verify import verify_bundle
from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    ACCOUNT0,
    COMPANY0,
    PASSWORD,
    PERSON0,
    DemoWorld,
    build_world,
    codes_of,
    data_of,
    demo_id,
    gql,
    make_client,
    only_code,
)

ASSERT = """
mutation($e: ID!, $p: String!, $v: String!, $j: String!, $b: String) {
  assertStatement(input: {entityId: $e, property: $p, value: $v, justification: $j,
                          evidenceBase64: $b, evidenceName: "note.txt"}) {
    statementId recordId evidenceId new statement { value source { name } }
  }
}"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> DemoWorld:
    return build_world(tmp_path_factory.mktemp("graphql-mutations") / "ig")


@pytest.fixture(scope="module")
def platform(world: DemoWorld) -> Iterator[Platform]:
    with world.open() as opened:
        yield opened


@pytest.fixture(scope="module")
def client(platform: Platform) -> Iterator[TestClient]:
    """The app as the server builds it (with its job registry)."""
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def _leaves(platform: Platform, kind: str) -> list[dict[str, Any]]:
    with platform.store._read_all() as connection:
        rows = connection.execute(
            text("SELECT body FROM ledger_leaves WHERE kind = :kind ORDER BY idx"), {"kind": kind}
        ).all()
    return [json.loads(body) for (body,) in rows]


def test_login_refresh_logout(client: TestClient) -> None:
    login = gql(
        client,
        f'mutation {{ login(username: "analyst", password: "{PASSWORD}") '
        "{ accessToken refreshToken tokenType expiresIn } }",
        token=None,
    )
    pair = data_of(login)["login"]
    assert pair["tokenType"] == "Bearer"
    assert pair["expiresIn"] > 0
    me = gql(client, "{ me { name } }", token=pair["accessToken"])
    assert data_of(me)["me"]["name"] == "analyst"
    refreshed = gql(
        client,
        "mutation($r: String!) { refresh(refreshToken: $r) { accessToken refreshToken } }",
        {"r": pair["refreshToken"]},
        token=None,
    )
    new = data_of(refreshed)["refresh"]
    assert data_of(gql(client, "{ me { name } }", token=new["accessToken"]))["me"]
    # A refresh token is single use: spending it again is refused and ends the session,
    # so the pair it was exchanged for stops working too.
    again = gql(
        client,
        "mutation($r: String!) { refresh(refreshToken: $r) { accessToken } }",
        {"r": pair["refreshToken"]},
        token=None,
    )
    assert codes_of(again)
    assert codes_of(again)[0].startswith(("refresh_", "token_"))
    assert gql(client, "{ me { name } }", token=new["accessToken"]).status_code == 401
    # Logout ends a session at once.
    fresh = data_of(
        gql(
            client,
            f'mutation {{ login(username: "analyst", password: "{PASSWORD}") {{ accessToken }} }}',
            token=None,
        )
    )["login"]["accessToken"]
    assert data_of(gql(client, "mutation { logout }", token=fresh))["logout"] is True
    assert gql(client, "{ me { name } }", token=fresh).status_code == 401


def test_only_login_and_refresh_run_without_a_token(client: TestClient) -> None:
    mixed = gql(
        client,
        'mutation { login(username: "analyst", password: "x") { accessToken } logout }',
        token=None,
    )
    assert mixed.status_code == 401
    assert gql(client, "{ me { name } }", token=None).status_code == 401


def test_wrong_password_is_throttled(client: TestClient) -> None:
    codes = [
        only_code(
            gql(
                client,
                'mutation { login(username: "analyst2", password: "wrong") { accessToken } }',
                token=None,
            )
        )
        for _ in range(6)
    ]
    assert codes[:5] == ["credentials_invalid"] * 5
    assert codes[5] == "rate_limited"


def test_claim_is_stored_logged_and_retracted(
    client: TestClient, platform: Platform, world: DemoWorld
) -> None:
    token = world.tokens["analyst"]
    evidence = base64.b64encode(b"seen at the port on 3 May").decode()
    made = data_of(
        gql(
            client,
            ASSERT,
            {
                "e": COMPANY0,
                "p": "notes",
                "v": "uses a shell in Road Town",
                "j": "port log",
                "b": evidence,
            },
            token=token,
        )
    )["assertStatement"]
    assert made["new"] is True
    assert made["evidenceId"]
    assert made["statement"] == {
        "value": "uses a shell in Road Town",
        "source": {"name": "analyst:analyst"},
    }
    provenance = data_of(
        gql(
            client,
            "query($id: ID!) { entity(id: $id) { properties { name values } } }",
            {"id": COMPANY0},
            token=token,
        )
    )["entity"]["properties"]
    notes = [v for p in provenance if p["name"] == "notes" for v in p["values"]]
    assert "uses a shell in Road Town" in notes
    assert any(leaf["author"] == "analyst" for leaf in _leaves(platform, "claim"))

    # Another analyst may not retract it; its author may.
    other = gql(
        client,
        'mutation($s: ID!) { retractStatement(statementId: $s, reason: "no") { author } }',
        {"s": made["statementId"]},
        token=world.tokens["analyst2"],
    )
    assert only_code(other) == "forbidden"
    retracted = data_of(
        gql(
            client,
            'mutation($s: ID!) { retractStatement(statementId: $s, reason: "wrong port") '
            "{ statementId author reason } }",
            {"s": made["statementId"]},
            token=token,
        )
    )["retractStatement"]
    assert retracted == {
        "statementId": made["statementId"],
        "author": "analyst",
        "reason": "wrong port",
    }
    after = data_of(
        gql(
            client,
            "query($id: ID!) { entity(id: $id) { properties { name values } } "
            "statements(entityId: $id, first: 500) { edges { node { id } } } }",
            {"id": COMPANY0},
            token=token,
        )
    )
    ids = {edge["node"]["id"] for edge in after["statements"]["edges"]}
    assert made["statementId"] not in ids
    notes = [p["values"] for p in after["entity"]["properties"] if p["name"] == "notes"]
    assert all("uses a shell in Road Town" not in values for values in notes)
    assert any(leaf["statement"] == made["statementId"] for leaf in _leaves(platform, "retraction"))
    twice = gql(
        client,
        'mutation($s: ID!) { retractStatement(statementId: $s, reason: "again") { author } }',
        {"s": made["statementId"]},
        token=token,
    )
    assert only_code(twice) == "conflict"


def test_claim_about_a_hidden_entity_is_not_found(client: TestClient, world: DemoWorld) -> None:
    hidden = gql(
        client,
        ASSERT,
        {"e": ACCOUNT0, "p": "notes", "v": "x", "j": "y", "b": None},
        token=world.tokens["low"],
    )
    assert only_code(hidden) == "not_found"


def test_bad_evidence_is_refused(client: TestClient, world: DemoWorld) -> None:
    bad = gql(
        client,
        ASSERT,
        {"e": COMPANY0, "p": "notes", "v": "x", "j": "y", "b": "not base64!!"},
        token=world.tokens["analyst"],
    )
    assert only_code(bad) == "invalid_input"


def test_claim_with_an_uploaded_evidence_file(client: TestClient, world: DemoWorld) -> None:
    operations = {
        "query": "mutation($e: ID!, $f: Upload!) { assertStatement(input: {entityId: $e, "
        'property: "notes", value: "uploaded evidence", justification: "scan", evidence: $f}) '
        "{ evidenceId new } }",
        "variables": {"e": COMPANY0, "f": None},
    }
    response = client.post(
        "/graphql",
        files={
            "operations": (None, json.dumps(operations)),
            "map": (None, json.dumps({"0": ["variables.f"]})),
            "0": ("scan.pdf", b"%PDF-1.4 evidence", "application/pdf"),
        },
        headers={"Authorization": f"Bearer {world.tokens['analyst']}"},
    )
    made = data_of(response)["assertStatement"]
    assert made["evidenceId"]
    assert made["new"] is True


def test_uploads_need_a_token(client: TestClient) -> None:
    response = client.post(
        "/graphql",
        files={
            "operations": (None, json.dumps({"query": "mutation { logout }"})),
            "map": (None, "{}"),
        },
    )
    assert response.status_code == 401


def test_judge_records_a_decision(client: TestClient, platform: Platform, world: DemoWorld) -> None:
    made = data_of(
        gql(
            client,
            "mutation($a: ID!, $b: ID!) { judge(a: $a, b: $b, decision: NOT_SAME, "
            'reason: "different registries") { id decision author } }',
            {"a": COMPANY0, "b": PERSON0},
            token=world.tokens["analyst"],
        )
    )["judge"]
    assert made["decision"] == "not-same"
    assert made["author"] == "analyst"
    assert any(leaf["id"] == made["id"] for leaf in _leaves(platform, "judgement"))
    hidden = gql(
        client,
        'mutation($a: ID!, $b: ID!) { judge(a: $a, b: $b, decision: SAME, reason: "x") { id } }',
        {"a": COMPANY0, "b": ACCOUNT0},
        token=world.tokens["low"],
    )
    assert only_code(hidden) == "not_found"


def test_authorities_are_admin_only(client: TestClient, world: DemoWorld) -> None:
    create = (
        'mutation { createAuthority(input: {kind: "warrant", issuer: "Court", reference: "B-7", '
        f'purposes: ["investigation"], entityIds: ["{PERSON0}"], days: 2}}) '
        "{ id kind revoked } }"
    )
    refused = gql(client, create, token=world.tokens["analyst"])
    assert only_code(refused) == "forbidden"
    made = data_of(gql(client, create, token=world.tokens["admin"]))["createAuthority"]
    assert made["kind"] == "warrant"
    assert made["revoked"] is False
    listed = data_of(gql(client, "{ authorities { id } }", token=world.tokens["admin"]))
    assert made["id"] in {a["id"] for a in listed["authorities"]}
    revoked = data_of(
        gql(
            client,
            "mutation($id: ID!) { revokeAuthority(id: $id) { revoked } }",
            {"id": made["id"]},
            token=world.tokens["admin"],
        )
    )
    assert revoked["revokeAuthority"]["revoked"] is True


def _wait_job(client: TestClient, token: str, job_id: str) -> dict[str, Any]:
    query = (
        "subscription($id: ID!) { exportProgress(id: $id) { id status progress download "
        "entities error { code message } } }"
    )
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": {"id": job_id}},
            }
        )
        last: dict[str, Any] = {}
        while True:
            message = ws.receive_json()
            if message["type"] == "complete":
                return last
            assert message["type"] == "next", message
            last = message["payload"]["data"]["exportProgress"]


def _export(client: TestClient, token: str, ids: list[str]) -> dict[str, Any]:
    started = data_of(
        gql(
            client,
            'mutation($ids: [ID!]!) { requestExport(selection: {kind: "entities", ids: $ids}, '
            'format: "jsonl") { id status } }',
            {"ids": ids},
            token=token,
        )
    )["requestExport"]
    assert started["status"] in {"queued", "running", "succeeded"}
    return _wait_job(client, token, started["id"])


def test_export_job_downloads_a_bundle_that_verifies(client: TestClient, world: DemoWorld) -> None:
    token = world.tokens["analyst"]
    address = demo_id("Address", "address-0")  # from the open company registries only
    finished = _export(client, token, [address])
    assert finished["status"] == "succeeded", finished["error"]
    assert finished["download"] == f"/exports/{finished['id']}"
    bundle = client.get(finished["download"], headers={"Authorization": f"Bearer {token}"})
    assert bundle.status_code == 200
    assert zipfile.is_zipfile(io.BytesIO(bundle.content))
    report = verify_bundle(bundle.content)
    assert report.statements >= 1
    assert report.data_format == "jsonl"
    # Someone else cannot download it.
    foreign = client.get(
        finished["download"], headers={"Authorization": f"Bearer {world.tokens['analyst2']}"}
    )
    assert foreign.status_code == 404


def test_export_of_restricted_data_fails_with_the_policy(
    client: TestClient, world: DemoWorld
) -> None:
    """The company's data includes a Restricted-TOS leak: no authority, no export."""
    finished = _export(client, world.tokens["analyst"], [COMPANY0])
    assert finished["status"] == "failed"
    assert finished["error"]["code"] == "export_refused"
    assert "restricted-export" in finished["error"]["message"]
    assert finished["download"] is None


def test_upload_ingest_runs_and_its_entities_appear(client: TestClient, world: DemoWorld) -> None:
    token = world.tokens["admin"]
    mapping = """
source:
  name: uploaded-people
queries:
  - entities:
      person:
        schema: Person
        keys: [name]
        properties:
          name: {column: name}
          nationality: {column: country}
"""
    operations = {
        "query": "mutation($f: Upload!, $m: String) { uploadIngest(file: $f, mapping: $m) "
        "{ id status } }",
        "variables": {"f": None, "m": mapping},
    }
    response = client.post(
        "/graphql",
        files={
            "operations": (None, json.dumps(operations)),
            "map": (None, json.dumps({"0": ["variables.f"]})),
            "0": ("people.csv", b"name,country\nZebulon Quaxley,de\n", "text/csv"),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    job = data_of(response)["uploadIngest"]
    assert job["status"] in {"queued", "running", "succeeded"}
    deadline = time.monotonic() + 60
    found: list[Any] = []
    while time.monotonic() < deadline and not found:
        hits = data_of(
            gql(client, '{ search(query: "Quaxley") { edges { node { caption } } } }', token=token)
        )
        found = hits["search"]["edges"]
        if not found:
            time.sleep(0.2)
    assert found
    assert found[0]["node"]["caption"] == "Zebulon Quaxley"
    runs = data_of(
        gql(client, "{ ingestRuns(first: 5) { edges { node { connector status } } } }", token=token)
    )
    assert any(e["node"]["status"] == "completed" for e in runs["ingestRuns"]["edges"])


def test_service_without_jobs_explains_itself(platform: Platform, world: DemoWorld) -> None:
    service = GraphQLService.from_platform(platform)
    with make_client(platform, service) as plain:
        refused = gql(
            plain,
            'mutation($ids: [ID!]!) { requestExport(selection: {kind: "entities", ids: $ids}) '
            "{ id } }",
            {"ids": [COMPANY0]},
            token=world.tokens["analyst"],
        )
    assert codes_of(refused) == ["invalid_input"]
