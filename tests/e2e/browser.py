"""Helpers the browser tests share: signing in, axe-core checks, screenshots, keyboard
focus, the graph hook and what the page received from the server."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bench.ui_bench import REPO, sign_in
from playwright.sync_api import Locator, Page, Request, Response, Route, WebSocket
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from intelgraph.api.graphql.persisted import document_hash
from tests.e2e.world import User, World

ARTIFACTS = REPO / "test-artifacts" / "e2e"
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
MASK = "••••"

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
    summary: v.nodes[0] ? v.nodes[0].failureSummary : "",
  }));
}"""


@dataclass
class Ui:
    """One browser context's page, and what it saw on the wire."""

    page: Page
    world: World
    sent: list[str] = field(default_factory=list)  # POST /graphql bodies, WebSocket subscribes
    frames: list[str] = field(default_factory=list)  # WebSocket frames received
    captured: list[str] | None = None  # GraphQL bodies, once capture() is on

    def goto(self, path: str = "/") -> None:
        self.page.goto(self.world.base_url + path)

    def field(self, test_id: str) -> Locator:
        """The text input of a test id, on the input itself or on its wrapper."""
        return self.page.locator(
            f':is(input, textarea)[data-testid="{test_id}"], '
            f'[data-testid="{test_id}"] :is(input, textarea)'
        ).first

    def graph(self, method: str, *args: Any) -> Any:
        """Calls ``window.__igGraph.<method>(...args)`` (the graph view's test hook)."""
        return self.page.evaluate(
            "([method, args]) => window.__igGraph[method](...args)", [method, list(args)]
        )

    def wait_graph(self, condition: str, timeout_ms: float = 15_000) -> None:
        """Waits until a JS expression over ``g`` (the graph hook) is true."""
        self.page.wait_for_function(
            f"() => {{ const g = window.__igGraph; return Boolean(g && ({condition})); }}",
            timeout=timeout_ms,
        )

    def text(self) -> str:
        """What a sighted user can read: the body's rendered text."""
        return str(self.page.evaluate("() => document.body.innerText"))

    def capture(self) -> None:
        """From now on, keep the body of every GraphQL answer the page receives (routed
        through Playwright, so none can be missed or evicted)."""
        self.captured = []
        bodies = self.captured

        def keep(route: Route) -> None:
            answer = route.fetch()
            bodies.append(answer.text())
            route.fulfill(response=answer)

        self.page.route("**/graphql", keep)

    def unregistered(self) -> list[str]:
        """Operations the page sent that the server does not have registered (it enforces
        persisted queries, so it refused them). Judged from the requests, as the server
        judges: reading answers back can wait for ever on a request cut short."""
        found = []
        for body in self.sent:
            try:
                payload = json.loads(body)
            except ValueError:
                found.append(f"not JSON: {body[:120]}")
                continue
            if isinstance(payload, dict) and payload.get("type") == "subscribe":
                payload = payload.get("payload") or {}  # graphql-transport-ws
            for operation in payload if isinstance(payload, list) else [payload]:
                query = operation.get("query")
                persisted = (operation.get("extensions") or {}).get("persistedQuery") or {}
                digest = document_hash(query) if query else persisted.get("sha256Hash")
                if digest not in self.world.registered:
                    found.append(f"{operation.get('operationName')} (sha256 {digest})")
        return found


def watch(ui: Ui) -> None:
    """Records the page's GraphQL requests (HTTP and WebSocket subscribes) and the
    WebSocket frames it receives."""

    def on_request(request: Request) -> None:
        if request.url.endswith("/graphql") and request.method == "POST":
            ui.sent.append(request.post_data or "")

    def on_frame_sent(payload: str | bytes) -> None:
        if '"subscribe"' in str(payload):
            ui.sent.append(str(payload))

    def on_socket(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: ui.frames.append(str(payload)))
        socket.on("framesent", on_frame_sent)

    ui.page.on("request", on_request)
    ui.page.on("websocket", on_socket)


