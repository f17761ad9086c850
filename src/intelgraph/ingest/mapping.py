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

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from intelgraph.errors import InvalidInput, InvalidValue
from intelgraph.model import canonical_json, sha256_hex
from intelgraph.ontology import Ontology, make_entity_id
from intelgraph.ontology.schema import Schema
from intelgraph.ontology.source import LDict, LList, convert_node

_QUERY_KEYS = {
    "csv_url", "csv_urls", "entities", "filters", "filters_not", "format", "encoding",
    "delimiter", "quotechar", "sheet", "records",
}  # fmt: skip
_UNSUPPORTED_QUERY_KEYS = {"database", "tables", "joins", "columns"}
_ENTITY_KEYS = {"schema", "key", "keys", "key_literal", "id_column", "properties"}
_PROPERTY_KEYS = {
    "column", "columns", "literal", "literals", "entity", "join", "split", "format",
    "template", "required", "invalid",
}  # fmt: skip
_SOURCE_KEYS = {
    "name", "licence", "license", "retention", "purposes", "residency", "labels", "privacy",
    "description",
}  # fmt: skip
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
            text = _TEMPLATE.sub(lambda m: _first(record, m.group(1)), self.template).strip()
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

    def make_id(self, record: Mapping[str, Any]) -> str | None:
        if self.id_column is not None:
            value = _first(record, self.id_column)
            return external_id(value) if value else None
        values = [v for key in self.keys for v in column_values(record, key)]
        if not any(v.strip() for v in values):
            return None
        prefix = [self.key_literal] if self.key_literal else []
        return make_entity_id(self.schema, [*prefix, *values])


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
        out: list[MappedEntity] = []
        for entity in self.entities:
            entity_id = ids.get(entity.name)
            if entity_id is None:
                continue
            properties: dict[str, list[str]] = {}
            skip = False
            for prop in entity.properties:
                values = prop.values(record, ids)
                if not values:
                    if prop.required:
                        skip = True
                        break
                    continue
                properties.setdefault(prop.name, []).extend(values)
            if not skip:
                out.append(MappedEntity(entity.schema, entity_id, properties, entity.lenient))
        return out


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


def column_values(record: Mapping[str, Any], column: str) -> list[str]:
    """Text values at ``column`` (a dotted path into nested JSON), lists flattened."""
    node: Any = record.get(column) if column in record else _dig(record, column)
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


# -- loading and validation -------------------------------------------------------------


class _Problems:
    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(f"{self.path}:{line}: {message}")


