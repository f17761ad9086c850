"""Reading and validating mapping files: every problem reported with its file and line."""

from __future__ import annotations

import difflib
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from intelgraph.errors import InvalidInput, InvalidValue
from intelgraph.ingest.mapping.spec import (
    EntityMap,
    MappingSpec,
    PropertyMap,
    Query,
    SourceSpec,
    resolve_property,
)
from intelgraph.model import canonical_json, sha256_hex
from intelgraph.ontology import Ontology
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
        problem = f"{path}:{line}: the mapping is not valid YAML: {exc.problem or exc}"
        raise InvalidInput(
            problem, hint="fix the YAML syntax at that line", details={"problems": [problem]}
        ) from None
    doc = convert_node(node) if node is not None else None
    if not isinstance(doc, LDict):
        problem = f"{path}:1: a mapping file is a YAML mapping with 'queries'"
        raise InvalidInput(problem, details={"problems": [problem]})
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
    _report_duplicates(doc, problems, set())
    source = doc.get("source")
    if source is not None and not isinstance(source, LDict):
        problems.add(doc.line_of("source"), "'source' must be a mapping")
        source = None
    datasets: list[LDict] = []
    if "queries" in doc or "query" in doc:
        datasets.append(doc)
        for key in doc:
            if key not in ("source", "queries", "query"):
                problems.add(doc.line_of(key), f"unknown top-level key {key!r}")
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


def _report_duplicates(node: Any, problems: _Problems, seen: set[tuple[str, int]]) -> None:
    """Every key given twice in one mapping, at any depth (YAML keeps only one of them)."""
    if isinstance(node, LDict):
        for key, line in node.dups:
            if (key, line) not in seen:  # a node reused through an alias is walked again
                seen.add((key, line))
                problems.add(line, f"key {key!r} is given twice")
        for value in node.values():
            _report_duplicates(value, problems, seen)
    elif isinstance(node, LList):
        for item in node:
            _report_duplicates(item, problems, seen)


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
    id_column = body.get("id_column")
    if id_column is not None and not isinstance(id_column, str):
        problems.add(body.line_of("id_column"), "id_column must be a column name")
    elif keys is None:
        pass  # reported above
    elif not keys and id_column is None:
        problems.add(line, f"entity {name!r} needs key, keys or id_column so that its id is stable")
    elif keys and id_column is not None:
        problems.add(body.line_of("id_column"), f"entity {name!r}: use keys or id_column, not both")
    keys = keys or []
    id_column = id_column if isinstance(id_column, str) else None
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
        close = (
            difflib.get_close_matches(name, list(schema.properties), n=3, cutoff=0.5)
            or [p for p in schema.properties if p.lower().startswith(name[:3].lower())][:3]
        )
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


__all__ = ["load_mapping", "parse_mapping"]
