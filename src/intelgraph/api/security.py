"""Request authentication for HTTP routes: the bearer credential becomes a principal,
the ``X-IG-Purpose`` / ``X-IG-Authority`` headers become the request's context."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from intelgraph.auth.errors import AuthError
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest, Principal

PURPOSE_HEADER = "x-ig-purpose"
AUTHORITY_HEADER = "x-ig-authority"


def platform_of(request: Request) -> Platform:
    platform = request.app.state.platform
    assert isinstance(platform, Platform)
    return platform


def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated principal, or a 401 AuthError."""
    return platform_of(request).identity.authenticate(request.headers.get("authorization"))


def current_request(request: Request) -> AccessRequest:
    """FastAPI dependency: the principal plus this request's purpose and authority."""
    principal = current_principal(request)
    return platform_of(request).access.request(
        principal,
        purpose=request.headers.get(PURPOSE_HEADER),
        authority=request.headers.get(AUTHORITY_HEADER),
    )


def auth_error_response(exc: AuthError) -> JSONResponse:
    """401 with the stable code, and the RFC 6750 challenge clients expect."""
    if exc.code == "token_missing":
        challenge = 'Bearer realm="intelgraph"'
    else:
        challenge = (
            f'Bearer realm="intelgraph", error="invalid_token", error_description="{exc.code}"'
        )
    return JSONResponse(
        exc.to_dict(),
        status_code=401,
        headers={"WWW-Authenticate": challenge, "Cache-Control": "no-store"},
    )


__all__ = [
    "AUTHORITY_HEADER",
    "PURPOSE_HEADER",
    "auth_error_response",
    "current_principal",
    "current_request",
    "platform_of",
]
