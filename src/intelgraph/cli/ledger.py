"""``intelgraph ledger …`` and ``intelgraph keys …``: the provenance log and its keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from intelgraph.cli.common import (
    AsOption,
    AuthorityOption,
    ClearanceOption,
    CompartmentsOption,
    PurposeOption,
    TenantOption,
    console,
    err_console,
    friendly_errors,
    settings_from,
    viewer_from,
)
from intelgraph.cli.identity import admin_request
from intelgraph.errors import InvalidInput
from intelgraph.export.bundle import statement_line
from intelgraph.files import write_atomically
from intelgraph.ingest.claims import CLAIM_MEDIA_TYPE
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import b64
from intelgraph.ledger.note import NoteError, Signer, Verifier, open_checkpoint
from intelgraph.platform import Platform
from intelgraph.store.ledger_evidence import Evidence, MemberProof

app = typer.Typer(help="The provenance ledger: verify it, sign checkpoints, prove statements.")
keys_app = typer.Typer(help="The ledger's signing keys.")

KeyOption = typer.Option(
    None,
    "--key",
    help="Also trust this verifier key (name+id+base64, or a file holding one). Repeatable.",
)


def extra_verifiers(keys: list[str] | None) -> list[Verifier]:
    """Verifier keys given on the command line, inline or as files."""
    out = []
    for value in keys or []:
        path = Path(value)
        text = path.read_text() if "+" not in value and path.is_file() else value
        try:
            out.append(Verifier.parse(text))
        except NoteError as exc:
            raise InvalidInput(
                f"--key {value!r} is not a verifier key: {exc}",
                hint="use the form printed by `intelgraph keys show`",
            ) from None
    return out


@app.command("verify")
@friendly_errors
def verify(
    ctx: typer.Context,
    key: list[str] | None = KeyOption,
    against: list[Path] | None = typer.Option(
        None,
        "--against",
        help="A checkpoint saved earlier (`ledger checkpoint --out`); the log must still "
        "contain it. Repeatable.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Recompute the whole log and check every node, checkpoint and batch (exit 1 on any
    problem)."""
    kept = []
    for path in against or []:
        try:
            kept.append(path.read_text())
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read the checkpoint file {path}: {exc}") from None
    with (
        Platform.open(settings_from(ctx)) as platform,
        Progress(
            SpinnerColumn(), TextColumn("{task.description}"), console=err_console, transient=True
        ) as bar,
    ):
        task = bar.add_task("reading leaves…")
        report = platform.ledger.verify(
            extra_verifiers(key),
            kept=kept,
            progress=lambda n: bar.update(task, description=f"read {n:,} leaves…"),
        )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    elif report.ok:
        console.print(
            f"[green]ledger verified[/]: {report.size:,} leaves, {report.checkpoints} "
            f"checkpoints, {report.batches:,} batches; root {b64(report.root)}"
        )
    else:
        err_console.print(
            f"[bold red]the ledger does not verify[/]: {len(report.problems)} problem(s)"
        )
        for problem in report.problems:
            err_console.print(f"  - {problem}")
        err_console.print(
            "[yellow]hint:[/] the log or its checkpoints were altered; restore the database "
            "from a backup taken at a verified checkpoint and investigate who had write access"
        )
    if not report.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
@friendly_errors
def checkpoint(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Also write the signed note to FILE."),
) -> None:
    """Sign the current tree head (C2SP signed note) and print it."""
    with Platform.open(settings_from(ctx)) as platform:
        made = platform.ledger.checkpoint()
    if out is not None:
        write_atomically(out, made.note.encode())
    typer.echo(made.note, nl=False)


