"""Signing in and out through the form; a wrong password says so and lets nobody in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.browser import axe_check, login, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ANALYST


def test_sign_in_shows_the_shell_and_sign_out_returns_to_the_form(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    page.get_by_test_id("login-username").wait_for()
    assert page.get_by_test_id("nav-search").count() == 0
    shot(page, "login")
    axe_check(page, "login")

    login(page, ANALYST)
    for view in ("search", "graph", "table", "ingest"):
        assert page.get_by_test_id(f"nav-{view}").is_visible()
    assert page.locator("h1").count() == 1
    expect(page.get_by_test_id("privacy-clearance")).to_contain_text(re.compile(r"TOP.SECRET"))
    banner = page.get_by_test_id("classification-banner")
    assert banner.get_attribute("data-level") is not None
    assert page.get_by_test_id("classification-banner-bottom").is_visible()
    page.locator("#main h2").wait_for()
    shot(page, "search-empty")
    axe_check(page, "search-empty")

    page.get_by_test_id("sign-out").click()
    page.get_by_test_id("login-username").wait_for()
    assert page.get_by_test_id("nav-search").count() == 0
    assert page.evaluate("() => sessionStorage.getItem('intelgraph.session')") is None


def test_a_wrong_password_shows_the_error_and_signs_nobody_in(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    ui.field("login-username").fill(ANALYST.name)
    ui.field("login-password").fill("not the password at all")
    page.get_by_test_id("login-submit").click()
    error = page.get_by_test_id("login-error")
    error.wait_for()
    assert error.inner_text().strip()
    assert error.get_attribute("role") == "alert" or error.get_by_role("alert").count() == 1
    assert page.get_by_test_id("nav-search").count() == 0
    shot(page, "login-error")
    axe_check(page, "login-error")
