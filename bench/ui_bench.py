"""UI benchmark: the graph viewer at 2,000 nodes / 5,000 edges, first meaningful render and
the initial JavaScript, in Debian's chromium driven by Playwright.

Starts ``intelgraph serve`` on a fresh demo investigation (or uses ``--url``), signs in
as the admin through the login form and measures:

* the **initial JavaScript**: the scripts ``index.html`` references (module scripts and
  module preloads) and everything they import statically, raw and gzipped (level 6, as a
  web server would send it), from the committed build in ``src/intelgraph/web/app``;
* **first meaningful render** (median of ``--runs`` fresh browser contexts): navigation
  start → the login form visible on a first visit, navigation start → the search view's
  ``<h2>`` visible on a signed-in load (the session is in sessionStorage), and submit of
  the login form → the search view's ``<h2>``; first contentful paint of the first visit;
* the **graph viewer**: a synthetic graph handed to ``window.__igGraph.load`` (the graph
  view's bench hook, the normal model → Cytoscape path): time to the first rendered frame,
  time until the layout is done, then frame times while panning for ``--frames`` frames
  (p50 / p95 / max ms and frames per second), and the JS heap before and after (Chrome
  DevTools Protocol ``Performance.getMetrics``).

Progress goes to stderr, the table to stdout, then last a ``RESULT key=value …`` line
(numbers only, ``nan`` for what could not be measured). Exit 1 when a part could not be
measured (the hook or a screen is missing), 0 otherwise. The e2e suite imports the
browser, build and first-render helpers from here, so both measure the same way.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[1]
APP_DIR = REPO / "src" / "intelgraph" / "web" / "app"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
JS_BUDGET_GZIP = 500_000  # bytes: the "initial JS ≤ 500 KB gzipped"
GZIP_LEVEL = 6  # what nginx, Caddy and gzip(1) use by default

# A static import in an ES module as Vite emits it (minified or not): `import{a}from"./x.js"`,
# `import"./x.js"`, `export*from"./x.js"`; never `import("./x.js")` (dynamic, loaded later).
_STATIC_IMPORT = re.compile(
    r"""\b(?:import|export)\s*(?:[^"'();=]*?\bfrom\s*)?["']([^"']+\.m?js)["']"""
)
_SCRIPT_SRC = re.compile(r"""<script\b[^>]*\btype=["']module["'][^>]*\bsrc=["']([^"']+)["']""")
_PRELOAD = re.compile(r"""<link\b[^>]*\brel=["']modulepreload["'][^>]*\bhref=["']([^"']+)["']""")

