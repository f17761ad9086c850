"""STIX 2.1 objects to entities and edges, driven by the catalog's ``stix`` names.

Each object maps to the catalog type for its STIX type (for a ``relationship``,
the edge type for its ``relationship_type``); each catalog property with a
``stix`` name takes that field (dotted paths reach into lists such as
``external_references``). ``*_ref`` fields become entity references through the
same id function, so relationships meet their endpoints. Revoked and deprecated
objects are kept with ``revoked``/``deprecated`` set. Marking definitions are
kept as records but are labels, not entities.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intelgraph.ingest.mapping import MappedEntity, RecordError, column_values
from intelgraph.model import sha256_hex
from intelgraph.ontology import Ontology
from intelgraph.ontology.schema import Schema

NOT_ENTITIES = frozenset({"marking-definition", "language-content", "extension-definition"})


def stix_entity_id(stix_id: str) -> str:
    """The entity id of a STIX object: stable, and the same wherever it is referenced."""
    return sha256_hex(("stix:" + stix_id.strip()).encode())[:40]


class StixMapper:
    """Maps STIX 2.1 objects (from a bundle or a stream) with one catalog."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self._fields: dict[str, list[tuple[str, str, bool]]] = {}

    def _schema(self, obj: Mapping[str, Any]) -> Schema:
        stix_type = obj.get("type")
        if not isinstance(stix_type, str) or not stix_type:
            raise RecordError("a STIX object needs a 'type'")
        relationship = obj.get("relationship_type") if stix_type == "relationship" else None
        schema = self.ontology.by_stix(
            stix_type, relationship if isinstance(relationship, str) else None
        )
        if schema is None:
            raise RecordError(f"no catalog type maps the STIX type {stix_type!r}")
        return schema

    def _fields_of(self, schema: Schema) -> list[tuple[str, str, bool]]:
        fields = self._fields.get(schema.name)
        if fields is None:
            fields = self._fields[schema.name] = [
                (p.name, p.stix, p.type.name == "entity")
                for p in schema.properties.values()
                if p.stix
            ]
        return fields

    def map(self, obj: Mapping[str, Any]) -> list[MappedEntity]:
        stix_type = obj.get("type")
        if stix_type in NOT_ENTITIES:
            return []
        schema = self._schema(obj)
        stix_id = obj.get("id")
        if not isinstance(stix_id, str) or "--" not in stix_id:
            raise RecordError("a STIX object needs an 'id' of the form type--uuid")
        properties: dict[str, list[str]] = {}
        for name, field, is_ref in self._fields_of(schema):
            values = column_values(obj, field)
            if is_ref:
                values = [stix_entity_id(v) for v in values]
            if values:
                properties[name] = values
        return [MappedEntity(schema.name, stix_entity_id(stix_id), properties)]


__all__ = ["NOT_ENTITIES", "StixMapper", "stix_entity_id"]
