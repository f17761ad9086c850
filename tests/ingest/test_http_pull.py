"""The HTTP pull connector against a real paged JSON API served on 127.0.0.1.

The server holds a fixed list of followthemoney entities (people and the
payments between them) and serves it in every pagination style, with injected
failures (429, 503, rate-limit headers, 401, HTML, non-object items). It
records the requests it saw, so tests assert what the connector actually sent.
Sleeps and the clock are injected: nothing waits, and no test asserts timing.
"""

from __future__ import annotations

import base64
import email.utils
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from intelgraph.errors import InvalidInput
from intelgraph.ingest import AutoMapper, IngestOptions, IngestPipeline, RunSummary
from intelgraph.ingest.connectors.http_pull import (
    HttpInput,
    HttpPullConfig,
    HttpSourceError,
    HttpUnavailable,
    PageRequest,
    is_secret_param,
    parse_cursor,
    parse_header,
    redact_url,
)
from intelgraph.ingest.records import Input
from intelgraph.model import Source, ViewerScope
from intelgraph.store import Store

FAKE_NOW = 1_700_000_000.0
PER_PAGE = 40
PERSONS = 200
PAYMENTS = 50
TOKEN = "Bearer s3cret-token-XYZ"
API_KEY = "k3y-ABC123"
SCOPE = ViewerScope.make()


def _entities() -> list[dict[str, Any]]:
    people = [
        {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Person Number{i}"]}}
        for i in range(1, PERSONS + 1)
    ]
    payments = [
        {
            "id": f"pay{i}",
            "schema": "Payment",
            "properties": {
                "payer": [f"p{i}"],
                "beneficiary": [f"p{i + 1}"],
                "amount": [f"{i * 10} EUR"],
                "purpose": [f"invoice {i}"],
            },
        }
        for i in range(1, PAYMENTS + 1)
    ]
    return people + payments


ITEMS = _entities()
NON_OBJECTS: list[Any] = [42, "just text", None, ["a", "list"]]
MIXED = ITEMS[:5] + NON_OBJECTS[:2] + ITEMS[5:100] + NON_OBJECTS[2:] + ITEMS[100:]


# -- the API server -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]


Reply = tuple[int, Any, dict[str, str]]


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ApiHandler)
        self.seen: list[Seen] = []
        self.faults: dict[str, int] = {}
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]

    def take_fault(self, spec: str, times: int) -> bool:
        """Whether this request is one of the first ``times`` with this fault spec."""
        with self.lock:
            left = self.faults.setdefault(spec, times)
            if left <= 0:
                return False
            self.faults[spec] = left - 1
            return True


