"""The few operations whose SQL differs between SQLite and PostgreSQL.

Everything else in the store is shared SQL. Hot paths use the DB-API cursor
directly (``executemany`` on SQLite, ``COPY`` on PostgreSQL) because they move
millions of rows; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

Row = tuple[Any, ...]

_CHUNK = 5000


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Dialect(Protocol):
    name: str

    def sql(self, statement: str) -> str: ...

    def select_in(self, cursor: Any, head: str, values: Sequence[Any], tail: str = "") -> list[Row]:
        """Run ``head <column IN values> tail`` for any number of values."""
        ...

    def bulk_insert(
        self, cursor: Any, table: str, columns: Sequence[str], rows: list[Row]
    ) -> None: ...

    def known_statements(self, cursor: Any, keys: Sequence[tuple[int, str]]) -> list[Row]:
        """``(id, first_seen_us, last_seen_us)`` of the stored statements among ``keys``
        (``(nid, id)`` pairs), found by primary key: the cost follows the batch, not how
        many statements its entities already have."""
        ...

    def allocate_ids(self, cursor: Any, table: str, column: str, count: int) -> list[int]:
        """Reserve ``count`` new integer keys (the caller holds the write lock)."""
        ...

    def write_search(self, cursor: Any, rows: list[tuple[int, str]], replace: bool) -> None:
        """Index ``(entity row_id, text)`` for full-text search."""
        ...

    def ledger_nodes(self, cursor: Any, keys: Sequence[tuple[int, int]]) -> list[Row]:
        """``(level, idx, hash)`` of the stored ledger subtrees among ``keys``: a proof at a
        million leaves needs ~40 of them, so this is on every proof's path."""
        ...


class SqliteDialect:
    name = "sqlite"

    def sql(self, statement: str) -> str:
        return statement

    def select_in(self, cursor: Any, head: str, values: Sequence[Any], tail: str = "") -> list[Row]:
        out: list[Row] = []
        for part in chunks(values):
            marks = ",".join("?" * len(part))
            out.extend(cursor.execute(f"{head} IN ({marks}) {tail}", tuple(part)).fetchall())
        return out

    def known_statements(self, cursor: Any, keys: Sequence[tuple[int, str]]) -> list[Row]:
        out: list[Row] = []
        for part in chunks(keys, 2000):
            pairs = ",".join("(?,?)" for _ in part)
            out.extend(
                cursor.execute(
                    f"WITH k(nid, id) AS (VALUES {pairs}) SELECT s.id, s.first_seen_us, "
                    "s.last_seen_us FROM k JOIN statements s ON s.nid = k.nid AND s.id = k.id",
                    [value for pair in part for value in pair],
                ).fetchall()
            )
        return out

    def bulk_insert(self, cursor: Any, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if rows:
            marks = ",".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)

    def allocate_ids(self, cursor: Any, table: str, column: str, count: int) -> list[int]:
        if count == 0:
            return []
        (top,) = cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}").fetchone()
        return list(range(top + 1, top + 1 + count))

    def write_search(self, cursor: Any, rows: list[tuple[int, str]], replace: bool) -> None:
        if replace and rows:
            cursor.executemany("DELETE FROM entity_fts WHERE rowid = ?", [(r,) for r, _ in rows])
        if rows:
            cursor.executemany("INSERT INTO entity_fts (rowid, text) VALUES (?, ?)", rows)

    def ledger_nodes(self, cursor: Any, keys: Sequence[tuple[int, int]]) -> list[Row]:
        # In-process, one indexed query per level beats a row-value IN (which scans).
        levels: dict[int, list[int]] = {}
        for level, idx in keys:
            levels.setdefault(level, []).append(idx)
        rows: list[Row] = []
        for level, indexes in levels.items():
            for part in chunks(indexes, 900):
                marks = ",".join("?" * len(part))
                cursor.execute(
                    "SELECT level, idx, hash FROM ledger_nodes "
                    f"WHERE level = ? AND idx IN ({marks})",
                    [level, *part],
                )
                rows.extend(cursor.fetchall())
        return rows


class PostgresDialect:
    name = "postgresql"

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def select_in(self, cursor: Any, head: str, values: Sequence[Any], tail: str = "") -> list[Row]:
        if not values:
            return []
        cursor.execute(f"{head} = ANY(%s) {tail}", (list(values),))
        return list(cursor.fetchall())

    def known_statements(self, cursor: Any, keys: Sequence[tuple[int, str]]) -> list[Row]:
        if not keys:
            return []
        cursor.execute(
            "SELECT s.id, s.first_seen_us, s.last_seen_us FROM unnest(%s::integer[], "
            "%s::text[]) AS k(nid, id) JOIN statements s ON s.nid = k.nid AND s.id = k.id",
            ([nid for nid, _ in keys], [sid for _, sid in keys]),
        )
        return list(cursor.fetchall())

    def bulk_insert(self, cursor: Any, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        with cursor.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def allocate_ids(self, cursor: Any, table: str, column: str, count: int) -> list[int]:
        if count == 0:
            return []
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            (table, column, count),
        )
        return [row[0] for row in cursor.fetchall()]

    def write_search(self, cursor: Any, rows: list[tuple[int, str]], replace: bool) -> None:
        if rows:
            cursor.executemany(
                "UPDATE entities SET search = to_tsvector('simple', %s) WHERE row_id = %s",
                [(body, row_id) for row_id, body in rows],
            )

    def ledger_nodes(self, cursor: Any, keys: Sequence[tuple[int, int]]) -> list[Row]:
        if not keys:
            return []
        cursor.execute(  # one round trip, however many keys
            "SELECT n.level, n.idx, n.hash FROM ledger_nodes n JOIN unnest(%s::int[], "
            "%s::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx",
            ([k[0] for k in keys], [k[1] for k in keys]),
        )
        return list(cursor.fetchall())


def dialect_for(name: str) -> Dialect:
    return SqliteDialect() if name == "sqlite" else PostgresDialect()


__all__ = ["Dialect", "PostgresDialect", "SqliteDialect", "chunks", "dialect_for"]