# Polled in the page until it holds; each returns performance.now() (ms since navigation
# start) at the first animation frame where the element is laid out and visible.
_VISIBLE_AT = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) return false;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const shown = box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  return shown ? performance.now() : false;
}"""
LOGIN_FORM = '[data-testid="login-username"]'
SUBMIT = '[data-testid="login-submit"]'
# The shell's main region names the current view's tab; the login view has a #main too.
SEARCH_HEADING = '#main[aria-labelledby="tab-search"] h2'


# -- the build -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InitialJs:
    """The scripts a first visit must fetch before anything renders."""

    files: tuple[str, ...]  # relative to the build folder, in discovery order
    raw_bytes: int
    gzip_bytes: int


def _local(app_dir: Path, base: Path, reference: str) -> Path | None:
    """A build file a reference points to, or None for anything outside the build."""
    if re.match(r"^[a-z]+:", reference) or reference.startswith("//"):
        return None
    target = app_dir / reference.lstrip("/") if reference.startswith("/") else base / reference
    target = target.resolve()
    return target if target.is_file() and app_dir.resolve() in target.parents else None


def initial_js(app_dir: Path = APP_DIR) -> InitialJs:
    """Module scripts and preloads of ``index.html`` plus their static imports,
    transitively; dynamic ``import()`` chunks are not initial and are not counted."""
    html = (app_dir / "index.html").read_text("utf-8")
    queue = [
        found
        for ref in [*_SCRIPT_SRC.findall(html), *_PRELOAD.findall(html)]
        if (found := _local(app_dir, app_dir, ref)) is not None
    ]
    seen: dict[Path, None] = {}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen[path] = None
        for ref in _STATIC_IMPORT.findall(path.read_text("utf-8", errors="replace")):
            found = _local(app_dir, path.parent, ref)
            if found is not None and found not in seen:
                queue.append(found)
    root = app_dir.resolve()
    contents = [path.read_bytes() for path in seen]
    return InitialJs(
        files=tuple(str(path.relative_to(root)) for path in seen),
        raw_bytes=sum(len(c) for c in contents),
        gzip_bytes=sum(len(gzip.compress(c, GZIP_LEVEL, mtime=0)) for c in contents),
    )


# -- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def intelgraph(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    """Runs one ``intelgraph`` command (this interpreter's) and returns its stdout; a
    failure raises with the command's output, so a broken set-up says why."""
    done = subprocess.run(
        [sys.executable, "-m", "intelgraph", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"intelgraph {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


@contextmanager
def serve(env: dict[str, str], log_path: Path, *, ready_timeout: float = 120) -> Iterator[str]:
    """``intelgraph serve`` on a free port of 127.0.0.1 until the block ends (also when it
    fails); yields the base URL once ``/readyz`` answers 200."""
    port = free_port()
    command = [sys.executable, "-m", "intelgraph", "serve", "--host", "127.0.0.1"]
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"intelgraph serve did not become ready on {base}:\n{tail}")
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def demo_server(data_dir: Path, password: str) -> Iterator[str]:
    """A fresh demo investigation (admin ``admin``) served until the block ends."""
    env = {
        **os.environ,
        "IG_DATA_DIR": str(data_dir),
        "IG_ADMIN_PASSWORD": password,
        "IG_LOG_LEVEL": "warning",
    }
    intelgraph("demo", "--no-serve", env=env)
    with serve(env, data_dir / "ui-bench-server.log") as base:
        yield base


# -- the browser ---------------------------------------------------------------------------


def launch(playwright: Playwright) -> Browser:
    """Headless Debian chromium (never a downloaded browser)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
    )


class NotShown(Exception):
    """A screen the measurement waits for never appeared."""


def visible_at(page: Page, selector: str, timeout_ms: float = 30_000) -> float:
    """ms from navigation start to the first frame with ``selector`` visible."""
    try:
        handle = page.wait_for_function(
            _VISIBLE_AT, arg=selector, polling="raf", timeout=timeout_ms
        )
    except PlaywrightError as exc:
        shown = " ".join(str(page.evaluate("() => document.body.innerText")).split())[:200]
        raise NotShown(f"{selector} not shown in {timeout_ms / 1000:g} s; page: {shown}") from exc
    return float(handle.json_value())


def sign_in(page: Page, username: str, password: str) -> None:
    """Fills and submits the login form (the e2e contract's test ids)."""
    page.locator(_input("login-username")).fill(username)
    page.locator(_input("login-password")).fill(password)
    page.get_by_test_id("login-submit").click()


def _input(test_id: str) -> str:
    """The text input of a test id, whether the id sits on the input or on its wrapper
    (MUI puts props on the TextField's root unless told otherwise)."""
    return (
        f':is(input, textarea)[data-testid="{test_id}"], '
        f'[data-testid="{test_id}"] :is(input, textarea)'
    )


@dataclass(frozen=True)
class FirstRender:
    """One fresh visit, in ms (see the module docstring)."""

    login_form_ms: float
    first_contentful_paint_ms: float
    login_to_search_ms: float
    search_view_ms: float
    failed: str = ""  # why the signed-in reload was not measured (nan then)


def measure_first_render(
    browser: Browser, base_url: str, username: str, password: str
) -> FirstRender:
    """A first visit in a fresh context, a sign-in, then a signed-in reload."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(base_url, wait_until="commit")
        login_form = visible_at(page, LOGIN_FORM)
        paint = page.wait_for_function(  # the entry is recorded once the frame is presented
            "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime"
        ).json_value()
        # The moment of the submit, taken in the page (Playwright's round trips are not in it).
        page.evaluate(
            """(selector) => document.querySelector(selector).addEventListener("click",
                 () => { window.__igSubmitAt = performance.now(); }, {capture: true})""",
            SUBMIT,
        )
        sign_in(page, username, password)
        searched = visible_at(page, SEARCH_HEADING) - float(page.evaluate("window.__igSubmitAt"))
        page.reload(wait_until="commit")
        search_view = visible_at(page, f"{SEARCH_HEADING}, {LOGIN_FORM}")
        failed = ""
        if not page.locator(SEARCH_HEADING).is_visible():
            shown = " ".join(str(page.evaluate("() => document.body.innerText")).split())[:160]
            search_view, failed = math.nan, f"the signed-in reload showed the sign-in form: {shown}"
        return FirstRender(
            login_form_ms=login_form,
            first_contentful_paint_ms=float(paint),
            login_to_search_ms=searched,
            search_view_ms=search_view,
            failed=failed,
        )
    finally:
        context.close()


def median_render(renders: Sequence[FirstRender]) -> FirstRender:
    def mid(values: list[float]) -> float:
        real = [v for v in values if not math.isnan(v)]
        return statistics.median(real) if real else math.nan

    return FirstRender(
        mid([r.login_form_ms for r in renders]),
        mid([r.first_contentful_paint_ms for r in renders]),
        mid([r.login_to_search_ms for r in renders]),
        mid([r.search_view_ms for r in renders]),
        next((r.failed for r in renders if r.failed), ""),
    )


# -- the graph viewer ----------------------------------------------------------------------

NODE_SCHEMAS = ("Person", "Company", "Organization", "BankAccount", "Address", "Domain")
EDGE_SCHEMAS = ("Ownership", "Directorship", "UnknownLink", "Payment")
LEVELS = ((0, "UNCLASSIFIED"), (1, "CONFIDENTIAL"), (2, "SECRET"))


def synthetic_graph(
    nodes: int, edges: int, seed: int = 42
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Model nodes and edges for ``__igGraph.load`` (deterministic): mixed types and
    classifications, 2% hubs drawing a third of the edge ends, no self-loops."""
    rng = random.Random(seed)

    def labels() -> dict[str, Any]:
        level, name = rng.choices(LEVELS, weights=(80, 12, 8))[0]
        return {
            "classification": level,
            "classificationName": name,
            "compartments": ["FIN"] if level == 2 else [],
        }

    node_list = [
        {
            "id": f"bench-n{i:05d}",
            "schema": (schema := NODE_SCHEMAS[i % len(NODE_SCHEMAS)]),
            "caption": f"{schema} {i}",
            "labels": labels(),
        }
        for i in range(nodes)
    ]
    hubs = max(1, nodes // 50)

    def end() -> int:
        return rng.randrange(hubs) if rng.random() < 0.33 else rng.randrange(nodes)

    edge_list = []
    for i in range(edges):
        source = end()
        target = end()
        while target == source:
            target = rng.randrange(nodes)
        edge_list.append(
            {
                "id": f"bench-e{i:05d}",
                "schema": EDGE_SCHEMAS[i % len(EDGE_SCHEMAS)],
                "source": node_list[source]["id"],
                "target": node_list[target]["id"],
                "labels": labels(),
            }
        )
    return node_list, edge_list


@dataclass(frozen=True)
class GraphFigures:
    first_frame_ms: float = math.nan  # as __igGraph.load reports it
    load_wall_ms: float = math.nan  # load call → resolved, measured in the page
    layout_ms: float = math.nan  # load call → layoutDone()
    frames_ms: list[float] = field(default_factory=list)
    heap_before_mb: float = math.nan
    heap_after_mb: float = math.nan
    nodes_shown: int = 0
    edges_shown: int = 0
    skipped: str = ""

    def frame_pct(self, q: float) -> float:
        if not self.frames_ms:
            return math.nan
        ordered = sorted(self.frames_ms)
        return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]

    @property
    def fps(self) -> float:
        return 1000 * len(self.frames_ms) / sum(self.frames_ms) if self.frames_ms else math.nan


# page.evaluate has no timeout: every wait in the page is bounded here instead.
_WITHIN = """const within = (promise, ms, what) => Promise.race([promise, new Promise((_, fail) =>
  setTimeout(() => fail(new Error(`${what} did not finish in ${ms / 1000} s`)), ms))]);"""
_LOAD = (
    "async ([nodes, edges]) => {"
    + _WITHIN
    + """
  const graph = window.__igGraph;
  const start = performance.now();
  const firstFrame = await within(graph.load(nodes, edges), 120000, "__igGraph.load");
  const loaded = performance.now();
  while (!graph.layoutDone()) {
    if (performance.now() - start > 120000) throw new Error("layout not done after 120 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {firstFrame, loadWall: loaded - start, layout: performance.now() - start,
          nodes: graph.nodeIds().length, edges: graph.edgeIds().length};
}"""
)
_PAN = (
    "async (frames) => {"
    + _WITHIN
    + "return await within(window.__igGraph.panFrames(frames), 60000, '__igGraph.panFrames'); }"
)


def _heap_mb(page: Page) -> float:
    session = page.context.new_cdp_session(page)
    try:
        session.send("Performance.enable")
        metrics = session.send("Performance.getMetrics")["metrics"]
        used = {m["name"]: m["value"] for m in metrics}.get("JSHeapUsedSize")
        return float(used) / 1e6 if used is not None else math.nan
    finally:
        session.detach()


def measure_graph(page: Page, nodes: int, edges: int, frames: int, seed: int) -> GraphFigures:
    """Opens the graph view of a signed-in page and loads the synthetic graph."""
    page.get_by_test_id("nav-graph").click()
    try:
        page.wait_for_function("() => Boolean(window.__igGraph)", timeout=15_000)
    except PlaywrightError:
        return GraphFigures(skipped="the graph view exposes no window.__igGraph")
    node_list, edge_list = synthetic_graph(nodes, edges, seed)
    page.evaluate("() => window.gc?.()")
    before = _heap_mb(page)
    loaded = page.evaluate(_LOAD, [node_list, edge_list])
    page.wait_for_timeout(500)  # let the first frames after the layout settle
    frame_ms = page.evaluate(_PAN, frames)
    return GraphFigures(
        first_frame_ms=float(loaded["firstFrame"]),
        load_wall_ms=float(loaded["loadWall"]),
        layout_ms=float(loaded["layout"]),
        frames_ms=[float(ms) for ms in frame_ms],
        heap_before_mb=before,
        heap_after_mb=_heap_mb(page),
        nodes_shown=int(loaded["nodes"]),
        edges_shown=int(loaded["edges"]),
    )


# -- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    nodes: int = 2_000
    edges: int = 5_000
    frames: int = 120
    runs: int = 3
    seed: int = 42


@dataclass(frozen=True)
class Figures:
    js: InitialJs
    render: FirstRender | None
    graph: GraphFigures
    render_error: str = ""


def measure(
    browser: Browser, options: Options, base_url: str, username: str, password: str
) -> Figures:
    """Every measurement against a running server; a missing screen is reported, not
    raised, so the other figures still print."""
    log = sys.stderr
    renders: list[FirstRender] = []
    errors: list[str] = []
    for number in range(options.runs):
        print(f"first render, run {number + 1} of {options.runs}", file=log)
        try:
            render = measure_first_render(browser, base_url, username, password)
            renders.append(render)
            if render.failed:
                errors.append(render.failed)
        except (PlaywrightError, NotShown) as exc:
            errors.append(str(exc).splitlines()[0])
    error = f"{len(errors)} of {options.runs} visits failed: {errors[0]}" if errors else ""
    print(f"graph: {options.nodes:,} nodes / {options.edges:,} edges", file=log)
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(base_url)
        sign_in(page, username, password)
        page.get_by_test_id("nav-graph").wait_for(timeout=30_000)
        graph = measure_graph(page, options.nodes, options.edges, options.frames, options.seed)
    except (PlaywrightError, NotShown) as exc:
        graph = GraphFigures(skipped=str(exc).splitlines()[0])
    finally:
        context.close()
    return Figures(initial_js(), median_render(renders) if renders else None, graph, error)


def run(options: Options, base_url: str, username: str, password: str) -> Figures:
    """:func:`measure` in a browser of its own."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            return measure(browser, options, base_url, username, password)
        finally:
            browser.close()


def _num(value: float, digits: int = 1) -> str:
    return "nan" if math.isnan(value) else f"{value:.{digits}f}"


def result_line(figures: Figures) -> str:
    """The machine-readable last line: numbers only, ``nan`` for what was not measured."""
    render = figures.render or FirstRender(math.nan, math.nan, math.nan, math.nan)
    graph = figures.graph
    parts = {
        "initial_js_gzip_bytes": str(figures.js.gzip_bytes),
        "initial_js_raw_bytes": str(figures.js.raw_bytes),
        "login_form_ms": _num(render.login_form_ms),
        "fcp_ms": _num(render.first_contentful_paint_ms),
        "search_view_ms": _num(render.search_view_ms),
        "login_to_search_ms": _num(render.login_to_search_ms),
        "graph_first_frame_ms": _num(graph.first_frame_ms),
        "graph_layout_ms": _num(graph.layout_ms),
        "pan_p50_ms": _num(graph.frame_pct(50), 2),
        "pan_p95_ms": _num(graph.frame_pct(95), 2),
        "pan_max_ms": _num(max(graph.frames_ms, default=math.nan), 2),
        "pan_fps": _num(graph.fps),
        "heap_mb": _num(graph.heap_after_mb),
    }
    return "RESULT " + " ".join(f"{key}={value}" for key, value in parts.items())


def report(figures: Figures, title: str) -> str:
    """Prints the table and the budget verdict, then the RESULT line last; returns it."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=120)
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    js = figures.js
    table.add_row(f"initial JS ({len(js.files)} files), raw", f"{js.raw_bytes / 1000:,.1f} kB")
    table.add_row("initial JS, gzipped (level 6)", f"{js.gzip_bytes / 1000:,.1f} kB")
    render = figures.render
    if render is not None:
        table.add_row("login form visible (first visit)", f"{_num(render.login_form_ms)} ms")
        table.add_row("first contentful paint", f"{_num(render.first_contentful_paint_ms)} ms")
        table.add_row("search view h2 (signed-in load)", f"{_num(render.search_view_ms)} ms")
        table.add_row("login submit → search view h2", f"{_num(render.login_to_search_ms)} ms")
    graph = figures.graph
    if not graph.skipped:
        table.add_row(
            "graph shown: nodes / edges", f"{graph.nodes_shown:,} / {graph.edges_shown:,}"
        )
        table.add_row("graph: load → first frame", f"{_num(graph.first_frame_ms)} ms")
        table.add_row("graph: load → layout done", f"{_num(graph.layout_ms)} ms")
        table.add_row(
            f"pan ({len(graph.frames_ms)} frames): p50 / p95 / max",
            f"{_num(graph.frame_pct(50), 2)} / {_num(graph.frame_pct(95), 2)} / "
            f"{_num(max(graph.frames_ms, default=math.nan), 2)} ms",
        )
        table.add_row("pan frames per second", _num(graph.fps))
        table.add_row(
            "JS heap before → after load",
            f"{_num(graph.heap_before_mb)} → {_num(graph.heap_after_mb)} MB",
        )
    console.print(table)
    if figures.render_error:
        console.print(f"first render: [yellow]{escape(figures.render_error)}[/]")
    if graph.skipped:
        console.print(f"graph viewer not measured: [yellow]{escape(graph.skipped)}[/]")
    within = js.gzip_bytes <= JS_BUDGET_GZIP
    print(
        f"{'PASS' if within else 'FAIL'}  initial JS ≤ {JS_BUDGET_GZIP / 1000:g} kB gzipped: "
        f"{js.gzip_bytes / 1000:,.1f} kB",
        flush=True,
    )
    line = result_line(figures)
    print(line, flush=True)
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nodes", type=int, default=Options.nodes)
    parser.add_argument("--edges", type=int, default=Options.edges)
    parser.add_argument("--frames", type=int, default=Options.frames, help="pan frames")
    parser.add_argument("--runs", type=int, default=Options.runs, help="first-render visits")
    parser.add_argument("--seed", type=int, default=Options.seed)
    parser.add_argument(
        "--url",
        help="a running server instead of a fresh demo (password in IG_ADMIN_PASSWORD)",
    )
    parser.add_argument("--username", default="admin")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
        return 2
    if not (APP_DIR / "index.html").is_file():
        print(f"no committed build in {APP_DIR}: run `cd frontend && npm run build`")
        return 2
    options = Options(args.nodes, args.edges, args.frames, args.runs, args.seed)
    if args.url:
        password = os.environ.get("IG_ADMIN_PASSWORD")
        if not password:
            print("--url needs the user's password in IG_ADMIN_PASSWORD")
            return 2
        figures = run(options, args.url.rstrip("/"), args.username, password)
    else:
        folder = Path(tempfile.mkdtemp(prefix="ui-bench-"))
        password = secrets.token_urlsafe(18)
        try:
            print(f"demo investigation in {folder}", file=sys.stderr)
            with demo_server(folder / "data", password) as base:
                figures = run(options, base, "admin", password)
        finally:
            if args.keep:
                print(f"kept {folder}", file=sys.stderr)
            else:
                shutil.rmtree(folder, ignore_errors=True)
    report(figures, f"UI: {options.nodes:,} nodes / {options.edges:,} edges, chromium headless")
    return 1 if figures.render is None or figures.render_error or figures.graph.skipped else 0


if __name__ == "__main__":
    raise SystemExit(main())
