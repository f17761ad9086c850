"""The write path: idempotent batch upsert of statements and their projection.

One call writes one batch in one transaction: records, statements (new ones
inserted, known ones only widen their first/last-seen window), the entity and
edge projection rows they touch, the search index, and the graph version
counter that tells readers in other processes to refresh. Re-writing a batch
changes nothing. The loops here run once per statement on the bulk path, so
they avoid per-row allocations and look type facts up once per batch.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from intelgraph.errors import InvalidInput
from intelgraph.model import Labels, Record, Statement, from_us, statement_id, to_us, utcnow
from intelgraph.store.dialects import Dialect
from intelgraph.store.engine import raw_cursor
from intelgraph.store.labelsets import LabelRegistry
from intelgraph.store.projection import (
    EntityRow,
    caption_of,
    edge_endpoints,
    pick_schema,
    schema_info,
    search_text,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from intelgraph.ontology import Ontology

STATEMENT_COLUMNS = (
    "nid",
    "id",
    "entity_id",
    "schema",
    "prop",
    "value",
    "source_id",
    "record_id",
    "run_id",
    "labelset_id",
    "first_seen_us",
    "last_seen_us",
)
ENTITY_COLUMNS = (
    "row_id",
    "nid",
    "labelset_id",
    "schema",
    "caption",
    "properties",
    "is_edge",
    "first_seen_us",
    "last_seen_us",
)
RECORD_COLUMNS = (
    "id",
    "source_id",
    "run_id",
    "uri",
    "location",
    "media_type",
    "content",
    "labelset_id",
    "created_us",
)
_NODE_CACHE_LIMIT = 2_000_000  # ids per generation (two are kept)
MAX_ID = 64  # entity, source, record and run ids, property names (both backends enforce it)
MAX_VALUE = 65_536
_INVALID_HINT = "nothing from this batch was written; fix the input and write it again"


@dataclass(slots=True)
class WrittenIds:
    """The record and statement ids a write computed (distinct), for the batch's ledger
    leaf: asking the records and statements again would hash them all a second time."""

    records: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    # Entity ids whose projection rows were created or changed (the change feed's).
    entities_created: list[str] = field(default_factory=list)
    entities_updated: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a batch changed; all zeros when the batch was already stored."""

    statements_new: int = 0
    statements_updated: int = 0
    records_new: int = 0
    entities_new: int = 0
    entities_updated: int = 0
    edges_new: int = 0
    # Entity and edge rows created and updated, per type: (created, updated).
    by_schema: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.statements_new,
                self.statements_updated,
                self.records_new,
                self.entities_new,
                self.entities_updated,
                self.edges_new,
            )
        )

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            self.statements_new + other.statements_new,
            self.statements_updated + other.statements_updated,
            self.records_new + other.records_new,
            self.entities_new + other.entities_new,
            self.entities_updated + other.entities_updated,
            self.edges_new + other.edges_new,
            _merge_counts(self.by_schema, other.by_schema),
        )


