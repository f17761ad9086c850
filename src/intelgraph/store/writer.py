"""The write path: idempotent batch upsert of statements and their projection.

One call writes one batch in one transaction: records, statements (new ones
inserted, known ones only widen their first/last-seen window), the entity and
edge projection rows they touch, the search index, and the graph version
counter that tells readers in other processes to refresh. Re-writing a batch
changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from intelgraph.errors import InvalidInput
from intelgraph.model import Labels, Record, Statement, utcnow
from intelgraph.store.dialects import Dialect
from intelgraph.store.labelsets import LabelRegistry
from intelgraph.store.projection import (
    EntityRow,
    caption_of,
    edge_endpoints,
    pick_schema,
    search_text,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from intelgraph.ontology import Ontology

STATEMENT_COLUMNS = (
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


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """Exact microseconds since the epoch; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a batch changed; all zeros when the batch was already stored."""

    statements_new: int = 0
    statements_updated: int = 0
    records_new: int = 0
    entities_new: int = 0
    entities_updated: int = 0
    edges_new: int = 0

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
        )


def _check_input(statements: Sequence[Statement], records: Sequence[Record]) -> None:
    """Reject malformed input before the transaction touches anything."""
    for position, s in enumerate(statements):
        problem = None
        if not isinstance(s, Statement):
            problem = f"expected a Statement, got {type(s).__name__}"
        elif not isinstance(s.labels, Labels):
            problem = "its labels are missing"
        elif not all(isinstance(v, str) and v for v in (s.entity_id, s.prop, s.source_id)):
            problem = "entity id, property and source id must be non-empty text"
        elif not isinstance(s.value, str) or not s.value:
            problem = "its value must be non-empty text"
        elif not isinstance(s.record_id, str) or not s.record_id:
            problem = "it does not name the record it came from"
        if problem:
            raise InvalidInput(
                f"statement {position} of the batch is invalid: {problem}",
                hint="nothing from this batch was written; fix the input and write it again",
            )
    for position, r in enumerate(records):
        if not isinstance(r, Record) or not isinstance(r.content, bytes):
            raise InvalidInput(
                f"record {position} of the batch is invalid: content must be bytes",
                hint="nothing from this batch was written",
            )


class NodeIds:
    """Entity id → integer node id; the mapping never changes once made."""

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def resolve(self, dialect: Dialect, cursor: Any, ids: Iterable[str]) -> dict[str, int]:
        wanted = set(ids)
        missing = [i for i in wanted if i not in self._cache]
        if missing:
            for nid, entity_id in dialect.select_in(
                cursor, dialect.sql("SELECT nid, id FROM nodes WHERE id"), missing
            ):
                self._cache[entity_id] = nid
            fresh = sorted(i for i in missing if i not in self._cache)
            if fresh:
                new_ids = dialect.allocate_ids(cursor, "nodes", "nid", len(fresh))
                dialect.bulk_insert(
                    cursor, "nodes", ("nid", "id"), list(zip(new_ids, fresh, strict=True))
                )
                self._cache.update(zip(fresh, new_ids, strict=True))
        return {i: self._cache[i] for i in wanted}

    def forget(self) -> None:
        """Drop cached ids (after a rolled-back transaction)."""
        self._cache.clear()


class BatchWriter:
    """Writes statement batches; one instance per store, used by one writer at a time."""

    def __init__(self, ontology: Ontology, dialect: Dialect, labels: LabelRegistry) -> None:
        self.ontology = ontology
        self.dialect = dialect
        self.labels = labels
        self.nodes = NodeIds()

    def write(
        self,
        connection: Connection,
        statements: Sequence[Statement],
        records: Sequence[Record] = (),
    ) -> WriteResult:
        _check_input(statements, records)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        label_ids = self.labels.intern_many(
            connection, [s.labels for s in statements] + [r.labels for r in records]
        )
        records_new = self._write_records(cursor, records, label_ids)
        rows = self._statement_rows(statements, label_ids)
        new_rows, widened = self._split_known(cursor, rows)
        self.dialect.bulk_insert(cursor, "statements", STATEMENT_COLUMNS, new_rows)
        if widened:
            cursor.executemany(
                self.dialect.sql(
                    "UPDATE statements SET first_seen_us = ?, last_seen_us = ? WHERE id = ?"
                ),
                [(row[9], row[10], row[0]) for row in widened],
            )
        entities_new, entities_updated, edges_new = self._project(cursor, new_rows, widened)
        result = WriteResult(
            statements_new=len(new_rows),
            statements_updated=len(widened),
            records_new=records_new,
            entities_new=entities_new,
            entities_updated=entities_updated,
            edges_new=edges_new,
        )
        if result.changed:
            cursor.execute(
                self.dialect.sql(
                    "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                    "WHERE key = 'graph_version'"
                )
            )
        return result

    def _write_records(
        self, cursor: Any, records: Sequence[Record], label_ids: dict[Labels, int]
    ) -> int:
        if not records:
            return 0
        unique = {r.id: r for r in records}
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
        self.dialect.bulk_insert(
            cursor,
            "records",
            (
                "id",
                "source_id",
                "run_id",
                "uri",
                "location",
                "media_type",
                "content",
                "labelset_id",
                "created_us",
            ),
            fresh,
        )
        return len(fresh)

    def _statement_rows(
        self, statements: Sequence[Statement], label_ids: dict[Labels, int]
    ) -> list[tuple[Any, ...]]:
        """Rows keyed by statement id; duplicates in a batch merge their windows."""
        by_id: dict[str, list[Any]] = {}
        for s in statements:
            self.ontology.get(s.schema)  # unknown schema: OntologyError before any write
            first, last = to_us(s.first_seen), to_us(s.seen_until)
            sid = s.id
            row = by_id.get(sid)
            if row is None:
                by_id[sid] = [
                    sid,
                    s.entity_id,
                    s.schema,
                    s.prop,
                    s.value,
                    s.source_id,
                    s.record_id,
                    s.run_id,
                    label_ids[s.labels],
                    first,
                    max(first, last),
                ]
            else:
                row[9] = min(row[9], first)
                row[10] = max(row[10], last)
        return [tuple(row) for row in by_id.values()]

    def _split_known(
        self, cursor: Any, rows: list[tuple[Any, ...]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """New rows, and known rows whose seen window grows (with the merged window)."""
        known = {
            sid: (first, last)
            for sid, first, last in self.dialect.select_in(
                cursor,
                self.dialect.sql("SELECT id, first_seen_us, last_seen_us FROM statements WHERE id"),
                [row[0] for row in rows],
            )
        }
        new_rows: list[tuple[Any, ...]] = []
        widened: list[tuple[Any, ...]] = []
        for row in rows:
            seen = known.get(row[0])
            if seen is None:
                new_rows.append(row)
            elif row[9] < seen[0] or row[10] > seen[1]:
                merged = list(row)
                merged[9], merged[10] = min(row[9], seen[0]), max(row[10], seen[1])
                widened.append(tuple(merged))
        return new_rows, widened

    def _project(
        self, cursor: Any, new_rows: list[tuple[Any, ...]], widened: list[tuple[Any, ...]]
    ) -> tuple[int, int, int]:
        """Fold new and widened statements into entity/edge rows; returns counts."""
        if not new_rows and not widened:
            return 0, 0, 0
        touched = new_rows + widened
        nids = self.nodes.resolve(self.dialect, cursor, {row[1] for row in touched})
        existing = self._load_entities(cursor, {(nids[row[1]], row[8]) for row in touched})
        fresh: dict[tuple[int, int], EntityRow] = {}
        changed: set[tuple[int, int]] = set()
        for row in touched:
            key = (nids[row[1]], row[8])
            entity = existing.get(key) or fresh.get(key)
            if entity is None:
                entity = fresh[key] = EntityRow(nid=key[0], labelset_id=key[1], schema=row[2])
            else:
                entity.schema = pick_schema(self.ontology, entity.schema, row[2])
                changed.add(key)
            entity.add(row[3], row[4])
            entity.widen(row[9], row[10])
        updated = [existing[key] for key in changed if key in existing]
        self._insert_entities(cursor, list(fresh.values()))
        self._update_entities(cursor, updated)
        edges_new = self._insert_edges(cursor, list(fresh.values()) + updated)
        return len(fresh), len(updated), edges_new

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
            if (nid, labelset_id) in keys:
                found[(nid, labelset_id)] = EntityRow(
                    nid, labelset_id, schema, json.loads(props), first, last, row_id
                )
        return found

    def _entity_tuple(self, entity: EntityRow) -> tuple[Any, ...]:
        return (
            entity.row_id,
            entity.nid,
            entity.labelset_id,
            entity.schema,
            caption_of(self.ontology, entity.schema, entity.properties),
            entity.properties_json(),
            self.ontology.get(entity.schema).is_edge,
            entity.first_seen_us,
            entity.last_seen_us,
        )

    def _insert_entities(self, cursor: Any, rows: list[EntityRow]) -> None:
        if not rows:
            return
        for entity, row_id in zip(
            rows, self.dialect.allocate_ids(cursor, "entities", "row_id", len(rows)), strict=True
        ):
            entity.row_id = row_id
        self.dialect.bulk_insert(
            cursor, "entities", ENTITY_COLUMNS, [self._entity_tuple(e) for e in rows]
        )
        self.dialect.write_search(cursor, self._search_rows(rows), replace=False)

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
        self.dialect.write_search(cursor, self._search_rows(rows), replace=True)

    def _search_rows(self, rows: list[EntityRow]) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for entity in rows:
            assert entity.row_id is not None  # set on insert or load
            out.append(
                (entity.row_id, search_text(self.ontology, entity.schema, entity.properties))
            )
        return out

    def _insert_edges(self, cursor: Any, rows: list[EntityRow]) -> int:
        candidates: dict[tuple[int, int], tuple[str, str, str]] = {}
        for entity in rows:
            ends = edge_endpoints(self.ontology, entity.schema, entity.properties)
            if ends is not None:
                candidates[(entity.nid, entity.labelset_id)] = (entity.schema, *ends)
        if not candidates:
            return 0
        present = {
            (nid, labelset_id)
            for nid, labelset_id in self.dialect.select_in(
                cursor,
                self.dialect.sql("SELECT nid, labelset_id FROM edges WHERE nid"),
                sorted({nid for nid, _ in candidates}),
            )
        }
        todo = {key: value for key, value in candidates.items() if key not in present}
        if not todo:
            return 0
        endpoint_ids = self.nodes.resolve(
            self.dialect, cursor, {end for _, src, dst in todo.values() for end in (src, dst)}
        )
        row_ids = self.dialect.allocate_ids(cursor, "edges", "row_id", len(todo))
        edge_rows = [
            (row_id, nid, labelset_id, schema, endpoint_ids[src], endpoint_ids[dst])
            for row_id, ((nid, labelset_id), (schema, src, dst)) in zip(
                row_ids, sorted(todo.items()), strict=True
            )
        ]
        self.dialect.bulk_insert(
            cursor, "edges", ("row_id", "nid", "labelset_id", "schema", "src", "dst"), edge_rows
        )
        return len(edge_rows)


__all__ = ["BatchWriter", "WriteResult", "from_us", "to_us"]
