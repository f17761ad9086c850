"""An export of the selection from the browser: the downloaded bundle verifies offline."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.e2e.browser import axe_check, login, row, search, shot
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ADDRESS0, ANALYST, COMPANY0


def test_export_the_selection_and_verify_the_bundle(open_ui: OpenUi, tmp_path: Path) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    search(page, "aurora", {COMPANY0, ADDRESS0})
    # The registered address: open registry data only, so no licence gate applies.
    row(page, ADDRESS0).get_by_role("checkbox").check()
    page.get_by_test_id("export-open").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert dialog.get_attribute("aria-labelledby") or dialog.get_attribute("aria-label")
    assert dialog.get_by_test_id("export-format").is_visible()
    purpose = ui.field("export-purpose")
    if purpose.count():  # a text field; a select shows its value as text instead
        assert purpose.input_value()
    else:
        assert dialog.get_by_test_id("export-purpose").inner_text().strip()
    shot(page, "export-dialog")
    axe_check(page, "export-dialog")

    dialog.get_by_test_id("export-submit").click()
    download_button = page.get_by_test_id("export-download")
    download_button.wait_for(timeout=60_000)
    assert page.get_by_test_id("export-progress").count() <= 1
    shot(page, "export-done")
    with page.expect_download() as waiting:
        download_button.click()
    bundle = tmp_path / (waiting.value.suggested_filename or "bundle.zip")
    waiting.value.save_as(bundle)

    print(ui.world.cli("verify", str(bundle)))  # raises unless it exits 0
    with zipfile.ZipFile(bundle) as archive:
        contents = b"".join(archive.read(name) for name in archive.namelist())
    assert ADDRESS0.encode() in contents
