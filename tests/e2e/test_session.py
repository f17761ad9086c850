"""A session that ends on the server (revoked) or whose token is no longer valid
(tampered) shows the clear "session ended" message and the sign-in form."""

from __future__ import annotations

import json

import httpx
import pytest
from bench.ui_bench import SEARCH_HEADING
from playwright.sync_api import Request

from tests.e2e.browser import axe_check, login, settled, shot, submit_search
from tests.e2e.conftest import OpenUi
from tests.e2e.world import ANALYST

SESSION_KEY = "intelgraph.session"  # frontend/src/auth/session.ts
ANONYMOUS = {"Login", "Refresh"}  # the only operations that run without a token


@pytest.mark.parametrize("ending", ["revoked", "tampered"])
def test_an_ended_session_shows_the_message_and_the_form(open_ui: OpenUi, ending: str) -> None:
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    stored = json.loads(page.evaluate(f"() => sessionStorage.getItem('{SESSION_KEY}')"))
    token = stored["accessToken"]
    if ending == "revoked":
        answer = httpx.post(
            ui.world.base_url + "/auth/logout",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 204, answer.text
        submit_search(page, "aurora")  # the page learns of it at its next request
    else:
        header, payload, signature = token.split(".")
        forged = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
        stored["accessToken"] = f"{header}.{payload}.{forged}"
        page.evaluate(
            "([key, value]) => sessionStorage.setItem(key, value)",
            [SESSION_KEY, json.dumps(stored)],
        )
        page.reload()  # the stored session is used at once: its first request is refused
    alert = page.get_by_role("alert").filter(has_text="Session ended")
    alert.wait_for()
    assert "Sign in again" in alert.inner_text()
    page.get_by_test_id("login-username").wait_for()
    assert page.get_by_test_id("nav-search").count() == 0
    shot(page, f"session-{ending}")
    axe_check(page, f"session-{ending}")


def test_a_reload_keeps_the_session_and_every_request_carries_it(open_ui: OpenUi) -> None:
    """A signed-in tab that reloads stays signed in: no request goes out without the
    token (the server would answer 401 and the page would end the session)."""
    ui = open_ui()
    page = ui.page
    login(page, ANALYST)
    bare: list[str] = []

    def check(request: Request) -> None:
        if request.url.endswith("/graphql") and request.method == "POST":
            operation = json.loads(request.post_data or "{}").get("operationName")
            if operation not in ANONYMOUS and "authorization" not in request.headers:
                bare.append(str(operation))

    page.on("request", check)
    for _ in range(3):
        page.reload()
        page.locator(f'{SEARCH_HEADING}, [data-testid="login-username"]').first.wait_for()
        settled(page)
        assert not bare, f"sent without the session's token after a reload: {sorted(set(bare))}"
        assert page.get_by_test_id("login-username").count() == 0, "the reload signed out"