class ApiHandler(BaseHTTPRequestHandler):
    server: ApiServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test output is not the place for access logs."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        with self.server.lock:
            self.server.seen.append(Seen(parts.path, query, dict(self.headers.items())))
        reply = self._fault(query) or self._refusal(query) or self._route(parts.path, query)
        if reply is not None:
            self._send(*reply)

    def _fault(self, query: dict[str, str]) -> Reply | None:
        if "fail" not in query:
            return None
        spec = f"{query['fail']}/{query.get('times')}/{query.get('retry_after')}"
        if not self.server.take_fault(spec, int(query.get("times", "1"))):
            return None
        headers: dict[str, str] = {}
        after = query.get("retry_after")
        if after == "date":
            when = datetime.fromtimestamp(FAKE_NOW + 4, UTC)
            headers["Retry-After"] = email.utils.format_datetime(when, usegmt=True)
        elif after:
            headers["Retry-After"] = after
        return int(query["fail"]), {"error": "try later"}, headers

    def _refusal(self, query: dict[str, str]) -> Reply | None:
        if "secure" not in query:
            return None
        given = self.headers.get("Authorization", "")
        if given == TOKEN and query.get("api_key") == API_KEY:
            return None
        # Echoes what it was sent, as careless APIs do: the connector must scrub it.
        token = given.split()[-1] if given else ""
        return 401, {"message": f"token {token!r} with key {query.get('api_key')!r} refused"}, {}

    def _route(self, path: str, query: dict[str, str]) -> Reply | None:
        items = MIXED if "mixed" in query else ITEMS
        if path == "/html":
            self._send_raw(200, b"<html><body>Sign in</body></html>", "text/html; charset=utf-8")
            return None
        routes: dict[str, Callable[[dict[str, str], list[Any]], Reply]] = {
            "/link": self._link,
            "/ratelimit": self._link,
            "/cursor": self._cursor,
            "/next-url": self._next_url,
            "/page": self._page,
            "/offset": self._offset,
            "/stuck": self._stuck,
        }
        if path not in routes:
            return 404, {"error": "no such endpoint"}, {}
        return routes[path](query, items)

    def _host(self, query: dict[str, str]) -> str:
        host = (
            f"localhost:{self.server.server_port}" if "foreign" in query else self.headers["Host"]
        )
        return f"http://{host}"

    def _link(self, query: dict[str, str], items: list[Any]) -> Reply:
        page, size = int(query.get("page", "1")), int(query.get("per_page", str(PER_PAGE)))
        chunk = items[(page - 1) * size : page * size]
        path = urlsplit(self.path).path
        last = -(-len(items) // size)
        links = [f'<{path}?{urlencode({**query, "page": last})}>; rel="last"']
        if page < last:
            target = f"{self._host(query)}{path}?{urlencode({**query, 'page': page + 1})}"
            links.append(f'<{target}>; rel="next"')
        headers = {"Link": ", ".join(links)}
        if path == "/ratelimit":
            reset = {1: str(int(FAKE_NOW) + 7), 2: "3"}.get(page)
            headers["X-RateLimit-Remaining"] = "0" if reset else "10"
            headers["X-RateLimit-Reset"] = reset or "0"
        return 200, chunk, headers

    def _cursor(self, query: dict[str, str], items: list[Any]) -> Reply:
        start = int(base64.b64decode(query["cursor"]).decode()[3:]) if "cursor" in query else 0
        end = start + PER_PAGE
        token = base64.b64encode(f"at:{end}".encode()).decode() if end < len(items) else None
        return 200, {"data": items[start:end], "meta": {"next_cursor": token}}, {}

    def _next_url(self, query: dict[str, str], items: list[Any]) -> Reply:
        start = int(query.get("after", "0"))
        end = start + PER_PAGE
        following = f"/next-url?{urlencode({**query, 'after': end})}" if end < len(items) else None
        return 200, {"data": items[start:end], "links": {"next": following}}, {}

    def _page(self, query: dict[str, str], items: list[Any]) -> Reply:
        page, size = int(query["page"]), int(query.get("per_page", str(PER_PAGE)))
        return 200, {"results": items[(page - 1) * size : page * size], "page": page}, {}

    def _offset(self, query: dict[str, str], items: list[Any]) -> Reply:
        offset, limit = int(query["offset"]), min(int(query["limit"]), PER_PAGE)  # caps limit
        return 200, {"items": items[offset : offset + limit], "total": len(items)}, {}

    def _stuck(self, query: dict[str, str], items: list[Any]) -> Reply:
        return 200, {"results": items[:PER_PAGE]}, {}  # ignores every paging parameter

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        self._send_raw(status, json.dumps(body).encode(), "application/json", headers)

    def _send_raw(
        self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def api() -> Iterator[ApiServer]:
    server = ApiServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- helpers ------------------------------------------------------------------------------


class FakeTime:
    """A clock that only moves when the connector sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = FAKE_NOW
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


class Interrupted(Exception):
    """Stands for Ctrl-C or a crash between two batches."""


def http_input(fake: FakeTime, url: str, **options: Any) -> HttpInput:
    return HttpInput(HttpPullConfig(url, **options), sleep=fake.sleep, clock=fake.clock)


def ingest(
    store: Store,
    source_input: Input,
    *,
    batch_size: int = 2000,
    progress: Callable[[str, int], None] | None = None,
    source: str = "api",
) -> RunSummary:
    pipeline = IngestPipeline(
        store,
        Source(name=source),
        AutoMapper(store.ontology),
        connector="http",
        options=IngestOptions(batch_size=batch_size),
        progress=progress,
    )
    return pipeline.run([source_input])


def stop_after_first_batch(_uri: str, _count: int) -> None:
    raise Interrupted


def assert_all_loaded(store: Store, summary: RunSummary) -> None:
    out = summary.to_dict()
    assert out["status"] == "completed"
    assert out["records_read"] == len(ITEMS)
    assert out["records_loaded"] == len(ITEMS)
    assert out["dlq"] == 0
    counts = store.counts(SCOPE)
    assert counts.by_schema == {"Payment": PAYMENTS, "Person": PERSONS}
    assert counts.statements == PERSONS + 4 * PAYMENTS


def fetched_urls(api: ApiServer, path: str) -> list[tuple[tuple[str, str], ...]]:
    return [tuple(sorted(s.query.items())) for s in api.requests_to(path)]


def secrets_absent(*texts: str) -> bool:
    blob = "\n".join(texts)
    return all(secret not in blob for secret in (TOKEN, "s3cret", API_KEY, "hunter2"))


# -- every pagination style -----------------------------------------------------------------

STYLES = [
    pytest.param("/link", {"pagination": "link"}, 7, id="link"),
    pytest.param("/link", {"pagination": "auto"}, 7, id="auto-link-header"),
    pytest.param("/cursor", {"pagination": "cursor"}, 7, id="cursor"),
    pytest.param(
        "/cursor", {"pagination": "cursor", "cursor_path": "meta.next_cursor"}, 7, id="cursor-path"
    ),
    pytest.param("/cursor", {"pagination": "auto"}, 7, id="auto-body-cursor"),
    pytest.param("/next-url", {"pagination": "auto"}, 7, id="auto-body-url"),
    pytest.param("/page", {"pagination": "page"}, 8, id="page"),
    pytest.param("/page", {"pagination": "page", "page_size": 25}, 11, id="page-size"),
    pytest.param("/offset", {"pagination": "offset", "page_size": 100}, 8, id="offset-capped"),
]


@pytest.mark.parametrize(("path", "options", "requests"), STYLES)
def test_every_item_is_loaded_once_in_each_pagination_style(
    store: Store,
    api: ApiServer,
    fake_time: FakeTime,
    path: str,
    options: dict[str, Any],
    requests: int,
) -> None:
    summary = ingest(store, http_input(fake_time, api.base + path, **options))

    assert_all_loaded(store, summary)
    urls = fetched_urls(api, path)
    assert len(urls) == requests
    assert len(set(urls)) == len(urls), "a page was fetched twice"
    hits = store.search(SCOPE, "Number137").hits
    assert [hit.entity.id for hit in hits] == ["p137"]
    assert fake_time.sleeps == []


def test_page_size_and_offset_parameters_are_sent(api: ApiServer, fake_time: FakeTime) -> None:
    list(http_input(fake_time, api.base + "/page", pagination="page", page_size=25).read(None))
    list(http_input(fake_time, api.base + "/offset", pagination="offset").read(None))

    pages = api.requests_to("/page")
    assert [s.query for s in pages[:2]] == [
        {"page": "1", "per_page": "25"},
        {"page": "2", "per_page": "25"},
    ]
    offsets = [s.query["offset"] for s in api.requests_to("/offset")]
    assert offsets == ["0", "40", "80", "120", "160", "200", "240", "250"]  # as the server capped


def test_a_second_run_writes_no_new_statements(
    store: Store, api: ApiServer, fake_time: FakeTime
) -> None:
    feed = http_input(fake_time, api.base + "/link")
    first = ingest(store, feed)
    second = ingest(store, feed)

    assert first.to_dict()["statements_written"] == PERSONS + 4 * PAYMENTS
    assert second.resumed is False
    assert second.to_dict()["records_read"] == len(ITEMS)
    assert second.to_dict()["statements_written"] == 0
    assert store.counts(SCOPE).statements == PERSONS + 4 * PAYMENTS


def test_records_carry_the_time_of_the_first_request(api: ApiServer, fake_time: FakeTime) -> None:
    feed = http_input(fake_time, api.base + "/link")
    records = list(feed.read(None))

    expected = datetime.fromtimestamp(FAKE_NOW, UTC)
    assert {r.observed_at for r in records} == {expected}
    assert feed.observed_at == expected
    assert records[41].location == f"page 2 item 2 (GET {api.base}/link?page=2)"


def test_an_api_that_ignores_paging_is_read_once_not_forever(
    api: ApiServer, fake_time: FakeTime
) -> None:
    by_page = list(http_input(fake_time, api.base + "/stuck", pagination="page").read(None))
    by_offset = list(http_input(fake_time, api.base + "/stuck", pagination="offset").read(None))

    assert [r.data for r in by_page] == ITEMS[:PER_PAGE]
    assert [r.data for r in by_offset] == ITEMS[:PER_PAGE]
    assert len(api.requests_to("/stuck")) == 4


def test_max_pages_bounds_a_feed_that_does_not_end(api: ApiServer, fake_time: FakeTime) -> None:
    feed = http_input(fake_time, api.base + "/link", max_pages=3)

    with pytest.raises(HttpSourceError, match="stopped after 3 pages"):
        list(feed.read(None))
    assert len(api.requests_to("/link")) == 3


# -- resume ----------------------------------------------------------------------------------

RESUMES = [
    pytest.param("/link", {"pagination": "link"}, 30, id="link-mid-page"),
    pytest.param("/link", {"pagination": "auto"}, 40, id="link-page-end"),
    pytest.param("/cursor", {"pagination": "cursor"}, 30, id="cursor"),
    pytest.param("/page", {"pagination": "page"}, 30, id="page"),
    pytest.param("/offset", {"pagination": "offset"}, 70, id="offset-second-page"),
]


@pytest.mark.parametrize(("path", "options", "batch"), RESUMES)
def test_an_interrupted_run_resumes_without_losing_or_repeating(
    store: Store,
    api: ApiServer,
    fake_time: FakeTime,
    path: str,
    options: dict[str, Any],
    batch: int,
) -> None:
    with pytest.raises(Interrupted):
        ingest(
            store,
            http_input(fake_time, api.base + path, **options),
            batch_size=batch,
            progress=stop_after_first_batch,
        )
    interrupted = store.ingest.runs(SCOPE)[0]
    assert interrupted.status == "interrupted"
    checkpoint = next(iter(store.ingest.checkpoints(interrupted.id).values()))
    saved = json.loads(checkpoint.cursor)
    page_of_batch = (batch - 1) // PER_PAGE + 1
    assert (saved["page"], saved["item"]) == (page_of_batch, batch - (page_of_batch - 1) * PER_PAGE)
    before = len(api.requests_to(path))

    resumed = ingest(store, http_input(fake_time, api.base + path, **options), batch_size=batch)

    assert resumed.resumed is True
    assert resumed.run_id == interrupted.id
    assert_all_loaded(store, resumed)
    refetched = fetched_urls(api, path)[before]
    assert refetched == fetched_urls(api, path)[page_of_batch - 1], "resume refetches its page"
    uninterrupted = ingest(store, http_input(fake_time, api.base + path, **options), source="b")
    assert resumed.to_dict()["statements_written"] == uninterrupted.to_dict()["statements_written"]
    again = ingest(store, http_input(fake_time, api.base + path, **options))
    assert again.to_dict()["statements_written"] == 0, "nothing was lost by the resume"


def test_a_cursor_of_a_finished_page_moves_on_to_the_next(
    api: ApiServer, fake_time: FakeTime
) -> None:
    feed = http_input(fake_time, api.base + "/cursor", pagination="cursor")
    records = list(feed.read(None))
    end_of_first_page = records[PER_PAGE - 1].cursor

    rest = list(feed.read(end_of_first_page))

    assert [r.data for r in rest] == [r.data for r in records[PER_PAGE:]]
    assert rest[0].location.startswith("page 2 item 1 ")


# -- bad records and failures the connector rides out --------------------------------------------


def test_items_that_are_not_objects_go_to_the_dead_letter_queue(
    store: Store, api: ApiServer, fake_time: FakeTime
) -> None:
    summary = ingest(store, http_input(fake_time, api.base + "/link?mixed=1"))

    out = summary.to_dict()
    assert out["records_read"] == len(MIXED)
    assert out["records_loaded"] == len(ITEMS)
    assert out["dlq"] == len(NON_OBJECTS)
    letters = store.ingest.dead_letters(SCOPE, run_id=summary.run_id)
    assert sorted(letter.reason for letter in letters) == [
        "expected a JSON object, got array",
        "expected a JSON object, got null",
        "expected a JSON object, got number",
        "expected a JSON object, got string",
    ]
    assert sorted(letter.content for letter in letters) == sorted(
        json.dumps(item).encode() for item in NON_OBJECTS
    )
    first = min(letters, key=lambda letter: letter.id or 0)
    assert first.location == f"page 1 item 6 (GET {api.base}/link?mixed=1)"
    assert store.counts(SCOPE).by_schema == {"Payment": PAYMENTS, "Person": PERSONS}


@pytest.mark.parametrize(
    ("after", "sleeps"),
    [pytest.param("2", [2.0, 2.0], id="seconds"), pytest.param("date", [4.0, 0.0], id="date")],
)
def test_429_is_retried_after_the_time_the_server_asks(
    store: Store, api: ApiServer, fake_time: FakeTime, after: str, sleeps: list[float]
) -> None:
    url = f"{api.base}/link?fail=429&times=2&retry_after={after}"
    summary = ingest(store, http_input(fake_time, url))

    assert_all_loaded(store, summary)
    assert fake_time.sleeps == sleeps
    first_page = [s for s in api.requests_to("/link") if "page" not in s.query]
    assert len(first_page) == 3


def test_503_is_retried_with_capped_jittered_backoff(
    store: Store, api: ApiServer, fake_time: FakeTime
) -> None:
    url = f"{api.base}/cursor?fail=503&times=3"
    summary = ingest(
        store, http_input(fake_time, url, pagination="cursor", backoff_base=1.0, backoff_max=3.0)
    )

    assert_all_loaded(store, summary)
    assert len(fake_time.sleeps) == 3
    for attempt, slept in enumerate(fake_time.sleeps, start=1):
        assert 0.0 <= slept <= min(3.0, 2 ** (attempt - 1))
    assert len(api.requests_to("/cursor")) == 3 + 7


def test_an_exhausted_rate_limit_waits_until_its_reset(
    store: Store, api: ApiServer, fake_time: FakeTime
) -> None:
    summary = ingest(store, http_input(fake_time, api.base + "/ratelimit"))

    assert_all_loaded(store, summary)
    assert fake_time.sleeps == [7.0, 3.0]  # epoch-seconds reset, then seconds-until reset


def test_client_side_rate_limit_spaces_requests(api: ApiServer, fake_time: FakeTime) -> None:
    records = list(http_input(fake_time, api.base + "/link", max_requests_per_second=4).read(None))

    assert len(records) == len(ITEMS)
    assert fake_time.sleeps == [0.25] * 6


def test_credentials_are_sent_and_never_stored(
    store: Store, api: ApiServer, fake_time: FakeTime
) -> None:
    url = f"http://user:hunter2@127.0.0.1:{api.server_port}/link?secure=1&api_key={API_KEY}"

    def feed() -> HttpInput:
        return http_input(fake_time, url, headers={"Authorization": TOKEN})

    with pytest.raises(Interrupted):
        ingest(store, feed(), batch_size=30, progress=stop_after_first_batch)
    summary = ingest(store, feed(), batch_size=30)

    assert summary.resumed is True
    assert_all_loaded(store, summary)
    seen = api.requests_to("/link")
    assert {s.headers.get("Authorization") for s in seen} == {TOKEN}
    assert {s.query.get("api_key") for s in seen} == {API_KEY}
    run = store.ingest.run(SCOPE, summary.run_id)
    checkpoints = store.ingest.checkpoints(summary.run_id)
    assert feed().uri == f"{api.base}/link?secure=1&api_key=REDACTED"
    assert secrets_absent(
        feed().uri,
        feed().fingerprint,
        repr(feed().config),
        repr(run),
        *(f"{c.input_uri} {c.cursor}" for c in checkpoints.values()),
    )


def test_credentials_do_not_follow_a_link_to_another_host(
    api: ApiServer, fake_time: FakeTime
) -> None:
    feed = http_input(fake_time, api.base + "/link?foreign=1", headers={"Authorization": TOKEN})

    records = list(feed.read(None))

    assert len(records) == len(ITEMS)
    by_host = {(s.headers["Host"].split(":")[0], s.headers.get("Authorization")) for s in api.seen}
    assert by_host == {("127.0.0.1", TOKEN), ("localhost", None)}


# -- failures that stop the run ------------------------------------------------------------------


def test_401_fails_at_once_with_a_hint_and_no_secret(
    store: Store, api: ApiServer, fake_time: FakeTime
) -> None:
    url = f"{api.base}/link?secure=1&api_key=wrong-key-777"
    feed = http_input(fake_time, url, headers={"Authorization": "Bearer wrong-s3cret-99"})

    with pytest.raises(HttpSourceError) as caught:
        ingest(store, feed)

    error = caught.value
    assert isinstance(error, InvalidInput)
    assert "HTTP 401" in error.message
    assert "refused" in error.message
    assert "--header 'Authorization" in (error.hint or "")
    assert "wrong-s3cret" not in str(error)
    assert "token '***' with key '***' refused" in error.message
    assert "wrong-key-777" not in str(error)
    assert len(api.seen) == 1, "a 401 is not retried"
    assert fake_time.sleeps == []
    assert store.ingest.runs(SCOPE)[0].status == "interrupted"


def test_an_html_page_is_refused_naming_the_url_and_content_type(
    api: ApiServer, fake_time: FakeTime
) -> None:
    feed = http_input(fake_time, f"{api.base}/html?token=abc-secret-1")

    with pytest.raises(HttpSourceError) as caught:
        list(feed.read(None))

    message = str(caught.value)
    assert f"{api.base}/html?token=REDACTED" in message
    assert "text/html" in message
    assert "not JSON" in message
    assert "abc-secret-1" not in message


def test_exhausted_retries_say_how_many_attempts_and_the_last_status(
    api: ApiServer, fake_time: FakeTime
) -> None:
    feed = http_input(fake_time, f"{api.base}/link?fail=503&times=99", max_retries=2)

    with pytest.raises(HttpUnavailable) as caught:
        list(feed.read(None))

    assert "failed 3 times" in caught.value.message
    assert "HTTP 503" in caught.value.message
    assert caught.value.hint
    assert len(api.requests_to("/link")) == 3
    assert len(fake_time.sleeps) == 2


def test_an_unreachable_server_fails_after_its_retries(fake_time: FakeTime) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    feed = http_input(fake_time, f"http://127.0.0.1:{port}/x?api_key={API_KEY}", max_retries=1)

    with pytest.raises(HttpUnavailable) as caught:
        list(feed.read(None))

    assert "failed 2 times" in caught.value.message
    assert "ConnectError" in caught.value.message
    assert secrets_absent(str(caught.value))
    assert len(fake_time.sleeps) == 1


def test_a_retry_after_beyond_the_limit_fails_instead_of_hanging(
    api: ApiServer, fake_time: FakeTime
) -> None:
    feed = http_input(fake_time, f"{api.base}/link?fail=429&retry_after=3600")

    with pytest.raises(HttpUnavailable) as caught:
        list(feed.read(None))

    assert "3600 s" in caught.value.message
    assert fake_time.sleeps == []


def test_a_missing_records_path_is_explained(api: ApiServer, fake_time: FakeTime) -> None:
    feed = http_input(fake_time, api.base + "/cursor", records_path="payload.rows")

    with pytest.raises(HttpSourceError) as caught:
        list(feed.read(None))

    assert "'payload.rows'" in caught.value.message
    assert "data, meta" in (caught.value.hint or "")


def test_404_names_the_problem(api: ApiServer, fake_time: FakeTime) -> None:
    with pytest.raises(HttpSourceError) as caught:
        list(http_input(fake_time, api.base + "/nowhere").read(None))

    assert "HTTP 404" in caught.value.message
    assert "no such endpoint" in caught.value.message


# -- pieces -----------------------------------------------------------------------------------


def test_urls_lose_userinfo_and_secret_values_but_keep_paging_parameters() -> None:
    url = "https://me:pw@api.example/v1/x?q=a+b&api_key=K&pageToken=T&access_token=A#top"

    assert redact_url(url) == (
        "https://api.example/v1/x?q=a+b&api_key=REDACTED&pageToken=T&access_token=REDACTED"
    )
    assert is_secret_param("client_secret")
    assert not is_secret_param("next_page_token")
    assert not is_secret_param("author")


def test_a_saved_cursor_gets_its_secrets_back_from_the_configured_url() -> None:
    request = PageRequest("https://api.example/x?api_key=K&q=1", {"page": "3"})

    saved = request.cursor(3, 17)
    position = parse_cursor(saved, "https://api.example/x?api_key=K&q=1")

    assert "K&" not in saved
    assert json.loads(saved) == {
        "url": "https://api.example/x?api_key=REDACTED&q=1",
        "params": {"page": "3"},
        "page": 3,
        "item": 17,
    }
    assert position.request == request
    assert (position.page, position.skip) == (3, 17)
    with pytest.raises(InvalidInput, match="api_key"):
        parse_cursor(saved, "https://api.example/x?q=1")
    with pytest.raises(InvalidInput, match="invalid HTTP cursor"):
        parse_cursor("17", "https://api.example/x")


def test_bad_configuration_is_refused_with_a_hint() -> None:
    with pytest.raises(InvalidInput, match="pagination"):
        HttpPullConfig("https://api.example/x", pagination="scroll")
    with pytest.raises(InvalidInput, match="http"):
        HttpPullConfig("ftp://api.example/x")
    with pytest.raises(InvalidInput, match="Name: value"):
        parse_header("Bearer abc")
    assert parse_header("Authorization:  Bearer abc ") == ("Authorization", "Bearer abc")


def test_the_fingerprint_ignores_credentials_and_retry_settings() -> None:
    plain = HttpInput(HttpPullConfig("https://api.example/x?api_key=A"))
    other = HttpInput(
        HttpPullConfig(
            "https://api.example/x?api_key=B", headers={"Authorization": "x"}, max_retries=9
        )
    )
    paged = HttpInput(HttpPullConfig("https://api.example/x", pagination="page"))

    assert plain.fingerprint == other.fingerprint
    assert plain.fingerprint != paged.fingerprint
    assert plain.format == "json"
    assert isinstance(plain, Input)
