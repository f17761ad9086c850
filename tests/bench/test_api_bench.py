"""Smoke test: the API benchmark runs end to end at a tiny size (no timing assertions).

It starts ``intelgraph serve`` as a subprocess and loads it from a separate process,
as the real run does: 1 client, half a second per operation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import api_bench as ab

NUMBER = r"(?:\d+(?:\.\d+)?|nan)"
ROW = re.compile(rf"│ (\w+) +│ +1 │ +[\d,]+ │ +{NUMBER} │ +{NUMBER} │ +{NUMBER} │ +{NUMBER} │ +0 │")


def test_bench_prints_its_table_and_result_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--entities=400",
        "--edges=1200",
        "--seed=7",
        "--clients=1",
        "--seconds=0.5",
        "--warmup=0.1",
        "--writes=3",
        f"--data-dir={tmp_path / 'data'}",
        "--cache-mb=64",
    ]
    assert ab.main(argv) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert sorted(m.group(1) for line in lines if (m := ROW.search(line))) == sorted(ab.OPS)
    assert "PASS  no request errors: 0 errors" in lines
    assert "subscription" in out  # figures, or why they were skipped
    result = lines[-1]
    assert result.startswith("RESULT errors=0 ")
    figures = dict(part.split("=") for part in result.split()[1:])
    for op in ab.OPS:
        assert float(figures[f"{op}_1c_rps"]) > 0
        assert float(figures[f"{op}_1c_p95_ms"]) > 0
    assert re.fullmatch(NUMBER, figures["subscription_p95_ms"])
    # The folder is kept and holds the graph: a second run reuses it.
    assert (tmp_path / "data" / ab.MARKER).exists()


def test_verdicts_flag_errors_and_missed_targets() -> None:
    def run(op: str, clients: int, ms: float, errors: int = 0) -> ab.RunFigures:
        return ab.RunFigures(op, clients, [ms] * 100, 1.0, errors, 100, 50.0, 10.0)

    result = ab.LoadResult(
        [run("neighbors", 8, 10.0), run("neighbors", 32, 150.0, errors=2)],
        ab.SubscriptionFigures(skipped="subscriptions not available: test"),
    )
    marks = {v.target: v.passed for v in ab.verdicts(result)}
    assert marks["no request errors"] is False
    assert marks["neighbors p95 ≤ 25 ms @ 8"] is True
    assert marks["neighbors p95 ≤ 100 ms @ 32"] is False
    assert marks["neighbors ≥ 500 req/s"] is False  # 100 requests in 1 s
    assert marks["subscription p95 ≤ 25 ms"] is None
    line = ab.result_line(result)
    assert line.startswith("RESULT errors=2 ")
    assert "subscription_p95_ms=nan" in line
    assert line.endswith("targets_failed=3")
