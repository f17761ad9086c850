"""Schema drift: the fields of a source's records and their kinds, run against run.

Each run keeps a profile (field → kind). A new field, a field that is gone, or a
field whose kind changed compared with the source's previous completed run is
reported in the summary, stored on the run, counted in a metric, and, under the
``fail`` policy, stops the run before the batch that showed it is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+[.,]\d*|\d*[.,]\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$")
_WIDER = {
    frozenset({"integer", "number"}): "number",
}


def kind_of(value: Any) -> str | None:
    """The kind of one value; None for empty (an empty cell says nothing about a column)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    text = str(value).strip()
    if not text:
        return None
    if _INTEGER.match(text):
        return "integer"
    if _NUMBER.match(text):
        return "number"
    if _DATE.match(text):
        return "date"
    if text.lower() in ("true", "false"):
        return "boolean"
    return "text"


def merge_kind(old: str, new: str | None) -> str:
    if new is None or new == old or old == "text":
        return old
    if old == "empty":
        return new
    return _WIDER.get(frozenset({old, new}), "text")


class Profiler:
    """Accumulates the field kinds of the records of one run."""

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self.fields: dict[str, str] = dict(initial or {})

    def add(self, record: Mapping[str, Any]) -> None:
        fields = self.fields
        for name, value in record.items():
            old = fields.get(name)
            kind = kind_of(value)
            fields[name] = (kind or "empty") if old is None else merge_kind(old, kind)


def compare(
    previous: Mapping[str, str], current: Mapping[str, str], *, complete: bool
) -> list[dict[str, Any]]:
    """Changes from ``previous`` to ``current``; fields gone are only reported when
    ``current`` is complete (a tabular header, or the end of the run)."""
    changes: list[dict[str, Any]] = []
    for name in sorted(current.keys() - previous.keys()):
        changes.append({"change": "new", "field": name, "kind": current[name]})
    if complete:
        for name in sorted(previous.keys() - current.keys()):
            changes.append({"change": "missing", "field": name, "was": previous[name]})
    for name in sorted(current.keys() & previous.keys()):
        was, now = previous[name], current[name]
        if "empty" not in (was, now) and was != now and merge_kind(was, now) != was:
            changes.append({"change": "retyped", "field": name, "was": was, "kind": now})
    return changes


def describe(change: Mapping[str, Any]) -> str:
    if change["change"] == "new":
        return f"new field {change['field']!r} ({change['kind']})"
    if change["change"] == "missing":
        return f"field {change['field']!r} is gone (was {change['was']})"
    return f"field {change['field']!r} changed from {change['was']} to {change['kind']}"


__all__ = ["Profiler", "compare", "describe", "kind_of", "merge_kind"]
