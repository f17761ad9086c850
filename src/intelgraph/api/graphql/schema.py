"""Builds schema v1 for an ontology, with the guards a deployment's mode asks for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from intelgraph.api.graphql.cost import CostLimits
from intelgraph.api.graphql.entities import NodeTypes
from intelgraph.api.graphql.extensions import CostGuard, ErrorModel
from intelgraph.api.graphql.mutations import Mutation
from intelgraph.api.graphql.queries import Query
from intelgraph.api.graphql.subscriptions import Subscription
from intelgraph.api.graphql.tracing import ResolverTracing
from intelgraph.api.graphql.workspace import WorkspaceMutation, WorkspaceQuery
from intelgraph.ontology import Ontology

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

    from intelgraph.policy.principal import Principal

# Names schema v1 uses for its own types; an ontology type may not take them.
RESERVED = (
    "Query",
    "Mutation",
    "Subscription",
    "Entity",
    "Edge",
    "Source",
    "Record",
    "Statement",
    "Evidence",
    "Authority",
    "Checkpoint",
    "Viewer",
    "LabelSet",
    "PageInfo",
    "Redaction",
    "IngestRun",
    "Subgraph",
    "GraphPath",
)


@dataclass(frozen=True, slots=True)
class RoleLimits:
    """Cost limits by role: people, API tokens and admins."""

    user: CostLimits = field(default_factory=CostLimits)
    service: CostLimits = field(default_factory=CostLimits)
    admin: CostLimits = field(default_factory=CostLimits)

    def of(self, principal: Principal) -> CostLimits:
        if principal.kind == "service":
            return self.service
        return self.admin if principal.admin else self.user


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Logging happens in the error model (unexpected errors only); expected ones
        (not found, forbidden, bad input) are answers, not incidents."""


@dataclass(frozen=True)
class GraphQLApi:
    schema: strawberry.Schema
    nodes: NodeTypes
    limits: RoleLimits
    production: bool

    def sdl(self) -> str:
        return self.schema.as_str() + "\n"


def build_api(
    ontology: Ontology,
    *,
    production: bool = False,
    limits: RoleLimits | None = None,
    extra_extensions: Sequence[Any] = (),
    tracer: Tracer | None = None,
) -> GraphQLApi:
    """Schema v1 for ``ontology``: introspection and suggestions off in production."""
    nodes = NodeTypes(ontology, reserved=RESERVED)
    chosen = limits or RoleLimits()
    # Factories, not instances: each operation gets its own extension objects (they
    # hold the operation's execution context).
    extensions: list[Any] = [
        partial(ErrorModel, suggestions=not production),
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        # After validation, which it must not be overwritten by (ValidationCache sets
        # the errors list outright).
        partial(
            CostGuard,
            limits_for=lambda context: chosen.of(context.access.principal),
            introspection=not production,
        ),
        *extra_extensions,
    ]
    if production:
        extensions.append(DisableIntrospection)
    if tracer is not None:  # only when spans are exported: it wraps every field
        extensions.append(partial(ResolverTracing, tracer=tracer))
    schema = _Schema(
        query=merge_types("Query", (Query, WorkspaceQuery)),
        mutation=merge_types("Mutation", (Mutation, WorkspaceMutation)),
        subscription=Subscription,
        types=nodes.types,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )
    return GraphQLApi(schema=schema, nodes=nodes, limits=chosen, production=production)


__all__ = ["RESERVED", "GraphQLApi", "RoleLimits", "build_api"]
