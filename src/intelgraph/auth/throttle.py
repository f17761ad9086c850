"""The login throttle: failed logins per user name, shared by every login route."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 300.0


class LoginThrottle:
    """At most five failed logins per user name per five minutes, then 429.

    Online guessing is slowed without locking a user out for good; argon2id makes
    each guess expensive for us too, so the limit also protects the server.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def retry_after(self, name: str) -> int:
        now = self._clock()
        with self._lock:
            failures = self._failures.get(name.lower())
            while failures and now - failures[0] > FAILURE_WINDOW_SECONDS:
                failures.popleft()
            if failures is None or len(failures) < MAX_FAILURES:
                return 0
            return int(FAILURE_WINDOW_SECONDS - (now - failures[0])) + 1

    def failed(self, name: str) -> None:
        with self._lock:
            if len(self._failures) > 100_000:  # bound memory under a name-spraying attack
                self._failures.clear()
            self._failures.setdefault(name.lower(), deque(maxlen=MAX_FAILURES)).append(
                self._clock()
            )

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)


__all__ = ["FAILURE_WINDOW_SECONDS", "MAX_FAILURES", "LoginThrottle"]
