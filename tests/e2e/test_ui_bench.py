"""Smoke test: the UI benchmark runs against the suite's server at a tiny size and prints
its figures and RESULT line (format and completeness; no timing assertions; whether a
signed-in reload keeps the session is test_session's business)."""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import Browser

from bench import ui_bench
from tests.e2e.world import ADMIN, World

KEYS = [
    "initial_js_gzip_bytes",
    "initial_js_raw_bytes",
    "login_form_ms",
    "fcp_ms",
    "search_view_ms",
    "login_to_search_ms",
    "graph_first_frame_ms",
    "graph_layout_ms",
    "pan_p50_ms",
    "pan_p95_ms",
    "pan_max_ms",
    "pan_fps",
    "heap_mb",
]


def test_bench_prints_its_figures(
    browser: Browser, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ui_bench.Options(nodes=200, edges=500, frames=20, runs=1)
    figures = ui_bench.measure(browser, options, world.base_url, ADMIN.name, ADMIN.password)
    line = ui_bench.report(figures, "UI smoke")
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == line
    assert re.search(r"^(PASS|FAIL)  initial JS ≤ 500 kB gzipped: ", out, re.M)
    values = dict(part.split("=") for part in line.split()[1:])
    assert list(values) == KEYS
    assert all(re.fullmatch(r"\d+(\.\d+)?|nan", v) for v in values.values()), values
    assert int(values["initial_js_gzip_bytes"]) == figures.js.gzip_bytes > 0
    assert figures.render is not None, figures.render_error
    for measured in ("login_form_ms", "fcp_ms", "login_to_search_ms"):
        assert float(values[measured]) > 0, (measured, figures.render_error)
    assert not figures.graph.skipped, figures.graph.skipped
    assert figures.graph.nodes_shown == 200
    assert figures.graph.edges_shown == 500
    assert len(figures.graph.frames_ms) == 20
    assert not math.isnan(figures.graph.first_frame_ms)
    assert float(values["pan_fps"]) > 0
