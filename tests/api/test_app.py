"""Health endpoints, error shape and the web root; once through a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from intelgraph.api import create_app
from intelgraph.config import load_settings
from intelgraph.platform import Platform


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with Platform.open(load_settings(data_dir=tmp_path), upgrade=True) as opened:
        yield opened


def test_health_and_readiness(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"store": "ok", "ledger": "ok", "graph": "ok"}


def test_not_ready_when_the_schema_is_behind(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    with platform.store._writer_engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM alembic_version")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["store"] == "schema_outdated"


def test_not_ready_when_the_newest_checkpoint_does_not_verify(platform: Platform) -> None:
    platform.ledger.checkpoint()
    with platform.store._writer_engine.begin() as connection:
        # The ledger tables are append-only (triggers); a forged signature is planted by
        # dropping the guard, as an attacker with database access would.
        note = connection.exec_driver_sql("SELECT note FROM ledger_checkpoints").scalar_one()
        forged = note[:-8] + ("A" * 8 if not note.endswith("A" * 8) else "B" * 8)
        triggers = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'ledger_checkpoints'"
            )
        ]
        for name in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        connection.exec_driver_sql("UPDATE ledger_checkpoints SET note = ?", (forged,))
    ready = TestClient(create_app(platform)).get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["ledger"] == "checkpoint_unverified"


def test_readiness_checks_nats_only_when_configured(tmp_path: Path, nats_url: str) -> None:
    with Platform.open(
        load_settings(data_dir=tmp_path / "a", nats_url=nats_url), upgrade=True
    ) as opened:
        checks = TestClient(create_app(opened)).get("/readyz").json()["checks"]
    assert checks["nats"] == "ok"
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with Platform.open(
        load_settings(data_dir=tmp_path / "b", nats_url=f"nats://127.0.0.1:{port}"), upgrade=True
    ) as opened:
        ready = TestClient(create_app(opened)).get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["nats"] == "unreachable"


def test_web_root_and_error_shape(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    page = client.get("/")
    assert page.status_code == 200
    assert "<title>IntelGraph</title>" in page.text
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    body = missing.json()
    assert set(body) >= {"code", "message"}
    assert body["code"] == "not_found"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_a_real_http_server(tmp_path: Path) -> None:
    env = {**os.environ, "IG_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([sys.executable, "-m", "intelgraph", "init"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "intelgraph", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_metrics_count_ingest_runs(platform: Platform, tmp_path: Path) -> None:
    from intelgraph.ingest import AutoMapper, IngestPipeline
    from intelgraph.ingest.connectors.files import FileInput
    from intelgraph.model import Source

    path = tmp_path / "people.jsonl"
    path.write_text(
        '{"id": "m1", "schema": "Person", "properties": {"name": ["Metric"]}}\n{broken\n',
        encoding="utf-8",
    )
    pipeline = IngestPipeline(
        platform.store, Source(name="metrics-test"), AutoMapper(platform.ontology), connector="file"
    )
    pipeline.run([FileInput(path, "jsonl")])
    client = TestClient(create_app(platform))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert 'intelgraph_ingest_runs_total{source="metrics-test",status="completed"} 1.0' in body
    assert 'intelgraph_ingest_records_total{outcome="loaded",source="metrics-test"} 1.0' in body
    assert 'intelgraph_ingest_records_total{outcome="dlq",source="metrics-test"} 1.0' in body
    assert 'intelgraph_ingest_statements_written_total{source="metrics-test"} 1.0' in body
