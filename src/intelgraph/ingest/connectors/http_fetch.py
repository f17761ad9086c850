"""HTTP fetching for the pull connector: one page's GET, safely.

Retries transient failures (connection errors, timeouts, 429 and 5xx) with capped
exponential backoff and full jitter, honours ``Retry-After`` and ``X-RateLimit-*``,
paces requests to a client-side rate, and keeps credentials out of every URL and
message it shows: secret query values and ``user:password@`` are redacted, and
server text is scrubbed of header values before it reaches an error.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

import httpx

from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.obs import get_logger

if TYPE_CHECKING:
    from intelgraph.ingest.connectors.http_pull import HttpPullConfig, PageRequest

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
REDACTED = "REDACTED"
_SECRET_NAMES = frozenset({"key", "sig", "auth", "code", "pass", "pwd"})
_SECRET_WORDS = (
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "api_key",
    "api-key",
    "signature",
    "credential",
    "access_key",
    "private",
)
_PAGING_WORDS = ("page", "cursor", "offset", "limit", "next", "after", "before")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_STATUS_HINTS = {
    400: "check the URL's query parameters and the pagination options (--pagination, --records)",
    401: "the API wants credentials: check the --header 'Authorization: …' "
    "(or the API key in the URL)",
    403: "the credentials were refused for this resource: check the --header "
    "'Authorization: …' and what it is allowed to read",
    404: "check the URL: the API has no such endpoint",
    410: "the endpoint is gone: look up its new URL in the API's documentation",
    422: "check the URL's query parameters and the pagination options (--pagination, --records)",
}

_log = get_logger(__name__)

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class HttpSourceError(InvalidInput):
    """The API answered, but not with anything an ingest can use (4xx, not JSON, no list)."""


class HttpUnavailable(IntelGraphError):
    """The API could not be reached, or kept failing after every retry."""

    code = "upstream_unavailable"


# -- URLs and headers ------------------------------------------------------------------


def _check_url(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InvalidInput(f"invalid URL: {exc}", hint="give a full http(s):// URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(
            f"{redact_url(url)!r} is not an http(s) URL", hint="give a full https:// URL"
        )


def parse_header(text: str) -> tuple[str, str]:
    """A ``--header 'Name: value'`` option as a pair; the value is never echoed in errors."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not _HEADER_NAME.fullmatch(name):
        raise InvalidInput(
            "a header must be written 'Name: value'",
            hint="e.g. --header 'Authorization: Bearer …'",
        )
    return name, value.strip()


# -- secrets in URLs ---------------------------------------------------------------------


def is_secret_param(name: str) -> bool:
    """Whether a query parameter looks like a credential (``api_key``, ``access_token``…);
    pagination parameters (``page_token``, ``cursor``…) are not, or resuming could not
    replay them."""
    lowered = name.lower()
    if any(word in lowered for word in _PAGING_WORDS):
        return False
    return lowered in _SECRET_NAMES or any(word in lowered for word in _SECRET_WORDS)


def _map_query(query: str, replace: Callable[[str, str], str]) -> str:
    """The raw query with each ``key=value`` passed through ``replace``; the rest untouched
    so that redacting and restoring round-trip byte for byte."""
    parts = []
    for part in query.split("&") if query else ():
        key, sep, value = part.partition("=")
        parts.append(f"{key}={replace(key, value)}" if sep else part)
    return "&".join(parts)


def redact_url(url: str) -> str:
    """``url`` without ``user:password@``, fragment, or the values of secret parameters."""
    parsed = httpx.URL(url)
    query = _map_query(
        parsed.query.decode("ascii"),
        lambda key, value: REDACTED if is_secret_param(unquote_plus(key)) else value,
    )
    return str(parsed.copy_with(userinfo=b"", query=query.encode("ascii"), fragment=None))


def _restore_url(saved: str, configured: str) -> str:
    """A redacted URL from a cursor with its secrets put back from the configured URL."""
    known: dict[str, str] = {}
    for part in httpx.URL(configured).query.decode("ascii").split("&"):
        key, _, value = part.partition("=")
        known.setdefault(key, value)

    def put_back(key: str, value: str) -> str:
        if value != REDACTED or not is_secret_param(unquote_plus(key)):
            return value
        if key not in known:
            raise InvalidInput(
                f"the saved position needs the {unquote_plus(key)!r} parameter, which the URL "
                "given now does not have",
                hint="run again with the same URL, including its key or token",
            )
        return known[key]

    parsed = httpx.URL(saved)
    query = _map_query(parsed.query.decode("ascii"), put_back)
    return str(parsed.copy_with(query=query.encode("ascii")))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


# -- fetching with retries and rate limits ---------------------------------------------------


