"""followthemoney entity streams: ``{"id", "schema", "properties"}`` per line.

Schema and property names are looked up in the catalog, by name first and then
by their ``ftm`` correspondence. Entity references keep the stream's ids (hashed
when too long for an id), so edges meet the entities they point to. Properties
the catalog does not have are counted in the run summary, not loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intelgraph.ingest.mapping import MappedEntity, RecordError, external_id, resolve_property
from intelgraph.ontology import Ontology
from intelgraph.ontology.schema import Schema


class FtmMapper:
    """Maps followthemoney entities (and our own JSON entity form, which is the same)."""

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology

    def _schema(self, name: Any) -> Schema:
        if not isinstance(name, str) or not name:
            raise RecordError("an entity needs a 'schema'")
        schema = self.ontology.schemata.get(name) or self.ontology.by_ftm(name)
        if schema is None:
            raise RecordError(f"no catalog type for the followthemoney schema {name!r}")
        if schema.abstract:
            raise RecordError(f"{schema.name} is abstract; entities need a concrete type")
        return schema

    def map(self, obj: Mapping[str, Any]) -> list[MappedEntity]:
        schema = self._schema(obj.get("schema"))
        raw_id = obj.get("id")
        if not isinstance(raw_id, str) or not raw_id.strip():
            raise RecordError("an entity needs an 'id'")
        props = obj.get("properties", {})
        if not isinstance(props, Mapping):
            raise RecordError("'properties' must map property names to lists of values")
        properties: dict[str, list[str]] = {}
        for name, values in props.items():
            items = values if isinstance(values, list) else [values]
            texts = [
                str(v).strip() for v in items if v is not None and not isinstance(v, dict | list)
            ]
            texts = [t for t in texts if t]
            resolved = resolve_property(schema, str(name)) or str(name)
            prop = schema.properties.get(resolved)
            if prop is not None and prop.type.name == "entity":
                texts = [external_id(t) for t in texts]
            if texts:
                properties.setdefault(resolved, []).extend(texts)
        return [MappedEntity(schema.name, external_id(raw_id), properties)]


__all__ = ["FtmMapper"]
