"""`intelgraph ingest …`: load files, S3 prefixes, HTTP feeds and NATS streams.

``intelgraph ingest PATH…`` loads files (the default subcommand); the other
subcommands are ``http``, ``nats``, ``watch``, ``runs``, ``status``, ``dlq`` and
``token``. Every load goes through the same pipeline and prints the same summary.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from intelgraph.cli.common import (
    ClearanceOption,
    CompartmentsOption,
    TenantOption,
    console,
    err_console,
    friendly_errors,
    scope_from,
    settings_from,
)
from intelgraph.cli.common import PurposeOption as ReadPurposeOption
from intelgraph.cli.ingest_view import (
    letter_dict,
    print_letters,
    print_runs,
    print_summary,
    progress_bar,
    run_dict,
)
from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.ingest import IngestPipeline
from intelgraph.ingest.connectors.files import FileInput
from intelgraph.ingest.connectors.folder import FolderWatcher
from intelgraph.ingest.replay import replay
from intelgraph.ingest.runner import (
    build_pipeline,
    default_source_name,
    estimate_records,
    file_inputs,
    format_options,
    load_mapping_file,
    run_source,
)
from intelgraph.ingest.sources import SourceOptions
from intelgraph.model import source_id
from intelgraph.platform import Platform


class _FilesByDefault(TyperGroup):
    """``intelgraph ingest PATH…`` means ``intelgraph ingest files PATH…``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Typer's vendored Context
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["files", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_FilesByDefault,
    help="Load data. [bold]intelgraph ingest PATH…[/] loads files (CSV, JSON, JSON Lines, "
    "XLSX, STIX, followthemoney), directories or s3://bucket/prefix: the [bold]files[/] "
    "command, which is the default. See docs/ingest.md.",
    no_args_is_help=True,
)
dlq_app = typer.Typer(help="The dead-letter queue: records that could not be loaded.")
token_app = typer.Typer(help="Bearer tokens for HTTP push (POST /ingest/{source}).")
app.add_typer(dlq_app, name="dlq")
app.add_typer(token_app, name="token")

MappingOption = typer.Option(None, "--mapping", "-m", help="YAML mapping (FtM format).")
SourceOption = typer.Option(None, "--source", "-s", help="Source name (default: mapping/input).")
LabelOption = typer.Option(
    [], "--label", "-l", help="Default label KEY=VALUE (tenant, classification, compartments…)."
)
DriftOption = typer.Option("warn", "--drift", help="On schema drift: warn or fail.")
JsonOption = typer.Option(False, "--json", help="Print the run summary as JSON.")
BatchOption = typer.Option(None, "--batch-size", help="Records per transaction.")
PrivacyOption = typer.Option(
    [], "--privacy", help="CLASS=ACTION for pii/sensitive values: keep, token or drop."
)
LicenceOption = typer.Option(None, "--licence", help="Licence/TOS class of the source.")
RetentionOption = typer.Option(None, "--retention", help="Retention tier of the source.")
PurposeOption = typer.Option([], "--purpose", help="Purpose tag of the source (repeatable).")
ResidencyOption = typer.Option(None, "--residency", help="Data residency region.")


@app.command("files")
@friendly_errors
def files(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(None, help="Files, directories or s3://bucket/prefix."),
    mapping_file: Path | None = MappingOption,
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="csv, json, jsonl, xlsx, stix, ftm."
    ),
    source: str | None = SourceOption,
    label: list[str] = LabelOption,
    drift: str = DriftOption,
    as_json: bool = JsonOption,
    batch_size: int | None = BatchOption,
    privacy: list[str] = PrivacyOption,
    licence: str | None = LicenceOption,
    retention: str | None = RetentionOption,
    purpose: list[str] = PurposeOption,
    residency: str | None = ResidencyOption,
    encoding: str | None = typer.Option(
        None, "--encoding", help="Text encoding (default: detect)."
    ),
    delimiter: str | None = typer.Option(None, "--delimiter", help="CSV delimiter (detected)."),
    quotechar: str | None = typer.Option(None, "--quotechar", help="CSV quote character."),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet (default: all)."),
    records: str | None = typer.Option(None, "--records", help="JSON path to the record list."),
    s3_endpoint: str | None = typer.Option(None, "--s3-endpoint", help="S3-compatible endpoint."),
) -> None:
    """Load files, directories or S3 objects (the default: intelgraph ingest PATH…)."""
    settings = settings_from(ctx)
    with Platform.open(settings) as platform:
        mapping = load_mapping_file(platform, mapping_file)
        fmt, options = format_options(
            mapping,
            fmt,
            {
                "encoding": encoding,
                "delimiter": delimiter,
                "quotechar": quotechar,
                "sheet": sheet,
                "records_path": records,
            },
        )
        targets = list(paths or []) or (mapping.urls if mapping else [])
        if not targets:
            raise InvalidInput(
                "nothing to ingest", hint="name files, a directory or s3://bucket/prefix"
            )
        inputs = file_inputs(settings, targets, fmt, options, s3_endpoint)
        source_options = SourceOptions(
            name=source,
            licence=licence,
            retention=retention,
            purposes=tuple(purpose),
            residency=residency,
            labels=label,
            privacy=privacy,
        )
        default_name = default_source_name(targets[0])
        total = None if as_json else estimate_records(inputs)  # no bar: no need to count lines
        with progress_bar(not as_json, total) as advance:
            pipeline = build_pipeline(
                platform,
                source=run_source(platform, mapping, source_options, default_name),
                mapping=mapping,
                formats=sorted({i.format for i in inputs}),
                connector="s3" if targets[0].startswith("s3://") else "file",
                drift=drift,
                batch_size=batch_size,
                run_options=options.to_dict(),
                progress=advance,
            )
            if not as_json:
                err_console.print(
                    f"loading {len(inputs)} input(s) into source [bold]{pipeline.source.name}[/]"
                )
            summary = pipeline.run(inputs)
    print_summary(summary, as_json)
    if summary.status != "completed":
        raise typer.Exit(1)


