"""Schema extensions: the cost guard after validation and the error model around all.

Both run for every transport (HTTP, WebSocket, the CLI), so a subscription is
costed and its errors are shaped exactly like a query's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from intelgraph.api.graphql.cost import CostLimits, check, introspection_only
from intelgraph.api.graphql.errors import convert_all
from intelgraph.api.graphql.persisted import PersistedMode
from intelgraph.errors import IntelGraphError

if TYPE_CHECKING:
    from intelgraph.api.graphql.context import GraphQLContext


class CostGuard(SchemaExtension):
    """Refuses an operation over its caller's limits before any resolver runs. The HTTP
    endpoint costs operations before parsing them through strawberry at all; this
    guard covers the other transports (WebSocket subscriptions, the CLI)."""

    def __init__(
        self,
        *,
        limits_for: Callable[[GraphQLContext], CostLimits],
        introspection: bool = False,
    ) -> None:
        self.limits_for = limits_for
        self.introspection = introspection

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        caller: GraphQLContext = context.context
        # The HTTP endpoint costs an operation before it charges the rate limit.
        exempt = (
            self.introspection
            and document is not None
            and introspection_only(document, context.operation_name)
        )
        if (
            document is not None
            and not context.pre_execution_errors
            and not caller.precosted
            and not exempt
        ):
            try:
                # WebSocket operations skip the HTTP endpoint: in enforce mode they too
                # must be registered documents.
                if caller.services.persisted.mode == PersistedMode.ENFORCE:
                    caller.services.persisted.resolve(context.query, None)
                services = caller.services
                cost = services.cost_of(
                    context.query or "", document, context.variables, context.operation_name
                )
                check(cost, self.limits_for(caller))
                caller.cost = cost.cost
                decision = services.charge(caller.access, max(1, cost.cost))
                refused = decision.error() if decision is not None else None
                if refused is not None:
                    raise refused
            except IntelGraphError as exc:
                context.pre_execution_errors = [GraphQLError(exc.message, original_error=exc)]
        yield


class ErrorModel(SchemaExtension):
    """Rewrites every error into the documented shape (see ``errors.CODES``)."""

    def __init__(self, *, suggestions: bool) -> None:
        self.suggestions = suggestions

    def _fix(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = convert_all(errors, suggestions=self.suggestions)  # type: ignore[attr-defined]  # both result types carry .errors

    def on_stream_result(self, result: object) -> Iterator[None]:
        """Subscriptions (and operations over WebSockets) send each result before the
        operation ends: shape each one as it goes."""
        self._fix(result)
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, ExecutionResult | GraphQLExecutionResult):
            self._fix(result)
        errors = self.execution_context.pre_execution_errors
        if errors:
            self.execution_context.pre_execution_errors = convert_all(
                errors, suggestions=self.suggestions
            )


__all__ = ["CostGuard", "ErrorModel"]
