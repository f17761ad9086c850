"""Access-log middleware: spans, request ids and what the log line may and may not hold."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping, Sequence
from typing import Any

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode
from starlette.types import Message, Receive, Scope, Send
from structlog.testing import capture_logs

from intelgraph.obs.access_log import AccessLogMiddleware
from intelgraph.obs.tracing import (
    ATTR_PRINCIPAL,
    ATTR_REQUEST_ID,
    ATTR_TENANT,
    Tracing,
    current_request_id,
    is_valid_request_id,
)

SECRET = "tok-s3cr3t-value"


class Boom(RuntimeError):
    code = "boom_code"


def build_app() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, Any]:
        return {"item": item_id, "request_id": current_request_id()}

    @app.get("/who")
    def who(request: Request) -> dict[str, str]:
        request.state.principal_id = "user-7"
        request.state.tenant = "acme"
        return {"ok": "yes"}

    @app.get("/boom")
    def boom() -> None:
        raise Boom(f"leaked {SECRET}")

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        text = await websocket.receive_text()
        await websocket.send_text(text)
        await websocket.close(code=4001)

    return app


@pytest.fixture
def tracing() -> Tracing:
    return Tracing.create("memory")


@pytest.fixture
def client(tracing: Tracing) -> TestClient:
    return TestClient(
        AccessLogMiddleware(build_app(), tracing=tracing), raise_server_exceptions=False
    )


def spans(tracing: Tracing) -> tuple[ReadableSpan, ...]:
    assert tracing.exporter is not None
    return tracing.exporter.get_finished_spans()


def one_line(logs: Sequence[MutableMapping[str, Any]], event: str) -> MutableMapping[str, Any]:
    (line,) = [entry for entry in logs if entry["event"] == event]
    return line


def test_span_per_request_named_by_route(client: TestClient, tracing: Tracing) -> None:
    response = client.get("/items/41", headers={"X-Request-ID": "req-abc.1_2"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-abc.1_2"
    assert response.json()["request_id"] == "req-abc.1_2"  # the ContextVar, downstream
    assert current_request_id() is None
    (span,) = spans(tracing)
    assert span.name == "GET /items/{item_id}"
    assert span.kind is SpanKind.SERVER
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "url.path": "/items/41",
        "url.scheme": "http",
        ATTR_REQUEST_ID: "req-abc.1_2",
        "http.route": "/items/{item_id}",
        "http.response.status_code": 200,
    }


def test_unrouted_path_names_the_span_by_path(client: TestClient, tracing: Tracing) -> None:
    assert client.get("/nowhere").status_code == 404
    (span,) = spans(tracing)
    assert span.name == "GET /nowhere"
    assert span.status.status_code is StatusCode.UNSET  # a 4xx is not a server error


def test_mounted_route_keeps_the_mount_prefix(tracing: Tracing) -> None:
    outer, inner = FastAPI(), FastAPI()

    @inner.get("/things/{thing_id}")
    def thing(thing_id: str) -> dict[str, str]:
        return {"thing": thing_id}

    outer.mount("/sub", inner)
    assert TestClient(AccessLogMiddleware(outer, tracing=tracing)).get("/sub/things/9").is_success
    (span,) = spans(tracing)
    assert span.name == "GET /sub/things/{thing_id}"


@pytest.mark.parametrize("supplied", ["x" * 200, "has space", "semi;colon", ""])
def test_malformed_request_id_is_replaced(client: TestClient, supplied: str) -> None:
    response = client.get("/items/1", headers={"X-Request-ID": supplied})
    echoed = response.headers["X-Request-ID"]
    assert echoed != supplied
    assert len(echoed) == 32
    assert is_valid_request_id(echoed)


def test_request_id_with_a_newline_is_replaced(tracing: Tracing) -> None:
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": "/raw",
        "headers": [(b"x-request-id", b"abc\nforged: 1")],
    }
    with capture_logs() as logs:
        asyncio.run(AccessLogMiddleware(app, tracing=tracing)(scope, receive, send))
    stamped = dict(sent[0]["headers"])[b"x-request-id"].decode()
    assert stamped != "abc\nforged: 1"
    assert is_valid_request_id(stamped)
    assert one_line(logs, "http_request")["request_id"] == stamped


def test_fresh_request_id_when_none_supplied_or_not_trusted(tracing: Tracing) -> None:
    untrusting = TestClient(
        AccessLogMiddleware(build_app(), tracing=tracing, trust_request_id=False)
    )
    assert (
        untrusting.get("/items/1", headers={"X-Request-ID": "mine"}).headers["X-Request-ID"]
        != "mine"
    )
    first = untrusting.get("/items/1").headers["X-Request-ID"]
    second = untrusting.get("/items/1").headers["X-Request-ID"]
    assert first != second


def test_log_line_fields(client: TestClient) -> None:
    with capture_logs() as logs:
        response = client.get(
            "/items/5", headers={"X-Request-ID": "r-1", "User-Agent": "probe/" + "x" * 300}
        )
    line = one_line(logs, "http_request")
    assert line["log_level"] == "info"
    assert line["method"] == "GET"
    assert line["path"] == "/items/5"
    assert line["status"] == 200
    assert line["request_id"] == "r-1"
    assert line["bytes_out"] == len(response.content)
    assert line["client"] == "testclient"
    assert line["user_agent"] == ("probe/" + "x" * 300)[:200]
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] == round(line["duration_ms"], 3)
    assert "principal" not in line
    assert "tenant" not in line


def test_no_query_string_or_authorization_in_log_or_span(
    client: TestClient, tracing: Tracing
) -> None:
    with capture_logs() as logs:
        client.get(
            f"/items/5?access_token={SECRET}",
            headers={"Authorization": f"Bearer {SECRET}", "Cookie": f"session={SECRET}"},
        )
    line = one_line(logs, "http_request")
    assert line["path"] == "/items/5"
    assert SECRET not in repr(logs)
    assert SECRET not in spans(tracing)[0].to_json()


def test_principal_and_tenant_from_request_state(client: TestClient, tracing: Tracing) -> None:
    with capture_logs() as logs:
        client.get("/who")
    line = one_line(logs, "http_request")
    assert line["principal"] == "user-7"
    assert line["tenant"] == "acme"
    attributes = spans(tracing)[0].attributes or {}
    assert attributes[ATTR_PRINCIPAL] == "user-7"
    assert attributes[ATTR_TENANT] == "acme"


def test_raising_route_is_logged_as_500_and_the_span_errors(
    client: TestClient, tracing: Tracing
) -> None:
    with capture_logs() as logs:
        response = client.get("/boom", headers={"X-Request-ID": "r-boom"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "r-boom"
    line = one_line(logs, "http_request")
    assert line["status"] == 500
    assert line["log_level"] == "error"
    assert line["error"] == f"{__name__}.Boom"
    assert SECRET not in repr(logs)
    (span,) = spans(tracing)
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None
    attributes = span.attributes or {}
    assert attributes["error.type"] == f"{__name__}.Boom"
    assert attributes["error.code"] == "boom_code"
    assert attributes["http.response.status_code"] == 500
    assert SECRET not in span.to_json()


def test_exception_is_re_raised(tracing: Tracing) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise Boom("nope")

    async def receive() -> Message:
        raise AssertionError("not read")

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    scope: Scope = {"type": "http", "method": "POST", "path": "/x", "headers": []}
    with capture_logs() as logs, pytest.raises(Boom):
        asyncio.run(AccessLogMiddleware(app, tracing=tracing)(scope, receive, send))
    assert one_line(logs, "http_request")["status"] == 500
    (span,) = spans(tracing)
    assert span.status.status_code is StatusCode.ERROR


def test_websocket_logs_once_on_close(client: TestClient, tracing: Tracing) -> None:
    with capture_logs() as logs:
        with client.websocket_connect("/ws", headers={"X-Request-ID": "ws-1"}) as socket:
            socket.send_text("hello")
            assert socket.receive_text() == "hello"
        assert [entry for entry in logs if entry["event"] == "websocket"]
    line = one_line(logs, "websocket")
    assert line["path"] == "/ws"
    assert line["request_id"] == "ws-1"
    assert line["close_code"] == 4001
    assert isinstance(line["duration_ms"], float)
    assert not [entry for entry in logs if entry["event"] == "http_request"]
    assert spans(tracing) == ()


def test_lifespan_passes_through_untouched(tracing: Tracing) -> None:
    seen: list[tuple[Scope, Receive, Send]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, receive, send))

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        return None

    scope: Scope = {"type": "lifespan"}
    with capture_logs() as logs:
        asyncio.run(AccessLogMiddleware(app, tracing=tracing)(scope, receive, send))
    assert seen == [(scope, receive, send)]
    assert scope == {"type": "lifespan"}
    assert logs == []


def test_none_exporter_still_logs_and_stamps() -> None:
    client = TestClient(AccessLogMiddleware(build_app(), tracing=Tracing.create()))
    with capture_logs() as logs:
        response = client.get("/items/3", headers={"X-Request-ID": "r-3"})
    assert response.headers["X-Request-ID"] == "r-3"
    assert one_line(logs, "http_request")["status"] == 200
