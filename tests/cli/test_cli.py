"""The command line, run in-process (CliRunner) and once as a real subprocess."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intelgraph import __version__
from intelgraph.cli import app
from intelgraph.ontology import CATALOG_DIR

P = ["--purpose", "investigation"]  # demo data is tagged with its purposes
runner = CliRunner()
AURORA = "6c7d2d044174229542771dac3309f14624a808a7"
EMBER_KITE = "1e1612d58a44b7ea8d61cddb9ef076048c7848da"


@pytest.fixture
def data_dir(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data")]


@pytest.fixture
def demo_dir(data_dir: list[str]) -> list[str]:
    result = runner.invoke(app, [*data_dir, "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    return data_dir


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_python_dash_m_runs_the_cli() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "intelgraph", "--help"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0
    for command in ("init", "demo", "serve", "db", "schema", "search"):
        assert command in completed.stdout


def test_every_command_has_help() -> None:
    for args in (
        ["init"],
        ["demo"],
        ["serve"],
        ["db", "upgrade"],
        ["schema", "lint"],
        ["schema", "diff"],
        ["search"],
        ["show"],
        ["neighbors"],
        ["paths"],
        ["ingest"],
        ["ingest", "files"],
        ["ingest", "http"],
        ["ingest", "nats"],
        ["ingest", "watch"],
        ["ingest", "runs"],
        ["ingest", "status"],
        ["ingest", "dlq", "list"],
        ["ingest", "dlq", "show"],
        ["ingest", "dlq", "replay"],
        ["ingest", "token", "create"],
        ["ingest", "token", "revoke"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, args
        assert "Usage" in result.output


def test_init_creates_the_store_and_is_repeatable(data_dir: list[str], tmp_path: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, [*data_dir, "init"])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "intelgraph.db").is_file()
    status = runner.invoke(app, [*data_dir, "db", "status"])
    assert status.exit_code == 0
    assert "up to date" in status.output


def test_reading_before_init_says_what_to_do(data_dir: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, [*data_dir, "search", "x"])
    assert result.exit_code == 1
    assert "intelgraph init" in result.output
    assert not (tmp_path / "data" / "intelgraph.db").exists()


def test_serving_on_a_taken_port_fails_with_a_hint(data_dir: list[str]) -> None:
    runner.invoke(app, [*data_dir, "init"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, [*data_dir, "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert "--port" in result.output


def test_misspelt_settings_are_warned_about(
    data_dir: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IG_DATADIR", "/tmp/typo")
    result = runner.invoke(app, [*data_dir, "init"])
    assert result.exit_code == 0
    assert "IG_DATADIR is not an IntelGraph setting" in result.output


def test_default_tenant_comes_from_settings(
    demo_dir: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IG_DEFAULT_TENANT", "elsewhere")
    result = runner.invoke(app, [*demo_dir, "search", *P, "aurora", "--json"])
    assert json.loads(result.output)["total"] == 0
    result = runner.invoke(
        app, [*demo_dir, "search", *P, "aurora", "--json", "--tenant", "default"]
    )
    assert json.loads(result.output)["total"] == 2


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--database-url", "mysql://x", "init"])
    assert result.exit_code == 2
    assert "database_url" in result.output


def test_demo_loads_and_reloading_changes_nothing(demo_dir: list[str]) -> None:
    again = runner.invoke(app, [*demo_dir, "demo", "--no-serve"])
    assert again.exit_code == 0
    assert "(0 new)" in again.output
    assert "Company" in again.output


def test_search_respects_the_viewer(demo_dir: list[str]) -> None:
    low = runner.invoke(app, [*demo_dir, "search", *P, "kite", "--json"])
    assert json.loads(low.output)["total"] == 0
    high = runner.invoke(
        app,
        [
            *demo_dir,
            "search",
            *P,
            "kite",
            "--json",
            "--clearance",
            "CONFIDENTIAL",
            "--compartments",
            "CTI",
        ],
    )
    body = json.loads(high.output)
    assert [hit["id"] for hit in body["hits"]] == [EMBER_KITE]
    table = runner.invoke(app, [*demo_dir, "search", *P, "aurora"])
    assert AURORA in table.output


def test_show_lists_statements_with_provenance(demo_dir: list[str]) -> None:
    result = runner.invoke(app, [*demo_dir, "show", *P, AURORA, "--json"])
    body = json.loads(result.output)
    assert body["caption"] == "Aurora Maritime Holdings Ltd"
    assert all(len(s["record_id"]) == 64 for s in body["statements"])
    assert {s["record_id"] for s in body["statements"]} == set(body["records"])
    assert all(r["uri"].startswith("demo://") for r in body["records"].values())
    table = runner.invoke(app, [*demo_dir, "show", *P, AURORA])
    assert "registrationNumber" in table.output
    missing = runner.invoke(app, [*demo_dir, "show", *P, "nope"])
    assert missing.exit_code == 1
    assert "not found" in missing.output


def test_paths_get_shorter_with_more_clearance(demo_dir: list[str]) -> None:
    cti = ["--clearance", "CONFIDENTIAL", "--compartments", "CTI"]
    result = runner.invoke(
        app, [*demo_dir, "paths", *P, AURORA, EMBER_KITE, "--max-hops", "6", *cti]
    )
    assert result.exit_code == 0, result.output
    assert "(5 hops)" in result.output
    fin = ["--clearance", "SECRET", "--compartments", "CTI,FIN"]
    result = runner.invoke(
        app, [*demo_dir, "paths", *P, AURORA, EMBER_KITE, "--max-hops", "6", *fin]
    )
    assert "(4 hops)" in result.output
    hidden = runner.invoke(app, [*demo_dir, "paths", *P, AURORA, EMBER_KITE])
    assert hidden.exit_code == 1
    assert EMBER_KITE in hidden.output
    short = runner.invoke(
        app, [*demo_dir, "paths", *P, AURORA, EMBER_KITE, "--max-hops", "2", *fin]
    )
    assert short.exit_code == 1
    assert "no path" in short.output


def test_neighbors_pages(demo_dir: list[str]) -> None:
    result = runner.invoke(app, [*demo_dir, "neighbors", *P, AURORA, "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "--cursor" in result.output
    bad = runner.invoke(app, [*demo_dir, "neighbors", *P, AURORA, "--direction", "sideways"])
    assert bad.exit_code == 1
    assert "direction" in bad.output


def test_schema_lint_passes_on_the_shipped_catalog() -> None:
    result = runner.invoke(app, ["schema", "lint"])
    assert result.exit_code == 0, result.output


def test_schema_lint_reports_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, broken)
    core = broken / "core.yaml"
    core.write_text(core.read_text().replace("type: name,", "type: nonsense,", 1))
    result = runner.invoke(app, ["schema", "lint", str(broken)])
    assert result.exit_code == 1
    # Rich wraps long temporary paths at the terminal width; the line number follows the file.
    assert re.search(r"core\.yaml:\d+: unknown-property-type", result.output.replace("\n", ""))


def test_schema_diff_exits_non_zero_on_breaking_changes(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(CATALOG_DIR, new)
    same = runner.invoke(app, ["schema", "diff", str(CATALOG_DIR), str(new)])
    assert same.exit_code == 0
    assert "no changes" in same.output
    core = new / "core.yaml"
    core.write_text(
        core.read_text().replace("      notes: {type: text, label: Notes, ftm: notes}\n", "")
    )
    breaking = runner.invoke(app, ["schema", "diff", str(CATALOG_DIR), str(new)])
    assert breaking.exit_code == 1
    assert "breaking" in breaking.output
    allowed = runner.invoke(app, ["schema", "diff", str(CATALOG_DIR), str(new), "--allow-breaking"])
    assert allowed.exit_code == 0