def login(page: Page, user: User) -> None:
    """Signs in through the form and waits for the shell."""
    page.get_by_test_id("login-username").wait_for()
    sign_in(page, user.name, user.password)
    page.get_by_test_id("nav-search").wait_for()


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/e2e (and IG_DOCS_SCREENSHOTS when set)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    docs = os.environ.get("IG_DOCS_SCREENSHOTS")
    if docs:
        Path(docs).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(docs) / path.name)
    return path


_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const beyond = (el) => el.getBoundingClientRect().right > width + 1;
  return [...document.querySelectorAll("body *")]
    .filter((el) => beyond(el) && !(el.parentElement && beyond(el.parentElement)))
    .slice(0, 5)
    .map((el) => {
      const classes = (el.getAttribute("class") || "").split(" ").join(".");
      const right = Math.round(el.getBoundingClientRect().right);
      const owner = el.closest("[data-testid]")?.getAttribute("data-testid");
      const where = owner ? ` in [data-testid=${owner}]` : "";
      return `${el.tagName.toLowerCase()}.${classes}${where} (right edge at ${right} px)`;
    });
}"""


def axe_check(page: Page, screen: str) -> None:
    """Fails on any serious or critical WCAG 2.2 AA violation axe-core finds on the page
    as it is now (violations are written to test-artifacts/e2e/axe-<screen>.json), and when
    the page scrolls sideways at the suite's 1440 px width (content cut off or hidden boxes
    that are not 1 px: MUI's sx reads ``width: 1`` as 100%)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, AXE_TAGS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"axe-{screen}.json"
    if violations:
        report.write_text(json.dumps(violations, indent=2, ensure_ascii=False))
    else:
        report.unlink(missing_ok=True)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if blocking:
        lines = [
            f"  {v['id']} ({v['impact']}): {v['help']}\n"
            + "".join(f"      {target}\n" for target in v["targets"][:8])
            + (f"      … and {len(v['targets']) - 8} more\n" if len(v["targets"]) > 8 else "")
            for v in blocking
        ]
        pytest.fail(f"axe-core on '{screen}': {len(blocking)} serious/critical\n" + "".join(lines))
    wide: list[str] = page.evaluate(_OVERFLOW)
    if wide:
        pytest.fail(
            f"'{screen}' scrolls sideways; outermost overflowing boxes:\n  " + "\n  ".join(wide)
        )


_FOCUS_IN = """(id) => {
  const el = document.activeElement;
  return Boolean(el && el.closest(`[data-testid="${id}"]`));
}"""
_FOCUS_DESCRIBE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  const id = el.closest("[data-testid]")?.getAttribute("data-testid");
  const name = el.getAttribute("aria-label") || el.textContent?.trim().slice(0, 30) || "";
  return `${el.tagName.toLowerCase()}${id ? `[${id}]` : ""} ${name}`.trim();
}"""


def tab_to(page: Page, test_id: str, *, limit: int = 80, backwards: bool = False) -> int:
    """Presses Tab (or Shift+Tab) until the focus is on or in ``test_id``; returns how
    many presses it took, fails listing where the focus went when it never gets there."""
    path = []
    for presses in range(limit + 1):
        if page.evaluate(_FOCUS_IN, test_id):
            return presses
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        path.append(page.evaluate(_FOCUS_DESCRIBE))
    raise AssertionError(
        f"{test_id} not reached by keyboard in {limit} Tab presses; focus went:\n  "
        + "\n  ".join(path)
    )


def focus_visible(page: Page) -> bool:
    """Whether the focused element shows a keyboard focus indicator (:focus-visible)."""
    return bool(
        page.evaluate(
            "() => { const el = document.activeElement;"
            " return Boolean(el && el !== document.body && el.matches(':focus-visible')); }"
        )
    )


def settled(page: Page) -> None:
    """Waits two animation frames (at most a second: evaluate has no timeout of its own):
    what a finished request changed is on screen."""
    page.evaluate(
        """() => new Promise((done) => {
          setTimeout(done, 1000);
          requestAnimationFrame(() => requestAnimationFrame(done));
        })"""
    )


def is_search(response: Response) -> bool:
    """A finished POST of the search view's own query (``Search…`` documents)."""
    if not response.url.endswith("/graphql") or response.request.method != "POST":
        return False
    body = response.request.post_data or ""
    return '"operationName":"Search' in body.replace(" ", "")


