"""`intelgraph policy …` and `intelgraph authority …`: explain decisions, manage authorities."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from intelgraph.access.admin import AUTHORITY_KINDS
from intelgraph.access.control import authority_of
from intelgraph.auth.users import principal_of
from intelgraph.cli.common import console, friendly_errors, settings_from, split_names
from intelgraph.cli.identity import AdminOption, admin_request
from intelgraph.errors import InvalidInput, NotFound
from intelgraph.files import write_atomically
from intelgraph.model import Labels, source_id
from intelgraph.platform import Platform
from intelgraph.policy.engine import (
    PolicyEngine,
    deployment_files,
    shipped_files,
    shipped_schema,
)
from intelgraph.policy.explain import advice
from intelgraph.policy.resources import (
    ACTIONS,
    Resource,
    authority_resource,
    edge_resource,
    property_resource,
    source_resource,
    system_resource,
    user_resource,
)
from intelgraph.store.authorities import AuthorityRow

policy_app = typer.Typer(help="Explain and check access decisions.")
authority_app = typer.Typer(help="Authority bindings: warrants, court orders, consents.")


def resolve(platform: Platform, text: str, tenant: str) -> Resource:
    """A resource named on the command line: ``ID`` (an entity or edge), ``ID#property``,
    ``Source:NAME``, ``User:NAME``, ``Authority:ID``, ``Ledger`` or ``Policy``."""
    kind, sep, rest = text.partition(":")
    if text in ("Ledger", "Policy"):
        return system_resource(text, platform.settings.default_tenant)
    if sep and kind == "Source":
        for candidate in (rest, source_id(tenant, rest)):
            try:
                return source_resource(platform.store.source(candidate), candidate)
            except NotFound:
                continue
        raise NotFound(f"no source {rest!r} in tenant {tenant!r}")
    if sep and kind == "User":
        return user_resource(principal_of(platform.store.identity.user_by_name(rest)))
    if sep and kind == "Authority":
        return authority_resource(authority_of(platform.store.authorities.get(rest)))
    entity_id, _, prop = text.partition("#")
    entity = platform.store.unscoped_entity(entity_id)
    if entity is None:
        raise NotFound(
            f"no entity {entity_id!r}", hint="pass an entity id, ID#property or Kind:NAME"
        )
    labels = entity.labels[0] if entity.labels else Labels()
    if prop:
        definition = platform.ontology.get(entity.schema).properties.get(prop)
        if definition is None:
            raise InvalidInput(f"{entity.schema} has no property {prop!r}")
        return property_resource(entity.id, prop, definition.privacy, labels)
    node = Resource("Entity", entity.id, labels, {"schema": entity.schema})
    if not entity.is_edge:
        return node
    ends = []
    for end in (entity.source_id, entity.target_id):
        found = platform.store.unscoped_entity(str(end))
        end_labels = found.labels[0] if found and found.labels else labels
        ends.append(
            Resource("Entity", str(end), end_labels, {"schema": found.schema if found else "Thing"})
        )
    return edge_resource(entity.id, entity.schema, labels, ends[0], ends[1])


@policy_app.command("simulate")
@friendly_errors
def simulate(
    ctx: typer.Context,
    as_user: str = typer.Option(..., "--as", help="The user whose request to simulate."),
    action: str = typer.Option("read", "--action", help=f"One of {', '.join(ACTIONS)}."),
    resource: str = typer.Option(
        ..., "--resource", help="Entity id, ID#property, Source:NAME, User:NAME, Ledger, Policy."
    ),
    purpose: str | None = typer.Option(None, "--purpose", help="The request's purpose."),
    authority: str | None = typer.Option(None, "--authority", help="An authority binding id."),
    stale_login: bool = typer.Option(
        False, "--stale-login", help="Simulate a login older than the freshness window."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Allow or deny, the policies that decided, and what to change to get access."""
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action!r}", hint=", ".join(ACTIONS))
    with Platform.open(settings_from(ctx)) as platform:
        user = platform.store.identity.user_by_name(as_user)
        now = int(time.time())
        login = now - platform.settings.fresh_auth_minutes * 60 - 1 if stale_login else now
        principal = principal_of(user, auth_time=login)
        if purpose is not None and purpose not in principal.purposes:
            console.print(f"[yellow]note:[/] {as_user} does not hold the purpose {purpose!r}")
        request = replace(platform.access.request(principal, authority=authority), purpose=purpose)
        target = resolve(platform, resource, principal.tenant)
        decision = platform.policy.decide(request, action, target)
        where = {p["id"]: p["where"] for p in platform.policy.describe()}
        steps = advice(request, action, target, decision)
    body: dict[str, Any] = {
        "decision": "allow" if decision.allowed else "deny",
        "principal": as_user,
        "action": action,
        "resource": {"type": target.type, "id": target.id, "labels": target.labels.to_dict()},
        "purpose": request.effective_purpose,
        "authority": authority,
        "policies": [{"id": p, "where": where.get(p)} for p in decision.policies],
        "advice": steps,
        "errors": list(decision.errors),
    }
    if as_json:
        typer.echo(json.dumps(body, indent=2))
    else:
        colour = "green" if decision.allowed else "red"
        console.print(
            f"[bold {colour}]{body['decision'].upper()}[/] "
            f"{as_user} {action} {target.type} {target.id}"
        )
        for item in body["policies"]:
            console.print(f"  decided by {item['id']} ({item['where']})")
        if not decision.policies:
            console.print("  no policy permits it")
        for step in steps:
            console.print(f"  [yellow]to allow:[/] {step}")
    if not decision.allowed:
        raise typer.Exit(2)


