"""The graph from a search: open, expand a node (undo, redo), find a path and see it
highlighted."""

from __future__ import annotations

from tests.e2e.browser import Ui, axe_check, expand_selected, login, search, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ADDRESS0, ANALYST, COMPANY0, PERSON0


def open_aurora_graph(ui: Ui) -> None:
    search(ui.page, "aurora", {COMPANY0, ADDRESS0})
    ui.page.get_by_test_id("search-open-graph").click()
    ui.page.get_by_test_id("graph-canvas").wait_for()
    ui.wait_graph(f"g.nodeIds().includes('{COMPANY0}') && g.nodeIds().includes('{ADDRESS0}')")


def test_open_expand_and_find_a_highlighted_path(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    open_aurora_graph(ui)
    ui.wait_graph("g.layoutDone()")
    node_list = page.get_by_test_id("graph-node-list")
    assert "Aurora Maritime Holdings Ltd" in node_list.inner_text()
    shot(page, "graph-open")
    axe_check(page, "graph-open")

    before = set(ui.graph("nodeIds"))
    ui.graph("select", [COMPANY0])
    assert ui.graph("selected") == [COMPANY0]
    expand_selected(page)
    ui.wait_graph(f"g.nodeIds().includes('{PERSON0}')")  # Anna Adler owns the company
    assert set(ui.graph("nodeIds")) > before
    assert ui.graph("edgeIds")
    page.get_by_test_id("graph-undo").click()
    ui.wait_graph(f"!g.nodeIds().includes('{PERSON0}')")
    assert set(ui.graph("nodeIds")) == before
    page.get_by_test_id("graph-redo").click()
    ui.wait_graph(f"g.nodeIds().includes('{PERSON0}')")

    ui.graph("select", [PERSON0, ADDRESS0])  # person → company → registered address
    page.get_by_test_id("graph-path").click()
    ui.wait_graph("g.highlighted().length > 0")
    highlighted = set(ui.graph("highlighted"))
    assert {PERSON0, ADDRESS0} <= highlighted
    assert highlighted <= set(ui.graph("nodeIds")) | set(ui.graph("edgeIds"))
    shot(page, "graph-path")
    axe_check(page, "graph-path")
