"""Export format writers: the data files of a signed bundle, one format at a time.

``write_format(fmt, data, out_dir)`` writes the files of one format under
``out_dir`` and returns their paths relative to it (POSIX, sorted):

``jsonl``
    ``entities.jsonl``: one JSON object per entity with ``id``, ``schema``,
    ``caption``, ``properties`` (property → list of values), ``labels`` (a list of
    ``Labels.to_dict()``), ``first_seen``/``last_seen`` (ISO 8601 UTC or null) and,
    for edges, ``source``/``target``. The lossless form of the export.
``csv``
    ``csv/<Schema>.csv``, one file per type: ``id``, ``caption``, for edge types
    ``source_id`` and ``target_id``, one column per property that occurs, then
    ``classification`` (the highest of the entity's label sets) and
    ``compartments``. Several values of one property (and several compartments)
    are joined with ``"; "`` (``MULTI_VALUE_SEPARATOR``); a value that itself
    contains ``"; "`` cannot be split back, use the JSONL for exact values. Every
    value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading ``'`` so that a spreadsheet shows it as text instead of running
    it as a formula (CSV injection); strip one leading ``'`` before those
    characters to get the stored value back. A property named like a fixed column
    is written as ``property:<name>``.
``stix``
    ``stix/bundle.json``: a STIX 2.1 bundle (see ``format_stix``).
``ftm``
    ``ftm/entities.json``: followthemoney entity lines ``{"id", "schema",
    "properties"}`` with type and property names from the catalog's ``ftm``
    correspondences (our own name where the catalog gives none).
``graphml`` / ``cypher``
    ``graph.graphml``, and ``neo4j/`` (a Cypher script, neo4j-admin import CSVs
    and a README with the import command); see ``format_graph``.

Every writer is deterministic: entities are sorted by id, properties by name,
values are kept in the order given, nothing depends on the clock; files are
UTF-8 with ``"\\n"`` line ends, so the same input gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intelgraph.errors import InvalidInput
from intelgraph.model import Entity, Labels, StoredStatement, sha256_hex
from intelgraph.ontology import Ontology
from intelgraph.ontology.schema import Schema

FORMATS: tuple[str, ...] = ("jsonl", "csv", "stix", "ftm", "graphml", "cypher")

MULTI_VALUE_SEPARATOR = "; "
"""Joins several values of one property in one CSV or GraphML cell."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula."""

_CSV_FIXED = ("id", "caption", "source_id", "target_id", "classification", "compartments")
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")

Writer = Callable[["ExportData", Path], list[str]]


@dataclass(frozen=True, slots=True)
class ExportData:
    """What one export contains, already filtered to what the viewer may see."""

    entities: Sequence[Entity]
    statements: Sequence[StoredStatement]
    ontology: Ontology


