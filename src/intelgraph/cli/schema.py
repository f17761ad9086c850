"""`intelgraph schema`: lint and diff ontology catalogs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from intelgraph.cli.common import console, err_console, friendly_errors
from intelgraph.ontology import CATALOG_DIR, diff_catalogs, lint_catalog

app = typer.Typer(
    help="The ontology catalog: lint and diff; the GraphQL schema built from it.",
    no_args_is_help=True,
)


def _compatibility(breaking: bool, target: str) -> str:
    if breaking:
        return "[red]breaking[/]"
    return "[yellow]warning[/]" if target == "catalog" else "[green]compatible[/]"


@app.command("lint")
@friendly_errors
def lint(
    path: Path | None = typer.Argument(
        None, help="Catalog directory or catalog.yaml (default: the shipped catalog)."
    ),
) -> None:
    """Check a catalog; print every problem as FILE:LINE: CODE: MESSAGE."""
    target = path or CATALOG_DIR
    issues = lint_catalog(target)
    for issue in issues:
        err_console.print(str(issue), markup=False, highlight=False)
    if issues:
        err_console.print(f"[bold red]{len(issues)} problem(s)[/] in {target}")
        raise typer.Exit(1)
    console.print(f"[green]ok[/]: {target} has no problems")


@app.command("diff")
@friendly_errors
def diff(
    old: Path = typer.Argument(..., help="The catalog before (directory or catalog.yaml)."),
    new: Path = typer.Argument(..., help="The catalog after."),
    allow_breaking: bool = typer.Option(
        False, "--allow-breaking", help="Exit 0 even when there are breaking changes."
    ),
) -> None:
    """List added, removed and changed types and properties; exit 1 on breaking ones."""
    changes = diff_catalogs(old, new)
    if not changes:
        console.print("no changes")
        return
    table = Table("change", "what", "name", "detail", "compatibility")
    for change in changes:
        table.add_row(
            change.kind,
            change.target,
            change.name,
            change.detail,
            _compatibility(change.breaking, change.target),
        )
    console.print(table)
    breaking = sum(1 for change in changes if change.breaking)
    console.print(f"{len(changes)} change(s), {breaking} breaking")
    if breaking and not allow_breaking:
        err_console.print(
            "[bold red]breaking changes[/]: bump the major version and migrate, "
            "or pass --allow-breaking"
        )
        raise typer.Exit(1)


@app.command("graphql")
@friendly_errors
def graphql_sdl(
    out: Path | None = typer.Option(None, "--out", help="Write the SDL here (default: print)."),
) -> None:
    """Print (or write) the GraphQL SDL of schema v1 for the shipped catalog; the
    repository's schema.graphql is this output, and a test fails when they differ."""
    from intelgraph.api.graphql.schema import build_api  # strawberry loads slowly
    from intelgraph.ontology import default_ontology

    sdl = build_api(default_ontology()).sdl()
    if out is None:
        typer.echo(sdl, nl=False)
        return
    out.write_text(sdl, encoding="utf-8")
    console.print(f"[green]wrote[/] {out} ({len(sdl.splitlines()):,} lines)")
