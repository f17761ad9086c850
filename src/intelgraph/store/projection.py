"""Pure functions that fold statements into the entity projection.

Kept free of SQL so that the writer, the tests and any rebuild share one
definition of what an entity row looks like.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from intelgraph.store.textnorm import fold

if TYPE_CHECKING:
    from intelgraph.ontology import Ontology


@dataclass(slots=True)
class EntityRow:
    """One projection row: an entity as seen under one label set."""

    nid: int
    labelset_id: int
    schema: str
    properties: dict[str, list[str]] = field(default_factory=dict)
    first_seen_us: int = 0
    last_seen_us: int = 0
    row_id: int | None = None

    def add(self, prop: str, value: str) -> bool:
        values = self.properties.setdefault(prop, [])
        if value in values:
            return False
        values.append(value)
        values.sort()
        return True

    def widen(self, first_us: int, last_us: int) -> None:
        self.first_seen_us = (
            first_us if not self.first_seen_us else min(self.first_seen_us, first_us)
        )
        self.last_seen_us = max(self.last_seen_us, last_us)

    def properties_json(self) -> str:
        return json.dumps(
            self.properties, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )


def pick_schema(ontology: Ontology, current: str, incoming: str) -> str:
    """Keep the more specific of two schemata (Company over LegalEntity)."""
    if current == incoming:
        return current
    if ontology.get(incoming).is_a(current):
        return incoming
    return current


def caption_of(ontology: Ontology, schema: str, properties: Mapping[str, Iterable[str]]) -> str:
    """The first caption property with a value, else the schema's label."""
    definition = ontology.get(schema)
    for prop in definition.caption:
        values = list(properties.get(prop, ()))
        if values:
            return min(values, key=len) if prop == "name" else values[0]
    return definition.label


def search_text(ontology: Ontology, schema: str, properties: Mapping[str, Iterable[str]]) -> str:
    """Text indexed for full-text search: every value except entity references."""
    definition = ontology.get(schema)
    parts: list[str] = []
    for prop, values in sorted(properties.items()):
        known = definition.properties.get(prop)
        if known is not None and known.type.name == "entity":
            continue
        parts.extend(values)
    return fold(" ".join(parts))


def edge_endpoints(
    ontology: Ontology, schema: str, properties: Mapping[str, list[str]]
) -> tuple[str, str] | None:
    """Source and target entity ids of an edge row, when both are known."""
    definition = ontology.get(schema)
    if not definition.is_edge or not definition.edge_source or not definition.edge_target:
        return None
    sources = properties.get(definition.edge_source)
    targets = properties.get(definition.edge_target)
    if not sources or not targets:
        return None
    return sources[0], targets[0]


__all__ = ["EntityRow", "caption_of", "edge_endpoints", "pick_schema", "search_text"]
