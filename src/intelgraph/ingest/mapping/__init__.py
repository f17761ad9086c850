"""The mapping language: followthemoney-compatible YAML that turns rows into entities.

A mapping holds ``queries``; each query turns one record into entities named in
its ``entities`` block, each with a ``schema``, ``key``/``keys`` (hashed into a
deterministic id) or an ``id_column``, and ``properties`` read from ``column``,
``columns`` (joined), ``literal``/``literals``, ``template`` or ``entity`` (the id
of another entity of the same query). ``filters``/``filters_not`` select rows
and ``format`` parses dates. A top-level ``source`` block carries the source's
metadata. Every problem is reported with its file and line before anything is
read; see docs/ingest-mappings.md.
"""

from intelgraph.ingest.mapping.load import load_mapping, parse_mapping
from intelgraph.ingest.mapping.spec import (
    EntityMap,
    MappedEntity,
    MappingSpec,
    PropertyMap,
    Query,
    RecordError,
    SourceSpec,
    column_values,
    external_id,
    resolve_property,
)

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
    "load_mapping",
    "parse_mapping",
    "resolve_property",
]
