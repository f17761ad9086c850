"""``store.retractions``: an analyst withdraws a statement; nothing is deleted.

The statement stays in ``statements`` and in the ledger, so what was once said
can still be proven. The retraction is a new fact: a row here and a
``retraction`` ledger leaf, written in one transaction together with the
projection row(s) rebuilt from the statements that remain. Reads that list
statements for an entity leave retracted ones out with one primary-key probe
(:func:`not_retracted`); the projection never contains them, so entity, search
and graph reads need no extra work. A retraction is final: ingesting the same
statement again later does not bring it back (see ``BatchWriter._not_retracted``).

Who may retract what (one's own claims; an admin anything visible) is decided
by the caller; the store only insists that the viewer can see the statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from intelgraph.errors import Conflict, InvalidInput, NotFound
from intelgraph.ledger.leaves import LedgerEntry
from intelgraph.ledger.service import retraction_entry
from intelgraph.model import ViewerScope, from_us, to_us, utcnow
from intelgraph.store.engine import raw_cursor
from intelgraph.store.labelsets import in_clause
from intelgraph.store.projection import EntityRow, edge_endpoints, pick_schema

if TYPE_CHECKING:
    from intelgraph.store.store import Store
    from intelgraph.store.writer import BatchWriter

MAX_REASON = 10_000
_COLUMNS = "r.statement_id, r.entity_id, r.tenant, r.author, r.reason, r.created_us"


def not_retracted(alias: str) -> str:
    """SQL condition: the statement row ``alias`` has not been retracted (a PK probe)."""
    return f"NOT EXISTS (SELECT 1 FROM retractions r WHERE r.statement_id = {alias}.id)"


@dataclass(frozen=True, slots=True)
class Retraction:
    statement_id: str
    entity_id: str
    tenant: str
    author: str
    reason: str
    created_at: datetime


class RetractionLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def retract(
        self,
        scope: ViewerScope,
        statement_id: str,
        *,
        author: str,
        reason: str,
        at: datetime | None = None,
        ledger_entry_for: Callable[[Retraction], LedgerEntry] | None = None,
    ) -> Retraction:
        """Withdraw a statement ``scope`` can see (else NotFound, as for an absent one).

        One transaction: the retraction row, its ledger leaf (``ledger_entry_for``,
        by default :func:`~intelgraph.ledger.service.retraction_entry`), the entity's
        projection row for the statement's label set rebuilt from what remains (or
        removed with its edge and search rows when nothing does), and the graph
        version bump that tells every process's readers to refresh.
        """
        author, reason = author.strip(), reason.strip()
        if not author:
            raise InvalidInput("a retraction needs its author")
        if not reason:
            raise InvalidInput(
                "a retraction needs a reason", hint="say why the statement is withdrawn"
            )
        if len(reason) > MAX_REASON:
            raise InvalidInput(f"the reason is longer than {MAX_REASON} characters")
        store = self._store
        wanted = statement_id.strip().lower()
        with store._read(scope) as (connection, visible):
            found = store._reader.statements_by_id(connection, visible, [wanted])
            earlier = _select(connection, "r.statement_id = :id", {"id": wanted})
        if not found:
            raise NotFound(
                f"statement {statement_id!r} not found",
                hint="`intelgraph show ENTITY --json` lists the ids of its statements",
            )
        if earlier:
            raise _already(earlier[0])
        statement = found[0]
        retraction = Retraction(
            statement_id=statement.id,
            entity_id=statement.entity_id,
            tenant=statement.labels.tenant,
            author=author,
            reason=reason,
            created_at=from_us(to_us(at or utcnow())),  # as stored: exact microseconds
        )
        leaf = (ledger_entry_for or retraction_entry)(retraction)
        with store._write() as connection:
            cursor = raw_cursor(connection)
            dialect = store._dialect
            cursor.execute(
                dialect.sql("SELECT nid, labelset_id FROM statements WHERE id = ?"),
                (statement.id,),
            )
            nid, labelset_id = cursor.fetchone()
            inserted = connection.execute(
                text(
                    "INSERT INTO retractions (statement_id, entity_id, nid, tenant, author, "
                    "reason, created_us) VALUES (:id, :entity, :nid, :tenant, :author, :reason, "
                    ":at) ON CONFLICT (statement_id) DO NOTHING"
                ),
                {
                    "id": retraction.statement_id,
                    "entity": retraction.entity_id,
                    "nid": nid,
                    "tenant": retraction.tenant,
                    "author": retraction.author,
                    "reason": retraction.reason,
                    "at": to_us(retraction.created_at),
                },
            ).rowcount
            if not inserted:  # another writer got there first
                raise _already(_select(connection, "r.statement_id = :id", {"id": statement.id})[0])
            store.ledger.append_in(connection, [leaf])
            removed = reproject(store._writer, cursor, nid, labelset_id)
            store._writer.bump_graph_version(cursor)
            if removed:
                cursor.execute(
                    "INSERT INTO meta (key, value) VALUES ('graph_epoch', '1') "
                    "ON CONFLICT (key) DO UPDATE SET "
                    "value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
                )
            store.changes.record_in(connection, "retracted", updated=[retraction.entity_id])
        store.changes.committed()
        return retraction

    def retraction(self, statement_id: str) -> Retraction | None:
        """The retraction of one statement id, if any. Bookkeeping, not scoped to a
        viewer: a caller that shows it must have checked the statement is visible."""
        with self._store._read_all() as connection:
            found = _select(connection, "r.statement_id = :id", {"id": statement_id})
        return found[0] if found else None

    def for_entity(self, scope: ViewerScope, entity_id: str) -> list[Retraction]:
        """Retractions of the entity's statements that ``scope`` can see, oldest first."""
        with self._store._read(scope) as (connection, visible):
            if not visible:
                return []
            return _select(
                connection,
                "r.entity_id = :id AND EXISTS (SELECT 1 FROM statements st WHERE "
                f"st.nid = r.nid AND st.id = r.statement_id AND "
                f"{in_clause('st.labelset_id', visible)})",
                {"id": entity_id},
            )