def submit_search(page: Page, words: str) -> None:
    """Types a search and waits for its answer to be on screen (results or none)."""
    page.get_by_test_id("nav-search").click()
    box = page.locator(
        '[data-testid="search-input"] input, input[data-testid="search-input"]'
    ).first
    box.fill(words)
    with page.expect_response(is_search):
        page.get_by_test_id("search-submit").click()
    settled(page)


def search(page: Page, words: str, expect: set[str] | None = None) -> Locator:
    """Runs a search and returns its result rows once they include every id of
    ``expect`` (or once there is a first row)."""
    submit_search(page, words)
    rows = page.get_by_test_id("search-row")
    if expect:
        page.wait_for_function(
            """(want) => {
              const ids = new Set([...document.querySelectorAll('[data-testid="search-row"]')]
                .map((r) => r.dataset.entityId));
              return want.every((id) => ids.has(id));
            }""",
            arg=sorted(expect),
        )
    else:
        rows.first.wait_for()
    return rows


def described(locator: Locator) -> str:
    """An element's text for a reader: its accessible label and the text around it (a
    checkbox's count sits next to it, not inside)."""
    return str(
        locator.evaluate(
            "el => [el.getAttribute('aria-label'), el.closest('label, li')?.textContent,"
            " el.textContent].filter(Boolean).join(' ')"
        )
    )


def row_ids(page: Page) -> list[str]:
    """The entity ids of the result rows, in order."""
    return [
        str(i)
        for i in page.eval_on_selector_all(
            '[data-testid="search-row"]', "rows => rows.map(r => r.dataset.entityId)"
        )
    ]


def wait_rows(page: Page, expected: set[str], timeout_ms: float = 10_000) -> None:
    """Waits until the result rows are exactly ``expected`` (ids)."""
    page.wait_for_function(
        """(want) => {
          const ids = [...document.querySelectorAll('[data-testid="search-row"]')]
            .map((r) => r.dataset.entityId).sort();
          return JSON.stringify(ids) === JSON.stringify(want);
        }""",
        arg=sorted(expected),
        timeout=timeout_ms,
    )


def row(page: Page, entity_id: str) -> Locator:
    return page.locator(f'[data-testid="search-row"][data-entity-id="{entity_id}"]')


def inspect_row(page: Page, entity_id: str, caption: str | None = None) -> Locator:
    """Opens the inspector on a search result: its caption is the inspect button."""
    buttons = row(page, entity_id).get_by_role("button")
    (buttons.filter(has_text=caption) if caption else buttons).first.click()
    inspector = page.get_by_test_id("inspector")
    inspector.wait_for()
    return inspector


def expand_selected(page: Page) -> None:
    """The graph toolbar's Expand on the selection, all relationship types; the button
    may expand at once or first offer types and directions in a menu."""
    page.get_by_test_id("graph-expand").click()
    everything = page.get_by_test_id("graph-expand-all").or_(
        page.get_by_role("menuitem", name=re.compile(r"\ball\b|\balle\b", re.I))
    )
    try:
        everything.first.wait_for(timeout=2_000)
    except PlaywrightTimeoutError:
        return  # no menu: expanded already
    everything.first.click()


def choose(page: Page, test_id: str, option: str) -> None:
    """Picks the option of a select (native or MUI) whose visible text contains ``option``."""
    control = page.locator(f'[data-testid="{test_id}"]').first
    native = page.locator(f'select[data-testid="{test_id}"], [data-testid="{test_id}"] select')
    if native.count():  # its options may still be loading
        found = page.wait_for_function(
            """([select, want]) => [...select.options].map((o) => o.label)
                 .find((label) => label.toLowerCase().includes(want)) ?? false""",
            arg=[native.first.element_handle(), option.lower()],
        ).json_value()
        native.first.select_option(label=str(found))
        return
    combo = page.locator(
        f'[role="combobox"][data-testid="{test_id}"], [data-testid="{test_id}"] [role="combobox"]'
    )
    (combo.first if combo.count() else control).click()
    page.get_by_role("option", name=option).first.click()
