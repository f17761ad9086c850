"""An ingest run while the page is open shows a realtime notice."""

from __future__ import annotations

import json
import uuid

from tests.e2e.browser import axe_check, login, search, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ADDRESS0, ANALYST, COMPANY0


def test_an_ingest_shows_a_realtime_notice(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    search(page, "aurora", {COMPANY0, ADDRESS0})
    page.get_by_test_id("search-open-graph").click()
    page.get_by_test_id("graph-canvas").wait_for()
    assert page.get_by_test_id("realtime-notice").filter(visible=True).count() == 0

    # A new owner of the company on the canvas, loaded by the command line meanwhile.
    tag = uuid.uuid4().hex[:8]
    person, edge = f"e2e-live-person-{tag}", f"e2e-live-owns-{tag}"
    rows = [
        {"id": person, "schema": "Person", "properties": {"name": [f"Rhea Realtime {tag}"]}},
        {
            "id": edge,
            "schema": "Ownership",
            "properties": {"owner": [person], "asset": [COMPANY0], "percentage": ["5"]},
        },
    ]
    feed = ui.world.data_dir / f"live-{tag}.ftm"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ui.world.cli("ingest", str(feed), "--source", "e2e-live", "--json")

    notice = page.get_by_test_id("realtime-notice").filter(visible=True).first
    notice.wait_for(timeout=30_000)
    assert notice.inner_text().strip()
    shot(page, "realtime-notice")
    axe_check(page, "realtime-notice")
