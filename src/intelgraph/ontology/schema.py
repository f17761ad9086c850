"""The resolved, immutable view of catalog types: ``Schema`` and its ``Property`` objects.

Inheritance is flattened at load time, so a ``Schema`` carries every property it has
(its own and inherited) and the full list of its ancestors; nobody needs to walk
the ``extends`` graph at query time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from intelgraph.ontology.proptypes import PropertyType

PRIVACY_CLASSES = ("public", "sensitive", "pii")
"""Privacy classes from least to most restricted (the order diff uses)."""


@dataclass(frozen=True, slots=True)
class Property:
    """One property as seen from one type (``schema`` is the type that defines it)."""

    name: str
    schema: str
    label: str
    type: PropertyType
    description: str = ""
    privacy: str = "public"
    required: bool = False
    multiple: bool = True
    range: str | None = None
    stix: str | None = None
    ftm: str | None = None

    @property
    def qname(self) -> str:
        """``Schema.property``, the name used in messages and diffs."""
        return f"{self.schema}.{self.name}"

    def normalize(self, raw: str, hint: str | None = None) -> str:
        return self.type.normalize(raw, hint)


@dataclass(frozen=True, slots=True)
class Schema:
    """An entity or edge type with its inherited properties flattened in."""

    name: str
    label: str
    plural: str
    description: str
    abstract: bool
    extends: tuple[str, ...]
    ancestors: tuple[str, ...]
    properties: Mapping[str, Property]
    required: frozenset[str]
    caption: tuple[str, ...]
    stix: str | None = None
    stix_aliases: tuple[str, ...] = ()
    stix_relationship: str | None = None
    ftm: str | None = None
    edge_source: str | None = None
    edge_target: str | None = None
    edge_label: str | None = None
    directed: bool = True

    @property
    def is_edge(self) -> bool:
        return self.edge_source is not None

    @property
    def source_range(self) -> str | None:
        """The type an edge's source must be (or descend from)."""
        return self.properties[self.edge_source].range if self.edge_source else None

    @property
    def target_range(self) -> str | None:
        return self.properties[self.edge_target].range if self.edge_target else None

    def is_a(self, name: str) -> bool:
        """True when ``name`` is this type or one of its ancestors."""
        return name == self.name or name in self.ancestors

    def text_properties(self) -> tuple[str, ...]:
        """Properties whose type is searchable: what goes into the full-text index."""
        return tuple(p.name for p in self.properties.values() if p.type.searchable)

    def matchable_properties(self) -> tuple[str, ...]:
        """Properties whose values are evidence for entity resolution."""
        return tuple(p.name for p in self.properties.values() if p.type.matchable)

    def entity_properties(self) -> tuple[str, ...]:
        """Properties that reference other entities (``entity`` type)."""
        return tuple(p.name for p in self.properties.values() if p.type.name == "entity")

    def make_caption(self, properties: Mapping[str, Sequence[str]]) -> str:
        """The first non-empty value of the caption properties, else the type label."""
        for name in self.caption:
            for value in properties.get(name, ()):
                if value:
                    return value
        return self.label


__all__ = ["PRIVACY_CLASSES", "Property", "Schema"]