@app.command("http")
@friendly_errors
def http(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="URL of a JSON API (first page)."),
    pagination: str = typer.Option(
        "auto", "--pagination", help="auto, link, cursor, page, offset, none."
    ),
    records: str | None = typer.Option(None, "--records", help="JSON path to the record list."),
    header: list[str] = typer.Option([], "--header", "-H", help="Request header 'Name: value'."),
    rate: float | None = typer.Option(None, "--rate", help="Most requests per second."),
    mapping_file: Path | None = MappingOption,
    source: str | None = SourceOption,
    label: list[str] = LabelOption,
    drift: str = DriftOption,
    as_json: bool = JsonOption,
    batch_size: int | None = BatchOption,
    privacy: list[str] = PrivacyOption,
) -> None:
    """Pull a REST JSON API page by page (retries, rate limits, resumable)."""
    from intelgraph.ingest.connectors.http_pull import HttpInput, HttpPullConfig, parse_header

    headers = dict(parse_header(item) for item in header)  # never echoes a header's value
    settings = settings_from(ctx)
    with Platform.open(settings) as platform:
        mapping = load_mapping_file(platform, mapping_file)
        records = records or (mapping.format_options.get("records_path") if mapping else None)
        config = HttpPullConfig(
            url=url,
            pagination=pagination,
            records_path=records,
            headers=headers,
            max_requests_per_second=rate,
        )
        source_input = HttpInput(config)
        with progress_bar(not as_json, None) as advance:
            pipeline = build_pipeline(
                platform,
                source=run_source(
                    platform,
                    mapping,
                    SourceOptions(name=source, labels=label, privacy=privacy),
                    _host_name(url),
                ),
                mapping=mapping,
                formats=["json"],
                connector="http",
                drift=drift,
                batch_size=batch_size,
                run_options={"http": config.describe()},
                progress=advance,
            )
            summary = pipeline.run([source_input])
    print_summary(summary, as_json)
    if summary.status != "completed":
        raise typer.Exit(1)


def _host_name(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1]
    return host.split(":")[0] or "http"


@app.command("nats")
@friendly_errors
def nats(
    ctx: typer.Context,
    subject: str = typer.Argument(..., help="Subject to consume (JetStream)."),
    stream: str | None = typer.Option(None, "--stream", help="Stream (default: by subject)."),
    durable: str | None = typer.Option(None, "--durable", help="Durable consumer name."),
    server: str | None = typer.Option(None, "--nats-server", help="NATS URL (IG_NATS_URL)."),
    batch: int = typer.Option(500, "--batch", help="Messages per transaction."),
    max_inflight: int = typer.Option(2000, "--max-inflight", help="Unacknowledged messages."),
    idle_timeout: float | None = typer.Option(
        None, "--idle-timeout", help="Stop after this many idle seconds (default: run on)."
    ),
    max_messages: int | None = typer.Option(None, "--max-messages", help="Stop after N."),
    mapping_file: Path | None = MappingOption,
    source: str | None = SourceOption,
    label: list[str] = LabelOption,
    as_json: bool = JsonOption,
    privacy: list[str] = PrivacyOption,
) -> None:
    """Consume a NATS JetStream subject with a durable consumer (ack after commit)."""
    from intelgraph.ingest.connectors.nats_stream import NatsConfig, consume_sync

    settings = settings_from(ctx)
    with Platform.open(settings) as platform:
        mapping = load_mapping_file(platform, mapping_file)
        pipeline = build_pipeline(
            platform,
            source=run_source(
                platform,
                mapping,
                SourceOptions(name=source, labels=label, privacy=privacy),
                subject.replace(".", "-").replace("*", "all").replace(">", "all"),
            ),
            mapping=mapping,
            formats=["json"],
            connector="nats",
            batch_size=batch,
        )
        config = NatsConfig(
            servers=server or settings.nats_url,
            subject=subject,
            stream=stream,
            durable=durable,  # None: the connector derives a valid name from the source
            batch_size=batch,
            max_inflight=max_inflight,
            idle_timeout=idle_timeout,
            max_messages=max_messages,
        )
        if not as_json:
            err_console.print(f"consuming {subject} from {config.servers} (Ctrl-C to stop)")
        summary = consume_sync(pipeline, config)
    print_summary(summary, as_json)


