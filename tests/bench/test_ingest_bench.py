"""Smoke test: the ingest benchmark's CSV part runs at a tiny size (no timing assertions)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import ingest_bench


def test_generated_rows_map_to_three_entity_and_two_edge_types(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    ingest_bench.generate_csv(path, 200)
    figures = ingest_bench.bench_csv(path, f"sqlite:///{tmp_path / 'x.db'}", "SQLite", 50)
    assert figures["rows"] == 200
    assert figures["dlq"] == 0
    # 17 statements a row: Person 4, Company 3, Address 3, Employment 4, Ownership 3;
    # repeated values from different rows are distinct statements (one per record).
    assert figures["statements"] == 200 * 17


def test_main_prints_figures_and_a_result_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ingest_bench.main(["--rows", "300", "--batch-size", "100", "--only", "csv"]) == 0
    out = capsys.readouterr().out
    assert "CSV SQLite: 300 rows" in out
    assert "target: >= 100,000 rows/s" in out
    result = re.search(r"^RESULT (\{.*\})$", out, re.MULTILINE)
    assert result is not None
    assert json.loads(result.group(1))["csv_sqlite_rows_per_s"] > 0
