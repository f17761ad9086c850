"""``/graphql`` over WebSockets (graphql-transport-ws and graphql-ws), for subscriptions.

Browsers cannot set headers on a WebSocket, so the bearer token may come in the
``connection_init`` payload (``{"Authorization": "Bearer …"}``) as well as in
the handshake's ``Authorization`` header; the purpose and authority likewise
(``X-IG-Purpose`` / ``X-IG-Authority`` keys). A connection that does not
authenticate is closed with 4403 before any operation runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import WebSocket
from starlette.requests import HTTPConnection
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UNSET, UnsetType

from intelgraph.api.graphql.context import NOBODY, GraphQLContext
from intelgraph.api.graphql.service import GraphQLService
from intelgraph.api.security import AUTHORITY_HEADER, PURPOSE_HEADER
from intelgraph.errors import IntelGraphError
from intelgraph.policy.principal import AccessRequest


def anonymous_request() -> AccessRequest:
    return AccessRequest(NOBODY)


def _param(params: dict[str, Any], *names: str) -> str | None:
    for name in names:
        for key, value in params.items():
            if key.lower() == name and isinstance(value, str) and value.strip():
                return value.strip()
    return None


class SubscriptionRouter(GraphQLRouter[GraphQLContext, None]):
    """strawberry's WebSocket handling, with this platform's authentication."""

    def __init__(self, service: GraphQLService) -> None:
        self.service = service

        async def context(connection: HTTPConnection) -> GraphQLContext:
            made = service.context(anonymous_request(), transport=connection, cache=False)
            made.authenticated = False
            return made

        super().__init__(
            service.api.schema,
            path="/graphql",
            graphql_ide=None,
            allow_queries_via_get=False,
            context_getter=context,
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=20,
        )

    async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        handshake = context.transport
        headers = handshake.headers if isinstance(handshake, WebSocket) else {}
        credential = _param(params, "authorization") or headers.get("authorization")
        token = _param(params, "token")
        if credential is None and token is not None:
            credential = f"Bearer {token}"
        platform = self.service.platform
        try:
            principal = platform.identity.authenticate(credential)
            request = platform.access.request(
                principal,
                purpose=_param(params, PURPOSE_HEADER) or headers.get(PURPOSE_HEADER),
                authority=_param(params, AUTHORITY_HEADER) or headers.get(AUTHORITY_HEADER),
            )
        except IntelGraphError as exc:
            raise ConnectionRejectionError({"code": exc.code, "message": exc.message}) from None
        context.act_as(request, credential=credential)
        unset: UnsetType = UNSET
        return unset


__all__ = ["NOBODY", "SubscriptionRouter", "anonymous_request"]