@app.command("watch")
@friendly_errors
def watch(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., help="Directory to watch for new files."),
    mapping_file: Path | None = MappingOption,
    fmt: str | None = typer.Option(None, "--format", "-f", help="Format of the files."),
    source: str | None = SourceOption,
    label: list[str] = LabelOption,
    drift: str = DriftOption,
    interval: float = typer.Option(2.0, "--interval", help="Seconds between polls."),
    once: bool = typer.Option(False, "--once", help="Poll twice (to see stable files), then stop."),
    privacy: list[str] = PrivacyOption,
) -> None:
    """Watch a directory and ingest each new or changed file once."""
    if not directory.is_dir():
        raise InvalidInput(f"{directory} is not a directory")
    settings = settings_from(ctx)
    with Platform.open(settings) as platform:
        mapping = load_mapping_file(platform, mapping_file)
        source_options = SourceOptions(name=source, labels=label, privacy=privacy)
        made = run_source(platform, mapping, source_options, directory.resolve().name or "folder")

        def handle(item: FileInput) -> None:
            pipeline = build_pipeline(
                platform,
                source=made,
                mapping=mapping,
                formats=[item.format],
                connector="folder",
                drift=drift,
            )
            err_console.print(f"new file: {item.path}")
            print_summary(pipeline.run([item]), False)

        def seen(item: FileInput) -> bool:
            return platform.store.ingest.input_loaded(made[0].id, item.uri, item.fingerprint)

        def report(path: Path, exc: IntelGraphError) -> None:
            err_console.print(f"[bold red]error:[/] {path}: {exc.message}")
            if exc.hint:
                err_console.print(f"[yellow]hint:[/] {exc.hint}")

        watcher = FolderWatcher(directory, handle, seen, fmt=fmt, on_error=report)
        if once:
            watcher.scan()
            watcher.scan()
            return
        err_console.print(f"watching {directory} every {interval:g} s (Ctrl-C to stop)")
        try:
            watcher.run(interval=interval, stop=threading.Event())
        except KeyboardInterrupt:
            err_console.print("stopped")


@app.command("runs")
@friendly_errors
def runs(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--source", "-s", help="Only this source."),
    limit: int = typer.Option(20, "--limit", help="How many (newest first)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    purpose: str | None = ReadPurposeOption,
) -> None:
    """List ingest runs, newest first."""
    settings = settings_from(ctx)
    scope = scope_from(ctx, tenant, clearance, compartments, purpose)
    with Platform.open(settings) as platform:
        sid = source_id(scope.tenant, source) if source else None
        found = platform.store.ingest.runs(scope, source_id=sid, limit=limit)
    print_runs(found, as_json)


@app.command("status")
@friendly_errors
def status(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="Run id (from `intelgraph ingest runs`)."),
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    purpose: str | None = ReadPurposeOption,
) -> None:
    """Everything recorded about one run, as JSON."""
    settings = settings_from(ctx)
    scope = scope_from(ctx, tenant, clearance, compartments, purpose)
    with Platform.open(settings) as platform:
        run = platform.store.ingest.run(scope, run_id)
        checkpoints = platform.store.ingest.checkpoints(run_id)
    data = run_dict(run)
    data["checkpoints"] = {
        uri: {"cursor": cp.cursor, "records": cp.records, "done": cp.done}
        for uri, cp in checkpoints.items()
    }
    console.print_json(json.dumps(data))


