"""Login, refresh, logout and ``/auth/me`` for the embedded issuer, and its published keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from intelgraph.api.security import current_principal, current_request, platform_of
from intelgraph.auth.errors import AuthError
from intelgraph.auth.throttle import LoginThrottle
from intelgraph.errors import IntelGraphError
from intelgraph.policy.principal import AccessRequest, Principal

router = APIRouter()


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class RefreshBody(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


def _throttle(request: Request) -> LoginThrottle:
    """One throttle per app (create_app shares the GraphQL ``login`` mutation's)."""
    throttle = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = request.app.state.login_throttle = LoginThrottle()
    assert isinstance(throttle, LoginThrottle)
    return throttle


@router.get("/.well-known/jwks.json")
def jwks(request: Request) -> JSONResponse:
    """The embedded issuer's public keys (current and still-valid older ones)."""
    return JSONResponse(
        platform_of(request).identity.issuer.jwks(),
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/.well-known/openid-configuration")
def openid_configuration(request: Request) -> dict[str, Any]:
    return platform_of(request).identity.issuer.discovery()


@router.post("/auth/login")
def login(body: LoginBody, request: Request) -> JSONResponse:
    """Exchange a local user's name and password for an access and a refresh token."""
    throttle = _throttle(request)
    wait = throttle.retry_after(body.username)
    if wait:
        error = IntelGraphError(
            "too many failed logins for this user",
            hint=f"wait {wait} s before trying again",
            code="rate_limited",
        )
        return JSONResponse(error.to_dict(), status_code=429, headers={"Retry-After": str(wait)})
    try:
        pair = platform_of(request).identity.login(body.username, body.password)
    except AuthError:
        throttle.failed(body.username)
        raise
    throttle.succeeded(body.username)
    return JSONResponse(pair.to_dict(), headers={"Cache-Control": "no-store"})


@router.post("/auth/refresh")
def refresh(body: RefreshBody, request: Request) -> JSONResponse:
    """A new token pair for a refresh token, which is spent (single use)."""
    pair = platform_of(request).identity.refresh(body.refresh_token)
    return JSONResponse(pair.to_dict(), headers={"Cache-Control": "no-store"})


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Response:
    """End the session: its access and refresh tokens stop working at once."""
    platform_of(request).identity.logout(principal)
    return Response(status_code=204)


@router.get("/auth/me")
def me(access: Annotated[AccessRequest, Depends(current_request)]) -> dict[str, Any]:
    """Who the token says you are, and the purpose and authority of this request."""
    principal = access.principal
    return {
        "id": principal.id,
        "name": principal.name,
        "kind": principal.kind,
        "tenant": principal.tenant,
        "clearance": principal.clearance,
        "compartments": sorted(principal.compartments),
        "purposes": list(principal.purposes),
        "groups": sorted(principal.groups),
        "admin": principal.admin,
        "scopes": sorted(principal.scopes),
        "auth_time": principal.auth_time,
        "purpose": access.effective_purpose,
        "authority": access.authority.id if access.authority else None,
    }


__all__ = ["router"]
