"""HTTP push ingest through a real uvicorn server on 127.0.0.1, on both store backends."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from intelgraph.api import create_app
from intelgraph.api.ingest_push import PushBatch, PushIngest
from intelgraph.config import load_settings
from intelgraph.errors import StoreError
from intelgraph.ingest import stix_entity_id
from intelgraph.model import Labels, Source, ViewerScope
from intelgraph.platform import Platform
from intelgraph.store import Store

SCOPE = ViewerScope.make()
NDJSON = "application/x-ndjson"
PATIENCE = 60.0  # seconds a bounded wait gives up after (never asserted on)


def person(entity_id: str, name: str) -> dict[str, Any]:
    return {"id": entity_id, "schema": "Person", "properties": {"name": [name]}}


def ndjson(*items: Any) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


class Hold:
    """A ``before_commit`` hook that keeps the worker waiting until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()

    def __call__(self, _batch: PushBatch) -> None:
        self.entered.set()
        if not self.released.wait(PATIENCE):
            raise StoreError("the test never released the worker")


@dataclass
class Server:
    url: str
    service: PushIngest
    server: uvicorn.Server
    thread: threading.Thread
    tokens: dict[str, str] = field(default_factory=dict)

    def push(
        self,
        source: str,
        body: bytes,
        *,
        token: str | None = None,
        content_type: str = "application/json",
        wait: bool = False,
        source_token: str | None = None,
    ) -> httpx.Response:
        secret = token if token is not None else self.tokens[source_token or source]
        headers = {"Content-Type": content_type}
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        params = {"wait": "true"} if wait else {}
        return httpx.post(
            f"{self.url}/ingest/{source}",
            content=body,
            headers=headers,
            params=params,
            timeout=PATIENCE,
        )

    def status(self, source: str, batch: str, *, token: str | None = None) -> httpx.Response:
        secret = token or self.tokens[source]
        return httpx.get(
            f"{self.url}/ingest/{source}/batches/{batch}",
            headers={"Authorization": f"Bearer {secret}"},
            timeout=PATIENCE,
        )

    def settled(self, source: str, batch: str) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def done() -> bool:
            found.update(self.status(source, batch).json())
            return bool(found["status"] != "queued")

        until(done, f"batch {batch} to be committed")
        return found

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(PATIENCE)
        assert not self.thread.is_alive(), "the server did not stop"


