"""The ASGI application: health endpoints, the error model, push ingest and the web UI."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources.abc import Traversable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from intelgraph import __version__
from intelgraph.api import auth_routes, export_routes, ingest_push, ledger_routes, scim
from intelgraph.api.changes import ChangeFeed
from intelgraph.api.graphql import http as graphql_http
from intelgraph.api.graphql.service import GraphQLService
from intelgraph.api.graphql.ws import SubscriptionRouter
from intelgraph.api.hub import EventHub
from intelgraph.api.ingest_push import PushIngest
from intelgraph.api.jobs import JobRegistry
from intelgraph.api.readiness import nats_readiness
from intelgraph.api.security import auth_error_response
from intelgraph.api.ui_routes import ui_router
from intelgraph.auth.errors import AuthError
from intelgraph.errors import IntelGraphError
from intelgraph.obs.access_log import AccessLogMiddleware
from intelgraph.obs.logging import get_logger
from intelgraph.obs.metrics import exposition
from intelgraph.obs.tracing import Tracing
from intelgraph.platform import Platform

_log = get_logger("intelgraph.api")

_STATUS = {
    "not_found": 404,
    "invalid_input": 400,
    "invalid_value": 400,
    "ontology_error": 400,
    "forbidden": 403,
    "purpose_not_held": 403,
    "authority_unknown": 403,
    "conflict": 409,
    "version_mismatch": 412,
    "upload_too_large": 413,
    "export_refused": 403,
    "unavailable": 503,
}


def _warm(platform: Platform) -> None:
    try:
        platform.store.warm_graph()
    except IntelGraphError as exc:  # the first graph read will try again
        _log.warning("graph_warm_failed", code=exc.code)


def create_app(
    platform: Platform,
    *,
    push_ingest: PushIngest | None = None,
    graphql: GraphQLService | None = None,
    tracing: Tracing | None = None,
    owns_platform: bool = False,
    web_root: Traversable | None = None,
) -> FastAPI:
    """The app; ``push_ingest``, ``graphql`` and ``tracing`` replace the services built
    from the settings (tests pass their own), ``web_root`` the packaged web UI."""
    push = push_ingest if push_ingest is not None else PushIngest.from_platform(platform)
    traces = tracing if tracing is not None else Tracing.create(platform.settings.tracing_exporter)
    if graphql is None:
        hub = EventHub()
        graphql = GraphQLService.from_platform(
            platform, hub=hub, jobs=JobRegistry(platform, hub), tracing=traces
        )
    feed = ChangeFeed(platform.store, graphql.hub)

    warm_thread: list[threading.Thread] = []

    def warming() -> threading.Thread:
        """The one background load of the graph projection (started once)."""
        if not warm_thread:
            thread = threading.Thread(
                target=_warm, args=(platform,), name="graph-warm", daemon=True
            )
            thread.start()
            warm_thread.append(thread)
        return warm_thread[0]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        push.start()
        await run_in_threadpool(feed.start)
        # The graph projection loads in the background; /readyz says "warming" until
        # it has, so a load balancer sends graph reads only to a warm worker.
        warming()
        try:
            yield
        finally:
            await run_in_threadpool(push.stop)  # drains the queue, finishes the runs
            await run_in_threadpool(feed.stop)
            if graphql.jobs is not None:
                await run_in_threadpool(graphql.jobs.shutdown)
            traces.shutdown()
            if owns_platform:
                await run_in_threadpool(platform.close)

    app = FastAPI(
        title="IntelGraph",
        version=__version__,
        docs_url="/docs" if platform.settings.mode == "development" else None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.platform = platform
    app.state.push_ingest = push
    app.state.graphql = graphql
    app.state.jobs = graphql.jobs
    app.state.login_throttle = graphql.throttle
    app.state.change_feed = feed
    app.state.tracing = traces
    app.add_middleware(AccessLogMiddleware, tracing=traces)

    @app.exception_handler(IntelGraphError)
    async def _intelgraph_error(_request: Request, exc: IntelGraphError) -> JSONResponse:
        if isinstance(exc, AuthError):
            return auth_error_response(exc)
        return JSONResponse(exc.to_dict(), status_code=_STATUS.get(exc.code, 500))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """The error model for a malformed body: where and what, never the value sent
        (it may be a password)."""
        problems = [
            {"where": ".".join(str(p) for p in error.get("loc", ())), "problem": error.get("msg")}
            for error in exc.errors()[:20]
        ]
        error = IntelGraphError(
            "the request is not valid",
            hint="; ".join(f"{p['where']}: {p['problem']}" for p in problems[:3]),
            details={"problems": problems},
            code="invalid_request",
        )
        return JSONResponse(error.to_dict(), status_code=422)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Readiness: the store answers with a current schema, the ledger's key loads and
        its newest checkpoint verifies, and NATS answers when one is configured."""
        checks: dict[str, str] = {}
        try:
            await run_in_threadpool(platform.store.check_schema)
            checks["store"] = "ok"
        except IntelGraphError as exc:
            checks["store"] = exc.code
        if checks["store"] == "ok":
            checks["ledger"] = await run_in_threadpool(platform.ledger.readiness)
            if not platform.store.graph_warm:  # a small store is warm in moments
                await run_in_threadpool(warming().join, 1.0)
            checks["graph"] = "ok" if platform.store.graph_warm else "warming"
        if "nats_url" in platform.settings.model_fields_set:
            checks["nats"] = await nats_readiness(platform.settings.nats_url)
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus metrics (ingest counters; more land with the API issue)."""
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    app.include_router(graphql_http.router)  # before the WebSocket router: it owns HTTP
    app.include_router(SubscriptionRouter(graphql))
    app.include_router(export_routes.router)
    app.include_router(ingest_push.router)
    app.include_router(auth_routes.router)
    app.include_router(scim.router)
    app.include_router(ledger_routes.router)
    app.include_router(ui_router(platform.settings, web_root))  # last: it has the fallback

    return app


__all__ = ["create_app"]