@app.command("status")
@friendly_errors
def status(ctx: typer.Context) -> None:
    """Size, root and latest checkpoint of the log."""
    with Platform.open(settings_from(ctx)) as platform:
        ledger = platform.ledger
        size = platform.store.ledger.size()
        latest = platform.store.ledger.latest_checkpoint()
        console.print(f"origin      {ledger.origin}")
        console.print(f"leaves      {size:,}")
        console.print(f"root        {b64(platform.store.ledger.root())}")
        if latest is None:
            console.print("checkpoint  none yet (run `intelgraph ledger checkpoint`)")
        else:
            console.print(
                f"checkpoint  #{latest.id} at size {latest.size:,}, key {latest.key_id}, "
                f"{latest.created_at.isoformat()}"
            )


@app.command("prove")
@friendly_errors
def prove(
    ctx: typer.Context,
    statement_id: str = typer.Argument(
        ..., help="The statement's id, or its first 8+ digits (`intelgraph show ID --json`)."
    ),
    as_user: str | None = AsOption,
    purpose: str | None = PurposeOption,
    authority: str | None = AuthorityOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    as_json: bool = typer.Option(False, "--json", help="Print the evidence as JSON."),
) -> None:
    """Show a statement's evidence (record, source, run, leaf) and check its proofs."""
    with Platform.open(settings_from(ctx)) as platform:
        request = viewer_from(
            ctx, platform, as_user, tenant, clearance, compartments, purpose, authority
        )
        found = platform.ledger.evidence(platform.access.scope(request), statement_id)
        platform.access.reveal_statement(request, found.statement)
        verifiers = platform.ledger.verifiers()
    try:
        found.check()
        signed = _checkpoint_signed(found, verifiers)
    except (merkle.ProofError, NoteError) as exc:
        err_console.print(f"[bold red]the evidence does not check:[/] {exc}")
        err_console.print(
            "[yellow]hint:[/] the stored data or the log was altered; run "
            "`intelgraph ledger verify` and restore from a verified backup"
        )
        raise typer.Exit(3) from None
    data = evidence_dict(found)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    s = found.statement
    console.print(f"[bold]statement[/] {s.id}: {s.schema}.{s.prop} = {s.value!r}")
    console.print(f"  entity      {s.entity_id}")
    console.print(f"  seen        {s.first_seen.isoformat()} … {s.last_seen.isoformat()}")
    record = data["record"]
    console.print(f"[bold]record[/] sha256 {found.record_id}")
    if found.record is not None:
        console.print(f"  at          {record['uri']} ({record['location']})")
        if data["claim"] is not None:
            claim = data["claim"]
            console.print(f"  claimed by  {claim['author']}: {claim['justification']}")
            if claim.get("evidence"):
                evidence = claim["evidence"]
                console.print(
                    f"  evidence    {evidence['name']} ({evidence['size']:,} bytes, "
                    f"sha256 {evidence['sha256']})"
                )
    else:
        console.print("  (the record itself is outside your clearance; its hash is still proven)")
    src = data["source"]
    console.print(
        f"[bold]source[/] {src['name']}: licence {src['licence']}, retention {src['retention']}"
    )
    if found.run is not None:
        console.print(
            f"[bold]run[/] {found.run.id} ({found.run.connector}, {found.run.status}, "
            f"mapping {found.run.mapping_hash or 'automatic'})"
        )
    console.print(f"[bold]ledger leaf[/] #{found.leaf_index}: {found.leaf.decode()}")
    console.print(
        f"  statement {found.statement_proof.position + 1} of {found.statement_proof.size}, "
        f"path of {len(found.statement_proof.path)} hashes; leaf path of "
        f"{len(found.leaf_proof)} hashes"
    )
    checkpoint = found.checkpoint
    if checkpoint is not None:  # always, once check() passed
        console.print(f"[bold]checkpoint[/] #{checkpoint.id}, signed by {signed}:")
        console.print(checkpoint.note, end="", markup=False, highlight=False)
    console.print("[green]✓ proofs check[/]: statement → batch → log → signed checkpoint")