def _merge_counts(
    left: Mapping[str, tuple[int, int]], right: Mapping[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    merged = dict(left)
    for schema, (created, updated) in right.items():
        before = merged.get(schema, (0, 0))
        merged[schema] = (before[0] + created, before[1] + updated)
    return merged


def statement_problem(s: Any) -> str | None:
    """What is wrong with one statement, or None: the single definition of a valid one
    (the writer checks every batch; ingest checks record by record, to dead-letter one
    record instead of refusing its batch)."""
    if type(s) is not Statement:
        return f"expected a Statement, got {type(s).__name__}"
    entity_id, _, prop, value, source_id, record_id, labels, seen, until, run = s
    if type(labels) is not Labels:
        return "its labels are missing"
    if not (
        type(entity_id) is str
        and type(prop) is str
        and type(value) is str
        and type(source_id) is str
        and type(record_id) is str
        and entity_id
        and prop
        and value
        and source_id
        and record_id
    ):
        return "entity id, property, value, source id and record id must be non-empty text"
    if run is not None and type(run) is not str:
        return "run_id must be text"
    if "\x00" in entity_id + prop + value + source_id + record_id + (run or ""):
        return "text must not contain NUL characters"
    if max(len(entity_id), len(prop), len(source_id), len(record_id), len(run or "")) > MAX_ID:
        return f"ids and property names are at most {MAX_ID} characters"
    if len(value) > MAX_VALUE:
        return f"values are at most {MAX_VALUE} characters; store long text as a document record"
    if not isinstance(seen, datetime) or not (until is None or isinstance(until, datetime)):
        return "first_seen must be a datetime, and last_seen a datetime or None"
    return None


class NodeIds:
    """Entity id → integer node id; the mapping never changes once made.

    The cache keeps the ids worth keeping, edge endpoints (the same nodes are
    referenced again and again), and drops its oldest half when full, so memory
    stays bounded on loads of any size.
    """

    def __init__(self, limit: int = _NODE_CACHE_LIMIT) -> None:
        self._cache: dict[str, int] = {}
        self._old: dict[str, int] = {}
        self._limit = limit

    def resolve(
        self, dialect: Dialect, cursor: Any, ids: Iterable[str], *, remember: bool = True
    ) -> dict[str, int]:
        cache, old = self._cache, self._old
        found: dict[str, int] = {}
        missing: list[str] = []
        for entity_id in set(ids):
            nid = cache.get(entity_id)
            if nid is None:
                nid = old.get(entity_id)
                if nid is None:
                    missing.append(entity_id)
                    continue
                if remember:
                    cache[entity_id] = nid
            found[entity_id] = nid
        if missing:
            for nid, entity_id in dialect.select_in(
                cursor, dialect.sql("SELECT nid, id FROM nodes WHERE id"), missing
            ):
                found[entity_id] = nid
            fresh = sorted(i for i in missing if i not in found)
            if fresh:
                new_ids = dialect.allocate_ids(cursor, "nodes", "nid", len(fresh))
                dialect.bulk_insert(
                    cursor, "nodes", ("nid", "id"), list(zip(new_ids, fresh, strict=True))
                )
                found.update(zip(fresh, new_ids, strict=True))
            if remember:
                cache.update((i, found[i]) for i in missing)
        if len(cache) > self._limit:
            self._old, self._cache = cache, {}
        return found

    def forget(self) -> None:
        """Drop cached ids (after a rolled-back transaction)."""
        self._cache.clear()
        self._old.clear()


class BatchWriter:
    """Writes statement batches; one instance per store, used by one writer at a time."""

    def __init__(self, ontology: Ontology, dialect: Dialect, labels: LabelRegistry) -> None:
        self.ontology = ontology
        self.dialect = dialect
        self.labels = labels
        self.nodes = NodeIds()
        # Node ids that had any projection row before the current write (writes hold
        # the store's write lock, so one set serves them all).
        self._seen_nids: set[int] = set()

    def write(
        self,
        connection: Connection,
        statements: Sequence[Statement],
        records: Sequence[Record] = (),
        *,
        checked: bool = False,
        ids: WrittenIds | None = None,
    ) -> WriteResult:
        """``checked``: every statement already passed ``statement_problem`` (ingest does it
        per record, to dead-letter one record instead of refusing the batch). ``ids`` is
        filled with the distinct record and statement ids of the batch."""
        self._check_records(records)
        lists, label_ids = self._statement_rows(connection, statements, checked=checked)
        label_ids.update(self.labels.intern_many(connection, [r.labels for r in records]))
        cursor = raw_cursor(connection)
        unique = {r.id: r for r in records}
        if ids is not None:
            ids.records, ids.statements = list(unique), [row[0] for row in lists]
        records_new = self._write_records(cursor, unique, label_ids)
        nids = self.nodes.resolve(self.dialect, cursor, {row[1] for row in lists}, remember=False)
        rows = [(nids[row[1]], *row) for row in lists]
        new_rows, widened = self._split_known(cursor, rows)
        self.dialect.bulk_insert(cursor, "statements", STATEMENT_COLUMNS, new_rows)
        if widened:
            cursor.executemany(
                self.dialect.sql(
                    "UPDATE statements SET first_seen_us = ?, last_seen_us = ? "
                    "WHERE nid = ? AND id = ?"
                ),
                [(row[10], row[11], row[0], row[1]) for row in widened],
            )
        entities_new, entities_updated, edges_new, by_schema = self._project(
            cursor, new_rows, self._not_retracted(cursor, widened), ids
        )
        result = WriteResult(
            statements_new=len(new_rows),
            statements_updated=len(widened),
            records_new=records_new,
            entities_new=entities_new,
            entities_updated=entities_updated,
            edges_new=edges_new,
            by_schema=by_schema,
        )
        if result.changed:
            self.bump_graph_version(cursor)
        return result

    def bump_graph_version(self, cursor: Any) -> None:
        """Tell every process's readers (label sets, graph projection) to refresh."""
        cursor.execute(
            self.dialect.sql(
                "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                "WHERE key = 'graph_version'"
            )
        )

    def _statement_rows(
        self, connection: Connection, statements: Sequence[Statement], *, checked: bool = False
    ) -> tuple[list[list[Any]], dict[Labels, int]]:
        """Validated rows keyed by statement id; duplicates in a batch merge their seen
        windows. Raises before anything but new label sets is written (and those are
        rolled back with the transaction)."""
        micros: dict[datetime, int] = {}
        known_schemata: set[str] = set()
        label_ids: dict[Labels, int] = {}
        by_id: dict[str, list[Any]] = {}
        for position, s in enumerate(statements):
            problem = None if checked else statement_problem(s)
            if problem is not None:
                raise InvalidInput(
                    f"statement {position} of the batch is invalid: {problem}", hint=_INVALID_HINT
                )
            entity_id, schema, prop, value, source_id, record_id, labels, seen, until, run = s
            if schema not in known_schemata:
                self.ontology.get(schema)  # unknown schema: OntologyError, nothing written
                known_schemata.add(schema)
            first, last = self._micros(micros, seen), self._micros(micros, until or seen)
            last = max(last, first)
            label_id = label_ids.get(labels)
            if label_id is None:
                label_id = label_ids[labels] = self.labels.intern(connection, labels)
            sid = statement_id(entity_id, prop, value, source_id, record_id, labels)
            row = by_id.get(sid)
            if row is None:
                by_id[sid] = [
                    sid, entity_id, schema, prop, value, source_id, record_id, run, label_id,
                    first, last,
                ]  # fmt: skip
            else:
                row[9] = min(row[9], first)
                row[10] = max(row[10], last)
        return list(by_id.values()), label_ids

    @staticmethod
    def _micros(cache: dict[datetime, int], moment: datetime) -> int:
        """``to_us`` once per distinct time: a batch usually shares a handful."""
        value = cache.get(moment)
        if value is None:
            value = cache[moment] = to_us(moment)
        return value

    def _check_records(self, records: Sequence[Record]) -> None:
        for position, r in enumerate(records):
            if not isinstance(r, Record) or not isinstance(r.content, bytes):
                raise InvalidInput(
                    f"record {position} of the batch is invalid: content must be bytes",
                    hint=_INVALID_HINT,
                )

    def _write_records(
        self, cursor: Any, unique: dict[str, Record], label_ids: dict[Labels, int]
    ) -> int:
        """Insert the records (by id) not stored yet; returns how many were new."""
        if not unique:
            return 0
        known = {
            row[0]
            for row in self.dialect.select_in(
                cursor, self.dialect.sql("SELECT id FROM records WHERE id"), list(unique)
            )
        }
        now = to_us(utcnow())
        fresh = [
            (
                rid,
                r.source_id,
                r.run_id,
                r.uri,
                r.location,
                r.media_type,
                r.content,
                label_ids[r.labels],
                now,
            )
            for rid, r in unique.items()
            if rid not in known
        ]
        self.dialect.bulk_insert(cursor, "records", RECORD_COLUMNS, fresh)
        return len(fresh)

    def _split_known(
        self, cursor: Any, rows: list[tuple[Any, ...]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """New rows, and known rows whose seen window grows (with the merged window).

        Rows are ``(nid, id, entity_id, schema, prop, value, source_id, record_id,
        run_id, labelset_id, first_us, last_us)``; they are looked up by primary key.
        """
        known = {
            sid: (first, last)
            for sid, first, last in self.dialect.known_statements(
                cursor, sorted((row[0], row[1]) for row in rows)
            )
        }
        if not known:
            return rows, []
        new_rows: list[tuple[Any, ...]] = []
        widened: list[tuple[Any, ...]] = []
        for row in rows:
            seen = known.get(row[1])
            if seen is None:
                new_rows.append(row)
            elif row[10] < seen[0] or row[11] > seen[1]:
                widened.append((*row[:10], min(row[10], seen[0]), max(row[11], seen[1])))
        return new_rows, widened

    def _not_retracted(self, cursor: Any, widened: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Known statements seen again, less the retracted ones: a retraction wins over
        any later re-ingest of the same statement (its seen window still grows, but it
        never comes back into the projection). A new statement cannot be retracted yet,
        so only this (usually empty) list is looked up."""
        if not widened:
            return widened
        retracted = {
            row[0]
            for row in self.dialect.select_in(
                cursor,
                self.dialect.sql("SELECT statement_id FROM retractions WHERE statement_id"),
                [row[1] for row in widened],
            )
        }
        return [row for row in widened if row[1] not in retracted] if retracted else widened

    def _project(
        self,
        cursor: Any,
        new_rows: list[tuple[Any, ...]],
        widened: list[tuple[Any, ...]],
        ids: WrittenIds | None = None,
    ) -> tuple[int, int, int, dict[str, tuple[int, int]]]:
        """Fold new and widened statements into entity/edge rows; returns counts."""
        if not new_rows and not widened:
            return 0, 0, 0, {}
        touched = new_rows + widened if widened else new_rows
        self._seen_nids.clear()  # nids with any projection row before this write
        existing = self._load_entities(cursor, {(row[0], row[9]) for row in touched})
        fresh: dict[tuple[int, int], EntityRow] = {}
        for nid, _, _, schema, prop, value, _, _, _, label_id, first, last in touched:
            key = (nid, label_id)
            entity = fresh.get(key)
            if entity is None:
                entity = existing.get(key)
                if entity is None:
                    entity = fresh[key] = EntityRow(
                        nid=nid, labelset_id=label_id, schema=schema, first_seen_us=first
                    )
                else:
                    self._retype(entity, schema)
            elif entity.schema != schema:
                self._retype(entity, schema)
            entity.add(prop, value)
            entity.widen(first, last)
        updated = [entity for entity in existing.values() if entity.changed]
        created = list(fresh.values())
        self._insert_entities(cursor, created)
        self._update_entities(cursor, updated)
        edges_new = self._insert_edges(cursor, created, updated)
        if ids is not None:
            # An entity is "created" when it had no row under any label set before; a
            # new label set's row for a known entity is an update of that entity.
            names = {row[0]: row[2] for row in touched}
            seen = self._seen_nids
            made_ids = dict.fromkeys(names[e.nid] for e in created if e.nid not in seen)
            ids.entities_created = list(made_ids)
            ids.entities_updated = [
                i
                for i in dict.fromkeys(names[e.nid] for e in (*created, *updated))
                if i not in made_ids
            ]
        made = Counter(e.schema for e in created)
        grown = Counter(e.schema for e in updated)
        by_schema = {name: (made[name], grown[name]) for name in made.keys() | grown.keys()}
        return len(created), len(updated), edges_new, by_schema

    def _retype(self, entity: EntityRow, schema: str) -> None:
        picked = pick_schema(self.ontology, entity.schema, schema)
        if picked != entity.schema:
            entity.schema = picked
            entity.changed = True

    def _load_entities(
        self, cursor: Any, keys: set[tuple[int, int]]
    ) -> dict[tuple[int, int], EntityRow]:
        found: dict[tuple[int, int], EntityRow] = {}
        rows = self.dialect.select_in(
            cursor,
            self.dialect.sql(
                "SELECT row_id, nid, labelset_id, schema, properties, first_seen_us, "
                "last_seen_us FROM entities WHERE nid"
            ),
            sorted({nid for nid, _ in keys}),
        )
        for row_id, nid, labelset_id, schema, props, first, last in rows:
            self._seen_nids.add(nid)
            if (nid, labelset_id) in keys:
                found[(nid, labelset_id)] = EntityRow(
                    nid, labelset_id, schema, json.loads(props), first, last, row_id
                )
        return found

    def _entity_tuple(self, entity: EntityRow) -> tuple[Any, ...]:
        entity.finish()
        return (
            entity.row_id,
            entity.nid,
            entity.labelset_id,
            entity.schema,
            caption_of(self.ontology, entity.schema, entity.properties),
            entity.properties_json(),
            schema_info(self.ontology, entity.schema).is_edge,
            entity.first_seen_us,
            entity.last_seen_us,
        )

    def _insert_entities(self, cursor: Any, rows: list[EntityRow]) -> None:
        if not rows:
            return
        row_ids = self.dialect.allocate_ids(cursor, "entities", "row_id", len(rows))
        for entity, row_id in zip(rows, row_ids, strict=True):
            entity.row_id = row_id
        self.dialect.bulk_insert(
            cursor, "entities", ENTITY_COLUMNS, [self._entity_tuple(e) for e in rows]
        )
        self.dialect.write_search(cursor, self._search_rows(rows, keep_empty=False), replace=False)

    def _update_entities(self, cursor: Any, rows: list[EntityRow]) -> None:
        if not rows:
            return
        cursor.executemany(
            self.dialect.sql(
                "UPDATE entities SET schema = ?, caption = ?, properties = ?, is_edge = ?, "
                "first_seen_us = ?, last_seen_us = ? WHERE row_id = ?"
            ),
            [(t[3], t[4], t[5], t[6], t[7], t[8], t[0]) for t in map(self._entity_tuple, rows)],
        )
        self.dialect.write_search(cursor, self._search_rows(rows, keep_empty=True), replace=True)

    def _search_rows(self, rows: list[EntityRow], *, keep_empty: bool) -> list[tuple[int, str]]:
        """(row id, folded text) to index; rows with no text (most edges) are skipped on
        insert, but kept on update so that a stale index entry is replaced."""
        ontology = self.ontology
        out = []
        for entity in rows:
            if entity.row_id is None:
                continue
            body = search_text(ontology, entity.schema, entity.properties)
            if body or keep_empty:
                out.append((entity.row_id, body))
        return out

    def _insert_edges(self, cursor: Any, created: list[EntityRow], updated: list[EntityRow]) -> int:
        """Edge rows for edge entities whose endpoints are now both known.

        A freshly created entity row cannot have an edge row yet, so only updated
        rows are checked against the table.
        """
        candidates: dict[tuple[int, int], tuple[str, str, str]] = {}
        for group in (created, updated):
            for entity in group:
                if schema_info(self.ontology, entity.schema).is_edge:
                    ends = edge_endpoints(self.ontology, entity.schema, entity.properties)
                    if ends is not None:
                        candidates[(entity.nid, entity.labelset_id)] = (entity.schema, *ends)
        if updated and candidates:
            for key in self.dialect.select_in(
                cursor,
                self.dialect.sql("SELECT nid, labelset_id FROM edges WHERE nid"),
                sorted({entity.nid for entity in updated}),
            ):
                candidates.pop((key[0], key[1]), None)
        if not candidates:
            return 0
        endpoint_ids = self.nodes.resolve(
            self.dialect, cursor, {end for _, src, dst in candidates.values() for end in (src, dst)}
        )
        row_ids = self.dialect.allocate_ids(cursor, "edges", "row_id", len(candidates))
        edge_rows = [
            (row_id, nid, labelset_id, schema, endpoint_ids[src], endpoint_ids[dst])
            for row_id, ((nid, labelset_id), (schema, src, dst)) in zip(
                row_ids, candidates.items(), strict=True
            )
        ]
        self.dialect.bulk_insert(
            cursor, "edges", ("row_id", "nid", "labelset_id", "schema", "src", "dst"), edge_rows
        )
        return len(edge_rows)


__all__ = [
    "MAX_ID",
    "MAX_VALUE",
    "BatchWriter",
    "WriteResult",
    "from_us",
    "statement_problem",
    "to_us",
]
