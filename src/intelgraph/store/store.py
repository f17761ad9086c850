"""The store API: one interface over SQLite and PostgreSQL.

Every read takes a :class:`~intelgraph.model.ViewerScope` and is restricted in
SQL (or in the adjacency masks) to the label sets that scope may see; every
write is one transaction. Driver errors are translated to :class:`StoreError`
here, at the boundary, so callers never see SQL or driver text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from intelgraph.errors import IntelGraphError, InvalidInput, NotFound, StoreError
from intelgraph.ledger.leaves import BatchLeaf, LedgerEntry
from intelgraph.model import (
    Decision,
    Entity,
    Judgement,
    Labels,
    LicenceClass,
    Record,
    RetentionTier,
    Source,
    Statement,
    StoredStatement,
    ViewerScope,
    utcnow,
)
from intelgraph.store import graph, migrate
from intelgraph.store.adjacency import AdjacencyIndex
from intelgraph.store.authorities import AuthorityLog
from intelgraph.store.changes import ChangeLog
from intelgraph.store.dialects import dialect_for
from intelgraph.store.engine import dialect_of, make_engine, raw_cursor
from intelgraph.store.facets import SearchFacets, search_facets
from intelgraph.store.identity import IdentityLog
from intelgraph.store.ingest_log import IngestLog
from intelgraph.store.labelsets import LabelRegistry, in_clause, row_visible
from intelgraph.store.ledger_evidence import EvidenceFinder
from intelgraph.store.ledger_log import LedgerLog
from intelgraph.store.projection import pick_schema
from intelgraph.store.property_filter import resolve as resolve_properties
from intelgraph.store.reader import EntityReader, storable_ids
from intelgraph.store.results import (
    Direction,
    NeighborPage,
    Path,
    SearchHit,
    SearchPage,
    Subgraph,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from intelgraph.store.retractions import RetractionLog, not_retracted
from intelgraph.store.search import SearchFilter, search_ids
from intelgraph.store.workspace import Workspace
from intelgraph.store.writer import BatchWriter, WriteResult, WrittenIds, from_us, to_us

if TYPE_CHECKING:
    from intelgraph.ontology import Ontology


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Visible row counts, for summaries and health checks."""

    entities: int
    edges: int
    statements: int
    by_schema: dict[str, int]


