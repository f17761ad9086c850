"""HTTP pull: the records of a paged REST JSON API as one resumable ingest input.

A feed is read page by page (RFC 8288 ``Link`` headers, a next URL or cursor in
the body, page numbers, or offsets). Each record's cursor names the request
that fetched its page and how far into the page it is, so an interrupted run
refetches that one page and skips what it already stored. Transient failures
(connection errors, timeouts, 429 and 5xx) are retried with capped exponential
backoff and full jitter, honouring ``Retry-After`` and ``X-RateLimit-*``.

Credentials never leave the request: headers are neither logged nor part of the
input's URI, fingerprint or cursors, and secret-looking query parameters and
``user:password@`` are redacted wherever a URL is shown or stored. A saved
cursor gets its secrets back from the configured URL when a run resumes.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import httpx

from intelgraph import __version__
from intelgraph.errors import InvalidInput
from intelgraph.ingest.connectors.http_fetch import (
    _HEADER_NAME,
    REDACTED,
    RETRY_STATUSES,
    Clock,
    Fetcher,
    HttpSourceError,
    HttpUnavailable,
    Sleep,
    _check_url,
    _origin,
    _restore_url,
    is_secret_param,
    parse_header,
    redact_url,
)
from intelgraph.ingest.records import RawRecord
from intelgraph.model import canonical_json, sha256_hex
from intelgraph.obs import get_logger

PAGINATION_STYLES = ("auto", "link", "cursor", "page", "offset", "none")
DEFAULT_LIMIT = 100

_LIST_KEYS = ("data", "items", "results", "records", "objects", "entities")
_NEXT_PATHS = (
    "next",
    "next_url",
    "nextUrl",
    "links.next",
    "links.next.href",
    "_links.next.href",
    "meta.next",
    "paging.next",
    "pagination.next",
)
_CURSOR_PATHS = (
    "next_cursor",
    "nextCursor",
    "meta.next_cursor",
    "meta.nextCursor",
    "pagination.next_cursor",
    "paging.cursors.after",
    "cursor.next",
    "next_page_token",
    "nextPageToken",
)
_MORE_FLAGS = ("has_more", "hasMore", "meta.has_more", "pagination.has_more")

_log = get_logger(__name__)


# -- configuration ------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class HttpPullConfig:
    """Where a feed is and how to walk it; ``headers`` carry credentials and stay private."""

    url: str
    pagination: str = "auto"
    records_path: str | None = None
    cursor_param: str = "cursor"
    cursor_path: str | None = None
    page_param: str = "page"
    page_size_param: str = "per_page"
    page_size: int | None = None
    start_page: int = 1
    offset_param: str = "offset"
    limit_param: str = "limit"
    headers: Mapping[str, str] = field(default_factory=dict, compare=False)
    timeout: float = 30.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_wait: float = 300.0
    max_requests_per_second: float | None = None
    max_pages: int = 100_000
    verify: bool = True

    def __post_init__(self) -> None:
        _check_url(self.url)
        if self.pagination not in PAGINATION_STYLES:
            raise InvalidInput(
                f"unknown pagination style {self.pagination!r}",
                hint=f"use --pagination with one of {', '.join(PAGINATION_STYLES)}",
            )
        for name, value in (("timeout", self.timeout), ("max_wait", self.max_wait)):
            if value <= 0:
                raise InvalidInput(f"{name} must be positive")
        if self.max_retries < 0 or self.backoff_base < 0 or self.backoff_max < 0:
            raise InvalidInput("retries and backoff times cannot be negative")
        if self.page_size is not None and self.page_size < 1:
            raise InvalidInput("the page size must be at least 1")
        if self.max_requests_per_second is not None and self.max_requests_per_second <= 0:
            raise InvalidInput("the request rate must be positive", hint="e.g. --rate 5")
        if self.max_pages < 1:
            raise InvalidInput("max_pages must be at least 1")
        for name in self.headers:
            if not _HEADER_NAME.fullmatch(name):
                raise InvalidInput(f"{name!r} is not a valid HTTP header name")

    def describe(self) -> dict[str, Any]:
        """What decides which records are read, without credentials: for fingerprints,
        run options and logs. Retry and rate settings are left out on purpose, so that
        changing them between an interrupted run and its resumption still resumes."""
        return {
            "url": redact_url(self.url),
            "pagination": self.pagination,
            "records_path": self.records_path,
            "cursor_param": self.cursor_param,
            "cursor_path": self.cursor_path,
            "page_param": self.page_param,
            "page_size_param": self.page_size_param,
            "page_size": self.page_size,
            "start_page": self.start_page,
            "offset_param": self.offset_param,
            "limit_param": self.limit_param,
        }

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.describe().items() if v is not None)
        return f"HttpPullConfig({shown}, headers={sorted(self.headers)!r})"


# -- requests and cursors ------------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """One page's GET: a URL (secrets included, no userinfo) and our pagination params."""

    url: str
    params: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def full_url(self) -> str:
        return str(httpx.URL(self.url).copy_merge_params(dict(self.params)))

    def cursor(self, page: int, item: int) -> str:
        """Compact JSON naming this request (secrets redacted) and the next item's index."""
        saved = {"url": redact_url(self.url), "params": dict(self.params)}
        return json.dumps(
            {**saved, "page": page, "item": item}, separators=(",", ":"), sort_keys=True
        )


