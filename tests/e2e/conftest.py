"""The browser suite: the committed web build served by a real ``intelgraph serve`` on the
demo investigation, driven by Debian's chromium through Playwright.

Every test here is marked ``e2e``. The folder is skipped (with the reason) where chromium,
the committed build or axe-core is missing; when ``CI`` is set a missing chromium fails
instead, since the suite is then mandatory. The server enforces persisted queries, so
every document the UI sends must be registered: a test whose page sent one the server
does not know fails, with the operation's name (rebuild the UI after changing documents).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench.ui_bench import APP_DIR, CHROMIUM, REPO, VIEWPORT, launch, serve
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.e2e.browser import ARTIFACTS, AXE, Ui, watch
from tests.e2e.world import World, extras, prepare, registered_documents, world_env

HERE = Path(__file__).resolve().parent
PAGE_TIMEOUT_MS = 10_000  # a missing element fails in seconds, not after 30


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: drives the committed web UI in Debian's chromium (tests/e2e)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package", autouse=True)
def _prerequisites() -> None:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent"
        if os.environ.get("CI"):
            pytest.fail(
                f"{message}: the browser suite is mandatory when CI is set; install Debian's "
                "chromium (apt-get install chromium; `make` installs it)"
            )
        pytest.skip(f"{message}: install Debian's chromium (apt-get install chromium)")
    if not (APP_DIR / "index.html").is_file():
        pytest.skip(
            f"no committed web build ({APP_DIR / 'index.html'}): "
            "run `cd frontend && npm ci && npm run build`"
        )
    if not AXE.is_file():
        pytest.skip(f"{AXE.parent} is missing: run `cd frontend && npm ci`")


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo with its extra users, served with persisted queries enforced; the server
    is stopped after the last browser test (package scope: Playwright's event loop must be gone
    before other tests call asyncio.run), also when a test or the set-up fails."""
    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    env = world_env(data_dir)
    prepare(data_dir, env)
    registered = registered_documents(env)  # what the server is about to load
    with ThreadPoolExecutor() as pool:
        lanes = [pool.submit(lane) for lane in extras(data_dir, env)]
        with serve(env, data_dir / "server.log") as base_url:
            for lane in lanes:
                lane.result()
            index = httpx.get(base_url + "/", timeout=10).text
            if 'id="root"' not in index:
                pytest.fail(
                    "intelgraph serve does not serve the built UI at / (it answers the "
                    "placeholder page): the API must serve src/intelgraph/web/app"
                )
            yield World(base_url, data_dir, env, registered)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        opened = launch(playwright)
        try:
            yield opened
        finally:
            opened.close()


OpenUi = Callable[..., Ui]


@pytest.fixture
def open_ui(browser: Browser, world: World) -> Iterator[OpenUi]:
    """Opens the app in a fresh browser context (``locale``, ``timezone``); at the end,
    fails the test if the page sent a document the server does not have registered."""
    opened: list[tuple[BrowserContext, Ui]] = []

    def open_one(locale: str = "en-US", timezone: str = "Europe/Berlin", **extra: Any) -> Ui:
        context = browser.new_context(
            viewport=VIEWPORT,
            locale=locale,
            timezone_id=timezone,
            bypass_csp=True,  # axe-core is injected as a script
            accept_downloads=True,
            **extra,
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        ui = Ui(context.new_page(), world)
        watch(ui)
        opened.append((context, ui))
        ui.goto()
        return ui

    yield open_one
    for context, ui in opened:
        ui.page.unroute_all(behavior="ignoreErrors")  # captures still in flight end quietly
        context.close()
    refused = [line for _, ui in opened for line in ui.unregistered()]
    assert not refused, (
        "the page sent documents the server does not have registered (rebuild the UI with "
        "`cd frontend && npm run build` after changing src/graphql):\n  " + "\n  ".join(refused)
    )


@pytest.fixture(scope="package")
def perf_figures(pytestconfig: pytest.Config) -> Iterator[dict[str, Any]]:
    """Figures the performance tests measure, written to test-artifacts/e2e/perf.json and
    printed in the session's summary (past output capture)."""
    figures: dict[str, Any] = {}
    yield figures
    if figures:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / "perf.json"
        path.write_text(json.dumps(figures, indent=2) + "\n")
        reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"\nUI performance ({path.relative_to(REPO)}):")
            reporter.write_line(json.dumps(figures, indent=2))
