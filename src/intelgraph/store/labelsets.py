"""Interned label sets and the viewer-scope predicate built from them.

Distinct label combinations are few (tens to thousands) while labelled rows are
many (millions), so each row stores a small ``labelset_id`` and a viewer's scope
is turned into the set of label-set ids it may see. That set is what reads push
into SQL (``labelset_id IN (...)``) and what the in-memory graph uses as a mask.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable

from sqlalchemy import Connection, text

from intelgraph.model import Labels, ViewerScope


class LabelRegistry:
    """A cache of ``labelsets`` rows; ids are immutable once assigned."""

    def __init__(self) -> None:
        self._by_key: dict[str, int] = {}
        self._by_id: dict[int, Labels] = {}
        self._visible: dict[ViewerScope, frozenset[int]] = {}
        self._lock = threading.Lock()

    def refresh(self, connection: Connection) -> None:
        """Load label sets added since the last refresh (by any process)."""
        last = max(self._by_id, default=0)
        rows = connection.execute(
            text(
                "SELECT id, tenant, classification, compartments, purposes, residency "
                "FROM labelsets WHERE id > :last ORDER BY id"
            ),
            {"last": last},
        ).all()
        if not rows:
            return
        with self._lock:
            for row in rows:
                labels = Labels(
                    tenant=row.tenant,
                    classification=row.classification,
                    compartments=frozenset(json.loads(row.compartments)),
                    purposes=frozenset(json.loads(row.purposes)),
                    residency=row.residency,
                )
                self._by_id[row.id] = labels
                self._by_key[labels.key()] = row.id
            self._visible.clear()

    def intern(self, connection: Connection, labels: Labels) -> int:
        """The id of ``labels``, creating the row when it is new."""
        key = labels.key()
        found = self._by_key.get(key)
        if found is not None:
            return found
        self.refresh(connection)
        found = self._by_key.get(key)
        if found is not None:
            return found
        connection.execute(
            text(
                "INSERT INTO labelsets (key, tenant, classification, compartments, purposes, "
                "residency) VALUES (:key, :tenant, :classification, :compartments, :purposes, "
                ":residency) ON CONFLICT (key) DO NOTHING"
            ),
            {
                "key": key,
                "tenant": labels.tenant,
                "classification": labels.classification,
                "compartments": json.dumps(sorted(labels.compartments)),
                "purposes": json.dumps(sorted(labels.purposes)),
                "residency": labels.residency,
            },
        )
        self.refresh(connection)
        return self._by_key[key]

    def forget(self) -> None:
        """Drop everything cached (after a rolled-back write created label sets)."""
        with self._lock:
            self._by_key.clear()
            self._by_id.clear()
            self._visible.clear()

    def intern_many(self, connection: Connection, labels: Iterable[Labels]) -> dict[Labels, int]:
        return {item: self.intern(connection, item) for item in set(labels)}

    def get(self, labelset_id: int) -> Labels:
        return self._by_id[labelset_id]

    def all_ids(self) -> frozenset[int]:
        return frozenset(self._by_id)

    def visible_ids(self, scope: ViewerScope) -> frozenset[int]:
        """Every label-set id the viewer may see (empty when none)."""
        cached = self._visible.get(scope)
        if cached is not None:
            return cached
        with self._lock:
            visible = frozenset(i for i, labels in self._by_id.items() if scope.can_see(labels))
            self._visible[scope] = visible
        return visible


def in_clause(column: str, ids: Iterable[int]) -> str:
    """``column IN (1,2,3)`` from trusted integer ids; ``1=0`` when there are none.

    Label-set ids are integers produced by the database, never user text, so
    they are inlined: this keeps one statement shape per scope and avoids
    hitting parameter limits on large scopes.
    """
    values = sorted(int(i) for i in ids)
    if not values:
        return "1=0"
    return f"{column} IN ({','.join(str(v) for v in values)})"


def row_visible(alias: str, visible: frozenset[int]) -> str:
    """SQL condition: the viewer may see this ``entities`` row.

    Its label set must be visible and, for an edge, the edge must be traversable
    by the viewer: an edge row with both endpoints visible. Otherwise an edge's
    properties would name an entity the viewer must not learn of.
    """
    if not visible:
        return "1=0"

    def labels(column: str) -> str:
        return in_clause(column, visible)

    return (
        f"({labels(alias + '.labelset_id')} AND (NOT {alias}.is_edge OR EXISTS ("
        f"SELECT 1 FROM edges g WHERE g.nid = {alias}.nid AND {labels('g.labelset_id')} "
        f"AND EXISTS (SELECT 1 FROM entities s WHERE s.nid = g.src AND {labels('s.labelset_id')}) "
        f"AND EXISTS (SELECT 1 FROM entities t WHERE t.nid = g.dst AND {labels('t.labelset_id')})"
        ")))"
    )


__all__ = ["LabelRegistry", "in_clause", "row_visible"]