@dataclass(frozen=True)
class Position:
    """Where a read starts: the request of a page, its number in the feed, items to skip."""

    request: PageRequest
    page: int
    skip: int


def parse_cursor(cursor: str, configured_url: str) -> Position:
    """The position a record cursor stands for, with URL secrets restored."""
    try:
        saved = json.loads(cursor)
        url, params = saved["url"], saved["params"]
        page, item = saved["page"], saved["item"]
    except (ValueError, TypeError, KeyError):
        raise InvalidInput(f"invalid HTTP cursor {cursor[:200]!r}") from None
    valid = (
        isinstance(url, str)
        and isinstance(params, dict)
        and all(isinstance(v, str) for v in params.values())
        and isinstance(page, int)
        and isinstance(item, int)
        and page >= 1
        and item >= 0
    )
    if not valid:
        raise InvalidInput(f"invalid HTTP cursor {cursor[:200]!r}")
    return Position(PageRequest(_restore_url(url, configured_url), params), page, item)


# -- reading JSON bodies ---------------------------------------------------------------------


def _dig(node: Any, path: str) -> tuple[bool, Any]:
    """(found, value) at a dotted path through nested objects."""
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def page_items(body: Any, records_path: str | None, shown_url: str) -> list[Any]:
    """The list of records in one response: at ``records_path``, or the body if it is a
    list, or the first common envelope key holding a list."""
    if body is None:
        return []
    if records_path:
        found, node = _dig(body, records_path)
        if found and node is None:
            return []
        if not found or not isinstance(node, list):
            keys = ", ".join(sorted(body)) if isinstance(body, dict) else _json_type(body)
            raise HttpSourceError(
                f"the response from {shown_url} has no list at {records_path!r}",
                hint=f"check --records (the response's top level has: {keys})",
                details={"url": shown_url},
            )
        return node
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in _LIST_KEYS:
            if isinstance(body.get(key), list):
                return list(body[key])
        raise HttpSourceError(
            f"cannot find the list of records in the response from {shown_url}",
            hint=f"name it with --records PATH (the top level has: {', '.join(sorted(body))})",
            details={"url": shown_url},
        )
    raise HttpSourceError(
        f"the response from {shown_url} is a JSON {_json_type(body)}, not a list of records",
        hint="check the URL",
        details={"url": shown_url},
    )


def _first_scalar(body: Any, paths: Sequence[str]) -> str | None:
    for path in paths:
        found, value = _dig(body, path)
        if found and isinstance(value, str) and value.strip():
            return value.strip()
        if found and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def _no_more(body: Any) -> bool:
    """True when the body says outright that this is the last page (``has_more: false``)."""
    return any(_dig(body, path) == (True, False) for path in _MORE_FLAGS)


