"""Pure functions that fold statements into the entity projection.

Kept free of SQL so that the writer, the reader and any rebuild share one
definition of what an entity row looks like. Per-type facts are looked up
once and cached, because the bulk path asks for them millions of times.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from intelgraph.store.textnorm import fold

if TYPE_CHECKING:
    from intelgraph.ontology import Ontology

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class SchemaInfo:
    """What the projection needs to know about one type."""

    name: str
    label: str
    caption: tuple[str, ...]
    is_edge: bool
    edge_source: str | None
    edge_target: str | None
    references: frozenset[str]  # entity-typed properties: not full-text indexed


@lru_cache(maxsize=4096)
def schema_info(ontology: Ontology, name: str) -> SchemaInfo:
    schema = ontology.get(name)
    return SchemaInfo(
        name=name,
        label=schema.label,
        caption=tuple(schema.caption),
        is_edge=schema.is_edge,
        edge_source=schema.edge_source,
        edge_target=schema.edge_target,
        references=frozenset(
            prop
            for prop, definition in schema.properties.items()
            if definition.type.name == "entity"
        ),
    )


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
    # Whether the row differs from what is stored: a value seen again from another
    # record (the same company on many rows) changes nothing and is not rewritten.
    changed: bool = False

    def add(self, prop: str, value: str) -> None:
        values = self.properties.get(prop)
        if values is None:
            self.properties[prop] = [value]
            self.changed = True
        elif value not in values:
            values.append(value)
            self.changed = True

    def widen(self, first_us: int, last_us: int) -> None:
        if first_us < self.first_seen_us:
            self.first_seen_us = first_us
            self.changed = True
        if last_us > self.last_seen_us:
            self.last_seen_us = last_us
            self.changed = True

    def finish(self) -> None:
        """Sort values so that the stored row does not depend on write order."""
        for values in self.properties.values():
            if len(values) > 1:
                values.sort()

    def properties_json(self) -> str:
        return _ENCODER.encode(self.properties)


def pick_schema(ontology: Ontology, current: str, incoming: str) -> str:
    """Keep the more specific of two schemata (Company over LegalEntity)."""
    if current == incoming:
        return current
    if ontology.get(incoming).is_a(current):
        return incoming
    return current


def caption_of(ontology: Ontology, schema: str, properties: Mapping[str, Iterable[str]]) -> str:
    """The first caption property with a value, else the schema's label."""
    info = schema_info(ontology, schema)
    for prop in info.caption:
        values = properties.get(prop)
        if values:
            ordered = sorted(values)
            return min(ordered, key=len) if prop == "name" else ordered[0]
    return info.label


def search_text(ontology: Ontology, schema: str, properties: Mapping[str, Iterable[str]]) -> str:
    """Text indexed for full-text search: every value except entity references."""
    references = schema_info(ontology, schema).references
    parts = [
        value
        for prop, values in sorted(properties.items())
        if prop not in references
        for value in values
    ]
    return fold(" ".join(parts))


def edge_endpoints(
    ontology: Ontology, schema: str, properties: Mapping[str, list[str]]
) -> tuple[str, str] | None:
    """Source and target entity ids of an edge row, when both are known."""
    info = schema_info(ontology, schema)
    if not info.is_edge or not info.edge_source or not info.edge_target:
        return None
    sources = properties.get(info.edge_source)
    targets = properties.get(info.edge_target)
    if not sources or not targets:
        return None
    return min(sources), min(targets)


__all__ = [
    "EntityRow",
    "SchemaInfo",
    "caption_of",
    "edge_endpoints",
    "pick_schema",
    "schema_info",
    "search_text",
]
