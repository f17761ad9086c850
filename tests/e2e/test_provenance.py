"""The inspector shows an entity's provenance, and a statement's ledger proof is verified
in the browser (leaf hash, inclusion proof, the checkpoint's Ed25519 signature)."""

from __future__ import annotations

from tests.e2e.browser import axe_check, inspect_row, login, search, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ANALYST, COMPANY0, COMPANY0_NAME


def test_inspect_provenance_and_verify_a_proof_in_the_browser(open_ui: OpenUi) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    search(page, "aurora", {COMPANY0})
    inspector = inspect_row(page, COMPANY0, COMPANY0_NAME)
    assert COMPANY0_NAME in inspector.locator("h2").first.inner_text()
    properties = inspector.get_by_test_id("inspector-property")
    properties.first.wait_for()
    names = {properties.nth(i).get_attribute("data-property") for i in range(properties.count())}
    assert {"name", "jurisdiction", "registrationNumber"} <= names
    statements = inspector.get_by_test_id("statement")
    statements.first.wait_for()
    ids = [statements.nth(i).get_attribute("data-statement-id") for i in range(statements.count())]
    assert all(ids)
    assert len(set(ids)) == len(ids)
    # Registry and leak both assert the name: at least 2 statements for it.
    assert statements.count() >= 6
    assert "demo-company-registries" in inspector.inner_text()
    shot(page, "inspector")
    axe_check(page, "inspector")

    statements.first.get_by_test_id("statement-verify").click()
    result = inspector.get_by_test_id("verify-result").first
    result.wait_for(timeout=30_000)
    page.wait_for_function(  # the outcome, once every step has run
        "() => ['verified', 'failed'].includes(document.querySelector("
        "'[data-testid=verify-result]')?.getAttribute('data-status'))",
        timeout=30_000,
    )
    assert result.get_attribute("data-status") == "verified", result.inner_text()
    shot(page, "inspector-verified")
    axe_check(page, "inspector-verified")

    inspector.get_by_test_id("inspector-close").click()
    page.get_by_test_id("inspector").wait_for(state="hidden")
