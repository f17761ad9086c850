"""Running operations: persisted-query lookup, costing, rate limits, execution.

The HTTP endpoint and ``intelgraph query`` both come through :meth:`run`, so
the CLI answers with exactly the guards and error shapes of the server.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as GraphQLOperationType
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from intelgraph.api.graphql.context import RECHECK_SECONDS, GraphQLContext
from intelgraph.api.graphql.cost import (
    CostLimits,
    QueryCost,
    analyse,
    check,
    introspection_only,
)
from intelgraph.api.graphql.errors import convert_all, error_body
from intelgraph.api.graphql.loaders import INLINE
from intelgraph.api.graphql.persisted import PersistedQueries
from intelgraph.api.graphql.ratelimit import RateDecision, RateLimiter, RateLimitPolicy
from intelgraph.api.graphql.schema import GraphQLApi, RoleLimits, build_api
from intelgraph.api.hub import EventHub
from intelgraph.api.jobs import JobRegistry
from intelgraph.auth.errors import AuthError
from intelgraph.auth.service import TokenPair
from intelgraph.auth.throttle import LoginThrottle
from intelgraph.config import Settings
from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.obs.metrics import GRAPHQL_COST, GRAPHQL_OPERATIONS, GRAPHQL_SECONDS
from intelgraph.obs.tracing import Tracing
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest

UI_DOCUMENTS = Path(__file__).resolve().parents[2] / "web" / "persisted-documents.json"
ANONYMOUS_FIELDS = frozenset({"login", "refresh", "__typename"})
_LIMIT_PARSE = 200_000  # characters: longer documents are refused before parsing


MAX_TOKENS = 20_000


@functools.lru_cache(maxsize=1024)
def _parsed(query: str) -> DocumentNode | None:
    try:
        return parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None


def _syntax_error(query: str) -> IntelGraphError:
    try:
        parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        message = exc.message
    else:  # pragma: no cover - only called after a failed parse
        message = "the document could not be parsed"
    return IntelGraphError(
        message,
        hint=f"check the document's syntax; documents are limited to {MAX_TOKENS:,} tokens",
        code="graphql_parse_failed",
    )


@dataclass
class Outcome:
    """One operation's result and what the transport needs to send it."""

    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def limits_from(settings: Settings) -> RoleLimits:
    user = CostLimits(
        max_cost=settings.graphql_max_cost,
        max_depth=settings.graphql_max_depth,
        max_aliases=settings.graphql_max_aliases,
    )
    factor = settings.graphql_admin_cost_factor
    admin = replace(user, max_cost=settings.graphql_max_cost * factor)
    return RoleLimits(user=user, service=user, admin=admin)


def limiter_from(settings: Settings) -> RateLimiter | None:
    if not settings.rate_limit_principal or not settings.rate_limit_tenant:
        return None
    window = settings.rate_limit_window_seconds
    return RateLimiter(
        RateLimitPolicy("principal", settings.rate_limit_principal, window),
        RateLimitPolicy("tenant", settings.rate_limit_tenant, window),
    )


def persisted_from(settings: Settings) -> PersistedQueries:
    paths = [UI_DOCUMENTS] if UI_DOCUMENTS.is_file() else []
    paths += [Path(p.strip()) for p in settings.graphql_persisted_files.split(",") if p.strip()]
    return PersistedQueries.load(settings.graphql_persisted, paths)