def _checkpoint_signed(found: Evidence, verifiers: list[Verifier]) -> str:
    if found.checkpoint is None:
        raise merkle.ProofError("no checkpoint covers the statement's leaf")
    _, signed = open_checkpoint(found.checkpoint.note, verifiers)
    return ", ".join(v.key_hex for v in signed)


def evidence_dict(found: Evidence) -> dict[str, Any]:
    s = found.statement
    record = found.record
    checkpoint = found.checkpoint
    return {
        "statement": statement_line(s),
        "record": {
            "sha256": found.record_id,
            "uri": record.uri if record else None,
            "location": record.location if record else None,
            "media_type": record.media_type if record else None,
            "visible": record is not None,
        },
        "source": {
            "id": s.source_id,
            "name": found.source.name,
            "licence": str(found.source.licence),
            "retention": str(found.source.retention),
        },
        "claim": json.loads(record.content)
        if record is not None and record.media_type == CLAIM_MEDIA_TYPE
        else None,
        "run": None
        if found.run is None
        else {
            "id": found.run.id,
            "connector": found.run.connector,
            "mapping_hash": found.run.mapping_hash,
            "status": found.run.status,
            "started_at": found.run.started_at.isoformat(),
        },
        "leaf": {
            "index": found.leaf_index,
            "body": found.leaf_fields,
            "hash": b64(merkle.leaf_hash(found.leaf)),
        },
        "statement_proof": _member(found.statement_proof),
        "record_proof": _member(found.record_proof),
        "checkpoint": None
        if checkpoint is None
        else {"id": checkpoint.id, "size": checkpoint.size, "note": checkpoint.note},
        "leaf_proof": [b64(h) for h in found.leaf_proof],
    }


def _member(proof: MemberProof) -> dict[str, Any]:
    return {"position": proof.position, "size": proof.size, "path": [b64(h) for h in proof.path]}


@keys_app.command("show")
@friendly_errors
def keys_show(ctx: typer.Context) -> None:
    """Print the verifier keys (public) of every key this deployment has signed with."""
    with Platform.open(settings_from(ctx)) as platform:
        verifiers = platform.ledger.verifiers()
    if not verifiers:
        err_console.print(
            "no keys yet: `intelgraph init` or `intelgraph ledger checkpoint` makes one"
        )
        raise typer.Exit(1)
    err_console.print(f"active key: {verifiers[0].key_hex} (listed first)")
    for verifier in verifiers:
        typer.echo(verifier.vkey())


@keys_app.command("rotate")
@friendly_errors
def keys_rotate(
    ctx: typer.Context,
    issuer: bool = typer.Option(
        False, "--issuer", help="Rotate the token-signing key instead of the ledger's."
    ),
    as_admin: str = typer.Option("admin", "--as", help="The admin who rotates (default: admin)."),
) -> None:
    """Replace the signing key; old checkpoints stay verifiable with the kept public key."""
    with Platform.open(settings_from(ctx)) as platform:
        request = admin_request(platform, as_admin)
        if issuer:
            kid = platform.admin.rotate_issuer_key(request)
            console.print(
                f"[green]rotated[/] the token-signing key: new kid {kid}; tokens signed before "
                "stay valid until they expire"
            )
            return
        old, new, made = platform.admin.rotate_ledger_key(request, platform.ledger)
    console.print(
        f"[green]rotated[/]: {old.key_hex} → {new.key_hex}; the change is leaf "
        f"{made.size - 1} and checkpoint #{made.id} is co-signed by both keys"
    )
    typer.echo(new.vkey())


@keys_app.command("generate")
@friendly_errors
def keys_generate(
    name: str = typer.Argument(..., help="The key name: the ledger's origin line."),
) -> None:
    """Print a new signing key for IG_LEDGER_SIGNING_KEY (production key management)."""
    signer = Signer.generate(name)
    err_console.print(f"verifier key (public): {signer.verifier.vkey()}")
    typer.echo(signer.skey())


__all__ = ["app", "evidence_dict", "extra_verifiers", "keys_app"]