@dlq_app.command("list")
@friendly_errors
def dlq_list(
    ctx: typer.Context,
    run: str | None = typer.Option(None, "--run", help="Only letters of this run."),
    source: str | None = typer.Option(None, "--source", "-s", help="Only this source."),
    all_letters: bool = typer.Option(False, "--all", help="Include ones already replayed."),
    limit: int = typer.Option(100, "--limit", help="How many."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    purpose: str | None = ReadPurposeOption,
) -> None:
    """List dead letters (records that could not be loaded) with their reasons."""
    settings = settings_from(ctx)
    scope = scope_from(ctx, tenant, clearance, compartments, purpose)
    with Platform.open(settings) as platform:
        letters = platform.store.ingest.dead_letters(
            scope,
            run_id=run,
            source_id=source_id(scope.tenant, source) if source else None,
            pending_only=not all_letters,
            limit=limit,
        )
    print_letters(letters, as_json)


@dlq_app.command("show")
@friendly_errors
def dlq_show(
    ctx: typer.Context,
    letter_id: int = typer.Argument(..., help="Dead letter id."),
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    purpose: str | None = ReadPurposeOption,
) -> None:
    """One dead letter with its raw record."""
    settings = settings_from(ctx)
    scope = scope_from(ctx, tenant, clearance, compartments, purpose)
    with Platform.open(settings) as platform:
        letter = platform.store.ingest.dead_letter(scope, letter_id)
    console.print_json(json.dumps(letter_dict(letter, with_content=True)))


@dlq_app.command("replay")
@friendly_errors
def dlq_replay(
    ctx: typer.Context,
    ids: list[int] = typer.Argument(None, help="Dead letter ids (default: all pending)."),
    run: str | None = typer.Option(None, "--run", help="Letters of this run."),
    source: str | None = typer.Option(None, "--source", "-s", help="Letters of this source."),
    mapping_file: Path | None = typer.Option(
        None, "--mapping", "-m", help="Mapping to use (default: the one the run recorded)."
    ),
    as_json: bool = JsonOption,
    tenant: str | None = TenantOption,
    clearance: str = ClearanceOption,
    compartments: str = CompartmentsOption,
    purpose: str | None = ReadPurposeOption,
) -> None:
    """Load dead letters again (after fixing the mapping or the catalog)."""
    settings = settings_from(ctx)
    scope = scope_from(ctx, tenant, clearance, compartments, purpose)
    with Platform.open(settings) as platform:
        store = platform.store
        letters = store.ingest.dead_letters(
            scope,
            run_id=run,
            source_id=source_id(scope.tenant, source) if source else None,
            pending_only=True,
            ids=ids or None,
            limit=10_000,
        )
        if not letters:
            err_console.print("no pending dead letters match")
            return
        run_ids = dict.fromkeys(letter.run_id for letter in letters)  # once each, in order
        runs_by_id = {run_id: store.ingest.run(scope, run_id) for run_id in run_ids}

        def make(sid: str) -> IngestPipeline:
            original = next(r for r in runs_by_id.values() if r.source_id == sid)
            path = mapping_file or original.options.get("mapping")
            mapping = load_mapping_file(platform, Path(path) if path else None)
            privacy = dict(original.options.get("privacy", {}))
            return build_pipeline(
                platform,
                source=(store.source(sid), privacy),
                mapping=mapping,
                formats=str(original.options.get("format", "json")).split(","),
                connector="dlq-replay",
            )

        results = replay(store, letters, make, scope)
    for result in results:
        print_summary(result.summary, as_json)
        if not as_json:
            console.print(
                f"replayed {len(result.loaded) + len(result.failed)}: "
                f"{len(result.loaded)} loaded, {len(result.failed)} failed again"
            )


@token_app.command("create")
@friendly_errors
def token_create(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source name the token may push to."),
    label: list[str] = LabelOption,
    licence: str | None = LicenceOption,
    retention: str | None = RetentionOption,
) -> None:
    """Create a push token for a source (shown once; only its hash is stored)."""
    settings = settings_from(ctx)
    with Platform.open(settings) as platform:
        made, _ = run_source(
            platform,
            None,
            SourceOptions(name=source, labels=label, licence=licence, retention=retention),
            source,
        )
        platform.store.put_source(made)
        token_id, secret = platform.store.ingest.create_push_token(made.id)
    err_console.print(f"push token {token_id} for source {made.name} (shown once, keep it safe):")
    console.print(secret)


@token_app.command("revoke")
@friendly_errors
def token_revoke(
    ctx: typer.Context, token_id: str = typer.Argument(..., help="Token id to revoke.")
) -> None:
    """Revoke a push token."""
    with Platform.open(settings_from(ctx)) as platform:
        platform.store.ingest.revoke_push_token(token_id)
    console.print(f"revoked {token_id}")


__all__ = ["app"]