class Store:
    """Statements, their projection and graph reads, on SQLite or PostgreSQL."""

    def __init__(
        self,
        url: str,
        ontology: Ontology,
        *,
        cache_mb: int = 256,
        check_schema: bool = True,
    ) -> None:
        self.url = url
        self.ontology = ontology
        self.dialect_name = dialect_of(url)
        self._dialect = dialect_for(self.dialect_name)
        with _translated("could not open the database"):
            create = not check_schema  # only the migrating opener may create a file
            self._engine = make_engine(url, cache_mb=cache_mb, create=create)
            self._writer_engine = (
                make_engine(url, cache_mb=cache_mb, writer=True, create=create)
                if self.dialect_name == "sqlite"
                else self._engine
            )
        self._labels = LabelRegistry()
        self._writer = BatchWriter(ontology, self._dialect, self._labels)
        self._reader = EntityReader(ontology, self._labels)
        self._graph = AdjacencyIndex()
        self._write_lock = threading.Lock()
        self._version = -1
        # id → node id of committed nodes, for graph reads (the mapping never changes).
        self._read_nids: dict[str, int] = {}
        self.ingest = IngestLog(self)
        self.ledger = LedgerLog(self)
        self.evidence = EvidenceFinder(self)
        self.identity = IdentityLog(self)
        self.authorities = AuthorityLog(self)
        self.changes = ChangeLog(self)
        self.retractions = RetractionLog(self)
        self.workspace = Workspace(self)
        if check_schema:
            self.check_schema()

    # -- lifecycle -------------------------------------------------------------

    def upgrade(self) -> tuple[str | None, str]:
        """Apply the shipped migrations (``intelgraph db upgrade``)."""
        with _translated("the database migration failed"):
            result = migrate.upgrade(self._writer_engine)
            with self._writer_engine.begin() as connection:
                for key in ("graph_version", "identity_version"):
                    connection.execute(
                        text(
                            "INSERT INTO meta (key, value) VALUES (:key, '0') "
                            "ON CONFLICT (key) DO NOTHING"
                        ),
                        {"key": key},
                    )
        return result

    def check_schema(self) -> None:
        with _translated("could not read the database schema version"):
            current = migrate.current_revision(self._engine)
        if current != migrate.head_revision():
            raise StoreError(
                f"the database schema is at revision {current or 'none'}, "
                f"this version needs {migrate.head_revision()}",
                hint="run `intelgraph db upgrade` (or `intelgraph init` for a new data directory)",
                code="schema_outdated",
            )

    def close(self) -> None:
        self._engine.dispose()
        if self._writer_engine is not self._engine:
            self._writer_engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writes ----------------------------------------------------------------

    def put_source(self, source: Source) -> str:
        """Create or update a source's metadata; returns its id."""
        with self._write() as connection:
            labelset_id = self._labels.intern(connection, source.labels)
            values = {
                "id": source.id,
                "tenant": source.labels.tenant,
                "name": source.name,
                "licence": str(source.licence),
                "retention": str(source.retention),
                "purposes": json.dumps(sorted(source.purposes)),
                "residency": source.residency,
                "labelset_id": labelset_id,
                "description": source.description,
                "created_us": to_us(utcnow()),
            }
            connection.execute(
                text(
                    "INSERT INTO sources (id, tenant, name, licence, retention, purposes, "
                    "residency, labelset_id, description, created_us) VALUES (:id, :tenant, "
                    ":name, :licence, :retention, :purposes, :residency, :labelset_id, "
                    ":description, :created_us) ON CONFLICT (id) DO UPDATE SET "
                    "licence = excluded.licence, retention = excluded.retention, "
                    "purposes = excluded.purposes, residency = excluded.residency, "
                    "labelset_id = excluded.labelset_id, description = excluded.description"
                ),
                values,
            )
        return source.id

    def write(
        self,
        statements: Sequence[Statement],
        records: Sequence[Record] = (),
        *,
        leaf: BatchLeaf | None = None,
    ) -> WriteResult:
        """Write one batch atomically; writing the same batch again changes nothing.

        With ``leaf`` the batch's ledger leaf (members: the ids the write computed) is
        appended in the same transaction when the batch stored anything new.
        """
        with self._write() as connection:
            ids = WrittenIds()
            result = self._writer.write(connection, statements, records, ids=ids)
            if leaf is not None and (result.statements_new or result.records_new):
                self.ledger.append_in(connection, [leaf.entry(ids.records, ids.statements)])
            changed = self.changes.record_written(connection, ids)
        if changed:
            self.changes.committed()
        return result

    def bulk_write(
        self,
        statements: Iterable[Statement],
        *,
        batch_size: int = 50_000,
        progress: Callable[[WriteResult], None] | None = None,
    ) -> WriteResult:
        """Write a long stream in batches, one transaction each."""
        if batch_size < 1:
            raise InvalidInput("batch_size must be at least 1")
        total = WriteResult()
        batch: list[Statement] = []
        for statement in statements:
            batch.append(statement)
            if len(batch) >= batch_size:
                total += self._flush(batch, progress)
                batch = []
        if batch:
            total += self._flush(batch, progress)
        return total

    def _flush(
        self, batch: list[Statement], progress: Callable[[WriteResult], None] | None
    ) -> WriteResult:
        result = self.write(batch)
        if progress is not None:
            progress(result)
        return result

    def put_judgement(
        self, judgement: Judgement, *, ledger_entry: LedgerEntry | None = None
    ) -> str:
        """Store a decision; with ``ledger_entry``, log it in the same transaction (once:
        storing the same decision again changes and logs nothing)."""
        with self._write() as connection:
            inserted = connection.execute(
                text(
                    "INSERT INTO judgements (id, tenant, left_id, right_id, decision, author, "
                    "reason, created_us) VALUES (:id, :tenant, :left, :right, :decision, "
                    ":author, :reason, :created) ON CONFLICT (id) DO NOTHING"
                ),
                {
                    "id": judgement.id,
                    "tenant": judgement.tenant,
                    "left": judgement.left_id,
                    "right": judgement.right_id,
                    "decision": str(judgement.decision),
                    "author": judgement.author,
                    "reason": judgement.reason,
                    "created": to_us(judgement.created_at),
                },
            ).rowcount
            if ledger_entry is not None and inserted:
                self.ledger.append_in(connection, [ledger_entry])
            merged = bool(inserted) and judgement.decision == Decision.SAME
            if merged:
                self.changes.record_in(
                    connection, "merged", updated=[judgement.left_id, judgement.right_id]
                )
        if merged:
            self.changes.committed()
        return judgement.id

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._write_lock, _translated("the write failed and was rolled back"):
            try:
                with self._writer_engine.begin() as connection:
                    yield connection
            except BaseException:
                self._writer.nodes.forget()
                self._labels.forget()
                self._version = -1
                raise

    # -- reads -----------------------------------------------------------------

    @contextmanager
    def _read(self, scope: ViewerScope) -> Iterator[tuple[Connection, frozenset[int]]]:
        with _translated("the read failed"), self._engine.connect() as connection:
            self._graph_version = self._sync(connection)
            yield connection, self._labels.visible_ids(scope)

    @contextmanager
    def _read_all(self) -> Iterator[Connection]:
        """A connection for bookkeeping reads that are not scoped to a viewer."""
        with _translated("the read failed"), self._engine.connect() as connection:
            yield connection

    def _sync(self, connection: Connection) -> int:
        """Refresh cached label sets when any process has written; returns the version."""
        return self._sync_epoch(connection)[0]

    def _sync_epoch(self, connection: Connection) -> tuple[int, int]:
        """As :meth:`_sync`, with ``graph_epoch`` (bumped when a retraction removed
        projection rows) for the graph index; one indexed read either way."""
        cursor = raw_cursor(connection)
        cursor.execute("SELECT key, value FROM meta WHERE key IN ('graph_version', 'graph_epoch')")
        found = {str(key): int(value) for key, value in cursor.fetchall()}
        version, epoch = found.get("graph_version", 0), found.get("graph_epoch", 0)
        if version != self._version:
            self._labels.refresh(connection)
            self._version = version
        return version, epoch

    def entity(self, scope: ViewerScope, entity_id: str, *, with_statements: bool = True) -> Entity:
        """One entity as the viewer may see it, with its statements and the records they
        cite; NotFound when it is absent or not visible (the two look the same)."""
        with self._read(scope) as (connection, visible):
            found = self._reader.entities(
                connection, visible, [entity_id], with_statements=with_statements
            )
            if entity_id not in found:
                raise _not_found(entity_id)
            entity = found[entity_id]
            if not with_statements:
                return entity
            records = self._reader.records(
                connection, visible, [s.record_id for s in entity.statements]
            )
        return replace(entity, records=records)

    def unscoped_entity(self, entity_id: str) -> Entity | None:
        """An entity under every label set it has. For policy simulation by an operator
        only (``intelgraph policy simulate``): never served to a viewer."""
        with _translated("the read failed"), self._engine.connect() as connection:
            self._sync(connection)
            every = self._labels.all_ids()
            found = self._reader.entities(connection, every, [entity_id])
        return found.get(entity_id)

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` exist under any labels. Bookkeeping for the audit of denied
        reads only: the answer must never reach a viewer."""
        wanted = storable_ids(list(dict.fromkeys(ids))[:10_000])
        if not wanted:
            return set()
        with self._read_all() as connection:
            rows = connection.execute(
                text(
                    "SELECT DISTINCT n.id FROM nodes n JOIN entities e ON e.nid = n.nid "
                    "WHERE n.id IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": wanted},
            ).all()
        return {row[0] for row in rows}

    def entities(
        self, scope: ViewerScope, ids: Sequence[str], *, with_statements: bool = False
    ) -> dict[str, Entity]:
        with self._read(scope) as (connection, visible):
            return self._reader.entities(
                connection, visible, list(ids), with_statements=with_statements
            )

    def statements(self, scope: ViewerScope, entity_id: str) -> list[StoredStatement]:
        """The statements about one entity that the viewer may see (none when hidden),
        retracted ones left out."""
        with self._read(scope) as (connection, visible):
            if not self._reader.entities(connection, visible, [entity_id]):
                return []
            return self._reader.statements(connection, visible, [entity_id])

    def records(self, scope: ViewerScope, record_ids: Sequence[str]) -> dict[str, Record]:
        """The visible records among ``record_ids``, by id (any number of ids)."""
        wanted = list(dict.fromkeys(record_ids))
        out: dict[str, Record] = {}
        with self._read(scope) as (connection, visible):
            for start in range(0, len(wanted), 5_000):
                out.update(self._reader.records(connection, visible, wanted[start : start + 5_000]))
        return out

    def record(self, scope: ViewerScope, record_id: str) -> Record:
        with self._read(scope) as (connection, visible):
            found = self._reader.records(connection, visible, [record_id])
        if record_id not in found:
            raise NotFound(f"record {record_id!r} not found")
        return found[record_id]

    def sources(self, scope: ViewerScope) -> list[Source]:
        with self._read(scope) as (connection, visible):
            rows = connection.execute(
                text(
                    "SELECT name, licence, retention, purposes, residency, labelset_id, "
                    f"description FROM sources WHERE {in_clause('labelset_id', visible)} "
                    "ORDER BY name"
                )
            ).all()
        return [_source_from_row(r, self._labels.get) for r in rows]

    def source(self, source_id: str) -> Source:
        """One source's metadata by id (bookkeeping: not scoped to a viewer)."""
        with self._read_all() as connection:
            self._sync(connection)
            row = connection.execute(
                text(
                    "SELECT name, licence, retention, purposes, residency, labelset_id, "
                    "description FROM sources WHERE id = :id"
                ),
                {"id": source_id},
            ).first()
        if row is None:
            raise NotFound(f"source {source_id!r} not found")
        return _source_from_row(row, self._labels.get)

    def judgements(self, scope: ViewerScope, entity_id: str) -> list[Judgement]:
        """Resolution decisions about an entity, only where the viewer may see both
        sides: a judgement must not reveal the id of an entity it may not see."""
        with self._read(scope) as (connection, visible):
            rows = connection.execute(
                text(
                    "SELECT left_id, right_id, decision, author, reason, tenant, created_us "
                    "FROM judgements WHERE tenant = :tenant AND (left_id = :id OR right_id = :id) "
                    "ORDER BY created_us"
                ),
                {"tenant": scope.tenant, "id": entity_id},
            ).all()
            ids = {entity_id} | {r[0] for r in rows} | {r[1] for r in rows}
            seen = set(self._reader.entities(connection, visible, sorted(ids)))
        return [
            Judgement(r[0], r[1], Decision(r[2]), r[3], r[4], r[5], from_us(r[6]))
            for r in rows
            if r[0] in seen and r[1] in seen
        ]

    def search(
        self,
        scope: ViewerScope,
        query: str,
        *,
        schemata: Sequence[str] | None = None,
        first: int = 20,
        after: str | None = None,
        where: SearchFilter | None = None,
    ) -> SearchPage:
        """Ranked full-text search over what the viewer may see, narrowed by ``where``;
        a query without words browses what ``where`` (or ``schemata``) keeps."""
        offset = _search_offset(after)
        expanded = self._expand_types(schemata)
        where = self._resolve_filter(schemata, where)
        with self._read(scope) as (connection, visible):
            visible = self._narrowed(visible, where)
            ranked, total, capped = search_ids(
                connection,
                self.dialect_name,
                visible,
                query,
                schemata=expanded,
                limit=first,
                offset=offset,
                where_filter=where,
            )
            entities = self._reader.entities(connection, visible, [i for i, _ in ranked])
        hits = [SearchHit(entities[i], score) for i, score in ranked if i in entities]
        end = offset + len(ranked)
        more = end < total or (capped and len(ranked) == first)
        return SearchPage(
            hits, total, encode_cursor("search", {"p": end}) if more else None, capped
        )

    def search_facets(
        self,
        scope: ViewerScope,
        query: str,
        *,
        schemata: Sequence[str] | None = None,
        where: SearchFilter | None = None,
    ) -> SearchFacets:
        """How the visible matches of a search spread over types, sources, levels and
        compartments (see :mod:`intelgraph.store.facets`)."""
        expanded = self._expand_types(schemata)
        where = self._resolve_filter(schemata, where)
        with self._read(scope) as (connection, visible):
            names = {
                row[0]: row[1]
                for row in connection.execute(
                    text(f"SELECT id, name FROM sources WHERE {in_clause('labelset_id', visible)}")
                )
            }
            ontology = self.ontology
            return search_facets(
                connection,
                self.dialect_name,
                self._narrowed(visible, where),
                query,
                schemata=expanded,
                where_filter=where,
                labels_of=self._labels.get,
                pick_schema=lambda current, other: pick_schema(ontology, current, other),
                type_label=lambda name: ontology.get(name).label,
                source_names=names,
                compartments_held=scope.compartments,
            )

    def _resolve_filter(
        self, schemata: Sequence[str] | None, where: SearchFilter | None
    ) -> SearchFilter | None:
        """``where`` with its property matches checked against the catalog."""
        if where is None or where.properties is None:
            return where
        return replace(
            where, properties=resolve_properties(self.ontology, schemata, where.properties)
        )

    def _narrowed(self, visible: frozenset[int], where: SearchFilter | None) -> frozenset[int]:
        if where is None or not where.narrows_labels:
            return visible
        return frozenset(i for i in visible if where.labels_match(self._labels.get(i)))

    def counts(self, scope: ViewerScope) -> StoreStats:
        with self._read(scope) as (connection, visible):
            by_schema = {
                row[0]: int(row[1])
                for row in connection.execute(
                    text(
                        "SELECT e.schema, COUNT(DISTINCT e.nid) FROM entities e "
                        f"WHERE {row_visible('e', visible)} GROUP BY e.schema"
                    )
                )
            }
            statements = connection.execute(
                text(
                    "SELECT COUNT(*) FROM statements st "
                    f"WHERE {in_clause('st.labelset_id', visible)} AND {not_retracted('st')} "
                    "AND EXISTS (SELECT 1 FROM "
                    f"entities e WHERE e.nid = st.nid AND {row_visible('e', visible)})"
                )
            ).scalar_one()
        edge_count = sum(n for s, n in by_schema.items() if self.ontology.get(s).is_edge)
        return StoreStats(
            entities=sum(by_schema.values()) - edge_count,
            edges=edge_count,
            statements=int(statements),
            by_schema=dict(sorted(by_schema.items())),
        )

    # -- graph reads -------------------------------------------------------------

    @contextmanager
    def _graph_read(
        self, scope: ViewerScope, ids: Sequence[str]
    ) -> Iterator[tuple[Connection, frozenset[int], dict[str, int | None]]]:
        """A connection, the viewer's label sets and the node ids of ``ids`` (None where
        unknown), with the adjacency projection brought up to date."""
        with (
            _translated("the read failed"),
            self._engine.connect() as connection,
            self._graph.reading(),
        ):
            self._graph.refresh(connection, *self._sync_epoch(connection))
            known = self._read_nids
            nids: dict[str, int | None] = {i: known.get(i) for i in ids}
            missing = storable_ids([i for i, nid in nids.items() if nid is None])
            if missing:
                rows = self._dialect.select_in(
                    raw_cursor(connection),
                    self._dialect.sql("SELECT id, nid FROM nodes WHERE id"),
                    missing,
                )
                if len(known) > _READ_NID_CACHE:
                    known.clear()
                for entity_id, nid in rows:
                    nids[entity_id] = known[entity_id] = int(nid)
            yield connection, self._labels.visible_ids(scope), nids

    def warm_graph(self) -> None:
        """Build the in-memory graph projection now (a server does it as it starts)
        rather than in the first graph read (tens of seconds at millions of edges)."""
        with self._graph_read(ViewerScope("-", 0), []):
            pass

    @property
    def graph_warm(self) -> bool:
        """The projection has been loaded at least once."""
        return self._graph.version >= 0

    def _nid(self, nids: dict[str, int | None], entity_id: str) -> int:
        nid = nids.get(entity_id)
        if nid is None:
            raise _not_found(entity_id)
        return nid

    def neighbors(
        self,
        scope: ViewerScope,
        entity_id: str,
        *,
        direction: Direction | str = Direction.BOTH,
        edge_types: Sequence[str] | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> NeighborPage:
        """Edges of an entity and the entities at their other ends, paged by cursor.

        The cursor names the last edge already shown (its public id), never an
        internal position, so it tells the viewer nothing it has not seen.
        """
        way = _direction(direction)
        types = self._expand_types(edge_types, edges_only=True)
        after = _neighbor_cursor(cursor)
        wanted = [entity_id] if after is None else [entity_id, after[0]]
        with self._graph_read(scope, wanted) as (connection, visible, nids):
            start = self._nid(nids, entity_id)
            after_key = None
            if after is not None:
                # The cursor's edge must be one this viewer can see, else it is refused
                # exactly like a made-up one.
                edge_nid = nids.get(after[0])
                if edge_nid is None or not self._reader.entities(connection, visible, [after[0]]):
                    raise invalid_cursor()
                after_key = edge_nid * 2 + (0 if after[1] else 1)
            try:
                items, more = graph.neighbors(
                    self._graph,
                    visible,
                    start,
                    direction=way,
                    edge_types=types,
                    limit=limit,
                    after=after_key,
                )
            except NotFound:
                raise _not_found(entity_id) from None
        next_cursor = None
        if more and items:
            last = items[-1]
            next_cursor = encode_cursor("nb", {"e": last.edge_id, "o": last.direction == "out"})
        return NeighborPage(items, next_cursor)

    def paths(
        self,
        scope: ViewerScope,
        source_id: str,
        target_id: str,
        *,
        max_hops: int = 3,
        limit: int = 10,
        edge_types: Sequence[str] | None = None,
        directed: bool = False,
    ) -> list[Path]:
        """Shortest paths (all of them, or the first ``limit``) of up to ``max_hops``."""
        types = self._expand_types(edge_types, edges_only=True)
        with self._graph_read(scope, [source_id, target_id]) as (_, visible, nids):
            start, goal = self._nid(nids, source_id), self._nid(nids, target_id)
            try:
                return graph.shortest_paths(
                    self._graph,
                    visible,
                    start,
                    goal,
                    max_hops=max_hops,
                    limit=limit,
                    edge_types=types,
                    directed=directed,
                )
            except NotFound as exc:
                raise _not_found((source_id, target_id)[exc.details["position"]]) from None

    def subgraph(
        self,
        scope: ViewerScope,
        ids: Sequence[str],
        *,
        hops: int = 1,
        edge_types: Sequence[str] | None = None,
        limit: int = 500,
    ) -> Subgraph:
        """Entities within ``hops`` of ``ids`` and the edges between them."""
        types = self._expand_types(edge_types, edges_only=True)
        with self._graph_read(scope, list(ids)) as (_, visible, nids):
            return graph.subgraph(
                self._graph, visible, nids, hops=hops, edge_types=types, limit=limit
            )

    def graph_stats(self) -> dict[str, Any]:
        """Size of the adjacency projection (loading it first if needed)."""
        with self._graph_read(ViewerScope.make(), []):
            pass
        return self._graph.stats()

    def _expand_types(
        self, names: Sequence[str] | None, *, edges_only: bool = False
    ) -> list[str] | None:
        """Type names plus their sub-types; unknown or wrong-kind names are an error."""
        if names is None:
            return None
        out: set[str] = set()
        for name in names:
            schema = self.ontology.get(name)
            if edges_only and not schema.is_edge:
                raise InvalidInput(
                    f"{name} is not an edge type", hint="pass relationship types such as Ownership"
                )
            out.update(s.name for s in self.ontology.schemata.values() if s.is_a(name))
        return sorted(out)

    def size_bytes(self) -> int:
        """Bytes the database occupies on disk (SQLite) or in the server (PostgreSQL)."""
        with _translated("the read failed"), self._engine.connect() as connection:
            if self.dialect_name == "sqlite":
                pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
                size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
                return int(pages) * int(size)
            return int(
                connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )


_READ_NID_CACHE = 200_000


def _source_from_row(row: Sequence[Any], labels_of: Callable[[int], Labels]) -> Source:
    return Source(
        name=row[0],
        licence=LicenceClass(row[1]),
        retention=RetentionTier(row[2]),
        purposes=frozenset(json.loads(row[3])),
        residency=row[4],
        labels=labels_of(row[5]),
        description=row[6],
    )


def _neighbor_cursor(cursor: str | None) -> tuple[str, bool] | None:
    """(last edge id shown, whether it was outgoing) from a neighbours cursor."""
    data = decode_cursor(cursor, "nb")
    if data is None:
        return None
    edge, outgoing = data.get("e"), data.get("o")
    if not isinstance(edge, str) or not isinstance(outgoing, bool):
        raise invalid_cursor()
    return edge, outgoing


def _search_offset(cursor: str | None) -> int:
    data = decode_cursor(cursor, "search")
    if data is None:
        return 0
    position = data.get("p")
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise invalid_cursor()
    return position


def _not_found(entity_id: str) -> NotFound:
    """The one error for an id that is absent or not visible: they must look the same."""
    return NotFound(f"entity {entity_id!r} not found", hint="check the id, or search for it")


def _direction(value: Direction | str) -> Direction:
    try:
        return Direction(value)
    except ValueError:
        raise InvalidInput(f"direction must be one of out, in, both; got {value!r}") from None


@contextmanager
def _translated(what: str) -> Iterator[None]:
    """Turn driver errors into StoreError without leaking SQL or paths."""
    try:
        yield
    except IntelGraphError:
        raise
    except DBAPIError as exc:
        raise StoreError(
            what,
            hint="check that the database is reachable and not full or locked; "
            "retry, and see the server log for details",
            details={"driver_error": type(exc.orig).__name__ if exc.orig else "unknown"},
        ) from exc
    except SQLAlchemyError as exc:
        raise StoreError(what, hint="see the server log for details") from exc
    except (sqlite3.Error, psycopg.Error) as exc:  # raised through raw driver cursors
        raise StoreError(
            what,
            hint="check that the database is reachable and not full or locked; "
            "retry, and see the server log for details",
            details={"driver_error": type(exc).__name__},
        ) from exc


def open_store(url: str, ontology: Ontology, **options: Any) -> Store:
    return Store(url, ontology, **options)


__all__ = ["Store", "StoreStats", "WriteResult", "open_store"]