@pytest.fixture
def serve(store: Store, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start a real server over ``store`` with push sources ``feed`` and ``other``."""
    started: list[Server] = []
    tokens: dict[str, str] = {}
    for name in ("feed", "other"):
        source = Source(name, labels=Labels.make())
        store.put_source(source)
        tokens[name] = store.ingest.create_push_token(source.id)[1]

    def start(**options: Any) -> Server:
        settings = load_settings(data_dir=tmp_path / "data", database_url=store.url)
        platform = Platform.around(settings, store)
        service = PushIngest.from_platform(platform, **options)
        app = create_app(platform, push_ingest=service)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        until(lambda: server.started or not thread.is_alive(), "the server to start")
        assert server.started, "the server did not start"
        running = Server(f"http://127.0.0.1:{port}", service, server, thread, dict(tokens))
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()


def test_tokens_are_checked(serve: Callable[..., Server], store: Store, capfd: Any) -> None:
    server = serve()
    body = json.dumps(person("p1", "Ann")).encode()

    missing = server.push("feed", body, token="")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.json()["code"] == "unauthenticated"
    assert "hint" in missing.json()

    wrong_scheme = httpx.post(
        f"{server.url}/ingest/feed",
        content=body,
        headers={"Authorization": "Basic dXNlcjpwYXNz", "Content-Type": "application/json"},
    )
    assert wrong_scheme.status_code == 401

    unknown = server.push("feed", body, token="igp_0000_not-a-token")
    assert unknown.status_code == 401
    assert unknown.headers["WWW-Authenticate"].startswith("Bearer")
    assert unknown.json()["code"] == "invalid_token"

    other_source = server.push("feed", body, source_token="other")
    assert other_source.status_code == 403
    assert other_source.json()["code"] == "forbidden"
    assert server.push("no-such-source", body, source_token="feed").status_code == 403

    token_id, secret = store.ingest.create_push_token(Source("feed").id)
    assert server.push("feed", body, token=secret, wait=True).status_code == 200
    store.ingest.revoke_push_token(token_id)
    revoked = server.push("feed", body, token=secret)
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "invalid_token"

    assert store.counts(SCOPE).entities == 1  # only the one authorised push
    server.stop()
    captured = capfd.readouterr()
    for token in (secret, *server.tokens.values()):
        assert token not in captured.out + captured.err


def test_bodies_are_checked_before_anything_is_queued(
    serve: Callable[..., Server], store: Store
) -> None:
    server = serve(max_body_mb=1 / 1024, max_records=3)  # 1 KiB, 3 records

    csv = server.push("feed", b"id,name\n1,Ann\n", content_type="text/csv")
    assert csv.status_code == 415
    assert csv.json()["code"] == "unsupported_media_type"
    assert "application/x-ndjson" in csv.json()["hint"]

    large = server.push("feed", json.dumps([person("p1", "A" * 2000)]).encode())
    assert large.status_code == 413
    assert large.json()["code"] == "body_too_large"
    assert "hint" in large.json()

    four = [person(f"p{i}", "Ann") for i in range(4)]
    too_many = server.push("feed", json.dumps(four).encode())
    assert too_many.status_code == 413
    assert too_many.json()["code"] == "too_many_records"
    assert server.push("feed", ndjson(*four), content_type=NDJSON).status_code == 413

    broken = server.push("feed", b'[{"id": "p1", "schema": "Person"')
    assert broken.status_code == 400
    assert broken.json()["code"] == "invalid_json"
    assert server.push("feed", b"42").status_code == 400
    assert server.push("feed", b"[]").json()["code"] == "empty_batch"

    for response in (csv, large, too_many, broken):
        assert set(response.json()) >= {"code", "message", "hint"}
        assert "Traceback" not in response.text
    assert store.ingest.runs(SCOPE) == []  # nothing was ever queued
    assert store.counts(SCOPE).statements == 0


def test_json_and_ndjson_batches_load_and_bad_lines_are_dead_lettered(
    serve: Callable[..., Server], store: Store
) -> None:
    server = serve()
    malware_id = "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc"
    malware = {
        "type": "malware",
        "spec_version": "2.1",
        "id": malware_id,
        "name": "Pushware",
        "is_family": True,
    }
    listed = server.push("feed", json.dumps([person("p1", "Ann"), malware]).encode())
    assert listed.status_code == 202
    accepted = listed.json()
    assert accepted["accepted"] == 2
    assert set(accepted) == {"accepted", "batch", "run_id", "queued"}

    lines = ndjson(person("p2", "Bob"), person("p3", "Cy")) + b"{not json\n" + ndjson([1, 2])
    streamed = server.push("feed", lines, content_type=NDJSON)
    assert streamed.status_code == 202
    assert streamed.json()["accepted"] == 4
    assert streamed.json()["run_id"] == accepted["run_id"]  # one run per source

    assert server.settled("feed", accepted["batch"])["loaded"] == 2
    outcome = server.settled("feed", streamed.json()["batch"])
    assert outcome["status"] == "committed"
    assert (outcome["records"], outcome["loaded"], outcome["dead"]) == (4, 2, 2)

    assert store.entity(SCOPE, "p1").first("name") == "Ann"
    assert store.entity(SCOPE, "p3").first("name") == "Cy"
    assert store.entity(SCOPE, stix_entity_id(malware_id)).schema == "Malware"
    assert store.counts(SCOPE).entities == 4
    letters = store.ingest.dead_letters(SCOPE)
    assert sorted(letter.content for letter in letters) == [b"[1, 2]", b"{not json"]
    bad = next(letter for letter in letters if letter.content == b"{not json")
    assert "not valid JSON" in bad.reason
    assert bad.run_id == accepted["run_id"]
    assert "line 3" in bad.location


def test_wait_returns_the_outcome_and_a_repeated_batch_writes_nothing_new(
    serve: Callable[..., Server], store: Store
) -> None:
    server = serve()
    body = json.dumps([person("p1", "Ann"), person("p2", "Bob")]).encode()
    first = server.push("feed", body, wait=True)
    assert first.status_code == 200
    result = first.json()
    assert result["status"] == "committed"
    assert (result["records"], result["loaded"], result["dead"]) == (2, 2, 0)
    assert result["statements_written"] == 2
    assert server.status("feed", result["batch"]).json()["status"] == "committed"

    again = server.push("feed", body, wait=True).json()
    assert again["loaded"] == 2
    assert again["statements_written"] == 0
    assert again["batch"] != result["batch"]
    assert store.counts(SCOPE).statements == 2


def test_batch_status_is_only_shown_to_its_source(serve: Callable[..., Server]) -> None:
    server = serve()
    batch = server.push("feed", json.dumps(person("p1", "Ann")).encode()).json()["batch"]
    assert server.settled("feed", batch)["status"] == "committed"
    hidden = server.status("other", batch)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "not_found"
    assert server.status("feed", batch, token=server.tokens["other"]).status_code == 403
    assert server.status("feed", "no-such-batch").status_code == 404


def test_a_full_queue_answers_429_and_loses_nothing_accepted(
    serve: Callable[..., Server], store: Store
) -> None:
    hold = Hold()
    server = serve(queue_batches=1, before_commit=hold)
    first = server.push("feed", json.dumps(person("p1", "Ann")).encode())
    assert first.status_code == 202
    assert hold.entered.wait(PATIENCE), "the worker never took the first batch"
    second = server.push("feed", json.dumps(person("p2", "Bob")).encode())
    assert second.status_code == 202
    assert second.json()["queued"] == 1

    refused = server.push("feed", json.dumps(person("p3", "Cy")).encode())
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    error = refused.json()
    assert error["code"] == "ingest_queue_full"
    assert set(error) >= {"code", "message", "hint"}
    assert server.status("feed", first.json()["batch"]).json()["status"] == "queued"

    hold.released.set()
    for response in (first, second):
        assert server.settled("feed", response.json()["batch"])["status"] == "committed"
    assert store.entity(SCOPE, "p1").first("name") == "Ann"
    assert store.entity(SCOPE, "p2").first("name") == "Bob"
    assert "p3" not in store.entities(SCOPE, ["p3"])
    retried = server.push("feed", json.dumps(person("p3", "Cy")).encode(), wait=True)
    assert retried.status_code == 200


def test_a_failed_commit_is_reported_and_the_worker_keeps_going(
    serve: Callable[..., Server], store: Store
) -> None:
    failing: set[int] = {1}

    def fail_first(batch: PushBatch) -> None:
        if batch.sequence in failing:
            raise StoreError("the write failed and was rolled back", hint="retry")

    server = serve(before_commit=fail_first)
    failed = server.push("feed", json.dumps(person("p1", "Ann")).encode(), wait=True)
    assert failed.status_code == 503
    assert failed.json()["code"] == "store_error"
    status = server.status("feed", failed.json()["details"]["batch"]).json()
    assert status["status"] == "failed"
    assert status["error"]["code"] == "store_error"

    ok = server.push("feed", json.dumps(person("p2", "Bob")).encode(), wait=True)
    assert ok.status_code == 200
    assert ok.json()["loaded"] == 1
    assert store.entities(SCOPE, ["p1", "p2"]).keys() == {"p2"}


def test_shutdown_drains_the_queue_and_finishes_the_run(
    serve: Callable[..., Server], store: Store
) -> None:
    hold = Hold()
    server = serve(queue_batches=4, before_commit=hold)
    batches = []
    for index in range(3):
        items = [person(f"b{index}-{n}", f"Name {index} {n}") for n in range(5)]
        response = server.push("feed", ndjson(*items), content_type=NDJSON)
        assert response.status_code == 202
        batches.append(response.json())
        if index == 0:
            assert hold.entered.wait(PATIENCE)
    assert server.service.queue_depth == 2

    server.server.should_exit = True
    until(lambda: not server.service.accepting, "the shutdown to begin")
    hold.released.set()  # only now can the worker commit: the shutdown must drain
    server.thread.join(PATIENCE)
    assert not server.thread.is_alive()

    assert store.counts(SCOPE).entities == 15
    (run,) = store.ingest.runs(SCOPE)
    assert run.id == batches[0]["run_id"]
    assert run.status == "completed"
    assert run.connector == "push"
    assert run.inputs == ("push://default/feed",)
    assert run.stats["records_read"] == 15
    assert run.finished_at is not None
