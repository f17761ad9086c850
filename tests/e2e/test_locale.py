"""German: a browser set to de-DE gets German strings, html[lang=de], and numbers and
dates in German format; the language select switches back to English."""

from __future__ import annotations

import re

from tests.e2e.browser import axe_check, inspect_row, login, search, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ANALYST, COMPANY0, COMPANY0_NAME

GERMAN_DATE = re.compile(r"\b\d{1,2}\.\s?(?:\d{1,2}\.|[A-ZÄÖÜa-zäöü]{3,}\.?)\s?\d{4}\b")
ENGLISH_DATE = re.compile(  # 3/1/2024, Mar 1, 2024, 1 Mar 2024
    r"\b\d{1,2}/\d{1,2}/\d{4}\b"
    r"|\b[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\b"
    r"|\b\d{1,2} [A-Z][a-z]{2} \d{4}\b"
)


def assert_german_dates(text: str) -> None:
    assert GERMAN_DATE.search(text), f"no date in German format in:\n{text}"
    assert not ENGLISH_DATE.search(text), f"a date in English format in:\n{text}"


def test_german_strings_numbers_and_dates(open_ui: OpenUi) -> None:
    ui = open_ui(locale="de-DE")
    page = ui.page
    page.get_by_test_id("login-username").wait_for()
    assert page.get_attribute("html", "lang") == "de"
    shot(page, "de-login")
    axe_check(page, "de-login")

    login(page, ANALYST)
    assert (page.get_by_test_id("nav-search").text_content() or "").strip() == "Suche"
    assert (page.get_by_test_id("nav-table").text_content() or "").strip() == "Tabelle"
    assert (page.get_by_test_id("nav-ingest").text_content() or "").strip() == "Importläufe"
    assert (page.get_by_test_id("sign-out").text_content() or "").strip() == "Abmelden"
    language = page.get_by_role("combobox", name="Sprache")
    assert language.is_visible()

    page.get_by_test_id("nav-ingest").click()
    runs = page.get_by_test_id("ingest-runs")
    runs.wait_for()
    seeded = runs.get_by_test_id("ingest-run").filter(has_text="e2e-seed").first
    text = seeded.inner_text()
    assert "1.234" in text, text  # the seeded run's 1,234 records, German grouping
    assert "1,234" not in text, text
    assert_german_dates(text)
    shot(page, "de-ingest-runs")
    axe_check(page, "de-ingest-runs")

    search(page, "aurora", {COMPANY0})
    inspector = inspect_row(page, COMPANY0, COMPANY0_NAME)
    inspector.get_by_test_id("statement").first.wait_for()
    assert_german_dates(inspector.inner_text())
    shot(page, "de-inspector")
    axe_check(page, "de-inspector")

    language.click()
    page.get_by_role("option", name="English").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert (page.get_by_test_id("nav-search").text_content() or "").strip() == "Search"
