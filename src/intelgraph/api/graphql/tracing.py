"""OpenTelemetry spans per operation and per resolver, when tracing is on.

Added to the schema only when an exporter is configured, so the default
deployment pays nothing per field. Spans carry the principal, its tenant and
the request id (the request's provenance id, also in the access log and in
audit leaves); never argument values, which can hold passwords and searches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer
from strawberry.extensions import SchemaExtension
from strawberry.extensions.tracing.utils import should_skip_tracing
from strawberry.utils.await_maybe import await_maybe

from intelgraph.api.graphql.errors import code_of
from intelgraph.obs.tracing import (
    ATTR_PRINCIPAL,
    ATTR_REQUEST_ID,
    ATTR_TENANT,
    current_request_id,
)


class ResolverTracing(SchemaExtension):
    def __init__(self, *, tracer: Tracer) -> None:
        self.tracer = tracer
        self._operation: Span | None = None

    def on_operation(self) -> Iterator[None]:
        caller = self.execution_context.context
        span = self.tracer.start_span("graphql.operation", kind=SpanKind.INTERNAL)
        access = getattr(caller, "access", None)
        if access is not None:
            span.set_attribute(ATTR_PRINCIPAL, access.principal.id)
            span.set_attribute(ATTR_TENANT, access.principal.tenant)
        request_id = current_request_id()
        if request_id:
            span.set_attribute(ATTR_REQUEST_ID, request_id)
        self._operation = span
        try:
            yield
        finally:
            context = self.execution_context
            if context.operation_name:
                span.set_attribute("graphql.operation.name", context.operation_name)
            with contextlib.suppress(RuntimeError):  # the document did not parse
                span.set_attribute("graphql.operation.type", context.operation_type.value)
            cost = getattr(caller, "cost", None)
            if cost is not None:
                span.set_attribute("graphql.cost", cost)
            result = context.result
            errors = getattr(result, "errors", None) or context.pre_execution_errors or []
            codes = sorted({code_of(error) for error in errors})
            if codes:
                span.set_attribute("graphql.error.codes", codes)
                span.set_status(trace.Status(trace.StatusCode.ERROR))
            span.end()

    async def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if self._operation is None or should_skip_tracing(_next, info):
            return await await_maybe(_next(root, info, *args, **kwargs))
        name = f"graphql.resolve {info.parent_type.name}.{info.field_name}"
        parent = trace.set_span_in_context(self._operation)
        with self.tracer.start_as_current_span(name, context=parent) as span:
            span.set_attribute("graphql.field.path", ".".join(str(p) for p in info.path.as_list()))
            result: Awaitable[Any] | Any = _next(root, info, *args, **kwargs)
            return await await_maybe(result)


__all__ = ["ResolverTracing"]
