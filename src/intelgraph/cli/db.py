"""`intelgraph db`: create and migrate the store's schema."""

from __future__ import annotations

import typer

from intelgraph.cli.common import console, friendly_errors, settings_from
from intelgraph.config import mask_url
from intelgraph.platform import Platform
from intelgraph.store import migrate

app = typer.Typer(help="Database schema: upgrade and status.", no_args_is_help=True)


@app.command("upgrade")
@friendly_errors
def upgrade(ctx: typer.Context) -> None:
    """Create the schema or apply pending migrations (safe to run repeatedly)."""
    settings = settings_from(ctx)
    with Platform.open(settings, upgrade=True) as platform:
        revision = migrate.current_revision(platform.store._engine)
    console.print(
        f"database [bold]{mask_url(settings.resolved_database_url)}[/] is at revision "
        f"[green]{revision}[/] (head)"
    )


@app.command("status")
@friendly_errors
def status(ctx: typer.Context) -> None:
    """Show the schema revision and whether an upgrade is needed."""
    settings = settings_from(ctx)
    with Platform.open(settings, upgrade=False) as platform:
        revision = migrate.current_revision(platform.store._engine)
    console.print(f"revision {revision} (head {migrate.head_revision()}): up to date")