def write_format(fmt: str, data: ExportData, out_dir: Path) -> list[str]:
    """Write the files of one format under out_dir; return their paths relative to
    out_dir (posix, sorted)."""
    writer = _writers().get(fmt)
    if writer is None:
        raise InvalidInput(
            f"unknown export format {fmt!r}",
            hint=f"use one of {', '.join(FORMATS)}",
            details={"formats": list(FORMATS)},
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    return sorted(writer(data, out_dir))


def _writers() -> dict[str, Writer]:
    # Imported here: those modules build on the helpers below, so importing them at
    # the top would make the two modules import each other.
    from intelgraph.export.format_graph import write_cypher, write_graphml
    from intelgraph.export.format_stix import write_stix

    return {
        "jsonl": write_jsonl,
        "csv": write_csv,
        "stix": write_stix,
        "ftm": write_ftm,
        "graphml": write_graphml,
        "cypher": write_cypher,
    }


# -- helpers shared by the writers ---------------------------------------------------------


def ordered(entities: Iterable[Entity]) -> list[Entity]:
    """Entities in export order: by id (then type, should one id appear twice)."""
    return sorted(entities, key=lambda e: (e.id, e.schema))


def split_graph(entities: Sequence[Entity]) -> tuple[list[Entity], list[Entity]]:
    """Nodes and the edges whose two endpoints are nodes of the export, in export
    order; an edge with an endpoint outside the export is left out (it would dangle)."""
    nodes = [e for e in ordered(entities) if not e.is_edge]
    node_ids = {e.id for e in nodes}
    edges = [
        e
        for e in ordered(entities)
        if e.is_edge and e.source_id in node_ids and e.target_id in node_ids
    ]
    return nodes, edges


def schema_of(ontology: Ontology, name: str) -> Schema | None:
    return ontology.schemata.get(name)


def property_names(entity: Entity) -> list[str]:
    """The entity's properties that have values, by name."""
    return sorted(name for name, values in entity.properties.items() if values)


def file_stem(schema: str) -> str:
    """A file-name-safe name for a type (catalog names already are)."""
    if _PLAIN_NAME.fullmatch(schema):
        return schema
    return "x_" + sha256_hex(schema.encode("utf-8", "replace"))[:16]


def classification_of(labels: Sequence[Labels]) -> int:
    return max((label.classification for label in labels), default=0)


def compartments_of(labels: Sequence[Labels]) -> list[str]:
    return sorted({c for label in labels for c in label.compartments})


def utc(when: datetime) -> datetime:
    """``when`` in UTC (a naive datetime is taken to be UTC already)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def iso(when: datetime | None) -> str | None:
    return utc(when).isoformat() if when is not None else None


def write_file(out_dir: Path, relative: str, text: str) -> str:
    """Write ``text`` as UTF-8 to ``out_dir/relative``; return ``relative``.

    Characters that UTF-8 cannot carry (lone surrogates) become ``?`` rather than
    failing the whole export.
    """
    path = out_dir.joinpath(*relative.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", "replace"))
    return relative


def json_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


# -- jsonl -------------------------------------------------------------------------------


def entity_record(entity: Entity) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": entity.id,
        "schema": entity.schema,
        "caption": entity.caption,
        "properties": {name: list(entity.properties[name]) for name in sorted(entity.properties)},
        "labels": [label.to_dict() for label in sorted(entity.labels, key=Labels.key)],
        "first_seen": iso(entity.first_seen),
        "last_seen": iso(entity.last_seen),
    }
    if entity.is_edge:
        record["source"] = entity.source_id
        record["target"] = entity.target_id
    return record


def write_jsonl(data: ExportData, out_dir: Path) -> list[str]:
    text = "".join(json_line(entity_record(e)) for e in ordered(data.entities))
    return [write_file(out_dir, "entities.jsonl", text)]


# -- csv ---------------------------------------------------------------------------------


def defuse(value: str) -> str:
    """``value`` made safe to open in a spreadsheet (see the module docstring)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _cell(values: Sequence[str]) -> str:
    return MULTI_VALUE_SEPARATOR.join(defuse(v) for v in values)


def _by_schema(entities: Sequence[Entity]) -> dict[str, list[Entity]]:
    groups: dict[str, list[Entity]] = {}
    for entity in ordered(entities):
        groups.setdefault(entity.schema, []).append(entity)
    return dict(sorted(groups.items()))


def write_csv(data: ExportData, out_dir: Path) -> list[str]:
    written = []
    for schema_name, entities in _by_schema(data.entities).items():
        schema = schema_of(data.ontology, schema_name)
        edges = any(e.is_edge for e in entities) or (schema is not None and schema.is_edge)
        props = sorted({p for e in entities for p in property_names(e)})
        header: list[object] = ["id", "caption"]
        header += ["source_id", "target_id"] if edges else []
        header += [f"property:{p}" if p in _CSV_FIXED else p for p in props]
        header += ["classification", "compartments"]
        rows: list[list[object]] = [header]
        for e in entities:
            row: list[object] = [defuse(e.id), defuse(e.caption)]
            if edges:
                row += [defuse(e.source_id or ""), defuse(e.target_id or "")]
            row += [_cell(e.properties.get(p, ())) for p in props]
            row += [classification_of(e.labels), _cell(compartments_of(e.labels))]
            rows.append(row)
        written.append(write_file(out_dir, f"csv/{file_stem(schema_name)}.csv", csv_text(rows)))
    return written


# -- followthemoney ----------------------------------------------------------------------


def ftm_entity(entity: Entity, schema: Schema | None) -> dict[str, Any]:
    """The followthemoney form of an entity: catalog ``ftm`` names, else our own.

    Where two of our properties share one FtM name their values are merged (each
    value once), in property-name order.
    """
    merged: dict[str, list[str]] = {}
    for name in property_names(entity):
        prop = schema.properties.get(name) if schema is not None else None
        bucket = merged.setdefault(prop.ftm if prop is not None and prop.ftm else name, [])
        bucket.extend(v for v in entity.properties[name] if v not in bucket)
    return {
        "id": entity.id,
        "schema": schema.ftm if schema is not None and schema.ftm else entity.schema,
        "properties": {name: merged[name] for name in sorted(merged)},
    }


def write_ftm(data: ExportData, out_dir: Path) -> list[str]:
    lines = (
        json_line(ftm_entity(e, schema_of(data.ontology, e.schema))) for e in ordered(data.entities)
    )
    return [write_file(out_dir, "ftm/entities.json", "".join(lines))]


__all__ = ["FORMATS", "MULTI_VALUE_SEPARATOR", "ExportData", "write_format"]
