"""The mapping model: what a loaded mapping is and how it turns a record into entities.

See ``intelgraph.ingest.mapping`` for the language and ``load`` for reading files.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intelgraph.model import sha256_hex
from intelgraph.ontology import make_entity_id
from intelgraph.ontology.schema import Schema

_TEMPLATE = re.compile(r"{{\s*([^}]+?)\s*}}")


@dataclass(frozen=True, slots=True)
class MappedEntity:
    """One entity a record yields, with raw (not yet normalised) property values."""

    schema: str
    id: str
    properties: dict[str, list[str]]
    # Properties whose invalid values are dropped (counted) instead of refusing the record.
    lenient: frozenset[str] = frozenset()


class RecordError(Exception):
    """A record cannot be mapped or validated; it goes to the dead-letter queue."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PropertyMap:
    name: str
    columns: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()
    entity: str | None = None
    template: str | None = None
    join: str | None = None
    split: str | None = None
    formats: tuple[str, ...] = ()
    required: bool = False
    lenient: bool = False

    def values(self, record: Mapping[str, Any], ids: Mapping[str, str]) -> list[str]:
        if self.entity is not None:
            ref = ids.get(self.entity)
            return [ref] if ref else []
        if self.template is not None:
            filled = {ref: _first(record, ref) for ref in _TEMPLATE.findall(self.template)}
            if filled and not any(filled.values()):
                return []  # " EUR" from an empty amount is not a value
            text = _TEMPLATE.sub(lambda m: filled[m.group(1)], self.template).strip()
            return [text] if text else []
        values: list[str] = list(self.literals)
        if self.columns:
            found = [v for column in self.columns for v in column_values(record, column)]
            if self.join is not None:
                joined = self.join.join(found).strip()
                found = [joined] if joined else []
            values.extend(found)
        if self.split is not None:
            values = [part.strip() for v in values for part in v.split(self.split)]
            values = [v for v in values if v]
        if self.formats:
            values = [self._parse_date(v) for v in values]
        return values

    def _parse_date(self, value: str) -> str:
        for pattern in self.formats:
            try:
                parsed = datetime.strptime(value, pattern)
            except ValueError:
                continue
            has_time = any(code in pattern for code in ("%H", "%I", "%M", "%S"))
            return parsed.isoformat() if has_time else parsed.date().isoformat()
        raise RecordError(
            f"{self.name}: {value!r} does not match the date format {' or '.join(self.formats)}"
        )


@functools.lru_cache(maxsize=65_536)
def _entity_id(schema: str, keys: tuple[str, ...]) -> str:
    """Ids of recurring keys (the same company on many rows) are hashed once."""
    return make_entity_id(schema, list(keys))


@dataclass(frozen=True, slots=True)
class EntityMap:
    name: str
    schema: str
    keys: tuple[str, ...] = ()
    key_literal: str | None = None
    id_column: str | None = None
    properties: tuple[PropertyMap, ...] = ()

    @property
    def lenient(self) -> frozenset[str]:
        return frozenset(p.name for p in self.properties if p.lenient)

    def values(
        self, record: Mapping[str, Any], ids: Mapping[str, str]
    ) -> dict[str, list[str]] | None:
        """Property values of this entity, or None when a required property is empty."""
        properties: dict[str, list[str]] = {}
        for prop in self.properties:
            values = prop.values(record, ids)
            if not values:
                if prop.required:
                    return None
                continue
            properties.setdefault(prop.name, []).extend(values)
        return properties

    def make_id(self, record: Mapping[str, Any]) -> str | None:
        if self.id_column is not None:
            value = _first(record, self.id_column)
            return external_id(value) if value else None
        # An empty key keeps its place: keys [a, b] of ("", "x") and ("x", "") differ.
        values = [v for key in self.keys for v in column_values(record, key) or [""]]
        if not any(v.strip() for v in values):
            return None
        prefix = (self.key_literal,) if self.key_literal else ()
        return _entity_id(self.schema, (*prefix, *values))