@policy_app.command("validate")
@friendly_errors
def validate(
    ctx: typer.Context,
    folder: Path | None = typer.Option(
        None, "--dir", help="Policy folder (default IG_POLICY_DIR)."
    ),
) -> None:
    """Parse and validate the shipped policies plus a deployment's own against the schema."""
    settings = settings_from(ctx)
    engine = PolicyEngine.load(folder or settings.policy_dir)
    console.print(f"[green]valid[/]: {len(engine.statements)} policies")


@policy_app.command("apply")
@friendly_errors
def apply(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .cedar file to add to (or replace in) IG_POLICY_DIR."),
    as_admin: str = AdminOption,
) -> None:
    """Validate a deployment policy with everything in force, then install it (admins only,
    with a fresh login; logged in the ledger)."""
    settings = settings_from(ctx)
    folder = settings.policy_dir
    if folder is None:
        raise InvalidInput(
            "no policy folder is configured", hint="set IG_POLICY_DIR to a folder for *.cedar files"
        )
    if file.suffix != ".cedar":
        raise InvalidInput(f"{file} is not a .cedar file")
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {file}: {exc}") from None
    target = folder / file.name
    others = [(n, t) for n, t in deployment_files(folder) if Path(n).name != file.name]
    candidate = PolicyEngine(
        [*shipped_files(), *others, (str(target), text)],
        shipped_schema(),
        max_auth_age_seconds=settings.fresh_auth_minutes * 60,
        platform_tenant=settings.default_tenant,
    )
    with Platform.open(settings) as platform:
        request = admin_request(platform, as_admin)
        change = {
            "op": "apply",
            "file": file.name,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "digest": candidate.digest(),
        }
        resource = system_resource("Policy", settings.default_tenant)
        platform.access.require(request, "changePolicy", resource, change=change)
        write_atomically(target, text.encode())
        leaf = platform.access.auditor.policy_set(request, candidate)
    console.print(
        f"[green]installed[/] {target} ({len(candidate.statements)} policies in force); "
        f"ledger leaf {leaf}"
    )


