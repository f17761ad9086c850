"""The loaded catalog: look types up, normalise values and validate property sets."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

from intelgraph.errors import InvalidValue, OntologyError
from intelgraph.ontology.schema import Property, Schema


class Ontology:
    """An immutable, versioned set of types; build one with ``load_ontology``."""

    def __init__(self, version: str, schemata: Mapping[str, Schema], source: str = "") -> None:
        self.version = version
        self.source = source
        self.schemata: Mapping[str, Schema] = MappingProxyType(dict(schemata))
        self._stix: dict[tuple[str, str | None], Schema] = {}
        self._ftm: dict[str, Schema] = {}
        for schema in self.schemata.values():
            if schema.stix:
                self._stix.setdefault((schema.stix, schema.stix_relationship), schema)
            for alias in schema.stix_aliases:
                self._stix.setdefault((alias, None), schema)
            if schema.ftm:
                self._ftm.setdefault(schema.ftm, schema)

    def __repr__(self) -> str:
        return f"<Ontology {self.version} with {len(self.schemata)} types>"

    def __contains__(self, name: object) -> bool:
        return name in self.schemata

    def __iter__(self) -> Iterator[Schema]:
        return iter(self.schemata.values())

    def __len__(self) -> int:
        return len(self.schemata)

    def get(self, name: str) -> Schema:
        """The type called ``name``; ``OntologyError`` naming close matches otherwise."""
        schema = self.schemata.get(name)
        if schema is None:
            close = difflib.get_close_matches(str(name), self.schemata, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else "see docs/ontology.md"
            raise OntologyError(f"unknown type {name!r}", hint=hint, code="unknown_schema")
        return schema

    def property(self, schema_name: str, prop_name: str) -> Property:
        """A property of a type (own or inherited); ``OntologyError`` when it has none."""
        schema = self.get(schema_name)
        prop = schema.properties.get(prop_name)
        if prop is None:
            close = difflib.get_close_matches(prop_name, schema.properties, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else None
            raise OntologyError(
                f"type {schema_name} has no property {prop_name!r}",
                hint=hint or f"its properties are {', '.join(schema.properties)}",
                code="unknown_property",
            )
        return prop

    def by_stix(self, stix_type: str, relationship_type: str | None = None) -> Schema | None:
        """The type for a STIX object type; for ``relationship`` the specific edge type
        for ``relationship_type`` (e.g. ``uses`` → Uses) when there is one, else the
        generic Relationship."""
        if relationship_type is not None:
            specific = self._stix.get((stix_type, relationship_type))
            if specific is not None:
                return specific
        return self._stix.get((stix_type, None))

    def by_ftm(self, ftm_schema: str) -> Schema | None:
        return self._ftm.get(ftm_schema)

    def descendants(self, name: str) -> tuple[str, ...]:
        """Names of all types that are ``name`` or inherit from it."""
        self.get(name)
        return tuple(s.name for s in self.schemata.values() if s.is_a(name))

    def edge_types(self) -> tuple[Schema, ...]:
        return tuple(s for s in self.schemata.values() if s.is_edge)

    def normalize(self, schema_name: str, prop_name: str, raw: str, hint: str | None = None) -> str:
        """``raw`` in canonical form for ``schema_name.prop_name``; ``InvalidValue`` if bad."""
        prop = self.property(schema_name, prop_name)
        try:
            return prop.normalize(raw, hint)
        except InvalidValue as exc:
            raise InvalidValue(
                f"{schema_name}.{prop_name}: {exc.message}", hint=exc.hint, details=exc.details
            ) from None

    def validate(self, schema_name: str, properties: Mapping[str, Sequence[str]]) -> list[str]:
        """Every problem with an entity's property values; an empty list means valid."""
        schema = self.get(schema_name)
        problems: list[str] = []
        if schema.abstract:
            problems.append(f"{schema_name} is abstract; use one of its concrete subtypes")
        for name in sorted(schema.required):
            if not any(v.strip() for v in properties.get(name, ()) if isinstance(v, str)):
                problems.append(f"{schema_name}.{name} is required but has no value")
        for name, values in properties.items():
            prop = schema.properties.get(name)
            if prop is None:
                problems.append(f"{schema_name} has no property {name!r}")
                continue
            if isinstance(values, str):
                problems.append(f"{schema_name}.{name} must be a list of strings, not a string")
                continue
            normalised = set()
            for value in values:
                try:
                    normalised.add(prop.normalize(value))
                except InvalidValue as exc:
                    problems.append(f"{schema_name}.{name}: {exc}")
            if not prop.multiple and len(normalised) > 1:
                problems.append(f"{schema_name}.{name} takes one value, got {len(normalised)}")
        return problems


__all__ = ["Ontology"]
