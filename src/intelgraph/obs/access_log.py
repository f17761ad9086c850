"""Access log, request id and server span for every HTTP request and WebSocket.

A pure ASGI middleware: ``BaseHTTPMiddleware`` buffers responses through a task
group, which breaks streaming responses and never sees WebSockets.

What is logged is chosen, not dumped: method, path, status, timing, sizes, the client
address, a truncated user agent and the principal/tenant the auth layer stored. Headers,
bodies and query strings are never logged (they carry tokens and personal data).

Wrap the whole application (``AccessLogMiddleware(app, ...)``) rather than adding it
inside: outside Starlette's ``ServerErrorMiddleware`` it also stamps the request id on
the 500 response that middleware sends.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import structlog
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intelgraph.obs.logging import get_logger
from intelgraph.obs.tracing import (
    ATTR_ERROR_TYPE,
    ATTR_PRINCIPAL,
    ATTR_REQUEST_ID,
    ATTR_TENANT,
    Tracing,
    error_type,
    is_valid_request_id,
    mark_error,
    new_request_id,
    using_request_id,
)

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = REQUEST_ID_HEADER.lower().encode("ascii")
USER_AGENT_MAX = 200


class AccessLogMiddleware:
    """One log line and one SERVER span per HTTP request; one log line per WebSocket.

    ``trust_request_id=False`` ignores a caller's ``X-Request-ID`` (for deployments
    with no proxy in front that assigns one), always minting a fresh id.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        tracing: Tracing,
        logger: Any | None = None,
        trust_request_id: bool = True,
    ) -> None:
        self.app = app
        self.tracer = tracing.tracer("intelgraph.http")
        self.logger = logger if logger is not None else get_logger("intelgraph.access")
        self.trust_request_id = trust_request_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _request_id(self, scope: Scope) -> str:
        if self.trust_request_id:
            supplied = _header(scope, _HEADER_KEY)
            if supplied is not None and is_valid_request_id(supplied):
                return supplied
        return new_request_id()

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = self._request_id(scope)
        stamp = request_id.encode("ascii")
        method: str = scope["method"]
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        # Shared up front so a downstream shallow copy of the scope still writes
        # request.state into the dict this middleware reads afterwards.
        scope.setdefault("state", {})
        status: int | None = None
        bytes_out = 0

        async def send_stamped(message: Message) -> None:
            nonlocal status, bytes_out
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": _stamped(message.get("headers", ()), stamp)}
            elif message["type"] == "http.response.body":
                bytes_out += len(message.get("body", b""))
            await send(message)

        attributes = {
            "http.request.method": method,
            "url.path": path,
            "url.scheme": scope.get("scheme", "http"),
            ATTR_REQUEST_ID: request_id,
        }
        failure: Exception | None = None
        with (
            self.tracer.start_as_current_span(
                f"{method} {path}",
                kind=SpanKind.SERVER,
                attributes=attributes,
                record_exception=False,
                set_status_on_exception=False,
            ) as span,
            using_request_id(request_id),
            structlog.contextvars.bound_contextvars(request_id=request_id),
        ):
            try:
                await self.app(scope, receive, send_stamped)
            except Exception as exc:
                failure = exc
                mark_error(span, exc)
                raise
            finally:
                # An app that fails, or returns without answering, leaves the server to
                # send a 500; log what the client will see.
                final = 500 if failure is not None or status is None else status
                who = _identity(scope)
                _finish_span(span, scope, method, root_path, final, who, failure is not None)
                fields: dict[str, Any] = {
                    "method": method,
                    "path": path,
                    "status": final,
                    "duration_ms": _elapsed_ms(started),
                    "request_id": request_id,
                    "bytes_out": bytes_out,
                    "client": _client(scope),
                    "user_agent": _user_agent(scope),
                    **who,
                }
                if failure is not None:
                    fields["error"] = error_type(failure)
                log = self.logger.error if final >= 500 else self.logger.info
                log("http_request", **fields)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = self._request_id(scope)
        stamp = request_id.encode("ascii")
        scope.setdefault("state", {})
        close_code: int | None = None

        async def receive_watched() -> Message:
            nonlocal close_code
            message = await receive()
            if message["type"] == "websocket.disconnect" and close_code is None:
                close_code = int(message.get("code", 1005))
            return message

        async def send_watched(message: Message) -> None:
            nonlocal close_code
            if message["type"] == "websocket.accept":
                message = {**message, "headers": _stamped(message.get("headers", ()), stamp)}
            elif message["type"] == "websocket.close" and close_code is None:
                close_code = int(message.get("code", 1000))
            await send(message)

        failure: Exception | None = None
        with (
            using_request_id(request_id),
            structlog.contextvars.bound_contextvars(request_id=request_id),
        ):
            try:
                await self.app(scope, receive_watched, send_watched)
            except Exception as exc:
                failure = exc
                raise
            finally:
                fields: dict[str, Any] = {
                    "path": scope["path"],
                    "duration_ms": _elapsed_ms(started),
                    "request_id": request_id,
                    "close_code": close_code,
                    "client": _client(scope),
                    **_identity(scope),
                }
                if failure is not None:
                    fields["error"] = error_type(failure)
                    self.logger.error("websocket", **fields)
                else:
                    self.logger.info("websocket", **fields)


def _finish_span(
    span: Span,
    scope: Scope,
    method: str,
    root_path: str,
    status: int,
    who: Mapping[str, str],
    raised: bool,
) -> None:
    if not span.is_recording():
        return
    route = _route(scope, root_path)
    if route is not None:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if "tenant" in who:
        span.set_attribute(ATTR_TENANT, who["tenant"])
    if "principal" in who:
        span.set_attribute(ATTR_PRINCIPAL, who["principal"])
    if status >= 500 and not raised:  # mark_error already did; 4xx are the client's
        span.set_attribute(ATTR_ERROR_TYPE, str(status))
        span.set_status(Status(StatusCode.ERROR))


def _route(scope: Scope, root_path: str) -> str | None:
    """The matched route's template (``/items/{item_id}``), prefixed by any mounts, so
    span names do not multiply with every id in a path."""
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        return None
    mounted: str = scope.get("root_path", "")
    prefix = mounted[len(root_path) :] if mounted.startswith(root_path) else ""
    return prefix + template


def _identity(scope: Scope) -> dict[str, str]:
    """``principal``/``tenant`` as stored by the auth layer in ``request.state``."""
    state = scope.get("state")
    if not isinstance(state, Mapping):
        return {}
    out: dict[str, str] = {}
    for key, field in (("principal_id", "principal"), ("tenant", "tenant")):
        value = state.get(key)
        if value is not None:
            out[field] = str(value)
    return out


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _stamped(
    headers: Iterable[tuple[bytes, bytes]], request_id: bytes
) -> list[tuple[bytes, bytes]]:
    kept = [(key, value) for key, value in headers if key.lower() != _HEADER_KEY]
    kept.append((_HEADER_KEY, request_id))
    return kept


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def _user_agent(scope: Scope) -> str | None:
    agent = _header(scope, b"user-agent")
    return agent[:USER_AGENT_MAX] if agent is not None else None


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


__all__ = ["REQUEST_ID_HEADER", "AccessLogMiddleware"]
