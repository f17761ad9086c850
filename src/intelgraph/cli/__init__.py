"""The ``intelgraph`` command line (Typer + Rich), one module per command group."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from intelgraph import __version__
from intelgraph.cli import (
    access,
    claims,
    db,
    explore,
    export,
    identity,
    ingest,
    ledger,
    query,
    schema,
    setup,
)
from intelgraph.cli.common import err_console
from intelgraph.config import load_settings, unknown_environment
from intelgraph.errors import ConfigError
from intelgraph.obs import configure_logging

app = typer.Typer(
    name="intelgraph",
    help="IntelGraph: a provenance-first intelligence analysis platform.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"intelgraph {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data directory (default ./.intelgraph or IG_DATA_DIR)."
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="sqlite:///file.db or postgresql://… (default: SQLite in the data directory).",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Load data into one knowledge graph, explore it, and share signed findings."""
    try:
        settings = load_settings(data_dir=data_dir, database_url=database_url)
    except ConfigError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}")
        if exc.hint:
            err_console.print(f"[yellow]hint:[/] {exc.hint}")
        raise typer.Exit(2) from None
    for name in unknown_environment(os.environ):
        err_console.print(f"[yellow]warning:[/] {name} is not an IntelGraph setting (ignored)")
    configure_logging(settings.log_level, json=settings.mode == "production")
    ctx.ensure_object(dict)["settings"] = settings


setup.register(app)
explore.register(app)
export.register(app)
claims.register(app)
query.register(app)
app.add_typer(ingest.app, name="ingest")
app.add_typer(db.app, name="db")
app.add_typer(schema.app, name="schema")
app.add_typer(ledger.app, name="ledger")
app.add_typer(ledger.keys_app, name="keys")
app.add_typer(identity.users_app, name="users")
app.add_typer(identity.tokens_app, name="tokens")
app.add_typer(access.policy_app, name="policy")
app.add_typer(access.authority_app, name="authority")


def main() -> None:
    app()


__all__ = ["app", "main"]
