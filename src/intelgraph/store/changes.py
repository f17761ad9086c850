"""The change feed: what each committed write changed, for subscriptions.

Every write that changes the graph adds one ``changes`` row in its own
transaction (entity ids created and updated), so any process can tail the feed
and a subscriber learns of a change made anywhere. Very large batches record a
count instead of their ids (``bulk``): a subscriber is told to refresh rather
than sent a million ids. In-process listeners are woken after each commit so
the server's own writes reach subscribers without waiting for a poll.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from intelgraph.model import from_us, to_us, utcnow

if TYPE_CHECKING:
    from intelgraph.store.store import Store
    from intelgraph.store.writer import WrittenIds

MAX_IDS = 10_000  # more ids than this in one write are recorded as a bulk change


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    kind: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    count: int
    at: datetime

    @property
    def entity_ids(self) -> tuple[str, ...]:
        return self.created + self.updated


class ChangeLog:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def record_in(
        self,
        connection: Connection,
        kind: str,
        created: Sequence[str] = (),
        updated: Sequence[str] = (),
    ) -> None:
        """Add a change inside the writer's transaction (nothing when nothing changed)."""
        count = len(created) + len(updated)
        if not count:
            return
        if count > MAX_IDS:
            kind, created, updated = "bulk", (), ()
        connection.execute(
            text(
                "INSERT INTO changes (kind, created, updated, count, created_us) "
                "VALUES (:kind, :created, :updated, :count, :at)"
            ),
            {
                "kind": kind,
                "created": json.dumps(list(created)),
                "updated": json.dumps(list(updated)),
                "count": count,
                "at": to_us(utcnow()),
            },
        )

    def record_written(self, connection: Connection, ids: WrittenIds) -> bool:
        """The change a batch write made (in its transaction); whether there was one."""
        if not (ids.entities_created or ids.entities_updated):
            return False
        kind = "created" if ids.entities_created else "updated"
        self.record_in(connection, kind, ids.entities_created, ids.entities_updated)
        return True

    def listen(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (from the writing thread) after each committed change;
        returns the function that stops it."""
        with self._lock:
            self._listeners.append(callback)

        def stop() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return stop

    def committed(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            callback()

    def latest(self) -> int:
        with self._store._read_all() as connection:
            value = connection.execute(text("SELECT MAX(seq) FROM changes")).scalar()
        return int(value or 0)

    def since(self, seq: int, *, limit: int = 500) -> list[Change]:
        """Changes after ``seq``, oldest first."""
        with self._store._read_all() as connection:
            rows = connection.execute(
                text(
                    "SELECT seq, kind, created, updated, count, created_us FROM changes "
                    "WHERE seq > :seq ORDER BY seq LIMIT :limit"
                ),
                {"seq": seq, "limit": limit},
            ).all()
        return [_change(row) for row in rows]

    def prune(self, older_than: datetime) -> int:
        """Drop rows older than ``older_than``; subscribers only need recent ones."""
        with self._store._write() as connection:
            return int(
                connection.execute(
                    text("DELETE FROM changes WHERE created_us < :before"),
                    {"before": to_us(older_than)},
                ).rowcount
                or 0
            )


def _change(row: Sequence[Any]) -> Change:
    return Change(
        seq=int(row[0]),
        kind=str(row[1]),
        created=tuple(json.loads(row[2])),
        updated=tuple(json.loads(row[3])),
        count=int(row[4]),
        at=from_us(int(row[5])),
    )


__all__ = ["MAX_IDS", "Change", "ChangeLog"]
