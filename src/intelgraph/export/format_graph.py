"""The graph export formats: GraphML, and Neo4j (a Cypher script plus neo4j-admin CSVs).

Both show non-edge entities as nodes and edge entities as edges (relationships);
an edge with an endpoint outside the export is left out, so nothing dangles.

``graphml`` writes ``graph.graphml``: a ``<key>`` (``attr.type="string"``, except
``classification``, an ``int``) for ``schema``, ``caption``, ``classification``,
``compartments`` and every property used; several values of one property are
joined with ``"; "``. Characters XML 1.0 does not allow are dropped, everything
else is escaped (a carriage return as ``&#13;`` so it survives parsing).
Undirected edge types (``UnknownLink``, ``Associate``) get ``directed="false"``.

``cypher`` writes ``neo4j/``: ``load.cypher`` (one ``MERGE`` per node and per
relationship, every value an escaped Cypher string literal), ``nodes_<Type>.csv``
and ``rels_<Type>.csv`` for ``neo4j-admin database import full``, and
``README.txt`` with that command. Nodes carry the label ``Entity``, their type
and its ancestors; relationships the type in upper snake case (``ResolvesTo`` →
``RESOLVES_TO``). A property the catalog lets hold several values (or that holds
several here) is a string array (``name:string[]`` in the CSVs, values joined
with the ``--array-delimiter``: ``;``, or ``|`` then U+001F when an array value of
the export contains ``;``, since neo4j-admin has no way to escape it); the others
are strings. ``classification`` (an integer: the highest of the label sets) and
``compartments`` (an array) are properties too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from intelgraph.export.formats import (
    MULTI_VALUE_SEPARATOR,
    ExportData,
    classification_of,
    compartments_of,
    csv_text,
    file_stem,
    property_names,
    schema_of,
    split_graph,
    write_file,
)
from intelgraph.model import Entity
from intelgraph.ontology.schema import Schema

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_XSD = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
ARRAY_DELIMITERS = (";", "|", "\x1f")
"""The ``--array-delimiter`` of the neo4j-admin CSVs: ``;`` unless an array value of
the export contains it, then ``|``, then the unit separator U+001F."""

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    | {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)
_FIXED_KEYS = (
    ("schema", "string"),
    ("caption", "string"),
    ("classification", "int"),
    ("compartments", "string"),
)
_NEO4J_FIXED = frozenset({"id", "caption", "classification", "compartments"})


# -- GraphML -----------------------------------------------------------------------------


def xml_text(value: str) -> str:
    """``value`` as XML character data: illegal characters dropped, markup escaped."""
    return _XML_ILLEGAL.sub("", value).translate(_XML_TEXT)


def xml_attr(value: str) -> str:
    """``value`` as a double-quoted XML attribute value."""
    return _XML_ILLEGAL.sub("", value).translate(_XML_ATTR)


def write_graphml(data: ExportData, out_dir: Path) -> list[str]:
    nodes, edges = split_graph(data.entities)
    on_nodes = {p for e in nodes for p in property_names(e)}
    on_edges = {p for e in edges for p in property_names(e)}
    keys = {name: f"p{i}" for i, name in enumerate(sorted(on_nodes | on_edges))}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{GRAPHML_NS} {GRAPHML_XSD}">',
    ]
    for name, kind in _FIXED_KEYS:
        lines.append(f'  <key id="{name}" for="all" attr.name="{name}" attr.type="{kind}"/>')
    for name, key in keys.items():
        scope = "all" if name in on_nodes and name in on_edges else "node"
        scope = "edge" if name not in on_nodes else scope
        lines.append(
            f'  <key id="{key}" for="{scope}" attr.name="{xml_attr(name)}" attr.type="string"/>'
        )
    lines.append('  <graph id="intelgraph" edgedefault="directed">')
    for entity in nodes:
        lines.append(f'    <node id="{xml_attr(entity.id)}">')
        lines.extend(_graphml_data(entity, keys))
        lines.append("    </node>")
    for entity in edges:
        schema = schema_of(data.ontology, entity.schema)
        undirected = ' directed="false"' if schema is not None and not schema.directed else ""
        lines.append(
            f'    <edge id="{xml_attr(entity.id)}" source="{xml_attr(entity.source_id or "")}"'
            f' target="{xml_attr(entity.target_id or "")}"{undirected}>'
        )
        lines.extend(_graphml_data(entity, keys))
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>"]
    return [write_file(out_dir, "graph.graphml", "\n".join(lines) + "\n")]


def _graphml_data(entity: Entity, keys: dict[str, str]) -> list[str]:
    values = [
        ("schema", entity.schema),
        ("caption", entity.caption),
        ("classification", str(classification_of(entity.labels))),
        ("compartments", MULTI_VALUE_SEPARATOR.join(compartments_of(entity.labels))),
    ]
    values += [
        (keys[name], MULTI_VALUE_SEPARATOR.join(entity.properties[name]))
        for name in property_names(entity)
    ]
    return [f'      <data key="{key}">{xml_text(text)}</data>' for key, text in values if text]


# -- Cypher and neo4j-admin --------------------------------------------------------------

_CYPHER_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CYPHER_STRING = str.maketrans(
    {
        **{chr(c): f"\\u{c:04x}" for c in [*range(0x20), 0x7F, 0x2028, 0x2029]},
        **_CYPHER_ESCAPES,
    }
)


def cypher_string(value: str) -> str:
    """``value`` as a single-quoted Cypher string literal that nothing can break out of:
    backslash, quote and line breaks escaped, other control characters as ``\\uXXXX``."""
    return "'" + value.translate(_CYPHER_STRING) + "'"


def cypher_name(name: str) -> str:
    """A label, type or property name as a backtick-quoted Cypher identifier."""
    return "`" + name.replace("`", "``") + "`"


def neo4j_property(name: str) -> str:
    """A property name usable in a neo4j-admin header (``:`` there starts the type)."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"
    return "p_" + safe if safe in _NEO4J_FIXED else safe


