"""Mapping records that describe themselves: followthemoney entities or STIX objects.

Used where no mapping is given for JSON input (push, NATS, JSON files): each
record is read as an entity (``schema`` + ``properties``) or a STIX object
(``type`` + ``id`` of the form ``type--uuid``), and anything else is refused
with a reason that says to give a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intelgraph.ingest.ftm import FtmMapper
from intelgraph.ingest.mapping import MappedEntity, RecordError
from intelgraph.ingest.stix import StixMapper
from intelgraph.ontology import Ontology


def is_entity(record: Mapping[str, Any]) -> bool:
    return "schema" in record and "properties" in record


def is_stix(record: Mapping[str, Any]) -> bool:
    ident = record.get("id")
    return isinstance(record.get("type"), str) and isinstance(ident, str) and "--" in ident


class AutoMapper:
    def __init__(self, ontology: Ontology) -> None:
        self._ftm = FtmMapper(ontology)
        self._stix = StixMapper(ontology)

    def map(self, record: Mapping[str, Any]) -> list[MappedEntity]:
        if is_entity(record):
            return self._ftm.map(record)
        if is_stix(record):
            return self._stix.map(record)
        raise RecordError(
            "the record is neither an entity ({id, schema, properties}) nor a STIX object; "
            "ingest it with a mapping (--mapping FILE)"
        )


__all__ = ["AutoMapper", "is_entity", "is_stix"]
