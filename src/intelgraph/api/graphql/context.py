"""What every resolver receives: the platform, the caller's request and the loaders.

One context per GraphQL operation. The access request is fixed for the whole
operation, so every resolver answers for the same principal, purpose and
authority, and the loaders' caches cannot leak between callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.types import Info as StrawberryInfo

from intelgraph.api.graphql.loaders import Loaders

if TYPE_CHECKING:
    from intelgraph.api.graphql.entities import NodeTypes
    from intelgraph.api.graphql.types import Entity
    from intelgraph.model import Entity as EntityModel
    from intelgraph.platform import Platform
    from intelgraph.policy.principal import AccessRequest


@dataclass
class GraphQLContext:
    platform: Platform
    request: AccessRequest
    loaders: Loaders
    nodes: NodeTypes
    request_id: str | None = None
    cost: int | None = None  # the operation's cost, once analysed
    # Headers a resolver wants on the HTTP response (none over WebSockets).
    response_headers: dict[str, str] = field(default_factory=dict)
    # The ASGI request or websocket, when there is one (the CLI has none).
    transport: Any = None

    @classmethod
    def create(
        cls,
        platform: Platform,
        request: AccessRequest,
        nodes: NodeTypes,
        *,
        request_id: str | None = None,
        transport: Any = None,
    ) -> GraphQLContext:
        return cls(
            platform=platform,
            request=request,
            loaders=Loaders(platform, request),
            nodes=nodes,
            request_id=request_id,
            transport=transport,
        )

    async def load_entity(self, entity_id: str | None) -> Entity | None:
        """The entity as this caller may see it (batched), or None when hidden/absent."""
        if not entity_id:
            return None
        found = await self.loaders.entity.load(entity_id)
        return self.nodes.wrap(found) if found is not None else None

    async def load_entities(self, ids: list[str]) -> list[Entity | None]:
        found = await self.loaders.entity.load_many(ids)
        return [self.nodes.wrap(e) if e is not None else None for e in found]

    def wrap(self, entities: list[EntityModel]) -> list[Entity]:
        """Store entities a root resolver read, as GraphQL nodes (and primed)."""
        self.loaders.prime(entities)
        return [self.nodes.wrap(entity) for entity in entities]


Info = StrawberryInfo[GraphQLContext, None]


__all__ = ["GraphQLContext", "Info"]
