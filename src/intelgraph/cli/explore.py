"""`intelgraph search|show|neighbors|paths`: read the graph as a given viewer."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from intelgraph.cli.common import (
    AsOption,
    AuthorityOption,
    ClearanceOption,
    CompartmentsOption,
    PurposeOption,
    TenantOption,
    console,
    friendly_errors,
    settings_from,
    split_names,
    viewer_from,
)
from intelgraph.model import Entity
from intelgraph.platform import Platform

JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("show")(show)
    app.command("neighbors")(neighbors)
    app.command("paths")(paths)


def _labels_text(entity: Entity) -> str:
    parts = []
    for labels in entity.labels:
        text = f"C{labels.classification}"
        if labels.compartments:
            text += "/" + ",".join(sorted(labels.compartments))
        parts.append(text)
    return " ".join(parts)


def _seen(first: datetime, last: datetime) -> str:
    start, end = f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}"
    return start if start == end else f"{start} – {end}"


def _entity_json(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "schema": entity.schema,
        "caption": entity.caption,
        "properties": {k: list(v) for k, v in entity.properties.items()},
        "labels": [labels.to_dict() for labels in entity.labels],
        "redactions": dict(entity.redactions),
    }


@friendly_errors
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Words to find; the last one may be a prefix."),
    types: str = typer.Option("", "--types", help="Comma-separated entity types to keep."),
    first: int = typer.Option(20, "--first", min=1, max=1000, help="Page size."),
    after: str | None = typer.Option(None, "--after", help="Cursor from the previous page."),
    as_user: str | None = AsOption,
    purpose: str | None = PurposeOption,
    authority: str | None = AuthorityOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    as_json: bool = JsonOption,
) -> None:
    """Ranked full-text search over what the given viewer may see."""
    schemata = split_names(types) or None
    with Platform.open(settings_from(ctx)) as platform:
        request = viewer_from(
            ctx, platform, as_user, tenant, clearance, compartments, purpose, authority
        )
        page = platform.reads.search(request, query, schemata=schemata, first=first, after=after)
    if as_json:
        body = {
            "total": page.total,
            "total_is_capped": page.total_is_capped,
            "next": page.next_cursor,
            "hits": [{**_entity_json(h.entity), "score": h.score} for h in page.hits],
        }
        typer.echo(json.dumps(body, indent=2))
        return
    table = Table(title=f"{page.total}{'+' if page.total_is_capped else ''} match(es)")
    table.add_column("id", no_wrap=True)
    for header in ("type", "caption", "labels"):
        table.add_column(header)
    for hit in page.hits:
        table.add_row(
            hit.entity.id, hit.entity.schema, hit.entity.caption, _labels_text(hit.entity)
        )
    console.print(table)
    if page.next_cursor:
        console.print(f"more: --after {page.next_cursor}")


@friendly_errors
def show(
    ctx: typer.Context,
    entity_id: str = typer.Argument(..., help="Entity id."),
    as_user: str | None = AsOption,
    purpose: str | None = PurposeOption,
    authority: str | None = AuthorityOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    as_json: bool = JsonOption,
) -> None:
    """An entity with every statement the viewer may see and where each came from."""
    with Platform.open(settings_from(ctx)) as platform:
        request = viewer_from(
            ctx, platform, as_user, tenant, clearance, compartments, purpose, authority
        )
        entity = platform.reads.entity(request, entity_id)
        source_names = {source.id: source.name for source in platform.reads.sources(request)}
    if as_json:
        body = _entity_json(entity)
        body["statements"] = [
            {
                "id": s.id,
                "prop": s.prop,
                "value": s.value,
                "source_id": s.source_id,
                "record_id": s.record_id,
                "first_seen": s.first_seen.isoformat(),
                "last_seen": s.last_seen.isoformat(),
            }
            for s in entity.statements
        ]
        body["records"] = {
            record_id: {"uri": r.uri, "location": r.location, "source_id": r.source_id}
            for record_id, r in entity.records.items()
        }
        typer.echo(json.dumps(body, indent=2))
        return
    console.print(f"[bold]{entity.caption}[/] ({entity.schema}) {entity.id}")
    table = Table()
    table.add_column("property", no_wrap=True)
    table.add_column("value")
    table.add_column("source")
    table.add_column("record", no_wrap=True)
    table.add_column("seen")
    for s in entity.statements:
        table.add_row(
            s.prop,
            s.value,
            source_names.get(s.source_id, s.source_id),
            s.record_id[:10] + "…",
            _seen(s.first_seen, s.last_seen),
        )
    console.print(table)
    for prop, reason in sorted(entity.redactions.items()):
        console.print(f"[yellow]{prop}: withheld[/] ({reason})")
    records = Table("record (SHA-256)", "where it was read", title="Records cited")
    for record_id, record in sorted(entity.records.items()):
        records.add_row(record_id, f"{record.uri} {record.location}".strip())
    console.print(records)


@friendly_errors
def neighbors(
    ctx: typer.Context,
    entity_id: str = typer.Argument(..., help="Entity id."),
    direction: str = typer.Option("both", "--direction", help="out, in or both."),
    edge_types: str = typer.Option("", "--edge-types", help="Comma-separated edge types."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    cursor: str | None = typer.Option(None, "--cursor", help="Cursor from the previous page."),
    as_user: str | None = AsOption,
    purpose: str | None = PurposeOption,
    authority: str | None = AuthorityOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
) -> None:
    """Edges of an entity and who is at the other end."""
    types = split_names(edge_types) or None
    with Platform.open(settings_from(ctx)) as platform:
        request = viewer_from(
            ctx, platform, as_user, tenant, clearance, compartments, purpose, authority
        )
        page = platform.reads.neighbors(
            request, entity_id, direction=direction, edge_types=types, limit=limit, cursor=cursor
        )
        names = platform.reads.entities(request, [n.entity_id for n in page.items])
    table = Table("edge", "direction")
    table.add_column("entity", no_wrap=True)
    table.add_column("caption")
    for item in page.items:
        other = names.get(item.entity_id)
        table.add_row(
            item.edge_schema, item.direction, item.entity_id, other.caption if other else ""
        )
    console.print(table)
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}")


@friendly_errors
def paths(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Start entity id."),
    target: str = typer.Argument(..., help="End entity id."),
    max_hops: int = typer.Option(3, "--max-hops", min=1, max=6),
    limit: int = typer.Option(10, "--limit", min=1, max=1000),
    as_user: str | None = AsOption,
    purpose: str | None = PurposeOption,
    authority: str | None = AuthorityOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
) -> None:
    """Shortest connections between two entities."""
    with Platform.open(settings_from(ctx)) as platform:
        request = viewer_from(
            ctx, platform, as_user, tenant, clearance, compartments, purpose, authority
        )
        found = platform.reads.paths(request, source, target, max_hops=max_hops, limit=limit)
        ids = {node for path in found for node in path.nodes}
        names = platform.reads.entities(request, sorted(ids))
    if not found:
        console.print(f"no path of at most {max_hops} hops visible to this viewer")
        raise typer.Exit(1)
    for number, path in enumerate(found, 1):
        steps = " → ".join(names[n].caption if n in names else n for n in path.nodes)
        console.print(f"{number}. ({path.hops} hops) {steps}")