class Fetcher:
    """GETs JSON pages: paces requests, retries transient failures, waits out rate limits.

    Kept apart from :class:`~intelgraph.ingest.connectors.http_pull.HttpInput` so the
    pagination logic never deals with the failure modes of one request: retries with
    capped, jittered backoff, ``Retry-After`` and ``X-RateLimit-*`` waits, the client-side
    rate, and scrubbing credentials from every message built from server or library text.
    """

    def __init__(
        self,
        client: httpx.Client,
        config: HttpPullConfig,
        *,
        sleep: Sleep,
        clock: Clock,
        rng: random.Random,
        secrets: Sequence[str],
    ) -> None:
        self.client = client
        self.config = config
        self.sleep = sleep
        self.clock = clock
        self.rng = rng
        self.secrets = sorted((s for s in secrets if len(s) >= 3), key=len, reverse=True)
        rate = config.max_requests_per_second
        self._interval = 1.0 / rate if rate else 0.0
        self._last_start = float("-inf")
        self._hold_until = float("-inf")

    def scrub(self, text: str) -> str:
        """Server or library text with every credential we hold blanked out."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def get(self, request: PageRequest) -> tuple[httpx.Response, Any]:
        """The response and parsed JSON body of one page, after any retries."""
        url = request.full_url
        shown = redact_url(url)
        attempts = self.config.max_retries + 1
        last = ""
        for attempt in range(1, attempts + 1):
            self._wait_turn(shown)
            try:
                response = self.client.get(url)
            except httpx.TransportError as exc:
                last = self.scrub(f"{type(exc).__name__}: {exc}".rstrip(": "))
                if attempt < attempts:
                    self._pause(self._backoff(attempt), shown, last, attempt)
                continue
            except httpx.HTTPError as exc:  # too many redirects, undecodable content
                raise HttpSourceError(
                    f"GET {shown} failed: {self.scrub(str(exc))}", hint="check the URL"
                ) from None
            self._note_rate_limit(response)
            if response.status_code in RETRY_STATUSES:
                last = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                if attempt < attempts:
                    self._pause(self._retry_delay(response, attempt), shown, last, attempt)
                continue
            if response.status_code >= 400:
                raise self._refused(response, shown)
            return response, self._json(response, shown)
        raise HttpUnavailable(
            f"GET {shown} failed {attempts} times; the last attempt: {last}",
            hint="the API is down, unreachable or overloaded: check the URL and try again "
            "later (the run resumes where it stopped)",
            details={"url": shown, "attempts": attempts, "last": last},
        )

    def _wait_turn(self, shown: str) -> None:
        """Sleep until the client-side rate and any server rate-limit window allow a request."""
        due = max(self._hold_until, self._last_start + self._interval)
        wait = due - self.clock()
        if wait > 0:
            self._bounded_sleep(wait, shown, "rate limit")
        self._last_start = self.clock()

    def _pause(self, seconds: float, shown: str, reason: str, attempt: int) -> None:
        _log.warning("http_retry", url=shown, reason=reason, attempt=attempt, wait=seconds)
        self._bounded_sleep(seconds, shown, reason)

    def _bounded_sleep(self, seconds: float, shown: str, reason: str) -> None:
        """Sleep, unless the server asks for longer than ``max_wait``: fail clearly then,
        since a run silently hanging for an hour looks like a crash."""
        if seconds > self.config.max_wait:
            raise HttpUnavailable(
                f"the API at {shown} asks to wait {seconds:.0f} s before the next request "
                f"({reason}), more than the {self.config.max_wait:.0f} s limit",
                hint="try again later; the run resumes where it stopped",
                details={"url": shown, "wait": seconds},
            )
        self.sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so that many clients do not retry in step."""
        cap = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        return self.rng.uniform(0.0, cap)

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        after = self._seconds_from(response.headers.get("retry-after"), epoch_dates=False)
        if after is not None:
            return after
        if self._hold_until > self.clock():
            return 0.0  # X-RateLimit-Reset already says how long: _wait_turn waits it
        return self._backoff(attempt)

    def _note_rate_limit(self, response: httpx.Response) -> None:
        """Remember an exhausted quota's reset time, to wait before the next request."""
        headers = response.headers
        exhausted = headers.get("x-ratelimit-remaining", "").strip() == "0"
        if not (exhausted or response.status_code == 429):
            return
        wait = self._seconds_from(headers.get("x-ratelimit-reset"), epoch_dates=True)
        if wait is not None:
            self._hold_until = max(self._hold_until, self.clock() + wait)

    def _seconds_from(self, value: str | None, *, epoch_dates: bool) -> float | None:
        """Seconds to wait from a header: a number of seconds, an HTTP date, or (for
        ``X-RateLimit-Reset``) epoch seconds, told apart by size."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            number = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            return max(0.0, when.timestamp() - self.clock())
        if epoch_dates and number > 1_000_000_000:
            return max(0.0, number - self.clock())
        return max(0.0, number)

    def _refused(self, response: httpx.Response, shown: str) -> HttpSourceError:
        status = response.status_code
        said = self._server_message(response)
        return HttpSourceError(
            f"GET {shown} was refused: HTTP {status} {response.reason_phrase}".rstrip()
            + (f" ({said})" if said else ""),
            hint=_STATUS_HINTS.get(status, "check the URL, its parameters and the credentials"),
            details={"url": shown, "status": status},
        )

    def _server_message(self, response: httpx.Response) -> str:
        """The API's own short explanation of an error, if it gives one."""
        text = response.text[:2000]
        try:
            body = json.loads(text)
        except ValueError:
            plain = response.headers.get("content-type", "").startswith("text/plain")
            return self.scrub(text.strip()[:200]) if plain else ""
        if isinstance(body, dict):
            for key in ("message", "error_description", "error", "detail", "title"):
                if isinstance(body.get(key), str):
                    return self.scrub(body[key].strip()[:200])
        return ""

    def _json(self, response: httpx.Response, shown: str) -> Any:
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            kind = response.headers.get("content-type", "").split(";")[0].strip() or "none"
            hint = (
                "the URL serves a web page, not the API's JSON: check the URL (a login page "
                "also means the credentials were not accepted)"
                if "html" in kind
                else "check that the URL is the API endpoint that returns JSON"
            )
            raise HttpSourceError(
                f"the response from {shown} is not JSON (content type {kind})",
                hint=hint,
                details={"url": shown, "content_type": kind},
            ) from None


__all__ = [
    "REDACTED",
    "RETRY_STATUSES",
    "Clock",
    "Fetcher",
    "HttpSourceError",
    "HttpUnavailable",
    "Sleep",
    "is_secret_param",
    "parse_header",
    "redact_url",
]
