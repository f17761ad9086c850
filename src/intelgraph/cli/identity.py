"""`intelgraph users …` and `intelgraph tokens …`: local users and API tokens.

Every command acts as an admin (``--as``, default ``admin``) and is decided by
policy like the same action over HTTP; the shell on the server host, which can
open the database, counts as a fresh login (see docs/security.md).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

import typer
from rich.table import Table

from intelgraph.access.admin import Grant
from intelgraph.access.bootstrap import ADMIN_NAME
from intelgraph.auth.errors import AuthError
from intelgraph.auth.users import principal_of
from intelgraph.cli.common import console, friendly_errors, settings_from, split_names
from intelgraph.errors import InvalidInput
from intelgraph.model import Classification
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest
from intelgraph.store.identity import UserRow

users_app = typer.Typer(help="Local users: add, list, disable, grant and revoke rights.")
tokens_app = typer.Typer(help="API tokens for machines: create, list, revoke.")

AdminOption = typer.Option(ADMIN_NAME, "--as", help="The admin who acts (default: admin).")
JsonOption = typer.Option(False, "--json", help="Print JSON.")


def admin_request(platform: Platform, name: str) -> AccessRequest:
    """The acting admin, freshly authenticated by holding the server's shell."""
    user = platform.store.identity.user_by_name(name)
    if not user.active:
        raise AuthError("user_disabled", f"user {name!r} is disabled")
    return platform.access.request(principal_of(user, auth_time=int(time.time())))


def _read_password(prompt: bool) -> str | None:
    if not prompt:
        return None
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise InvalidInput("no password on standard input", hint="echo 'PASSWORD' | …")
    return password


def level_name(level: int) -> str | int:
    try:
        return Classification(level).name
    except ValueError:  # a tenant's own scale beyond the four standard levels
        return level


def user_dict(user: UserRow) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "tenant": user.tenant,
        "clearance": level_name(user.clearance),
        "compartments": sorted(user.compartments),
        "purposes": list(user.purposes),
        "groups": sorted(user.groups),
        "admin": user.admin,
        "active": user.active,
        "password": user.password_hash is not None,
        "external_id": user.external_id,
    }


@users_app.command("add")
@friendly_errors
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name (letters, digits, . _ @ + -)."),
    tenant: str | None = typer.Option(None, "--tenant", help="The user's tenant."),
    clearance: str = typer.Option("UNCLASSIFIED", "--clearance", help="Clearance level."),
    compartments: str = typer.Option("", "--compartments", help="Comma-separated."),
    purposes: str = typer.Option("", "--purposes", help="Comma-separated; the first is default."),
    admin: bool = typer.Option(False, "--admin", help="May manage users, keys and policy."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    display_name: str | None = typer.Option(None, "--display-name"),
    email: str | None = typer.Option(None, "--email"),
    as_admin: str = AdminOption,
    as_json: bool = JsonOption,
) -> None:
    """Add a user (without --password-stdin it can log in only through an identity provider)."""
    password = _read_password(password_stdin)
    with Platform.open(settings_from(ctx)) as platform:
        row = platform.admin.add_user(
            admin_request(platform, as_admin),
            name,
            tenant=tenant or platform.settings.default_tenant,
            clearance=clearance,
            compartments=split_names(compartments),
            purposes=split_names(purposes),
            admin=admin,
            password=password,
            display_name=display_name,
            email=email,
        )
    if as_json:
        typer.echo(json.dumps(user_dict(row)))
        return
    console.print(f"[green]added[/] user {row.name} ({row.tenant}, {user_dict(row)['clearance']})")


@users_app.command("list")
@friendly_errors
def list_users(
    ctx: typer.Context,
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's users."),
    as_json: bool = JsonOption,
) -> None:
    """Users with their rights."""
    with Platform.open(settings_from(ctx)) as platform:
        rows = platform.store.identity.users(tenant=tenant)
    if as_json:
        typer.echo(json.dumps([user_dict(r) for r in rows], indent=2))
        return
    table = Table("name", "tenant", "clearance", "compartments", "purposes", "admin", "active")
    for row in rows:
        data = user_dict(row)
        table.add_row(
            row.name,
            row.tenant,
            str(data["clearance"]),
            ",".join(data["compartments"]),
            ",".join(data["purposes"]),
            "yes" if row.admin else "",
            "yes" if row.active else "[red]disabled[/]",
        )
    console.print(table)