@dataclass(frozen=True, slots=True)
class Query:
    entities: tuple[EntityMap, ...]
    filters: tuple[tuple[str, frozenset[str]], ...] = ()
    filters_not: tuple[tuple[str, frozenset[str]], ...] = ()
    urls: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)

    def accepts(self, record: Mapping[str, Any]) -> bool:
        for column, allowed in self.filters:
            if _first(record, column) not in allowed:
                return False
        return all(_first(record, column) not in refused for column, refused in self.filters_not)

    def map(self, record: Mapping[str, Any]) -> list[MappedEntity]:
        ids: dict[str, str] = {}
        for entity in self.entities:
            entity_id = entity.make_id(record)
            if entity_id is not None:
                ids[entity.name] = entity_id
        # An entity skipped for an empty required property must not be referenced by
        # the others (an edge to nothing), which may in turn skip them: repeat until stable.
        while True:
            mapped: dict[str, dict[str, list[str]]] = {}
            for entity in self.entities:
                if entity.name not in ids:
                    continue
                properties = entity.values(record, ids)
                if properties is None:
                    del ids[entity.name]
                    break
                mapped[entity.name] = properties
            else:
                break
        return [
            MappedEntity(entity.schema, ids[entity.name], mapped[entity.name], entity.lenient)
            for entity in self.entities
            if entity.name in mapped
        ]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """Source metadata given in a mapping (any of it may also come from the CLI)."""

    name: str | None = None
    licence: str | None = None
    retention: str | None = None
    purposes: tuple[str, ...] = ()
    residency: str | None = None
    labels: Mapping[str, Any] = field(default_factory=dict)
    privacy: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None


@dataclass(frozen=True, slots=True)
class MappingSpec:
    """A loaded, validated mapping."""

    queries: tuple[Query, ...]
    source: SourceSpec
    hash: str
    path: str

    def map(self, record: Mapping[str, Any]) -> list[MappedEntity]:
        out: list[MappedEntity] = []
        for query in self.queries:
            if query.accepts(record):
                out.extend(query.map(record))
        return out

    @property
    def urls(self) -> list[str]:
        return [url for query in self.queries for url in query.urls]

    @property
    def format_options(self) -> Mapping[str, str]:
        merged: dict[str, str] = {}
        for query in self.queries:
            merged.update(query.options)
        return merged


_MISSING = object()


def column_values(record: Mapping[str, Any], column: str) -> list[str]:
    """Text values at ``column`` (a dotted path into nested JSON), lists flattened."""
    node: Any = record.get(column, _MISSING)
    if node.__class__ is str:  # the common case (every CSV cell): no generic walk
        text = node.strip()
        return [text] if text else []
    if node is _MISSING:
        node = _dig(record, column)
    return [v for v in _texts(node) if v]


def _dig(record: Mapping[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list):
            node = [item.get(part) for item in node if isinstance(item, Mapping)]
        else:
            return None
    return node


def _texts(node: Any) -> list[str]:
    if node is None:
        return []
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if isinstance(node, bool):
        return ["true" if node else "false"]
    if isinstance(node, dict):
        return []
    return [str(node).strip()]


def _first(record: Mapping[str, Any], column: str) -> str:
    values = column_values(record, column)
    return values[0] if values else ""


def external_id(value: str) -> str:
    """An id taken from the data: kept when it is short and plain, hashed otherwise."""
    value = value.strip()
    if 0 < len(value) <= 64 and re.fullmatch(r"[A-Za-z0-9._:\-]+", value):
        return value
    return sha256_hex(value.encode())[:40]


def resolve_property(schema: Schema, name: str) -> str | None:
    """The catalog property called ``name`` on ``schema`` or mapped from that FtM name."""
    if name in schema.properties:
        return name
    for prop in schema.properties.values():
        if prop.ftm == name:
            return prop.name
    return None


__all__ = [
    "EntityMap",
    "MappedEntity",
    "MappingSpec",
    "PropertyMap",
    "Query",
    "RecordError",
    "SourceSpec",
    "column_values",
    "external_id",
    "resolve_property",
]
