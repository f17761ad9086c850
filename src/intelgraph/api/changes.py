"""The server's reader of the store's change feed, publishing to the event hub.

It tails ``changes`` rows (any process's writes) and is woken at once by this
process's own commits, so a subscriber sees the server's writes within
milliseconds and other processes' within one poll interval.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from intelgraph.api.hub import EventHub
from intelgraph.errors import IntelGraphError
from intelgraph.model import utcnow
from intelgraph.obs.logging import get_logger
from intelgraph.store import Store

_log = get_logger("intelgraph.changes")
KEEP = timedelta(hours=1)
PRUNE_EVERY_SECONDS = 60.0


def _nothing() -> None:
    return None


class ChangeFeed:
    def __init__(self, store: Store, hub: EventHub, *, interval: float = 0.01) -> None:
        """``interval``: how often to look for other processes' writes (this process's
        wake the reader at once); an indexed read of nothing costs microseconds."""
        self.store = store
        self.hub = hub
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop_listening: Callable[[], None] = _nothing
        self._seq = 0

    def start(self) -> None:
        """Start after the newest change: subscribers see what happens from now on."""
        if self._thread is not None:
            return
        self._seq = self.store.changes.latest()
        self._stop_listening = self.store.changes.listen(self._wake.set)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="change-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop_listening()
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._publish_new()
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                    self.store.changes.prune(utcnow() - KEEP)
            except IntelGraphError as exc:  # the store is briefly unavailable: try again
                _log.warning("change_feed_read_failed", code=exc.code)

    def _publish_new(self) -> None:
        while True:
            batch = self.store.changes.since(self._seq)
            for change in batch:
                self._seq = change.seq
                self.hub.publish("graph", change)
            if len(batch) < 500:
                return


__all__ = ["ChangeFeed"]
