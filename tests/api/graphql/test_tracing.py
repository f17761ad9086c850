"""Spans per request, per operation and per resolver, tied together by the request id,
which the audit leaves carry too (the request's provenance id)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api import create_app
from intelgraph.auth.users import principal_of
from intelgraph.config import load_settings
from intelgraph.model import Labels, Record, Statement, utcnow
from intelgraph.obs.tracing import ATTR_PRINCIPAL, ATTR_REQUEST_ID, ATTR_TENANT, Tracing
from intelgraph.platform import Platform

PASSWORD = "correct horse battery staple"


@pytest.fixture
def traced(tmp_path: Path) -> Iterator[tuple[Platform, Tracing, TestClient, str]]:
    settings = load_settings(data_dir=tmp_path / "ig", auth_issuer="http://testserver")
    with Platform.open(settings, upgrade=True) as platform:
        row, _ = ensure_admin(
            platform.store, platform.ledger, tenant="default", password=PASSWORD, purposes=["x"]
        )
        principal_of(row, auth_time=int(time.time()))
        tracing = Tracing.create("memory")
        with TestClient(create_app(platform, tracing=tracing)) as client:
            answer = client.post("/auth/login", json={"username": "admin", "password": PASSWORD})
            yield platform, tracing, client, answer.json()["access_token"]


def _write_secret(platform: Platform) -> str:
    """An entity the admin (clearance TOP SECRET, no compartments) may not see."""
    labels = Labels.make(classification=1, compartments=["NOPE"])
    record = Record("src-x", b'{"a": 1}', "test://1", labels=labels)
    platform.store.write(
        [Statement("hidden-1", "Person", "name", "Hidden", "src-x", record.id, labels, utcnow())],
        [record],
    )
    return "hidden-1"


def test_spans_carry_principal_tenant_and_request_id(traced) -> None:  # type: ignore[no-untyped-def]
    _, tracing, client, token = traced
    response = client.post(
        "/graphql",
        json={"query": "query Look { sources { name } me { name } }"},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-trace-1"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "req-trace-1"
    assert tracing.exporter is not None
    spans = tracing.exporter.get_finished_spans()
    operation = [s for s in spans if s.name == "graphql.operation"]
    assert len(operation) == 1, [s.name for s in spans]
    attributes = operation[0].attributes or {}
    assert attributes[ATTR_REQUEST_ID] == "req-trace-1"
    assert attributes[ATTR_TENANT] == "default"
    assert str(attributes[ATTR_PRINCIPAL]).startswith("user:")
    assert attributes["graphql.operation.name"] == "Look"
    resolvers = {s.name for s in spans if s.name.startswith("graphql.resolve")}
    assert "graphql.resolve Query.sources" in resolvers
    assert "graphql.resolve Query.me" in resolvers
    # Argument values never become attributes (they can be passwords or searches).
    for span in spans:
        assert not any(key.startswith("graphql.param") for key in (span.attributes or {}))
    http = [s for s in spans if s.name == "POST /graphql"]
    assert http
    assert (http[0].attributes or {})[ATTR_REQUEST_ID] == "req-trace-1"


def test_failed_operation_span_names_the_error_code(traced) -> None:  # type: ignore[no-untyped-def]
    _, tracing, client, token = traced
    client.post(
        "/graphql",
        json={"query": '{ neighbors(id: "absent") { edges { cursor } } }'},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert tracing.exporter is not None
    operation = [s for s in tracing.exporter.get_finished_spans() if s.name == "graphql.operation"]
    assert (operation[-1].attributes or {})["graphql.error.codes"] == ("not_found",)


def test_audit_leaf_carries_the_request_id(traced) -> None:  # type: ignore[no-untyped-def]
    platform, _, client, token = traced
    hidden = _write_secret(platform)
    response = client.post(
        "/graphql",
        json={"query": "query($id: ID!) { entity(id: $id) { id } }", "variables": {"id": hidden}},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-audit-7"},
    )
    assert response.json() == {"data": {"entity": None}}
    leaves = _audited(platform)
    assert any(leaf.get("request") == "req-audit-7" for leaf in leaves), leaves


def _audited(platform: Platform) -> list[dict[str, object]]:
    from sqlalchemy import text

    with platform.store._read_all() as connection:
        rows = connection.execute(
            text("SELECT body FROM ledger_leaves WHERE kind = 'audited-read' ORDER BY idx")
        ).all()
    found = []
    for (body,) in rows:
        leaf = json.loads(body)
        found.append(leaf.get("fields", leaf))
    return found
