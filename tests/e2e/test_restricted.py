"""A user with the lowest clearance and no compartments never sees a classified entity:
not in search, facets, the graph, the table or the inspector, not in the page's text or
DOM, not in the graph hook, not in any GraphQL answer or WebSocket frame the page got,
also when classified data is loaded while the page is open."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    Ui,
    axe_check,
    expand_selected,
    is_search,
    login,
    search,
    settled,
    shot,
    submit_search,
)
from tests.e2e.conftest import OpenUi
from tests.e2e.world import (
    ADDRESS0,
    ADMIN,
    COMPANY0,
    RESTRICTED,
    Hidden,
    World,
    hidden_from_restricted,
)

# Names of the classified side of the story ("ember", "kite": only the CTI compartment has
# them) and of the open one ("aurora", "limassol": registry and leak alike).
SEARCHES = ("aurora", "ember", "kite", "limassol", "harbour", "EUR", "cormorant")


@pytest.fixture(scope="module")
def hidden(world: World) -> Hidden:
    return hidden_from_restricted(world)


def ingest_secret(world: World) -> tuple[str, str]:
    """A SECRET/FIN company loaded by the command line; its id and caption."""
    tag = uuid.uuid4().hex[:8]
    entity, caption = f"e2e-secret-{tag}", f"Cormorant Shell {tag}"
    feed = world.data_dir / f"secret-{tag}.ftm"
    row = {"id": entity, "schema": "Company", "properties": {"name": [caption]}}
    feed.write_text(json.dumps(row) + "\n")
    world.cli(
        "ingest", str(feed), "--source", "e2e-secret",
        "--label", "classification=2", "--label", "compartments=FIN", "--json",
    )  # fmt: skip
    found = world.query("E2EEntities", {"ids": [entity]}, user=ADMIN)["entities"]
    assert found[0] is not None, f"the admin does not see the ingested {entity}"
    return entity, caption


def exposed(ui: Ui, hidden: Hidden) -> list[str]:
    """Every hidden id or caption found anywhere the page has it."""
    places = {
        "page text": ui.text(),
        "DOM": ui.page.content(),
        "GraphQL answers": "\n".join(ui.captured or []),
        "WebSocket frames": "\n".join(ui.frames),
    }
    if ui.page.evaluate("() => Boolean(window.__igGraph)"):
        places["__igGraph"] = json.dumps([ui.graph("nodeIds"), ui.graph("edgeIds")])
    secrets = sorted(hidden.ids | hidden.captions)
    return [f"{where}: {s!r}" for where, text in places.items() for s in secrets if s in text]


def test_restricted_user_sees_no_classified_entity_anywhere(
    open_ui: OpenUi, hidden: Hidden
) -> None:
    assert len(hidden.ids) > 40
    assert "Ember Kite" in hidden.captions
    ui = open_ui()
    ui.capture()
    page = ui.page
    login(page, RESTRICTED)
    expect(page.get_by_test_id("privacy-clearance")).to_contain_text("UNCLASSIFIED")
    # Classified data that arrives while the page is open must not reach it either: the
    # subscription's events are filtered by the same policy as every read.
    entity, caption = ingest_secret(ui.world)
    hidden = Hidden(hidden.ids | {entity}, hidden.captions | {caption})

    for words in SEARCHES:
        submit_search(page, words)
        assert not exposed(ui, hidden), (words, exposed(ui, hidden))
    search(page, "aurora", {COMPANY0, ADDRESS0})
    assert page.get_by_test_id("classification-banner").get_attribute("data-level") == "0"
    shot(page, "restricted-search")
    axe_check(page, "restricted-search")

    facets = page.get_by_test_id("search-facets")
    facets.wait_for()
    values = [
        str(v)
        for v in facets.locator('[data-testid^="facet-"]').evaluate_all(
            "els => els.map(e => e.dataset.testid)"
        )
    ]
    assert values, "no facet values shown"
    assert not [v for v in values if v.startswith("facet-compartments-")], values
    classifications = [v for v in values if v.startswith("facet-classifications-")]
    assert all(v.endswith(("UNCLASSIFIED", "-0")) for v in classifications), classifications
    for value in values[:8]:
        facet = page.get_by_test_id(value)
        with page.expect_response(is_search):
            facet.click()
        settled(page)
        assert not exposed(ui, hidden), (value, exposed(ui, hidden))
        with page.expect_response(is_search):
            facet.click()
        settled(page)

    search(page, "aurora", {COMPANY0, ADDRESS0})
    page.get_by_test_id("search-open-graph").click()
    ui.wait_graph(f"g.nodeIds().includes('{COMPANY0}') && g.layoutDone()")
    shown = len(ui.graph("nodeIds"))
    ui.graph("select", ui.graph("nodeIds"))
    expand_selected(page)
    ui.wait_graph(f"g.nodeIds().length > {shown} && g.layoutDone()")
    assert not exposed(ui, hidden), exposed(ui, hidden)
    shot(page, "restricted-graph")
    axe_check(page, "restricted-graph")

    page.get_by_test_id("graph-show-table").click()
    table = page.get_by_test_id("table-view")
    table.wait_for()
    table.get_by_role("row").nth(1).wait_for()
    settled(page)
    assert not exposed(ui, hidden), exposed(ui, hidden)
    shot(page, "restricted-table")

    page.get_by_test_id("nav-graph").click()
    ui.wait_graph(f"g.nodeIds().includes('{COMPANY0}')")
    ui.graph("select", [COMPANY0])
    page.get_by_test_id("graph-inspect").click()
    inspector = page.get_by_test_id("inspector")
    inspector.get_by_test_id("statement").first.wait_for()
    settled(page)
    assert not exposed(ui, hidden), exposed(ui, hidden)
    shot(page, "restricted-inspector")
    assert ui.captured, "no GraphQL answer was captured"
    assert ui.frames, "the page had no subscription open: its frames were not checked"