@users_app.command("show")
@friendly_errors
def show(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """One user as JSON."""
    with Platform.open(settings_from(ctx)) as platform:
        row = platform.store.identity.user_by_name(name)
    typer.echo(json.dumps(user_dict(row), indent=2))


def _set_active(ctx: typer.Context, name: str, as_admin: str, active: bool) -> None:
    with Platform.open(settings_from(ctx)) as platform:
        platform.admin.set_active(admin_request(platform, as_admin), name, active)
    state = "enabled" if active else "disabled (its sessions are revoked)"
    console.print(f"[green]{name} {state}[/]")


@users_app.command("disable")
@friendly_errors
def disable(
    ctx: typer.Context, name: str = typer.Argument(...), as_admin: str = AdminOption
) -> None:
    """Disable a user: its logins, sessions and API tokens stop working at once."""
    _set_active(ctx, name, as_admin, False)


@users_app.command("enable")
@friendly_errors
def enable(
    ctx: typer.Context, name: str = typer.Argument(...), as_admin: str = AdminOption
) -> None:
    """Enable a disabled user again."""
    _set_active(ctx, name, as_admin, True)


def _grant(clearance: str | None, compartments: str, purposes: str, admin: bool) -> Grant:
    return Grant(
        compartments=frozenset(split_names(compartments)),
        purposes=tuple(split_names(purposes)),
        clearance=None if clearance is None else Classification.parse(clearance),
        admin=admin or None,
    )


@users_app.command("grant")
@friendly_errors
def grant(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    clearance: str | None = typer.Option(None, "--clearance", help="Raise the clearance to this."),
    compartments: str = typer.Option("", "--compartments", help="Compartments to add."),
    purposes: str = typer.Option("", "--purposes", help="Purposes to add."),
    admin: bool = typer.Option(False, "--admin", help="Make the user an admin."),
    as_admin: str = AdminOption,
) -> None:
    """Add rights (an admin can only grant what it holds itself)."""
    with Platform.open(settings_from(ctx)) as platform:
        row = platform.admin.grant(
            admin_request(platform, as_admin),
            name,
            _grant(clearance, compartments, purposes, admin),
        )
    console.print(f"[green]granted[/]: {json.dumps(user_dict(row))}")


@users_app.command("revoke")
@friendly_errors
def revoke(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    clearance: str | None = typer.Option(None, "--clearance", help="Lower the clearance to this."),
    compartments: str = typer.Option("", "--compartments", help="Compartments to remove."),
    purposes: str = typer.Option("", "--purposes", help="Purposes to remove."),
    admin: bool = typer.Option(False, "--admin", help="Take admin rights away."),
    as_admin: str = AdminOption,
) -> None:
    """Remove rights."""
    with Platform.open(settings_from(ctx)) as platform:
        row = platform.admin.revoke(
            admin_request(platform, as_admin),
            name,
            _grant(clearance, compartments, purposes, admin),
        )
    console.print(f"[green]revoked[/]: {json.dumps(user_dict(row))}")


@users_app.command("passwd")
@friendly_errors
def passwd(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input (required)."
    ),
    as_admin: str = AdminOption,
) -> None:
    """Set a user's password from standard input (ends its sessions)."""
    if not password_stdin:
        raise InvalidInput(
            "pass the new password on standard input with --password-stdin",
            hint="passwords never go on the command line, where shell history keeps them",
        )
    password = _read_password(True)
    assert password is not None
    with Platform.open(settings_from(ctx)) as platform:
        platform.admin.set_password(admin_request(platform, as_admin), name, password)
    console.print(f"[green]password set[/] for {name}; its sessions were ended")


# -- tokens --------------------------------------------------------------------------------


@tokens_app.command("create")
@friendly_errors
def create_token(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="What the token is for, e.g. scim-bridge."),
    scope: str = typer.Option(
        "read", "--scope", help="Comma-separated: read, export, ingest, scim."
    ),
    user: str | None = typer.Option(
        None, "--user", help="Whose rights it carries (default: --as)."
    ),
    days: int = typer.Option(90, "--days", min=1, max=366, help="Days until it expires."),
    as_admin: str = AdminOption,
    as_json: bool = JsonOption,
) -> None:
    """Create an API token; the secret is printed once and stored only as a hash."""
    with Platform.open(settings_from(ctx)) as platform:
        created = platform.admin.create_token(
            admin_request(platform, as_admin), user or as_admin, name, split_names(scope), days=days
        )
    expires = datetime.fromtimestamp(created.row.expires, UTC).isoformat()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "id": created.row.id,
                    "token": created.token,
                    "scopes": sorted(created.row.scopes),
                    "expires": expires,
                }
            )
        )
        return
    console.print(
        f"token {created.row.id} ({','.join(sorted(created.row.scopes))}), expires {expires}"
    )
    typer.echo(created.token)
    console.print("[yellow]store it now: it is not shown again[/]")


@tokens_app.command("list")
@friendly_errors
def list_tokens(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user", help="Only this user's tokens."),
    as_json: bool = JsonOption,
) -> None:
    """API tokens (never their secrets)."""
    with Platform.open(settings_from(ctx)) as platform:
        owner = platform.store.identity.user_by_name(user).id if user else None
        rows = platform.store.identity.api_tokens(user_id=owner)
        names = {u.id: u.name for u in platform.store.identity.users()}
    data: list[dict[str, Any]] = [
        {
            "id": r.id,
            "name": r.name,
            "user": names.get(r.user_id, r.user_id),
            "scopes": sorted(r.scopes),
            "expires": datetime.fromtimestamp(r.expires, UTC).isoformat(),
            "revoked": r.revoked is not None,
        }
        for r in rows
    ]
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table("id", "name", "user", "scopes", "expires", "state")
    for item in data:
        table.add_row(
            item["id"],
            item["name"],
            item["user"],
            ",".join(item["scopes"]),
            item["expires"],
            "revoked" if item["revoked"] else "live",
        )
    console.print(table)


@tokens_app.command("revoke")
@friendly_errors
def revoke_token(
    ctx: typer.Context, token_id: str = typer.Argument(...), as_admin: str = AdminOption
) -> None:
    """Revoke an API token at once."""
    with Platform.open(settings_from(ctx)) as platform:
        changed = platform.admin.revoke_token(admin_request(platform, as_admin), token_id)
    console.print(f"[green]revoked[/] {token_id}" if changed else f"{token_id} was already revoked")


__all__ = ["admin_request", "tokens_app", "user_dict", "users_app"]
