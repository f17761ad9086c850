"""One GraphQL object type per concrete ontology type, generated from the catalog.

``Person`` gets ``firstName``, ``nationality``…, ``Ownership`` gets ``owner``,
``asset``, ``percentage``…: the typed properties of the catalog become fields,
so clients select exactly what they need and the schema documents the data.
Entity-valued properties resolve to entities (batched, policy-checked); a
property withheld by policy is ``null`` and named in ``redactions``; a property
with no visible value is ``null`` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import strawberry

from intelgraph.api.graphql.context import Info
from intelgraph.api.graphql.types import Edge, Entity
from intelgraph.errors import ConfigError
from intelgraph.model import Entity as EntityModel
from intelgraph.ontology import Ontology
from intelgraph.ontology.schema import Property, Schema

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
# Fields the interfaces define; an edge's source/target properties *are* its ends.
_EDGE_ENDS = frozenset({"source", "target"})


def _references(prop: str) -> Callable[..., Any]:
    async def resolve(root: Entity, info: Info) -> list[Entity] | None:
        if prop in root.model.redactions:
            return None
        ids = root.model.properties.get(prop, ())
        found = await info.context.load_entities(list(ids))
        return [entity for entity in found if entity is not None]

    return resolve


def _reference(prop: str) -> Callable[..., Any]:
    async def resolve(root: Entity, info: Info) -> Entity | None:
        if prop in root.model.redactions:
            return None
        return await info.context.load_entity(root.model.first(prop))

    return resolve


def _field(prop: Property) -> tuple[Any, Any]:
    """(annotation, field). Plain values are plain fields, set when the node is made
    (a resolver per value would cost several times more); references resolve."""
    description = prop.description or prop.label
    if prop.privacy != "public":
        description += f" ({prop.privacy}: shown only under an authority that covers it)"
    if prop.type.name == "entity":
        resolver = _references(prop.name) if prop.multiple else _reference(prop.name)
        return None, strawberry.field(resolver=resolver, name=prop.name, description=description)
    annotation = list[str] | None if prop.multiple else str | None
    return annotation, strawberry.field(name=prop.name, description=description, default=None)


class NodeTypes:
    """The generated types of one ontology, and the wrapper from store entities."""

    def __init__(self, ontology: Ontology, reserved: Sequence[str] = ()) -> None:
        self._by_schema: dict[str, type[Entity]] = {}
        self._plain: dict[type[Entity], dict[str, bool]] = {}  # property → multiple
        taken = set(reserved)
        for schema in ontology:
            if schema.abstract:
                continue
            if schema.name in taken or not _NAME.match(schema.name):
                raise ConfigError(
                    f"ontology type {schema.name!r} cannot be a GraphQL type name",
                    hint="rename the type in the catalog; these names are taken: "
                    + ", ".join(sorted(taken)),
                )
            made = _make_type(schema)
            self._by_schema[schema.name] = made
            self._plain[made] = {
                p.name: p.multiple
                for p in schema.properties.values()
                if p.type.name != "entity" and not (schema.is_edge and p.name in _EDGE_ENDS)
            }
        self._fallback = {
            False: self._by_schema.get("Thing") or next(iter(self._by_schema.values())),
            True: self._by_schema.get("Relationship") or self._first_edge(),
        }

    def _first_edge(self) -> type[Entity]:
        for cls in self._by_schema.values():
            if issubclass(cls, Edge):
                return cls
        return next(iter(self._by_schema.values()))

    @property
    def types(self) -> list[type[Entity]]:
        return list(self._by_schema.values())

    def wrap(self, entity: EntityModel) -> Entity:
        cls = self._by_schema.get(entity.schema) or self._fallback[entity.is_edge]
        node = cls(
            model=entity,
            id=strawberry.ID(entity.id),
            schema=entity.schema,
            caption=entity.caption,
            first_observed=entity.first_seen,
            last_observed=entity.last_seen,
        )
        # Withheld properties are absent from the entity, so they stay null.
        fields = self._plain[cls]
        for name, values in entity.properties.items():
            kind = fields.get(name)
            if kind is not None:
                node.__dict__[f"p_{name}"] = list(values) if kind else values[0]
        return node


def _make_type(schema: Schema) -> type[Entity]:
    base: type[Entity] = Edge if schema.is_edge else Entity
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__annotations__": annotations}
    for prop in schema.properties.values():
        if schema.is_edge and prop.name in _EDGE_ENDS:
            continue
        annotation, field = _field(prop)
        if annotation is not None:
            annotations[f"p_{prop.name}"] = annotation
        namespace[f"p_{prop.name}"] = field
    cls = type(schema.name, (base,), namespace)
    described = schema.description or schema.label
    made: type[Entity] = strawberry.type(cls, name=schema.name, description=described)
    return made


__all__ = ["NodeTypes"]
