"""Result types of store reads, and opaque cursors for paging.

Cursors carry only positions the viewer has already been shown (an edge's
node id, a rank offset), so a forged or replayed cursor reveals nothing; a
malformed one is rejected with a clear error.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from intelgraph.errors import InvalidInput
from intelgraph.model import Entity


class Direction(StrEnum):
    OUT = "out"
    IN = "in"
    BOTH = "both"


class Neighbor(NamedTuple):
    """One visible edge from the start entity and the entity at its other end."""

    edge_id: str
    edge_schema: str
    direction: Direction
    entity_id: str


@dataclass(frozen=True, slots=True)
class NeighborPage:
    items: list[Neighbor]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Path:
    """Entity ids from start to goal and the edge ids between them."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]

    @property
    def hops(self) -> int:
        return len(self.edges)


@dataclass(frozen=True, slots=True)
class SubgraphEdge:
    id: str
    schema: str
    source_id: str
    target_id: str


@dataclass(frozen=True, slots=True)
class Subgraph:
    nodes: list[str]
    edges: list[SubgraphEdge]
    truncated: bool = False
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchHit:
    entity: Entity
    score: float


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits. ``total`` counts every visible match up to a cap; when
    ``total_is_capped`` there are more than ``total``."""

    hits: list[SearchHit]
    total: int
    next_cursor: str | None
    total_is_capped: bool = False


def encode_cursor(kind: str, payload: dict[str, Any]) -> str:
    raw = json.dumps({"k": kind, **payload}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str) -> dict[str, Any] | None:
    """The payload of a cursor made by :func:`encode_cursor` for ``kind``; the caller
    checks the fields it needs."""
    if cursor is None or cursor == "":
        return None
    try:
        if len(cursor) > 1024:
            raise ValueError("cursor too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict) or data.get("k") != kind:
            raise ValueError("wrong cursor kind")
        return data
    except (ValueError, KeyError, binascii.Error, UnicodeDecodeError):
        raise invalid_cursor() from None


def invalid_cursor() -> InvalidInput:
    """The one error for any cursor that is malformed, forged or not the viewer's."""
    return InvalidInput(
        "invalid cursor",
        hint="pass back the cursor exactly as a previous page returned it, or none for page 1",
    )


__all__ = [
    "Direction",
    "Neighbor",
    "NeighborPage",
    "Path",
    "SearchHit",
    "SearchPage",
    "Subgraph",
    "SubgraphEdge",
    "decode_cursor",
    "encode_cursor",
    "invalid_cursor",
]
