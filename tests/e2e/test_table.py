"""The table of a selection: rows, a filter that narrows them, and the CSV of what is shown."""

from __future__ import annotations

import csv
import io

from tests.e2e.browser import axe_check, login, search, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ADDRESS0, ANALYST, COMPANY0, COMPANY0_NAME


def test_table_filters_and_downloads_the_visible_rows_as_csv(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    search(page, "aurora", {COMPANY0, ADDRESS0})
    page.get_by_test_id("search-show-table").click()
    table = page.get_by_test_id("table-view")
    table.wait_for()
    rows = table.locator('[data-testid="table-row"]')
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=table-view] [data-testid=table-row]')"
        ".length === 2"
    )
    assert {rows.nth(i).get_attribute("data-entity-id") for i in range(2)} == {COMPANY0, ADDRESS0}
    assert table.locator("th").count() >= 4  # caption, type, classification, observed …
    shot(page, "table")
    axe_check(page, "table")

    ui.field("table-filter").fill("Maritime")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=table-view] [data-testid=table-row]')"
        ".length === 1"
    )
    assert rows.first.get_attribute("data-entity-id") == COMPANY0
    with page.expect_download() as waiting:
        page.get_by_test_id("table-csv").click()
    path = waiting.value.path()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark (Excel needs it)"
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(lines) == 2, lines  # the header and the one row left by the filter
    assert COMPANY0_NAME in lines[1]
    assert waiting.value.suggested_filename.endswith(".csv")
