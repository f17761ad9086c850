"""Search: results with facets, a facet narrows them, and the search opens a graph."""

from __future__ import annotations

import re
import uuid

from tests.e2e.browser import (
    axe_check,
    described,
    login,
    row,
    row_ids,
    search,
    shot,
    wait_rows,
)
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ADDRESS0, ANALYST, COMPANY0, COMPANY0_NAME


def test_search_shows_results_and_facets_and_a_facet_narrows_them(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    search(page, "aurora", {COMPANY0, ADDRESS0})
    wait_rows(page, {COMPANY0, ADDRESS0})  # the company and its registered address
    assert COMPANY0_NAME in row(page, COMPANY0).inner_text()
    facets = page.get_by_test_id("search-facets")
    facets.wait_for()
    company = page.get_by_test_id("facet-types-Company")
    address = page.get_by_test_id("facet-types-Address")
    assert company.is_visible()
    assert address.is_visible()
    assert re.search(r"\b1\b", described(company))  # its count: one company
    shot(page, "search-results")
    axe_check(page, "search-results")

    company.click()
    wait_rows(page, {COMPANY0})
    shot(page, "search-facet")
    axe_check(page, "search-facet")

    company.click()  # a second click takes the filter off again
    wait_rows(page, {COMPANY0, ADDRESS0})


def test_a_saved_search_runs_again(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    search(page, "aurora", {COMPANY0, ADDRESS0})
    name = f"Aurora shells {uuid.uuid4().hex[:6]}"
    page.get_by_test_id("saved-search-save").click()
    dialog = page.get_by_role("dialog")
    ui.field("saved-search-name").fill(name)
    shot(page, "saved-search-dialog")
    axe_check(page, "saved-search-dialog")
    dialog.get_by_test_id("saved-search-confirm").click()
    dialog.wait_for(state="hidden")
    saved = page.get_by_test_id("saved-search-list").get_by_role("button", name=name, exact=True)
    saved.wait_for()

    search(page, "ember")  # another search in between
    assert COMPANY0 not in row_ids(page)
    saved.click()
    wait_rows(page, {COMPANY0, ADDRESS0})
