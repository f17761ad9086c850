"""`intelgraph init`, `demo` and `serve`: set up a data directory and run the server."""

from __future__ import annotations

import os
import socket
from typing import Any

import typer
from rich.table import Table

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api.factory import SETTINGS_ENVIRONMENT
from intelgraph.cli.common import console, friendly_errors, settings_from
from intelgraph.config import Settings, load_settings, mask_url, to_environment
from intelgraph.demo import DEMO_COMPARTMENTS, DEMO_PURPOSES
from intelgraph.errors import ConfigError
from intelgraph.platform import Platform


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("serve")(serve)


@friendly_errors
def init(ctx: typer.Context) -> None:
    """Create the data directory and the embedded store (safe to run again)."""
    settings = settings_from(ctx)
    with Platform.open(settings, upgrade=True) as platform:
        password = _bootstrap(platform)
        made = platform.ledger.checkpoint()  # creates the signing key and announces it
    console.print(
        f"[green]ready[/]: data directory [bold]{settings.data_dir}[/], "
        f"store {mask_url(settings.resolved_database_url)}, "
        f"ledger key {made.key_id}"
    )
    _announce(password)


def _bootstrap(platform: Platform, **rights: Any) -> str | None:
    """The first admin, created once; its generated password is returned once."""
    settings = platform.settings
    platform.identity.issuer.active_key()  # the token signing key, created on first use
    given = settings.admin_password.get_secret_value() if settings.admin_password else None
    _, password = ensure_admin(
        platform.store, platform.ledger, tenant=settings.default_tenant, password=given, **rights
    )
    return None if given else password


def _announce(password: str | None) -> None:
    if password:
        console.print(
            f"admin user [bold]admin[/] created with password [bold]{password}[/] "
            "(shown once; change it with `intelgraph users passwd admin --password-stdin`)"
        )


@friendly_errors
def demo(
    ctx: typer.Context,
    serve_after: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the API and web UI after loading."
    ),
    scale: int = typer.Option(
        1, "--scale", min=1, max=100_000, help="Grow the investigation N times (benchmarks)."
    ),
    host: str | None = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default 8000)."),
) -> None:
    """Load a generated fictional investigation (deterministic), then serve it."""
    from intelgraph.demo import load_demo

    settings = settings_from(ctx)
    with Platform.open(settings, upgrade=True) as platform:
        with console.status("generating and loading the demo investigation…"):
            summary = load_demo(platform.store, scale=scale)
            password = _bootstrap(platform, compartments=DEMO_COMPARTMENTS, purposes=DEMO_PURPOSES)
            platform.ledger.checkpoint()
        table = Table("type", "count", title="Demo investigation loaded")
        for schema, count in summary.by_schema.items():
            table.add_row(schema, str(count))
        console.print(table)
        console.print(
            f"{summary.statements} statements from {summary.sources} sources "
            f"({summary.statements_new} new); try: "
            "[bold]intelgraph search aurora --as admin[/]"
        )
        _announce(password)
    if serve_after:
        _serve(settings, host, port)


@friendly_errors
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", help="Port (default 8000)."),
    workers: int | None = typer.Option(
        None, "--workers", help="Server processes (default 1, or IG_WORKERS)."
    ),
) -> None:
    """Serve the HTTP API and the web UI."""
    settings = settings_from(ctx)
    if workers is not None:
        settings = load_settings(**{**settings.model_dump(), "workers": workers})
    _serve(settings, host, port)


def _check_port_free(host: str, port: int) -> None:
    """Fail early, with a hint, when the address is taken or cannot be bound."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="another server may be running there; pass --port N or set IG_PORT",
        ) from None


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from intelgraph.api import create_app

    bind_host = host or settings.host
    bind_port = port or settings.port
    _check_port_free(bind_host, bind_port)
    settings = load_settings(**{**settings.model_dump(), "host": bind_host, "port": bind_port})
    if settings.workers > 1:
        # Each worker builds its own platform from the same settings (uvicorn needs an
        # import string to start processes); open once here to fail early.
        Platform.open(settings, upgrade=False).close()
        os.environ[SETTINGS_ENVIRONMENT] = to_environment(settings)
        console.print(
            f"serving on [bold]http://{bind_host}:{bind_port}/[/] with {settings.workers} "
            "workers (Ctrl+C to stop)"
        )
        uvicorn.run(
            "intelgraph.api.factory:app_from_environment",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=settings.workers,
            log_level=settings.log_level,
            # A worker builds the schema (a type per ontology type) as it starts; on a
            # busy machine that outlasts uvicorn's default 5 s health check.
            timeout_worker_healthcheck=60,
        )
        return
    platform = Platform.open(settings, upgrade=False)
    console.print(
        f"serving on [bold]http://{bind_host}:{bind_port}/[/] (Ctrl+C to stop): open it in a "
        "browser and sign in (the demo's user is [bold]admin[/])"
    )
    try:
        uvicorn.run(
            create_app(platform), host=bind_host, port=bind_port, log_level=settings.log_level
        )
    finally:
        platform.close()
