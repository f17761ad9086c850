"""Performance budget and figures: the initial JavaScript is asserted against its budget
(a deterministic size); render times are measured and written, never asserted (DESIGN.md:
tests check behaviour, not timing)."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from bench.ui_bench import JS_BUDGET_GZIP, initial_js, measure_first_render
from playwright.sync_api import Browser

from tests.e2e.world import ANALYST, World


def test_initial_javascript_is_within_budget(perf_figures: dict[str, Any]) -> None:
    js = initial_js()
    assert js.files, "index.html references no module script"
    assert all(name.endswith(".js") for name in js.files)
    perf_figures["initial_js"] = asdict(js) | {"budget_gzip_bytes": JS_BUDGET_GZIP}
    assert js.gzip_bytes <= JS_BUDGET_GZIP, (
        f"initial JS is {js.gzip_bytes:,} bytes gzipped ({len(js.files)} files: "
        f"{', '.join(js.files)}), over the budget of {JS_BUDGET_GZIP:,}: split heavy views "
        "(the graph's cytoscape) into import() chunks"
    )


def test_first_meaningful_render_is_measured(
    browser: Browser, world: World, perf_figures: dict[str, Any]
) -> None:
    render = measure_first_render(browser, world.base_url, ANALYST.name, ANALYST.password)
    figures = {k: v for k, v in asdict(render).items() if k != "failed"}
    perf_figures["first_render_ms"] = {
        k: round(v, 1) if math.isfinite(v) else None for k, v in figures.items()
    }
    perf_figures["browser"] = f"chromium {browser.version}"
    print("first meaningful render (ms):", perf_figures["first_render_ms"])
    assert render.login_form_ms > 0
    assert not render.failed, render.failed
    assert render.search_view_ms > 0  # every figure was measured