def relationship_type(schema: str) -> str:
    """``ResolvesTo`` → ``RESOLVES_TO``."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", schema)
    return re.sub(r"[^A-Za-z0-9]+", "_", snake).strip("_").upper() or "RELATED"


def _labels(entity: Entity, schema: Schema | None) -> list[str]:
    ancestors = [a for a in schema.ancestors if a != "Base"] if schema is not None else []
    return list(dict.fromkeys(["Entity", entity.schema, *ancestors]))


class _Columns:
    """The properties of one type in this export, and which of them are arrays."""

    def __init__(self, schema: Schema | None, entities: Sequence[Entity]) -> None:
        self.schema = schema
        self.entities = entities
        self.names = sorted({p for e in entities for p in property_names(e)})
        self.arrays: dict[str, bool] = {}
        for name in self.names:
            prop = schema.properties.get(name) if schema is not None else None
            several = any(len(e.properties.get(name, ())) > 1 for e in entities)
            self.arrays[name] = prop is None or prop.multiple or several

    def header(self) -> list[str]:
        return [neo4j_property(n) + (":string[]" if self.arrays[n] else "") for n in self.names]

    def array_values(self) -> Iterator[str]:
        """Every value that goes into an array cell (delimiter candidates must avoid them)."""
        for entity in self.entities:
            yield from compartments_of(entity.labels)
            yield from _labels(entity, self.schema)
            for name in self.names:
                if self.arrays[name]:
                    yield from entity.properties.get(name) or ()

    def csv_cells(self, entity: Entity, delimiter: str) -> list[object]:
        cells: list[object] = []
        for name in self.names:
            values = entity.properties.get(name) or ()
            cells.append(delimiter.join(values) if self.arrays[name] else "".join(values[:1]))
        cells.append(classification_of(entity.labels))
        cells.append(delimiter.join(compartments_of(entity.labels)))
        return cells

    def cypher_map(self, entity: Entity) -> str:
        items = [f"caption: {cypher_string(entity.caption)}"]
        for name in self.names:
            values = entity.properties.get(name) or ()
            if not values:
                continue
            if self.arrays[name]:
                literal = "[" + ", ".join(cypher_string(v) for v in values) + "]"
            else:
                literal = cypher_string(values[0])
            items.append(f"{cypher_name(neo4j_property(name))}: {literal}")
        items.append(f"classification: {classification_of(entity.labels)}")
        compartments = compartments_of(entity.labels)
        if compartments:
            items.append(
                "compartments: [" + ", ".join(cypher_string(c) for c in compartments) + "]"
            )
        return "{" + ", ".join(items) + "}"


def _groups(entities: Sequence[Entity], data: ExportData) -> list[_Columns]:
    groups: dict[str, list[Entity]] = {}
    for entity in entities:
        groups.setdefault(entity.schema, []).append(entity)
    return [_Columns(schema_of(data.ontology, name), groups[name]) for name in sorted(groups)]


def array_delimiter(values: Iterable[str]) -> str:
    """The first of ``ARRAY_DELIMITERS`` that no array value contains (the last one
    regardless: a value holding all three is split by neo4j-admin)."""
    candidates = list(ARRAY_DELIMITERS[:-1])
    for value in values:
        candidates = [c for c in candidates if c not in value]
        if not candidates:
            break
    return candidates[0] if candidates else ARRAY_DELIMITERS[-1]


def write_cypher(data: ExportData, out_dir: Path) -> list[str]:
    nodes, edges = split_graph(data.entities)
    node_groups, edge_groups = _groups(nodes, data), _groups(edges, data)
    delimiter = array_delimiter(v for g in node_groups + edge_groups for v in g.array_values())
    script = [
        "// IntelGraph export: load with `cypher-shell -f load.cypher` (see README.txt).",
        f"// {len(nodes)} nodes, {len(edges)} relationships.",
        "CREATE CONSTRAINT intelgraph_entity_id IF NOT EXISTS "
        "FOR (n:Entity) REQUIRE n.id IS UNIQUE;",
    ]
    written: list[str] = []
    node_files: list[str] = []
    rel_files: list[str] = []
    marking_header = ["classification:int", "compartments:string[]"]
    for group in node_groups:
        rows: list[list[object]] = [
            ["id:ID", "caption", *group.header(), *marking_header, ":LABEL"]
        ]
        for entity in group.entities:
            labels = _labels(entity, group.schema)
            cells = group.csv_cells(entity, delimiter)
            rows.append([entity.id, entity.caption, *cells, delimiter.join(labels)])
            extra = "".join(f":{cypher_name(label)}" for label in labels[1:])
            script.append(
                f"MERGE (n:Entity {{id: {cypher_string(entity.id)}}}) "
                f"SET n{extra}, n += {group.cypher_map(entity)};"
            )
        name = f"nodes_{file_stem(group.entities[0].schema)}.csv"
        node_files.append(name)
        written.append(write_file(out_dir, f"neo4j/{name}", csv_text(rows)))
    for group in edge_groups:
        kind = relationship_type(group.entities[0].schema)
        rows = [[":START_ID", ":END_ID", ":TYPE", "id", *group.header(), *marking_header]]
        for entity in group.entities:
            source, target = entity.source_id or "", entity.target_id or ""
            rows.append([source, target, kind, entity.id, *group.csv_cells(entity, delimiter)])
            script.append(
                f"MATCH (a:Entity {{id: {cypher_string(source)}}}), "
                f"(b:Entity {{id: {cypher_string(target)}}}) "
                f"MERGE (a)-[r:{cypher_name(kind)} {{id: {cypher_string(entity.id)}}}]->(b) "
                f"SET r += {group.cypher_map(entity)};"
            )
        name = f"rels_{file_stem(group.entities[0].schema)}.csv"
        rel_files.append(name)
        written.append(write_file(out_dir, f"neo4j/{name}", csv_text(rows)))
    written.append(write_file(out_dir, "neo4j/load.cypher", "\n".join(script) + "\n"))
    readme = _readme(node_files, rel_files, delimiter)
    written.append(write_file(out_dir, "neo4j/README.txt", readme))
    return written


def import_command(node_files: Sequence[str], rel_files: Sequence[str], delimiter: str) -> str:
    """The neo4j-admin command that bulk-imports the CSVs (run in their directory)."""
    option = delimiter if delimiter.isprintable() else f"U+{ord(delimiter):04X}"
    parts = [
        "neo4j-admin database import full",
        "--id-type=string",
        f'--array-delimiter="{option}"',
        "--multiline-fields=true",
        *(f"--nodes={name}" for name in node_files),
        *(f"--relationships={name}" for name in rel_files),
        "neo4j",
    ]
    return " \\\n  ".join(parts)


def _readme(node_files: Sequence[str], rel_files: Sequence[str], delimiter: str) -> str:
    if node_files:
        command = import_command(node_files, rel_files, delimiter)
        bulk = (
            "Bulk import into a new, empty database (Neo4j 5; run in this directory, with\n"
            "the database stopped; add --overwrite-destination to replace an existing one):\n\n"
            f"{command}\n\n"
            "Then create the uniqueness constraint the script would have made:\n\n"
            "CREATE CONSTRAINT intelgraph_entity_id IF NOT EXISTS "
            "FOR (n:Entity) REQUIRE n.id IS UNIQUE;\n"
        )
    else:
        bulk = "This export contains no entities: there is nothing to bulk-import.\n"
    shown = delimiter if delimiter.isprintable() else f"U+{ord(delimiter):04X}"
    return (
        "IntelGraph export for Neo4j\n"
        "===========================\n\n"
        "load.cypher       Cypher script, one MERGE per node and per relationship\n"
        "nodes_<Type>.csv  neo4j-admin node file, one per type\n"
        "rels_<Type>.csv   neo4j-admin relationship file, one per edge type\n\n"
        "Load into a running database:\n\n"
        "cypher-shell -a neo4j://localhost:7687 -u neo4j -f load.cypher\n\n"
        f"{bulk}\n"
        "Every node has the label Entity, its type and the type's ancestors, and a\n"
        "unique id. Properties that can hold several values are string arrays\n"
        "(prop:string[]); in the CSV files their values, the compartments and the\n"
        f"labels are separated by {shown} (the --array-delimiter above), chosen so that\n"
        "no value of this export contains it. classification is the highest\n"
        "classification of the entity's label sets, compartments the union of their\n"
        "compartments. Relationships whose endpoint is not in the export are left out.\n"
    )


__all__ = [
    "ARRAY_DELIMITERS",
    "array_delimiter",
    "cypher_name",
    "cypher_string",
    "import_command",
    "write_cypher",
    "write_graphml",
    "xml_attr",
    "xml_text",
]
