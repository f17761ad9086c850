"""``intelgraph claim``: an analyst's statement, justified, with optional evidence."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import typer

from intelgraph.cli.common import (
    AsOption,
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
from intelgraph.cli.export import whoami
from intelgraph.errors import InvalidInput
from intelgraph.ingest.claims import MAX_EVIDENCE, Claim, assert_claim
from intelgraph.platform import Platform


def register(app: typer.Typer) -> None:
    app.command("claim")(claim)


@friendly_errors
def claim(
    ctx: typer.Context,
    entity_id: str = typer.Argument(..., help="The entity the claim is about."),
    prop: str = typer.Argument(..., help="The property, e.g. nationality."),
    value: str = typer.Argument(..., help="The value you assert."),
    justification: str = typer.Option(..., "--justification", help="Why you assert it."),
    evidence: Path | None = typer.Option(None, "--evidence", help="A file that supports it."),
    author: str | None = typer.Option(None, "--author", help="Who claims it (default: you)."),
    classification: str | None = typer.Option(
        None, "--classification", help="The claim's classification (default: the entity's)."
    ),
    label_compartments: str | None = typer.Option(
        None, "--label-compartments", help="The claim's compartments (default: the entity's)."
    ),
    as_user: str | None = AsOption,
    purpose: str | None = PurposeOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Add a statement of your own; it is stored, hashed and logged like ingested data."""
    content = None
    if evidence is not None:
        try:
            if evidence.stat().st_size > MAX_EVIDENCE:
                raise InvalidInput(f"{evidence} is larger than {MAX_EVIDENCE >> 20} MiB")
            content = evidence.read_bytes()
        except OSError as exc:
            raise InvalidInput(
                f"cannot read the evidence file {evidence}: {exc.strerror or exc}"
            ) from None
    made = Claim(
        author=author or as_user or whoami(),
        entity_id=entity_id,
        prop=prop,
        value=value,
        justification=justification,
        evidence=content,
        evidence_name=evidence.name if evidence is not None else None,
        classification=classification,
        compartments=None if label_compartments is None else tuple(split_names(label_compartments)),
    )
    with Platform.open(settings_from(ctx)) as platform:
        request = viewer_from(ctx, platform, as_user, tenant, clearance, compartments, purpose)
        result = assert_claim(platform.store, platform.access.scope(request), made)
        platform.ledger.checkpoint()
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result)))
        return
    state = "recorded" if result.new else "already recorded"
    console.print(
        f"[green]{state}[/]: statement {result.statement_id} ({prop} = {result.value!r}); "
        f"prove it with: intelgraph ledger prove {result.statement_id}"
    )


__all__ = ["register"]