def _looks_like_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "/", "?"))


# -- the input ----------------------------------------------------------------------------


class HttpInput:
    """A REST JSON feed as an ingest input: pages in order, resumable mid-page.

    ``sleep`` and ``clock`` are injectable so tests can record waits instead of
    waiting; ``clock`` is wall time in epoch seconds (rate-limit resets are dates).
    """

    def __init__(
        self,
        config: HttpPullConfig,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311  # jitter spreads retries; no secret
        self._observed_at: datetime | None = None
        parsed = httpx.URL(config.url)
        # An explicit Authorization header wins over user:password@ in the URL.
        explicit = any(name.lower() == "authorization" for name in config.headers)
        userinfo = parsed.username and not explicit
        self._auth = httpx.BasicAuth(parsed.username, parsed.password) if userinfo else None
        self._base = str(parsed.copy_with(userinfo=b"", fragment=None))

    @property
    def uri(self) -> str:
        return redact_url(self.config.url)

    @property
    def format(self) -> str:
        return "json"

    @cached_property
    def fingerprint(self) -> str:
        """Constant for a configuration: a live feed has no version to compare, and a
        changing fingerprint would make every interrupted run start over."""
        return "http:" + sha256_hex(canonical_json(self.config.describe()))[:32]

    @property
    def observed_at(self) -> datetime:
        """When the current (or last) read sent its first request."""
        if self._observed_at is None:
            self._observed_at = datetime.fromtimestamp(self._clock(), UTC)
        return self._observed_at

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        start = parse_cursor(cursor, self.config.url) if cursor else self._first()
        with self._client() as client:
            fetcher = Fetcher(
                client,
                self.config,
                sleep=self._sleep,
                clock=self._clock,
                rng=self._rng,
                secrets=self._secrets(),
            )
            self._observed_at = datetime.fromtimestamp(self._clock(), UTC)
            yield from self._walk(fetcher, start)

    def _walk(self, fetcher: Fetcher, start: Position) -> Iterator[RawRecord]:
        """Every record from ``start``, page after page, until the feed says it is done.

        A next page already fetched, or a page identical to the one before, ends the
        feed: APIs that ignore an unknown page parameter would otherwise serve their
        first page until ``max_pages``.
        """
        request, page, skip = start.request, start.page, start.skip
        seen: set[str] = set()
        previous = ""
        for _ in range(self.config.max_pages):
            seen.add(request.full_url)
            response, body = fetcher.get(request)
            shown = redact_url(request.full_url)
            items = page_items(body, self.config.records_path, shown)
            digest = sha256_hex(json.dumps(items, sort_keys=True).encode())
            if items and digest == previous:
                _log.warning("http_page_repeated", url=shown)
                return
            yield from self._records(items, request, page, skip, shown)
            following = self._next(request, response, body, len(items))
            if following is None:
                return
            if following.full_url in seen:
                _log.warning("http_pagination_loop", url=redact_url(following.full_url))
                return
            request, page, skip, previous = following, page + 1, 0, digest
        raise HttpSourceError(
            f"stopped after {self.config.max_pages} pages of {self.uri}",
            hint="the API may be paging in a circle: check --pagination; if the feed "
            "is really this long, raise max_pages",
            details={"url": self.uri},
        )

    def _records(
        self, items: list[Any], request: PageRequest, page: int, skip: int, shown: str
    ) -> Iterator[RawRecord]:
        observed = self.observed_at
        for index in range(skip, len(items)):
            item = items[index]
            cursor = request.cursor(page, index + 1)
            location = f"page {page} item {index + 1} (GET {shown})"
            if isinstance(item, dict):
                yield RawRecord(item, location, cursor, observed_at=observed)
                continue
            yield RawRecord(
                None,
                location,
                cursor,
                raw=json.dumps(item, ensure_ascii=False).encode(),
                error=f"expected a JSON object, got {_json_type(item)}",
                observed_at=observed,
            )

    # -- pagination ---------------------------------------------------------------------

    def _size_params(self) -> dict[str, str]:
        size = self.config.page_size
        return {self.config.page_size_param: str(size)} if size else {}

    def _first(self) -> Position:
        config = self.config
        if config.pagination == "page":
            params = {config.page_param: str(config.start_page), **self._size_params()}
        elif config.pagination == "offset":
            limit = str(config.page_size or DEFAULT_LIMIT)
            params = {config.offset_param: "0", config.limit_param: limit}
        else:
            params = self._size_params()
        return Position(PageRequest(self._base, params), 1, 0)

    def _next(
        self, request: PageRequest, response: httpx.Response, body: Any, count: int
    ) -> PageRequest | None:
        """The request for the page after this one, or None at the end of the feed."""
        style = self.config.pagination
        if style == "none" or _no_more(body):
            return None
        if style in ("auto", "link"):
            link = _link_next(response)
            if link is not None or style == "link":
                return PageRequest(str(response.url.join(link)), {}) if link else None
        if style in ("auto", "cursor"):
            return self._next_from_body(request, body)
        if count == 0:
            return None
        params = dict(request.params)
        if style == "page":
            params[self.config.page_param] = str(int(params[self.config.page_param]) + 1)
        else:
            params[self.config.offset_param] = str(int(params[self.config.offset_param]) + count)
        return PageRequest(request.url, params)

    def _next_from_body(self, request: PageRequest, body: Any) -> PageRequest | None:
        """A next URL or cursor token from the body; a token goes in ``cursor_param``."""
        if self.config.cursor_path:
            value = _first_scalar(body, [self.config.cursor_path])
            token_only = True
        else:
            value = _first_scalar(body, _NEXT_PATHS + _CURSOR_PATHS)
            token_only = False
        if value is None:
            return None
        if not token_only and _looks_like_url(value):
            return PageRequest(str(httpx.URL(request.full_url).join(value)), {})
        return PageRequest(self._base, {**self._size_params(), self.config.cursor_param: value})

    # -- the HTTP client ----------------------------------------------------------------

    def _secrets(self) -> list[str]:
        """Everything that must never appear in a message: header values, the URL's
        password and secret query values."""
        found = list(self.config.headers.values())
        # "Bearer <token>": an API may echo just the token, so its long words count too.
        found.extend(w for v in self.config.headers.values() for w in v.split() if len(w) >= 8)
        parsed = httpx.URL(self.config.url)
        if parsed.password:
            found.append(parsed.password)
        found.extend(v for k, v in parsed.params.multi_items() if is_secret_param(k))
        return found

    def _client(self) -> httpx.Client:
        """A client whose credentials go only to the configured origin: a next link or a
        redirect to another host gets neither the headers nor the basic auth."""
        origin = _origin(httpx.URL(self._base))
        private = {name.lower() for name in self.config.headers} | {"authorization"}

        def strip_foreign(request: httpx.Request) -> None:
            if _origin(request.url) != origin:
                for name in private:
                    request.headers.pop(name, None)

        return httpx.Client(
            headers={
                "Accept": "application/json",
                "User-Agent": f"intelgraph/{__version__}",
                **self.config.headers,
            },
            auth=self._auth,
            timeout=self.config.timeout,
            verify=self.config.verify,
            follow_redirects=True,
            event_hooks={"request": [strip_foreign]},
        )


def _link_next(response: httpx.Response) -> str | None:
    """The RFC 8288 ``rel="next"`` target of a response's Link header, if any."""
    for link in response.links.values():
        if "next" in link.get("rel", "").lower().split() and link.get("url"):
            return link["url"]
    return None


__all__ = [
    "PAGINATION_STYLES",
    "REDACTED",
    "RETRY_STATUSES",
    "Clock",
    "HttpInput",
    "HttpPullConfig",
    "HttpSourceError",
    "HttpUnavailable",
    "PageRequest",
    "Position",
    "Sleep",
    "is_secret_param",
    "page_items",
    "parse_cursor",
    "parse_header",
    "redact_url",
]
