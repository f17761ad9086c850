"""The ASGI application: health endpoints, the error model and the web root."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from intelgraph import __version__
from intelgraph.errors import IntelGraphError, NotFound
from intelgraph.platform import Platform

_STATUS = {"not_found": 404, "invalid_input": 400, "invalid_value": 400, "ontology_error": 400}


def create_app(platform: Platform) -> FastAPI:
    app = FastAPI(
        title="IntelGraph",
        version=__version__,
        docs_url="/docs" if platform.settings.mode == "development" else None,
        redoc_url=None,
    )
    app.state.platform = platform

    @app.exception_handler(IntelGraphError)
    async def _intelgraph_error(_request: Request, exc: IntelGraphError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=_STATUS.get(exc.code, 500))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Readiness: the store answers and its schema is current."""
        checks: dict[str, str] = {}
        try:
            platform.store.check_schema()
            checks["store"] = "ok"
        except IntelGraphError as exc:
            checks["store"] = exc.code
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return resources.files("intelgraph.web").joinpath("index.html").read_text("utf-8")

    @app.get("/{path:path}", include_in_schema=False)
    def not_found(path: str) -> JSONResponse:
        error = NotFound(f"no such page: /{path}", hint="see /docs for the API")
        return JSONResponse(error.to_dict(), status_code=404)

    return app


__all__ = ["create_app"]
