"""A keyboard-only walk: Tab, Enter, Space, arrows and letters, never the mouse."""

from __future__ import annotations

from tests.e2e.browser import axe_check, focus_visible, settled, shot, tab_to
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ADDRESS0, ANALYST, COMPANY0


def test_sign_in_search_and_work_the_graph_by_keyboard(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    keys = page.keyboard
    page.get_by_test_id("login-username").wait_for()

    tab_to(page, "login-username")
    keys.type(ANALYST.name)
    tab_to(page, "login-password")
    keys.type(ANALYST.password)
    keys.press("Enter")
    page.get_by_test_id("nav-search").wait_for()

    tab_to(page, "search-input")
    assert focus_visible(page)
    keys.type("aurora")
    keys.press("Enter")
    page.locator(f'[data-testid="search-row"][data-entity-id="{COMPANY0}"]').wait_for()
    page.locator(f'[data-testid="search-row"][data-entity-id="{ADDRESS0}"]').wait_for()

    tab_to(page, "search-open-graph")
    assert focus_visible(page)
    keys.press("Enter")
    page.get_by_test_id("graph-canvas").wait_for()
    ui.wait_graph(f"g.nodeIds().includes('{COMPANY0}') && g.layoutDone()")

    tab_to(page, "graph-canvas")
    assert focus_visible(page)
    # An arrow selects the nearest node that way (none may lie to the right of the
    # focused one: then try the other ways, as a user would).
    for arrow in ("ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp"):
        keys.press(arrow)
        settled(page)
        if len(ui.graph("selected")) == 1:
            break
    assert len(ui.graph("selected")) == 1, ui.graph("selected")
    shown = len(ui.graph("nodeIds"))
    shot(page, "keyboard-graph")
    axe_check(page, "keyboard-graph")

    keys.press("e")
    ui.wait_graph(f"g.nodeIds().length > {shown}")
    keys.press("Enter")
    inspector = page.get_by_test_id("inspector")
    inspector.wait_for()
    shot(page, "keyboard-inspector")
    axe_check(page, "keyboard-inspector")

    tab_to(page, "inspector-close")
    assert focus_visible(page)
    keys.press("Enter")
    inspector.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement !== document.body")  # focus is kept
