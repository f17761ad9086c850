"""Shared CLI plumbing: settings from the global options, errors shown with hints."""

from __future__ import annotations

import functools
import getpass
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from intelgraph.auth.errors import AuthError
from intelgraph.auth.users import principal_of
from intelgraph.config import Settings, load_settings
from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.model import ViewerScope
from intelgraph.policy.compile import scope_for
from intelgraph.policy.principal import AccessRequest, Principal

if TYPE_CHECKING:
    from intelgraph.platform import Platform

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


def split_names(text: str | None) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]``: how every comma-separated option is read."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def local_principal(
    ctx: typer.Context, tenant: str | None, clearance: str, compartments: str, purpose: str | None
) -> Principal:
    """The ad-hoc local principal of a command run without ``--as``: exactly the rights
    the options give (least privilege by default), holding only the purpose passed."""
    name = f"local:{getpass.getuser()}"
    return Principal.make(
        name,
        tenant or settings_from(ctx).default_tenant,
        clearance,
        compartments=split_names(compartments),
        purposes=split_names(purpose),
        id=name,
    )


def scope_from(
    ctx: typer.Context,
    tenant: str | None,
    clearance: str,
    compartments: str,
    purpose: str | None = None,
) -> ViewerScope:
    """The compiled scope of an ad-hoc local principal (bookkeeping commands: runs,
    dead letters), built by the same policy compiler as every other read."""
    principal = local_principal(ctx, tenant, clearance, compartments, purpose)
    return scope_for(AccessRequest(principal, purpose))


def viewer_from(
    ctx: typer.Context,
    platform: Platform,
    as_user: str | None,
    tenant: str | None,
    clearance: str,
    compartments: str,
    purpose: str | None = None,
    authority: str | None = None,
) -> AccessRequest:
    """The request a CLI command makes, decided by the same policy point as the API.

    ``--as USER`` acts as a stored user (the shell on the server host, which can open
    the database, is the authentication; see docs/security.md); without it, as the
    ad-hoc :func:`local_principal`.
    """
    if not as_user:
        principal = local_principal(ctx, tenant, clearance, compartments, purpose)
        return platform.access.request(principal, purpose=purpose, authority=authority)
    if tenant is not None or clearance != "UNCLASSIFIED" or compartments:
        raise InvalidInput(
            "--as and --tenant/--clearance/--compartments cannot be combined",
            hint="the user's own rights apply with --as",
        )
    user = platform.store.identity.user_by_name(as_user)
    if not user.active:
        raise AuthError("user_disabled", f"user {as_user!r} is disabled")
    principal = principal_of(user, auth_time=int(time.time()))
    return platform.access.request(principal, purpose=purpose, authority=authority)


AsOption = typer.Option(
    None, "--as", help="Act as this user: their tenant, clearance, compartments and purposes."
)
PurposeOption = typer.Option(
    None, "--purpose", help="Purpose of the request (default: the user's first purpose)."
)
AuthorityOption = typer.Option(
    None,
    "--authority",
    help="Authority binding (warrant, order, consent) that covers private data or exports.",
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
    "AsOption",
    "AuthorityOption",
    "ClearanceOption",
    "CompartmentsOption",
    "PurposeOption",
    "TenantOption",
    "console",
    "err_console",
    "friendly_errors",
    "local_principal",
    "scope_from",
    "settings_from",
    "split_names",
    "viewer_from",
]
