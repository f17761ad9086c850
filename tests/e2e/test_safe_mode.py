"""Safe mode (for screen sharing) masks pii: Person captions everywhere, and private
values even where an authority lets the analyst see them."""

from __future__ import annotations

from playwright.sync_api import Page

from intelgraph.demo import generate
from tests.e2e.browser import MASK, axe_check, choose, inspect_row, login, row, search, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ANALYST, PERSON0, PERSON0_NAME


def birth_year() -> str:
    dates = [
        str(s.value)
        for s in generate(1).statements
        if s.entity_id == PERSON0 and s.prop == "birthDate"
    ]
    assert len(dates) == 1
    return dates[0][:4]


def safe_mode(page: Page) -> None:
    """Flips the toolbar's safe-mode switch."""
    page.get_by_test_id("privacy-safe-mode").click()


def test_safe_mode_masks_person_captions(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    search(page, "adler", {PERSON0})
    assert PERSON0_NAME in row(page, PERSON0).inner_text()

    safe_mode(page)
    page.wait_for_function(f"() => !document.body.innerText.includes('{PERSON0_NAME}')")
    assert MASK in row(page, PERSON0).inner_text()
    inspector = inspect_row(page, PERSON0)
    assert MASK in inspector.locator("h2").first.inner_text()
    assert PERSON0_NAME not in ui.text()
    shot(page, "safe-mode")
    axe_check(page, "safe-mode")

    safe_mode(page)
    page.wait_for_function(f"() => document.body.innerText.includes('{PERSON0_NAME}')")


def test_safe_mode_masks_private_values_an_authority_shows(open_ui: OpenUi) -> None:
    year = birth_year()
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    choose(page, "privacy-authority", "e2e")  # the warrant covering Anna Adler
    search(page, "adler", {PERSON0})
    inspector = inspect_row(page, PERSON0, PERSON0_NAME)
    birth = inspector.locator('[data-testid="inspector-property"][data-property="birthDate"]')
    birth.wait_for()
    assert year in birth.inner_text()
    assert MASK not in birth.inner_text()

    safe_mode(page)
    page.wait_for_function(
        "(year) => { const el = document.querySelector("
        "'[data-testid=inspector-property][data-property=birthDate]');"
        " return el && !el.innerText.includes(year); }",
        arg=year,
    )
    assert MASK in birth.inner_text()
    shot(page, "safe-mode-authority")
    axe_check(page, "safe-mode-authority")
