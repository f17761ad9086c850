"""OpenTelemetry tracing owned by the application, plus the request identity.

The ``TracerProvider`` is held by a :class:`Tracing` object and tracers are passed to
whoever needs them; the process-wide OpenTelemetry provider is never set, so tests and
embedding programs can run several applications side by side without crosstalk.

Spans never carry exception messages or request data beyond the attributes named here:
messages can quote user input, and traces travel to places audit logs do not.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal, TextIO

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased
from opentelemetry.trace import Span, Status, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

from intelgraph import __version__

Exporter = Literal["none", "console", "memory"]

ATTR_TENANT = "intelgraph.tenant"
ATTR_PRINCIPAL = "intelgraph.principal"
ATTR_REQUEST_ID = "intelgraph.request_id"
ATTR_ERROR_TYPE = "error.type"
ATTR_ERROR_CODE = "error.code"

REQUEST_ID: ContextVar[str | None] = ContextVar("intelgraph_request_id", default=None)
"""The provenance id of the request being served (set by the access-log middleware)."""

_REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at export time: the batch exporter runs on
    its own thread long after set-up, when test runners may have swapped the stream."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class Tracing:
    """The application's tracer provider and, for tests, its in-memory exporter."""

    def __init__(
        self, provider: trace.TracerProvider, exporter: InMemorySpanExporter | None = None
    ) -> None:
        self.provider = provider
        self.exporter = exporter
        self._shut_down = False

    @classmethod
    def create(cls, exporter: Exporter = "none") -> Tracing:
        """``none`` costs next to nothing on the hot path (no-op spans, no SDK);
        ``console`` writes batched JSON spans to stderr; ``memory`` keeps finished
        spans in ``.exporter`` for tests."""
        if exporter == "none":
            return cls(trace.NoOpTracerProvider())
        # Resource() rather than Resource.create(): the latter merges OTEL_* variables,
        # and settings come in from the caller, never from the environment.
        resource = Resource({SERVICE_NAME: "intelgraph", SERVICE_VERSION: __version__})
        # An explicit sampler for the same reason; no atexit hook, the owner shuts down.
        provider = TracerProvider(
            sampler=ParentBased(ALWAYS_ON), resource=resource, shutdown_on_exit=False
        )
        if exporter == "console":
            out: TextIO = _CurrentStderr()  # type: ignore[assignment]
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter(out=out)))
            return cls(provider)
        if exporter == "memory":
            memory = InMemorySpanExporter()
            provider.add_span_processor(SimpleSpanProcessor(memory))
            return cls(provider, memory)
        raise ValueError(f"unknown span exporter {exporter!r}")

    @property
    def enabled(self) -> bool:
        """Whether spans are recorded at all (callers may skip building attributes)."""
        return isinstance(self.provider, TracerProvider)

    def tracer(self, name: str) -> Tracer:
        return self.provider.get_tracer(name, __version__)

    def shutdown(self) -> None:
        """Flush and stop the exporters; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        if isinstance(self.provider, TracerProvider):
            self.provider.shutdown()


def error_type(exc: BaseException) -> str:
    """The exception's qualified type name, the only part of it a span may carry."""
    kind = type(exc)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def mark_error(span: Span, exc: BaseException) -> None:
    """Mark ``span`` failed with the exception's type and project ``code`` only: the
    message may quote user data, so neither it nor the stack trace is recorded."""
    attributes: dict[str, AttributeValue] = {"exception.type": error_type(exc)}
    code = getattr(exc, "code", None)
    if isinstance(code, str | int) and not isinstance(code, bool):
        attributes[ATTR_ERROR_CODE] = str(code)
    span.add_event("exception", attributes)
    span.set_attribute(ATTR_ERROR_TYPE, attributes["exception.type"])
    if ATTR_ERROR_CODE in attributes:
        span.set_attribute(ATTR_ERROR_CODE, attributes[ATTR_ERROR_CODE])
    span.set_status(Status(StatusCode.ERROR))


@contextmanager
def span(tracer: Tracer, name: str, **attributes: AttributeValue | None) -> Iterator[Span]:
    """A current span named ``name``; ``None`` attributes are dropped, and an exception
    is recorded by :func:`mark_error` (type and code, no message) and re-raised."""
    clean = {key: value for key, value in attributes.items() if value is not None}
    with tracer.start_as_current_span(
        name, attributes=clean, record_exception=False, set_status_on_exception=False
    ) as current:
        try:
            yield current
        except Exception as exc:
            mark_error(current, exc)
            raise


def new_request_id() -> str:
    """A fresh request id: 16 random bytes as 32 hex characters."""
    return secrets.token_hex(16)


def is_valid_request_id(value: str) -> bool:
    """Whether a caller-supplied id is safe to echo, log and store: 1-64 characters of
    ``[A-Za-z0-9._-]``, so it cannot split a log line or smuggle markup."""
    return _REQUEST_ID_SHAPE.fullmatch(value) is not None


def current_request_id() -> str | None:
    return REQUEST_ID.get()


@contextmanager
def using_request_id(request_id: str) -> Iterator[str]:
    """Make ``request_id`` current for the block (workers and the CLI use it too)."""
    token = REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        REQUEST_ID.reset(token)


__all__ = [
    "ATTR_ERROR_CODE",
    "ATTR_ERROR_TYPE",
    "ATTR_PRINCIPAL",
    "ATTR_REQUEST_ID",
    "ATTR_TENANT",
    "REQUEST_ID",
    "Exporter",
    "Tracing",
    "current_request_id",
    "error_type",
    "is_valid_request_id",
    "mark_error",
    "new_request_id",
    "span",
    "using_request_id",
]