class GraphQLService:
    """What the API needs besides the platform: the schema, its guards, the event
    hub subscriptions listen on, the job registry, the login throttle."""

    def __init__(
        self,
        platform: Platform,
        api: GraphQLApi,
        *,
        persisted: PersistedQueries,
        limiter: RateLimiter | None,
        hub: EventHub | None = None,
        jobs: JobRegistry | None = None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.platform = platform
        self.api = api
        self.persisted = persisted
        self.limiter = limiter
        self.hub = hub if hub is not None else EventHub()
        self.jobs = jobs
        self.throttle = throttle if throttle is not None else LoginThrottle()
        self._costs: dict[tuple[Any, ...], QueryCost] = {}
        # How often long-lived subscriptions re-check their credential.
        self.recheck_seconds = RECHECK_SECONDS

    def login(self, username: str, password: str) -> TokenPair:
        """The embedded issuer's login, behind the same throttle as ``/auth/login``."""
        wait = self.throttle.retry_after(username)
        if wait:
            raise IntelGraphError(
                "too many failed logins for this user",
                hint=f"wait {wait} s before trying again",
                code="rate_limited",
                details={"retryAfter": wait},
            )
        try:
            pair = self.platform.identity.login(username, password)
        except AuthError:
            self.throttle.failed(username)
            raise
        self.throttle.succeeded(username)
        return pair

    @classmethod
    def from_platform(
        cls,
        platform: Platform,
        *,
        hub: EventHub | None = None,
        jobs: JobRegistry | None = None,
        tracing: Tracing | None = None,
    ) -> GraphQLService:
        settings = platform.settings
        api = build_api(
            platform.ontology,
            production=settings.mode == "production",
            limits=limits_from(settings),
            tracer=tracing.tracer("intelgraph.graphql")
            if tracing is not None and tracing.enabled
            else None,
        )
        return cls(
            platform,
            api,
            persisted=persisted_from(settings),
            limiter=limiter_from(settings),
            hub=hub,
            jobs=jobs,
        )

    def context(
        self,
        request: AccessRequest,
        *,
        request_id: str | None = None,
        transport: Any = None,
        cache: bool = True,
    ) -> GraphQLContext:
        return GraphQLContext.create(
            self.platform,
            request,
            self.api.nodes,
            self,
            request_id=request_id,
            transport=transport,
            cache=cache,
        )

    def anonymous_allowed(self, payload: Mapping[str, Any]) -> bool:
        """Only ``login``/``refresh`` run without a token (they are how one gets one),
        sent as text or as a persisted document's hash."""
        raw = payload.get("query")
        extensions = payload.get("extensions")
        try:
            query = self.persisted.resolve(
                raw if isinstance(raw, str) else None,
                extensions if isinstance(extensions, dict) else None,
            )
        except IntelGraphError:
            return False
        document = _parsed(query)
        if document is None:
            return False
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        name = payload.get("operationName")
        chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
        if len(chosen) != 1 or chosen[0].operation != GraphQLOperationType.MUTATION:
            return False
        fields = chosen[0].selection_set.selections
        return bool(fields) and all(
            isinstance(f, FieldNode) and f.name.value in ANONYMOUS_FIELDS for f in fields
        )

    async def run(
        self,
        request: AccessRequest,
        payload: Mapping[str, Any],
        *,
        queries_only: bool = False,
        request_id: str | None = None,
        transport: Any = None,
    ) -> Outcome:
        """One operation from a GraphQL-over-HTTP payload (query, variables,
        operationName, extensions), counted and timed for ``/metrics``."""
        started = time.perf_counter()
        inline = INLINE.set(self.platform.store.dialect_name == "sqlite")
        try:
            outcome = await self._run(
                request,
                payload,
                queries_only=queries_only,
                request_id=request_id,
                transport=transport,
            )
        finally:
            INLINE.reset(inline)
        GRAPHQL_SECONDS.observe(time.perf_counter() - started)
        errors = outcome.body.get("errors") or []
        code = (errors[0].get("extensions") or {}).get("code", "internal") if errors else "ok"
        GRAPHQL_OPERATIONS.labels("http" if transport is not None else "local", code).inc()
        return outcome

    async def _run(
        self,
        request: AccessRequest,
        payload: Mapping[str, Any],
        *,
        queries_only: bool = False,
        request_id: str | None = None,
        transport: Any = None,
    ) -> Outcome:
        try:
            query, variables, operation_name = self._unpack(payload)
        except IntelGraphError as exc:
            # APQ clients expect "not found" as a GraphQL answer (200) and then resend
            # the document; everything else is a bad request.
            return _failed(exc, 200 if exc.code == "persisted_query_not_found" else 400)
        context = self.context(request, request_id=request_id, transport=transport)
        headers: dict[str, str] = {}
        document = _parsed(query)
        if document is None:
            # Refused here, not left to strawberry: an unparsable (or oversized)
            # document must not run uncosted and unmetered.
            return _failed(_syntax_error(query), 200)
        introspecting = (
            document is not None
            and not self.api.production
            and introspection_only(document, operation_name)
        )
        if document is not None and not introspecting:
            try:
                cost = self.cost_of(query, document, variables, operation_name)
                check(cost, self.api.limits.of(request.principal))
            except IntelGraphError as exc:
                return _failed(exc, 200)
            context.cost = cost.cost
            context.precosted = True
            GRAPHQL_COST.observe(cost.cost)
            decision = self.charge(request, max(1, cost.cost))
            if decision is not None:
                headers.update(decision.headers)
                refused = decision.error()
                if refused is not None:
                    outcome = _failed(refused, 429)
                    outcome.headers.update(decision.headers)
                    return outcome
        # Subscriptions need a WebSocket; GET may only read.
        allowed = (
            (OperationType.QUERY,)
            if queries_only
            else (OperationType.QUERY, OperationType.MUTATION)
        )
        try:
            result = await self.api.schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=allowed,
            )
        except IntelGraphError as exc:
            return _failed(exc, 400)
        except Exception as exc:  # strawberry's own refusals: wrong operation type, none named
            return _strawberry_refusal(exc, queries_only)
        headers.update(context.response_headers)
        return Outcome(body=_body(result, self.api.production), headers=headers)

    def cost_of(
        self,
        query: str,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> QueryCost:
        """The analysis, memoised: a document's cost depends only on its text and on
        the numbers and list lengths among its variables (page sizes, id lists)."""
        shape = tuple(
            sorted(
                (name, _size_of(value))
                for name, value in (variables or {}).items()
                if _size_of(value) is not None
            )
        )
        key = (query, operation_name, shape)
        found = self._costs.get(key)
        if found is None:
            found = analyse(
                self.api.schema._schema,
                document,
                variables=variables,
                operation_name=operation_name,
            )
            if len(self._costs) >= 4096:
                self._costs.clear()
            self._costs[key] = found
        return found

    def _unpack(self, payload: Mapping[str, Any]) -> tuple[str, dict[str, Any] | None, str | None]:
        extensions = payload.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise InvalidInput("extensions must be a JSON object", code="invalid_request")
        raw_query = payload.get("query")
        if raw_query is not None and not isinstance(raw_query, str):
            raise InvalidInput("query must be a string", code="invalid_request")
        query = self.persisted.resolve(raw_query, extensions)
        if len(query) > _LIMIT_PARSE:
            raise InvalidInput(
                f"the document is longer than {_LIMIT_PARSE:,} characters",
                hint="send a smaller document",
                code="payload_too_large",
            )
        variables = payload.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise InvalidInput("variables must be a JSON object", code="invalid_request")
        operation_name = payload.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise InvalidInput("operationName must be a string", code="invalid_request")
        return query, variables, operation_name

    def charge(self, request: AccessRequest, cost: int) -> RateDecision | None:
        """Debit the caller's and its tenant's budgets (None when limits are off)."""
        if self.limiter is None:
            return None
        principal = request.principal
        return self.limiter.charge(principal.id, principal.tenant, cost)


def _size_of(value: Any) -> Any:
    """What of a variable can change a cost: a number or flag (page sizes,
    ``@include(if:)``), a list's length, or an input object's content; strings and
    ids cannot."""
    if isinstance(value, str) or value is None:
        return None
    if isinstance(value, bool | int | float):
        return (type(value).__name__, value)
    if isinstance(value, list):
        return ("list", len(value))
    if isinstance(value, dict):
        return ("object", repr(sorted(value.items(), key=lambda item: str(item[0]))))
    return None


def _body(result: ExecutionResult, production: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        errors = convert_all(result.errors, suggestions=not production)
        body["errors"] = [error.formatted for error in errors]
    return body


def _failed(error: IntelGraphError, status: int) -> Outcome:
    body = {"errors": [{"message": error.message, "extensions": error_body(error)}]}
    headers = dict(getattr(error, "headers", None) or {})
    return Outcome(body=body, headers=headers, status=status)


def _strawberry_refusal(exc: Exception, queries_only: bool) -> Outcome:
    name = type(exc).__name__
    if name == "InvalidOperationTypeError":
        hint = (
            "send mutations with POST, subscriptions over a WebSocket"
            if queries_only
            else "subscriptions run over a WebSocket at /graphql (graphql-transport-ws)"
        )
        return _failed(
            InvalidInput(
                "this operation type is not allowed here",
                hint=hint,
                code="operation_not_allowed",
            ),
            405 if queries_only else 400,
        )
    if name in {"CannotGetOperationTypeError", "MissingQueryError"}:
        return _failed(
            InvalidInput(
                "no operation to run",
                hint="send one operation, or name one with operationName",
                code="invalid_request",
            ),
            400,
        )
    raise exc


__all__ = ["GraphQLService", "Outcome", "limiter_from", "limits_from", "persisted_from"]
