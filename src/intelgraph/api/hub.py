"""In-process event fan-out from any thread to async subscribers.

Writers (ingest threads, export jobs, mutations) publish; GraphQL
subscriptions listen. Publishing never blocks a writer: each subscriber has a
bounded queue, and a subscriber too slow to keep up loses its oldest events
and is told so (``Overflow``), rather than holding up the store.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

QUEUE_SIZE = 1_000


@dataclass(frozen=True, slots=True)
class Overflow:
    """Events were dropped for this subscriber (it reads too slowly)."""

    dropped: int


class _Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)
        self.dropped = 0

    def offer(self, event: Any) -> None:
        """Runs on the subscriber's loop."""
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)


class EventHub:
    def __init__(self, *, queue_size: int = QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._topics: dict[str, set[_Subscriber]] = defaultdict(set)

    def publish(self, topic: str, event: Any) -> None:
        """Deliver ``event`` to every current subscriber of ``topic``; safe from any
        thread, never blocks."""
        with self._lock:
            subscribers = list(self._topics.get(topic, ()))
        for subscriber in subscribers:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.offer, event)
            except RuntimeError:  # its loop has closed: it is leaving anyway
                continue

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[AsyncIterator[Any]]:
        """``async with hub.subscribe("a", "b") as events: async for event in events``."""
        subscriber = _Subscriber(asyncio.get_running_loop(), self._queue_size)
        with self._lock:
            for topic in topics:
                self._topics[topic].add(subscriber)
        try:
            yield _events(subscriber)
        finally:
            with self._lock:
                for topic in topics:
                    members = self._topics.get(topic)
                    if members is not None:
                        members.discard(subscriber)
                        if not members:
                            del self._topics[topic]


async def _events(subscriber: _Subscriber) -> AsyncIterator[Any]:
    while True:
        event = await subscriber.queue.get()
        if subscriber.dropped:
            dropped, subscriber.dropped = subscriber.dropped, 0
            yield Overflow(dropped)
        yield event


__all__ = ["QUEUE_SIZE", "EventHub", "Overflow"]
