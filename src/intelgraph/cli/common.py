"""Shared CLI plumbing: settings from the global options, errors shown with hints."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from intelgraph.config import Settings, load_settings
from intelgraph.errors import IntelGraphError
from intelgraph.model import ViewerScope

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def settings_from(ctx: typer.Context) -> Settings:
    """Settings built by the root callback (global options over IG_* variables)."""
    obj: dict[str, Any] = ctx.ensure_object(dict)
    settings = obj.get("settings")
    if settings is None:
        settings = load_settings()
        obj["settings"] = settings
    assert isinstance(settings, Settings)
    return settings


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print IntelGraph errors as a message plus what to do, and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except IntelGraphError as exc:
            err_console.print(f"[bold red]error:[/] {exc.message}")
            if exc.hint:
                err_console.print(f"[yellow]hint:[/] {exc.hint}")
            raise typer.Exit(1) from None

    return wrapper


def scope_from(
    ctx: typer.Context, tenant: str | None, clearance: str, compartments: str
) -> ViewerScope:
    """The viewer a read command runs as (tenant defaults to IG_DEFAULT_TENANT)."""
    return ViewerScope.make(
        tenant=tenant or settings_from(ctx).default_tenant,
        clearance=clearance,
        compartments=[c.strip() for c in compartments.split(",") if c.strip()],
    )


TenantOption = typer.Option(
    None, "--tenant", help="Tenant whose data to read (default: IG_DEFAULT_TENANT or 'default')."
)
ClearanceOption = typer.Option(
    "UNCLASSIFIED",
    "--clearance",
    help="Reader clearance: UNCLASSIFIED, CONFIDENTIAL, SECRET, TOP_SECRET or a number.",
)
CompartmentsOption = typer.Option(
    "", "--compartments", help="Comma-separated compartments the reader holds."
)

__all__ = [
    "ClearanceOption",
    "CompartmentsOption",
    "TenantOption",
    "console",
    "err_console",
    "friendly_errors",
    "scope_from",
    "settings_from",
]
