"""How ingest looks on a terminal: the progress bar, the run summary, run lists."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from intelgraph.cli.common import console, err_console
from intelgraph.ingest.drift import describe
from intelgraph.ingest.pipeline import RunSummary
from intelgraph.store.ingest_state import DeadLetter, RunRow


class RateColumn(ProgressColumn):
    """Records per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rec/s" if speed else "– rec/s", style="cyan")


@contextmanager
def progress_bar(enabled: bool, total: int | None) -> Iterator[Any]:
    """A callback ``(uri, records)`` that advances a Rich bar (records/s, ETA) on stderr."""
    if not enabled:
        yield None
        return
    columns: list[ProgressColumn] = [
        SpinnerColumn(),
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err_console, transient=False) as progress:
        task = progress.add_task("ingest", total=total)

        def advance(_: str, records: int) -> None:
            progress.advance(task, records)

        yield advance


def print_summary(summary: RunSummary, as_json: bool) -> None:
    data = summary.to_dict()
    if as_json:
        console.print_json(json.dumps(data))
        return
    title = f"run {data['run_id']} · source {data['source']} · {data['status']}"
    if data["resumed"]:
        title += " (resumed)"
    console.print(f"[bold]{title}[/]")
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("records read", data["records_read"]),
        ("records loaded", data["records_loaded"]),
        ("records without entities", data["records_skipped"]),
        ("dead letters (DLQ)", data["dlq"]),
        ("statements written", data["statements_written"]),
        ("statements seen again", data["statements_updated"]),
    ]
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    seconds = data["seconds"]
    table.add_row("time", f"{seconds:,.2f} s")
    if seconds > 0:
        table.add_row("records/s", f"{data['records_read'] / seconds:,.0f}")
    console.print(table)
    _print_types(data["entities"], data["edges"])
    for change in summary.drift:
        err_console.print(f"[yellow]schema drift:[/] {describe(change)}")
    for name, count in sorted(data["unmapped"].items()):
        err_console.print(f"[yellow]not in the catalog, not loaded:[/] {name} ({count} values)")
    for name, count in sorted(data["invalid_dropped"].items()):
        err_console.print(f"[yellow]invalid values dropped:[/] {name} ({count})")
    if data["dlq"]:
        err_console.print(
            f"[yellow]{data['dlq']} record(s) in the dead-letter queue:[/] "
            f"intelgraph ingest dlq list --run {data['run_id']}"
        )
    if data["error"]:
        err_console.print(f"[bold red]error:[/] {data['error']}")


def _print_types(entities: Mapping[str, Any], edges: Mapping[str, Any]) -> None:
    if not entities and not edges:
        return
    table = Table(title="by type")
    table.add_column("type")
    table.add_column("kind")
    table.add_column("created", justify="right")
    table.add_column("updated", justify="right")
    for kind, counts in (("entity", entities), ("edge", edges)):
        for name, pair in counts.items():
            table.add_row(name, kind, f"{pair['created']:,}", f"{pair['updated']:,}")
    console.print(table)


def run_dict(run: RunRow) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "source": run.source_name,
        "source_id": run.source_id,
        "connector": run.connector,
        "status": run.status,
        "started": run.started_at.isoformat(),
        "finished": run.finished_at.isoformat() if run.finished_at else None,
        "mapping_hash": run.mapping_hash,
        "code_version": run.code_version,
        "inputs": list(run.inputs),
        "options": dict(run.options),
        "stats": dict(run.stats),
        "drift": [dict(change) for change in run.drift],
        "error": run.error,
    }


def print_runs(runs: Sequence[RunRow], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps([run_dict(run) for run in runs]))
        return
    table = Table(title="ingest runs")
    for column in ("run", "source", "connector", "status", "started", "read", "written", "dlq"):
        table.add_column(
            column, justify="right" if column in ("read", "written", "dlq") else "left"
        )
    for run in runs:
        stats = run.stats
        table.add_row(
            run.id,
            run.source_name or run.source_id,
            run.connector,
            run.status,
            f"{run.started_at:%Y-%m-%d %H:%M}",
            f"{stats.get('records_read', 0):,}",
            f"{stats.get('statements_written', 0):,}",
            f"{stats.get('dlq', 0):,}",
        )
    console.print(table)


def letter_dict(letter: DeadLetter, *, with_content: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": letter.id,
        "run_id": letter.run_id,
        "source_id": letter.source_id,
        "input": letter.input_uri,
        "location": letter.location,
        "reason": letter.reason,
        "created": letter.created_at.isoformat() if letter.created_at else None,
        "replayed": letter.replayed_at.isoformat() if letter.replayed_at else None,
        "replay_outcome": letter.replay_outcome,
    }
    if with_content:
        out["content"] = letter.content.decode("utf-8", "replace")
    return out


def print_letters(letters: Sequence[DeadLetter], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps([letter_dict(d, with_content=False) for d in letters]))
        return
    table = Table(title=f"dead letters ({len(letters)})")
    for column in ("id", "input", "location", "reason", "replayed"):
        table.add_column(column)
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.input_uri.rsplit("/", 1)[-1],
            letter.location,
            letter.reason,
            letter.replay_outcome or "",
        )
    console.print(table)


__all__ = [
    "letter_dict",
    "print_letters",
    "print_runs",
    "print_summary",
    "progress_bar",
    "run_dict",
]