def reproject(writer: BatchWriter, cursor: Any, nid: int, labelset_id: int) -> bool:
    """Rebuild the projection row ``(nid, labelset_id)`` from its remaining statements.

    Properties, caption, seen window, schema and search text are recomputed; with
    no statement left the entity row goes, with its search and edge rows. Returns
    True when an entity or edge row was removed or replaced, which the incremental
    graph index cannot follow (the caller bumps ``graph_epoch``).
    """
    dialect, ontology = writer.dialect, writer.ontology
    cursor.execute(
        dialect.sql(
            "SELECT st.schema, st.prop, st.value, st.first_seen_us, st.last_seen_us "
            f"FROM statements st WHERE st.nid = ? AND st.labelset_id = ? AND {not_retracted('st')}"
        ),
        (nid, labelset_id),
    )
    remaining = cursor.fetchall()
    key = (nid, labelset_id)
    cursor.execute(
        dialect.sql("SELECT row_id, schema FROM entities WHERE nid = ? AND labelset_id = ?"), key
    )
    current = cursor.fetchone()
    cursor.execute(
        dialect.sql("SELECT row_id, schema, src, dst FROM edges WHERE nid = ? AND labelset_id = ?"),
        key,
    )
    edge = cursor.fetchone()
    if not remaining:
        if current is not None:
            cursor.execute(dialect.sql("DELETE FROM entities WHERE row_id = ?"), (current[0],))
            if dialect.name == "sqlite":  # PostgreSQL keeps the tsvector in the row itself
                cursor.execute("DELETE FROM entity_fts WHERE rowid = ?", (current[0],))
        if edge is not None:
            cursor.execute(dialect.sql("DELETE FROM edges WHERE row_id = ?"), (edge[0],))
        return current is not None or edge is not None
    # The most specific remaining type; the stored one while it still has a statement.
    schemata = sorted({row[0] for row in remaining})
    schema = current[1] if current is not None and current[1] in schemata else schemata[0]
    for name in schemata:
        schema = pick_schema(ontology, schema, name)
    entity = EntityRow(
        nid,
        labelset_id,
        schema,
        first_seen_us=min(row[3] for row in remaining),
        last_seen_us=max(row[4] for row in remaining),
        row_id=None if current is None else current[0],
    )
    for row in remaining:
        entity.add(row[1], row[2])
    if current is None:
        writer._insert_entities(cursor, [entity])
    else:
        writer._update_entities(cursor, [entity])
    ends = edge_endpoints(ontology, schema, entity.properties)
    replaced = False
    if edge is not None:
        ids = writer.nodes.resolve(dialect, cursor, ends) if ends else {}
        if ends is None or (edge[1], edge[2], edge[3]) != (schema, ids[ends[0]], ids[ends[1]]):
            cursor.execute(dialect.sql("DELETE FROM edges WHERE row_id = ?"), (edge[0],))
            replaced = True
    if ends is not None and (edge is None or replaced):
        writer._insert_edges(cursor, [], [entity])
    return replaced


def _select(connection: Connection, where: str, params: dict[str, Any]) -> list[Retraction]:
    rows = connection.execute(
        text(
            f"SELECT {_COLUMNS} FROM retractions r WHERE {where} "
            "ORDER BY r.created_us, r.statement_id"
        ),
        params,
    ).all()
    return [Retraction(r[0], r[1], r[2], r[3], r[4], from_us(int(r[5]))) for r in rows]


def _already(earlier: Retraction) -> Conflict:
    when = earlier.created_at.isoformat()
    return Conflict(
        f"statement {earlier.statement_id} was already retracted by {earlier.author} at {when}",
        hint="a retraction is final; nothing more to do",
        details={"author": earlier.author, "retracted_at": when},
    )


__all__ = ["MAX_REASON", "Retraction", "RetractionLog", "not_retracted", "reproject"]
