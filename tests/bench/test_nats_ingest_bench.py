"""Smoke test: the NATS ingest benchmark runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from bench import nats_ingest

EVENTS = 300
RESULT = re.compile(
    r"RESULT events_per_s=\d+ p50_ms=\d+\.\d{3} p95_ms=\d+\.\d{3} p99_ms=\d+\.\d{3}"
)


def test_bench_consumes_every_event_and_reports_figures(
    nats_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = nats_ingest.run_nats_bench(
        f"sqlite:///{tmp_path / 'bench.db'}", events=EVENTS, servers=nats_url, batch=50
    )
    assert figures["events"] == EVENTS
    assert figures["statements"] == 2 * EVENTS  # one name per event, in each phase
    assert figures["latency_samples"] == EVENTS  # every live event measured, warm-up excluded
    assert figures["redelivered"] == 0
    assert figures["events_per_s"] > 0
    assert figures["publish_per_s"] > 0
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    assert not math.isnan(figures["p99_ms"])

    line = nats_ingest.report(figures)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == line
    assert RESULT.fullmatch(line)
    assert any(row.startswith("target p95") for row in out)


def test_percentile_picks_the_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert nats_ingest.percentile(samples, 50) == 51.0
    assert nats_ingest.percentile(samples, 99) == 99.0
    assert nats_ingest.percentile(samples, 100) == 100.0
    assert math.isnan(nats_ingest.percentile([], 95))
