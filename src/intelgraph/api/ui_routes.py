"""The web UI: its page at ``/``, its hashed assets, its configuration, and the SPA fallback.

Vite writes the production build into ``intelgraph/web/app/`` (``index.html`` and
``assets/*`` named by content hash); until there is one, ``/`` serves the
placeholder page ``intelgraph/web/index.html``. Assets never change under their
name, so browsers may keep them for a year; the page itself is revalidated on
every load so a new release is picked up at once. Any other GET that asks for
HTML gets the page too (the UI routes in the browser), except under the API's
own paths, which keep answering JSON errors.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from intelgraph import __version__
from intelgraph.config import Settings
from intelgraph.errors import NotFound

# First path segments that belong to the API: a browser asking for HTML there gets the
# JSON 404, not the UI (a typo in /graphql must not look like a working page, and the
# paths scanners probe for GraphQL IDEs must not answer with a page in production).
API_PATHS = frozenset(
    {
        "graphql",
        "graphiql",
        "playground",
        "altair",
        "voyager",
        "auth",
        "exports",
        "scim",
        "ingest",
        "ledger",
        "healthz",
        "readyz",
        "metrics",
        ".well-known",
        "assets",
        "ui",
        "docs",
        "openapi.json",
    }
)
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
}
IMMUTABLE = "public, max-age=31536000, immutable"
# One path segment of a built file: no separators, no "..", no hidden files.
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,254}")
_MAX_SEGMENTS = 8


def issuer_origin(settings: Settings) -> str | None:
    """The external issuer's origin when the UI logs in there (issuer and client id set)."""
    if not settings.oidc_issuer or not settings.oidc_client_id:
        return None
    parts = urlsplit(settings.oidc_issuer)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def content_security_policy(settings: Settings) -> str:
    """Scripts and styles only from this server (inline styles for the UI's CSS-in-JS),
    connections to this server, its WebSockets and the external issuer (token endpoint),
    no framing, no <base>, forms only to this server and the issuer."""
    issuer = issuer_origin(settings)
    extra = f" {issuer}" if issuer else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            f"connect-src 'self' ws: wss:{extra}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            f"form-action 'self'{extra}",
        )
    )


def ui_config(settings: Settings) -> dict[str, object]:
    """What the UI needs before it can log in (``GET /ui/config.json``)."""
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        oidc = {
            "issuer": settings.oidc_issuer,
            "clientId": settings.oidc_client_id,
            "scopes": settings.oidc_scopes,
            "redirectPath": "/",
        }
    return {
        "version": __version__,
        "oidc": oidc,
        "embeddedLogin": True,
        "persistedQueries": settings.graphql_persisted,
    }


def _built(root: Traversable, parts: list[str]) -> Traversable | None:
    """The built file at ``parts`` below ``root``, or None: names are checked one by one
    and the resolved path must stay inside ``root`` (symbolic links cannot lead out)."""
    if not parts or len(parts) > _MAX_SEGMENTS:
        return None
    if not all(_SEGMENT.fullmatch(part) and ".." not in part for part in parts):
        return None
    found = root
    for part in parts:
        found = found.joinpath(part)
    if not found.is_file():
        return None
    escaped = (
        isinstance(found, Path)
        and isinstance(root, Path)
        and not found.resolve().is_relative_to(root.resolve())
    )
    return None if escaped else found


def _file(found: Traversable, headers: dict[str, str]) -> Response:
    media_type = CONTENT_TYPES.get(Path(found.name).suffix.lower(), "application/octet-stream")
    if isinstance(found, Path):
        return FileResponse(found, media_type=media_type, headers=headers)
    return Response(found.read_bytes(), media_type=media_type, headers=headers)


def _not_found(path: str) -> JSONResponse:
    error = NotFound(f"no such page: {path}", hint="see /docs for the API")
    return JSONResponse(error.to_dict(), status_code=404)


def ui_router(settings: Settings, web_root: Traversable | None = None) -> APIRouter:
    """The UI's routes; include it last, as its fallback answers every other GET."""
    root = web_root if web_root is not None else resources.files("intelgraph.web")
    app_dir = root.joinpath("app")
    security = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    router = APIRouter(include_in_schema=False)

    def page() -> Response:
        built = app_dir.joinpath("index.html")
        found = built if built.is_file() else root.joinpath("index.html")
        return Response(
            found.read_bytes(),
            media_type="text/html; charset=utf-8",
            headers={**security, "Cache-Control": "no-cache"},
        )

    @router.get("/")
    def index() -> Response:
        return page()

    @router.get("/ui/config.json")
    def config() -> JSONResponse:
        return JSONResponse(ui_config(settings), headers={"Cache-Control": "no-cache"})

    @router.get("/assets/{name:path}")
    def asset(name: str) -> Response:
        found = _built(app_dir.joinpath("assets"), name.split("/"))
        if found is None:
            return _not_found(f"/assets/{name}")
        return _file(found, {**security, "Cache-Control": IMMUTABLE})

    @router.get("/{path:path}")
    def fallback(path: str, request: Request) -> Response:
        """A file at the top of the build (Vite copies ``public/`` there), else the page
        for a browser's navigation, else the JSON 404."""
        parts = path.split("/")
        if parts[0] in API_PATHS:
            return _not_found(f"/{path}")
        if len(parts) == 1 and parts[0] != "index.html":
            found = _built(app_dir, parts)
            if found is not None:
                return _file(found, {**security, "Cache-Control": "no-cache"})
        if "text/html" in request.headers.get("accept", "").lower():
            return page()
        return _not_found(f"/{path}")

    return router


__all__ = [
    "API_PATHS",
    "content_security_policy",
    "issuer_origin",
    "ui_config",
    "ui_router",
]