def load_mapping(path: str | Path, ontology: Ontology) -> MappingSpec:
    """Read and validate a mapping file; ``InvalidInput`` lists every problem with its line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the mapping {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"the mapping {file} is not UTF-8 text") from None
    return parse_mapping(text, ontology, path=str(file), base=file.parent)


def parse_mapping(
    text: str, ontology: Ontology, *, path: str = "<mapping>", base: Path | None = None
) -> MappingSpec:
    problems = _Problems(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise InvalidInput(
            f"{path}:{line}: the mapping is not valid YAML: {exc.problem or exc}",
            hint="fix the YAML syntax at that line",
        ) from None
    doc = convert_node(node) if node is not None else None
    if not isinstance(doc, LDict):
        raise InvalidInput(f"{path}:1: a mapping file is a YAML mapping with 'queries'")
    source_block, query_nodes = _split_document(doc, problems)
    source = _source_spec(source_block, problems)
    queries = [_query(q, i, ontology, problems, base) for i, q in enumerate(query_nodes)]
    if not query_nodes and not problems.items:
        problems.add(doc.line, "the mapping defines no queries")
    if problems.items:
        raise InvalidInput(
            f"the mapping {path} has {len(problems.items)} problem(s):\n  "
            + "\n  ".join(problems.items),
            hint="fix the lines named above; the format is described in docs/ingest-mappings.md",
            details={"problems": problems.items},
        )
    digest = sha256_hex(canonical_json(_plain(doc)))
    return MappingSpec(tuple(q for q in queries if q is not None), source, digest, path)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, datetime):
        return node.isoformat()
    return node if isinstance(node, str | int | float | bool) or node is None else str(node)


def _split_document(
    doc: LDict, problems: _Problems
) -> tuple[LDict | None, list[tuple[LDict, int]]]:
    """(source block, [(query, line)]) from the single-dataset or FtM multi-dataset form."""
    for key, line in doc.dups:
        problems.add(line, f"key {key!r} is given twice")
    source = doc.get("source")
    if source is not None and not isinstance(source, LDict):
        problems.add(doc.line_of("source"), "'source' must be a mapping")
        source = None
    datasets: list[LDict] = []
    if "queries" in doc or "query" in doc:
        datasets.append(doc)
    else:
        for name, body in doc.items():
            if name == "source":
                continue
            if isinstance(body, LDict) and ("queries" in body or "query" in body):
                datasets.append(body)
                if source is None and isinstance(body.get("source"), LDict):
                    source = body["source"]
            else:
                problems.add(
                    doc.line_of(name), f"{name!r} is neither 'source' nor a dataset with 'queries'"
                )
    queries: list[tuple[LDict, int]] = []
    for dataset in datasets:
        if "query" in dataset:
            node = dataset["query"]
            if isinstance(node, LDict):
                queries.append((node, dataset.line_of("query")))
            else:
                problems.add(dataset.line_of("query"), "'query' must be a mapping")
        nodes = dataset.get("queries")
        if nodes is None:
            continue
        if not isinstance(nodes, LList):
            problems.add(dataset.line_of("queries"), "'queries' must be a list")
            continue
        for index, item in enumerate(nodes):
            if isinstance(item, LDict):
                queries.append((item, nodes.line_at(index)))
            else:
                problems.add(nodes.line_at(index), "each query must be a mapping")
    return source, queries


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    return None


def _source_spec(block: LDict | None, problems: _Problems) -> SourceSpec:
    if block is None:
        return SourceSpec()
    for key in block:
        if key not in _SOURCE_KEYS:
            problems.add(
                block.line_of(key),
                f"unknown source key {key!r} (allowed: {', '.join(sorted(_SOURCE_KEYS))})",
            )
    labels = block.get("labels", {})
    if not isinstance(labels, dict):
        problems.add(
            block.line_of("labels"),
            "'labels' must be a mapping of tenant, classification, compartments",
        )
        labels = {}
    privacy = block.get("privacy", {})
    if not isinstance(privacy, dict) or not all(isinstance(v, str) for v in privacy.values()):
        problems.add(
            block.line_of("privacy"), "'privacy' maps a privacy class to keep, token or drop"
        )
        privacy = {}
    purposes = _strings(block.get("purposes", [])) or []
    text = {
        k: block.get(k)
        for k in ("name", "licence", "license", "retention", "residency", "description")
    }
    for key, value in text.items():
        if value is not None and not isinstance(value, str):
            problems.add(block.line_of(key), f"source {key} must be text")
    return SourceSpec(
        name=_opt_str(text["name"]),
        licence=_opt_str(text["licence"] or text["license"]),
        retention=_opt_str(text["retention"]),
        purposes=tuple(purposes),
        residency=_opt_str(text["residency"]),
        labels=dict(labels),
        privacy={str(k): str(v) for k, v in privacy.items()},
        description=_opt_str(text["description"]),
    )


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _query(
    item: tuple[LDict, int], index: int, ontology: Ontology, problems: _Problems, base: Path | None
) -> Query | None:
    node, _ = item
    for key in node:
        if key in _UNSUPPORTED_QUERY_KEYS:
            problems.add(
                node.line_of(key),
                f"{key!r} (SQL database queries) is not supported; "
                "export the table to CSV and map that",
            )
        elif key not in _QUERY_KEYS:
            problems.add(node.line_of(key), f"unknown query key {key!r}")
    entities_node = node.get("entities")
    if not isinstance(entities_node, LDict) or not entities_node:
        problems.add(node.line_of("entities"), f"query {index + 1} needs an 'entities' mapping")
        return None
    names = set(entities_node)
    entities = []
    for name, body in entities_node.items():
        line = entities_node.line_of(name)
        if not isinstance(body, LDict):
            problems.add(line, f"entity {name!r} must be a mapping")
            continue
        entity = _entity(name, body, line, names, ontology, problems)
        if entity is not None:
            entities.append(entity)
    urls: list[str] = []
    for key in ("csv_url", "csv_urls"):
        values = _strings(node.get(key)) if key in node else []
        if values is None:
            problems.add(node.line_of(key), f"{key} must be text or a list of text")
            continue
        urls.extend(_resolve_url(v, base) for v in values)
    options = {}
    for key in ("format", "encoding", "delimiter", "quotechar", "sheet", "records"):
        if key in node:
            if not isinstance(node[key], str):
                problems.add(node.line_of(key), f"{key} must be text")
            else:
                options["records_path" if key == "records" else key] = node[key]
    return Query(
        entities=tuple(entities),
        filters=_filters(node, "filters", problems),
        filters_not=_filters(node, "filters_not", problems),
        urls=tuple(urls),
        options=options,
    )


def _resolve_url(value: str, base: Path | None) -> str:
    if "://" in value or base is None:
        return value
    return str((base / value).resolve())


def _filters(node: LDict, key: str, problems: _Problems) -> tuple[tuple[str, frozenset[str]], ...]:
    block = node.get(key)
    if block is None:
        return ()
    if not isinstance(block, LDict):
        problems.add(node.line_of(key), f"{key} must map a column to a value or a list of values")
        return ()
    out = []
    for column, value in block.items():
        values = _strings(value)
        if values is None:
            problems.add(
                block.line_of(column), f"{key}.{column} must be a value or a list of values"
            )
            continue
        out.append((column, frozenset(v.strip() for v in values)))
    return tuple(out)


def _entity(
    name: str, body: LDict, line: int, names: set[str], ontology: Ontology, problems: _Problems
) -> EntityMap | None:
    for key in body:
        if key not in _ENTITY_KEYS:
            problems.add(body.line_of(key), f"unknown key {key!r} in entity {name!r}")
    schema = _schema(body, name, line, ontology, problems)
    keys = _strings(body.get("keys", body.get("key", [])))
    if keys is None:
        problems.add(
            body.line_of("keys" if "keys" in body else "key"), "key/keys must be column names"
        )
        keys = []
    id_column = body.get("id_column")
    if id_column is not None and not isinstance(id_column, str):
        problems.add(body.line_of("id_column"), "id_column must be a column name")
        id_column = None
    if not keys and id_column is None:
        problems.add(line, f"entity {name!r} needs key, keys or id_column so that its id is stable")
    key_literal = body.get("key_literal")
    props_node = body.get("properties", LDict(line))
    if not isinstance(props_node, LDict):
        problems.add(body.line_of("properties"), "properties must be a mapping")
        return None
    if schema is None:
        return None
    properties = []
    for prop_name, spec in props_node.items():
        prop = _property(
            schema, prop_name, spec, props_node.line_of(prop_name), names, ontology, problems
        )
        if prop is not None:
            properties.append(prop)
    return EntityMap(
        name=name,
        schema=schema.name,
        keys=tuple(keys),
        key_literal=str(key_literal) if key_literal is not None else None,
        id_column=id_column,
        properties=tuple(properties),
    )


def _schema(
    body: LDict, name: str, line: int, ontology: Ontology, problems: _Problems
) -> Schema | None:
    value = body.get("schema")
    if not isinstance(value, str):
        problems.add(line, f"entity {name!r} needs a schema (a type from docs/ontology.md)")
        return None
    schema = ontology.schemata.get(value) or ontology.by_ftm(value)
    if schema is None:
        try:
            ontology.get(value)
        except Exception as exc:  # OntologyError: reuse its close-match hint
            hint = getattr(exc, "hint", None)
            problems.add(
                body.line_of("schema"), f"unknown type {value!r}" + (f"; {hint}" if hint else "")
            )
        return None
    if schema.abstract:
        problems.add(body.line_of("schema"), f"{schema.name} is abstract; use a concrete subtype")
        return None
    return schema


def resolve_property(schema: Schema, name: str) -> str | None:
    """The catalog property called ``name`` on ``schema`` or mapped from that FtM name."""
    if name in schema.properties:
        return name
    for prop in schema.properties.values():
        if prop.ftm == name:
            return prop.name
    return None


def _property(
    schema: Schema,
    name: str,
    spec: Any,
    line: int,
    names: set[str],
    ontology: Ontology,
    problems: _Problems,
) -> PropertyMap | None:
    resolved = resolve_property(schema, name)
    if resolved is None:
        close = [p for p in schema.properties if p.lower().startswith(name[:3].lower())][:3]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        problems.add(line, f"type {schema.name} has no property {name!r}{hint}")
        return None
    if not isinstance(spec, LDict):
        problems.add(line, f"property {name!r} must be a mapping (column, literal, entity, …)")
        return None
    for key in spec:
        if key not in _PROPERTY_KEYS:
            problems.add(spec.line_of(key), f"unknown key {key!r} in property {name!r}")
    prop = schema.properties[resolved]
    sources = [
        k for k in ("column", "columns", "literal", "literals", "entity", "template") if k in spec
    ]
    if len(sources) != 1:
        problems.add(
            line,
            f"property {name!r} needs exactly one of column, columns, literal, literals, "
            "entity, template",
        )
        return None
    entity = spec.get("entity")
    if entity is not None:
        if not isinstance(entity, str) or entity not in names:
            problems.add(spec.line_of("entity"), f"entity {entity!r} is not defined in this query")
            return None
        if prop.type.name != "entity":
            problems.add(
                spec.line_of("entity"), f"{schema.name}.{resolved} is not an entity reference"
            )
            return None
    elif prop.type.name == "entity":
        problems.add(line, f"{schema.name}.{resolved} references an entity: use 'entity: NAME'")
        return None
    columns = _strings(spec.get("columns", spec.get("column", [])))
    literals = _strings(spec.get("literals", spec.get("literal", [])))
    if columns is None or literals is None:
        problems.add(line, f"column(s) and literal(s) of {name!r} must be text")
        return None
    formats = _strings(spec.get("format", []))
    if formats is None:
        problems.add(spec.line_of("format"), "format must be a date format or a list of them")
        formats = []
    if formats and prop.type.name != "date":
        problems.add(
            spec.line_of("format"),
            f"format only applies to dates; {schema.name}.{resolved} is {prop.type.name}",
        )
    for literal in literals:
        try:
            ontology.normalize(schema.name, resolved, literal)
        except InvalidValue as exc:
            problems.add(spec.line_of("literal" if "literal" in spec else "literals"), exc.message)
    template = spec.get("template")
    invalid = spec.get("invalid", "reject")
    if invalid not in ("reject", "drop"):
        problems.add(spec.line_of("invalid"), "invalid must be 'reject' (the default) or 'drop'")
    return PropertyMap(
        name=resolved,
        columns=tuple(columns),
        literals=tuple(literals),
        entity=entity,
        template=template if isinstance(template, str) else None,
        join=_opt_str(spec.get("join")),
        split=_opt_str(spec.get("split")),
        formats=tuple(formats),
        required=bool(spec.get("required", False)),
        lenient=invalid == "drop",
    )


def referenced_columns(mapping: MappingSpec) -> set[str]:
    """Columns a mapping reads (for reporting columns the input lacks)."""
    columns: set[str] = set()
    for query in mapping.queries:
        columns.update(c for c, _ in query.filters)
        columns.update(c for c, _ in query.filters_not)
        for entity in query.entities:
            columns.update(entity.keys)
            if entity.id_column:
                columns.add(entity.id_column)
            for prop in entity.properties:
                columns.update(prop.columns)
                if prop.template:
                    columns.update(_TEMPLATE.findall(prop.template))
    return columns


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
    "referenced_columns",
    "resolve_property",
]
