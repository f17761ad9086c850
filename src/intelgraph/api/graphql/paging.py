"""Relay cursors for lists the API pages in memory (statements, runs).

Store-backed lists (search, neighbours) carry the store's own cursors; lists
already read whole are paged here by offset. Cursors are opaque and checked:
a malformed or foreign one is refused with the store's one cursor error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from intelgraph.errors import InvalidInput
from intelgraph.store.results import decode_cursor, encode_cursor, invalid_cursor

T = TypeVar("T")

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]  # (cursor, item)
    total: int
    next_cursor: str | None

    @property
    def end(self) -> str | None:
        return self.items[-1][0] if self.items else None


def check_first(first: int, *, largest: int = MAX_PAGE) -> int:
    if not 1 <= first <= largest:
        raise InvalidInput(
            f"first must be between 1 and {largest}, got {first}",
            hint="ask for a smaller page and follow pageInfo.endCursor",
        )
    return first


def offset_cursor(kind: str, position: int) -> str:
    return encode_cursor(kind, {"p": position})


def offset_of(kind: str, cursor: str | None) -> int:
    payload = decode_cursor(cursor, kind)
    if payload is None:
        return 0
    position = payload.get("p")
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise invalid_cursor()
    return position


def page_of(items: Sequence[T], *, first: int, after: str | None, kind: str = "st") -> Page[T]:
    """One page of an in-memory list: items after ``after``, at most ``first``."""
    check_first(first)
    start = offset_of(kind, after)
    chosen = items[start : start + first]
    end = start + len(chosen)
    return Page(
        items=[(offset_cursor(kind, start + i + 1), item) for i, item in enumerate(chosen)],
        total=len(items),
        next_cursor=offset_cursor(kind, end) if end < len(items) else None,
    )


__all__ = ["MAX_PAGE", "Page", "check_first", "offset_of", "page_of"]
