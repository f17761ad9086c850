"""What every resolver receives: the platform, the caller's request and the loaders.

One context per GraphQL operation over HTTP; one per connection over
WebSockets (then the loaders do not cache, so every event reads afresh). The
access request is fixed for the whole operation, so every resolver answers for
the same principal, purpose and authority, and loader caches cannot leak
between callers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from intelgraph.api.graphql.loaders import Loaders, blocking
from intelgraph.auth.errors import AuthError
from intelgraph.policy.principal import Principal

if TYPE_CHECKING:
    from intelgraph.api.graphql.entities import NodeTypes
    from intelgraph.api.graphql.service import GraphQLService
    from intelgraph.api.graphql.types import Entity
    from intelgraph.model import Entity as EntityModel
    from intelgraph.platform import Platform
    from intelgraph.policy.principal import AccessRequest

RECHECK_SECONDS = 30.0  # how often a long-lived subscription re-checks its credential

# Until a connection authenticates it acts as nobody: another tenant, no rights.
NOBODY = Principal(id="anonymous", name="anonymous", tenant="-")


@dataclass
class GraphQLContext(BaseContext):
    """``access`` is the caller's request to policy; strawberry's ``request`` (from
    :class:`BaseContext`) is the HTTP request or WebSocket, set on WebSockets only."""

    platform: Platform
    access: AccessRequest
    loaders: Loaders
    nodes: NodeTypes
    services: GraphQLService
    request_id: str | None = None
    cost: int | None = None  # the (last) operation's cost, once analysed
    # The HTTP endpoint costed and charged this context's one operation already; a
    # WebSocket context serves many operations and each is costed as it comes.
    precosted: bool = False
    # Headers a resolver wants on the HTTP response (none over WebSockets).
    response_headers: dict[str, str] = field(default_factory=dict)
    # The ASGI request or websocket, when there is one (the CLI has none).
    transport: Any = None
    # WebSockets: the credential the connection authenticated with, re-checked.
    credential: str | None = None
    authenticated: bool = True
    checked_at: float = field(default_factory=time.monotonic)
    recheck_seconds: float = RECHECK_SECONDS
    connection_params: dict[str, Any] | None = None

    @classmethod
    def create(
        cls,
        platform: Platform,
        request: AccessRequest,
        nodes: NodeTypes,
        services: GraphQLService,
        *,
        request_id: str | None = None,
        transport: Any = None,
        cache: bool = True,
    ) -> GraphQLContext:
        return cls(
            platform=platform,
            access=request,
            loaders=Loaders(platform, request, cache=cache),
            nodes=nodes,
            services=services,
            request_id=request_id,
            transport=transport,
            recheck_seconds=services.recheck_seconds,
        )

    def act_as(self, request: AccessRequest, *, credential: str | None) -> None:
        """A WebSocket connection has authenticated: from now on it acts as ``request``."""
        self.access = request
        self.loaders = Loaders(self.platform, request, cache=False)
        self.credential = credential
        self.authenticated = True
        self.checked_at = time.monotonic()

    async def still_authorised(self) -> None:
        """Raise when a long-lived operation's credential no longer works (logout,
        disabled user, expiry): checked at most every ``RECHECK_SECONDS``."""
        if not self.authenticated:
            raise AuthError("token_missing")
        if self.credential is None or time.monotonic() - self.checked_at < self.recheck_seconds:
            return
        identity = self.platform.identity
        credential = self.credential
        await blocking(lambda: identity.authenticate(credential))
        self.checked_at = time.monotonic()

    def owner(self) -> Principal:
        """The authenticated principal, for what belongs to one (its workspace); anonymous
        callers are refused as unauthenticated."""
        principal = self.access.principal
        if not self.authenticated or principal is NOBODY or principal.id == NOBODY.id:
            raise AuthError(
                "token_missing", hint="log in first; send 'Authorization: Bearer <token>'"
            )
        return principal

    async def load_entity(self, entity_id: str | None) -> Entity | None:
        """The entity as this caller may see it (batched), or None when hidden/absent."""
        if not entity_id:
            return None
        found = await self.loaders.entity.load(entity_id)
        return self.nodes.wrap(found) if found is not None else None

    async def load_entities(self, ids: list[str]) -> list[Entity | None]:
        found = await self.loaders.entity.load_many(ids)
        return [self.nodes.wrap(e) if e is not None else None for e in found]

    async def read_entities(self, ids: list[str]) -> dict[str, Entity]:
        """Many entities in one guarded read, wrapped (and primed for later loads)."""
        if not ids:
            return {}
        found = await blocking(lambda: self.platform.reads.entities(self.access, ids))
        self.loaders.prime(found.values())
        return {entity_id: self.nodes.wrap(entity) for entity_id, entity in found.items()}

    def wrap(self, entities: list[EntityModel]) -> list[Entity]:
        """Store entities a root resolver read, as GraphQL nodes (and primed)."""
        self.loaders.prime(entities)
        return [self.nodes.wrap(entity) for entity in entities]


Info = StrawberryInfo[GraphQLContext, None]


__all__ = ["NOBODY", "GraphQLContext", "Info"]
