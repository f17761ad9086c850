"""``intelgraph export`` (signed bundle out) and ``intelgraph verify`` (offline check)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer

from intelgraph.access.exports import PolicyExportGuard
from intelgraph.cli.common import (
    AsOption,
    ClearanceOption,
    CompartmentsOption,
    TenantOption,
    console,
    err_console,
    friendly_errors,
    settings_from,
    split_names,
    viewer_from,
)
from intelgraph.cli.ledger import extra_verifiers
from intelgraph.errors import InvalidInput
from intelgraph.export.formats import FORMATS
from intelgraph.export.service import Exporter, ExportRequest, Selection
from intelgraph.export.verify import BundleInvalid, verify_bundle
from intelgraph.files import write_atomically
from intelgraph.platform import Platform


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("verify")(verify)


@friendly_errors
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The bundle file to write (.zip)."),
    entities: str | None = typer.Option(None, "--entities", help="Comma-separated entity ids."),
    search: str | None = typer.Option(None, "--search", help="Export the hits of a search."),
    subgraph: str | None = typer.Option(None, "--subgraph", help="Export around this entity."),
    hops: int = typer.Option(1, "--hops", help="With --subgraph: how far to expand (0–6)."),
    limit: int = typer.Option(10_000, "--limit", help="Most entities to export."),
    fmt: str = typer.Option("jsonl", "--format", help=f"One of {', '.join(FORMATS)}."),
    purpose: str | None = typer.Option(None, "--purpose", help="Why the data leaves."),
    authority: str | None = typer.Option(
        None,
        "--authority",
        help="Id of the authority binding that allows restricted or private data to leave.",
    ),
    requester: str | None = typer.Option(None, "--requester", help="Who asks (default: you)."),
    as_user: str | None = AsOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Write a signed bundle of a selection, with ledger proofs for every statement."""
    chosen = [name for name, value in (("--entities", entities), ("--search", search),
                                       ("--subgraph", subgraph)) if value]  # fmt: skip
    if len(chosen) != 1:
        raise InvalidInput(
            "choose what to export with exactly one of --entities, --search, --subgraph"
        )
    if entities:
        selection = Selection("entities", tuple(split_names(entities)), limit=limit)
    elif search:
        selection = Selection("search", query=search, limit=limit)
    else:
        selection = Selection("subgraph", (str(subgraph),), hops=hops, limit=limit)
    with Platform.open(settings_from(ctx)) as platform, console.status("exporting…"):
        access = viewer_from(
            ctx, platform, as_user, tenant, clearance, compartments, purpose, authority
        )
        request = ExportRequest(
            selection=selection,
            format=fmt,
            scope=platform.access.scope(access),
            requester=requester or as_user or whoami(),
            purpose=access.effective_purpose,
            authority=authority,
            guard=PolicyExportGuard(platform.access, access),
        )
        result = Exporter(platform.store, platform.ledger).export(request)
    write_atomically(out, result.archive)
    summary = {
        "out": str(out),
        "bytes": len(result.archive),
        "manifest_sha256": result.manifest_sha256,
        "entities": result.entities,
        "edges": result.edges,
        "statements": result.statements,
        "batches": result.batches,
        "checkpoint_size": result.checkpoint_size,
        "ledger_leaf": result.leaf_index,
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    console.print(
        f"[green]exported[/] {result.entities} entities, {result.edges} edges and "
        f"{result.statements} statements "
        f"from {_batches(result.batches)} to [bold]{out}[/] ({len(result.archive):,} bytes); "
        f"logged as ledger leaf {result.leaf_index}. Check it with: intelgraph verify {out}"
    )


def verify(
    bundle: Path = typer.Argument(..., help="The bundle to check."),
    key: list[str] | None = typer.Option(
        None, "--key", help="Pin the signer: a verifier key (name+id+base64) or a file with one."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
) -> None:
    """Check a bundle offline (no database). Exit 0 when valid; otherwise 10 malformed,
    11 bad signature, 12 missing file, 13 file hash mismatch, 14 checkpoint, 15 proof
    (2: the file cannot be read or the options are wrong)."""
    try:
        data = bundle.read_bytes()
    except OSError as exc:
        err_console.print(f"[bold red]error:[/] cannot read {bundle}: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    try:
        pins = extra_verifiers(key)
    except InvalidInput as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(2) from None
    if len(pins) > 1:
        err_console.print("[bold red]error:[/] pin one key")
        raise typer.Exit(2)
    try:
        report = verify_bundle(data, key=pins[0] if pins else None)
    except BundleInvalid as exc:
        if as_json:
            typer.echo(json.dumps({"ok": False, "failure": exc.kind, "reason": exc.message}))
        else:
            err_console.print(f"[bold red]invalid ({exc.kind}):[/] {exc.message}", soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    console.print(
        f"[green]✓ verified[/]: {report.statements} statements in {_batches(report.batches)}, "
        f"proven under checkpoint size {report.checkpoint_size} of {report.origin}; "
        f"format {report.data_format}"
    )
    if report.pinned:
        console.print(f"signed by the pinned key {report.key.key_hex}")
    else:
        console.print(
            f"[yellow]signed by key {report.key.vkey()}[/] — not pinned: pass --key with the "
            "exporter's published key to check who signed"
        )


def _batches(count: int) -> str:
    return f"{count} ledger batch{'' if count == 1 else 'es'}"


def whoami() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


__all__ = ["register", "whoami"]