@policy_app.command("show")
@friendly_errors
def show(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """Every policy in force with its effect and where it is defined."""
    engine = PolicyEngine.load(settings_from(ctx).policy_dir)
    rows = engine.describe()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "effect", "where")
    for row in rows:
        table.add_row(row["id"], row["effect"], row["where"])
    console.print(table)


def authority_dict(row: AuthorityRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "tenant": row.tenant,
        "kind": row.kind,
        "issuer": row.issuer,
        "reference": row.reference,
        "purposes": sorted(row.purposes),
        "entities": sorted(row.entities),
        "licences": sorted(row.licences),
        "holders": sorted(row.holders),
        "not_before": datetime.fromtimestamp(row.not_before, UTC).isoformat(),
        "expires": datetime.fromtimestamp(row.expires, UTC).isoformat(),
        "revoked": row.revoked is not None,
    }


@authority_app.command("grant")
@friendly_errors
def grant(
    ctx: typer.Context,
    kind: str = typer.Option(..., "--kind", help=f"One of {', '.join(AUTHORITY_KINDS)}."),
    issuer: str = typer.Option(..., "--issuer", help="Who issued it (a court, the data subject)."),
    reference: str = typer.Option(..., "--reference", help="Its reference, e.g. a case number."),
    purpose: str = typer.Option(..., "--purpose", help="Comma-separated purposes it serves."),
    entities: str = typer.Option("", "--entities", help="Entity ids whose private data it covers."),
    licences: str = typer.Option("", "--licences", help="Licence classes it allows exporting."),
    holders: str = typer.Option("", "--holders", help="Users or groups who may invoke it."),
    days: float = typer.Option(30, "--days", help="How long it lasts."),
    authority_id: str | None = typer.Option(None, "--id", help="Its id (default: generated)."),
    as_admin: str = AdminOption,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record an authority binding in the admin's tenant (logged in the ledger)."""
    with Platform.open(settings_from(ctx)) as platform:
        row, leaf = platform.admin.grant_authority(
            admin_request(platform, as_admin),
            kind=kind,
            issuer=issuer,
            reference=reference,
            purposes=split_names(purpose),
            entities=split_names(entities),
            licences=split_names(licences),
            holders=split_names(holders),
            days=days,
            authority_id=authority_id,
        )
    if as_json:
        typer.echo(json.dumps({**authority_dict(row), "ledger_leaf": leaf}))
        return
    console.print(
        f"[green]granted[/] authority [bold]{row.id}[/] (ledger leaf {leaf}); "
        f"use it with --authority {row.id}"
    )


@authority_app.command("list")
@friendly_errors
def list_authorities(
    ctx: typer.Context,
    tenant: str | None = typer.Option(None, "--tenant"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Authority bindings with their scope and state."""
    with Platform.open(settings_from(ctx)) as platform:
        rows = platform.store.authorities.listed(tenant)
    data = [authority_dict(r) for r in rows]
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table("id", "tenant", "kind", "reference", "purposes", "entities", "expires", "state")
    now = time.time()
    for row, item in zip(rows, data, strict=True):
        state = "revoked" if row.revoked else ("expired" if row.expires <= now else "active")
        table.add_row(
            row.id,
            row.tenant,
            row.kind,
            row.reference,
            ",".join(item["purposes"]),
            str(len(row.entities)),
            item["expires"],
            state,
        )
    console.print(table)


@authority_app.command("revoke")
@friendly_errors
def revoke(
    ctx: typer.Context, authority_id: str = typer.Argument(...), as_admin: str = AdminOption
) -> None:
    """Revoke an authority binding at once (logged in the ledger)."""
    with Platform.open(settings_from(ctx)) as platform:
        _, leaf = platform.admin.revoke_authority(admin_request(platform, as_admin), authority_id)
    console.print(f"[green]revoked[/] {authority_id} (ledger leaf {leaf})")


__all__ = ["authority_app", "policy_app", "resolve"]
