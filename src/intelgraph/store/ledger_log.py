"""The ledger's storage: leaves, interior nodes, checkpoints and batch members.

Every complete subtree's hash is stored when it completes, so the root at any
size and any proof need only O(log n) node reads, at millions of leaves. An
append holds the write lock (``BEGIN IMMEDIATE`` on SQLite, an advisory
transaction lock on PostgreSQL), so concurrent writers from several processes
get consecutive indexes. Ingest appends its batch leaf inside the batch's own
transaction: a batch is either stored and logged, or neither.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

from intelgraph.errors import InvalidInput, NotFound
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import LedgerEntry, Members, b64, entry
from intelgraph.ledger.note import Checkpoint, Signer, sign_note
from intelgraph.model import utcnow
from intelgraph.store.engine import raw_cursor
from intelgraph.store.writer import from_us, to_us

if TYPE_CHECKING:
    from intelgraph.store.store import Store

# pg_advisory_xact_lock key serialising appends across processes ("IGLEDGER").
_PG_LOCK = 0x49474C4544474552
Key = tuple[int, int]  # (level, index) of a complete subtree


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    id: int
    size: int
    root: bytes
    key_id: str
    note: str
    created_at: datetime


class LedgerLog:
    """Append-only Merkle log kept in the store's database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- writes --------------------------------------------------------------------

    def append(self, entries: Sequence[LedgerEntry]) -> list[int]:
        """Append leaves in one transaction; returns their indexes."""
        with self._store._write() as connection:
            return self.append_in(connection, entries)

    def append_if_changed(self, key: str, value: str, event: LedgerEntry) -> int | None:
        """Append ``event`` unless ``meta[key]`` already equals ``value``, then remember
        ``value``; one transaction, so two processes starting together log it once.
        The common case (nothing changed) is a plain read: no write lock at start-up."""
        with self._store._read_all() as connection:
            found = connection.execute(
                text("SELECT value FROM meta WHERE key = :key"), {"key": key}
            ).first()
        if found is not None and found[0] == value:
            return None
        with self._store._write() as connection:
            self._lock(connection)
            found = connection.execute(
                text("SELECT value FROM meta WHERE key = :key"), {"key": key}
            ).first()
            if found is not None and found[0] == value:
                return None
            (index,) = self.append_in(connection, [event])
            if found is None:
                connection.execute(
                    text("INSERT INTO meta (key, value) VALUES (:key, :value)"),
                    {"key": key, "value": value},
                )
            else:
                connection.execute(
                    text("UPDATE meta SET value = :value WHERE key = :key"),
                    {"key": key, "value": value},
                )
            return index

    def append_in(self, connection: Connection, entries: Sequence[LedgerEntry]) -> list[int]:
        """Append inside the caller's write transaction."""
        if not entries:
            return []
        self._lock(connection)
        cursor = raw_cursor(connection)
        dialect = self._store._dialect
        size = _size(cursor)
        keys = [_key(s, e) for s, e in merkle.frontier_ranges(size)]
        nodes = self._nodes(cursor, set(keys))
        frontier = [(level, nodes[(level, idx)]) for level, idx in keys]
        leaf_rows: list[tuple[Any, ...]] = []
        node_rows: list[tuple[Any, ...]] = []
        member_rows: list[tuple[Any, ...]] = []
        ref_rows: list[tuple[Any, ...]] = []
        for offset, item in enumerate(entries):
            index = size + offset
            leaf_rows.append((index, item.kind, item.body))
            level, position, current = 0, index, item.leaf_hash
            node_rows.append((0, index, current))
            while frontier and frontier[-1][0] == level:
                current = merkle.node_hash(frontier.pop()[1], current)
                level, position = level + 1, position >> 1
                node_rows.append((level, position, current))
            frontier.append((level, current))
            if item.members is not None:
                member_rows.append((index, item.members.records, item.members.statements))
                ref_rows.extend((record_id, index) for record_id in item.record_ids)
        dialect.bulk_insert(cursor, "ledger_leaves", ("idx", "kind", "body"), leaf_rows)
        dialect.bulk_insert(cursor, "ledger_nodes", ("level", "idx", "hash"), node_rows)
        dialect.bulk_insert(
            cursor, "ledger_members", ("leaf_idx", "records", "statements"), member_rows
        )
        dialect.bulk_insert(cursor, "ledger_refs", ("record_id", "leaf_idx"), ref_rows)
        return list(range(size, size + len(entries)))

    def checkpoint(
        self, signers: Sequence[Signer], origin: str, *, first: Sequence[LedgerEntry] = ()
    ) -> StoredCheckpoint:
        """Sign the current tree head, store it, and log that it was issued.

        When nothing was appended since the latest checkpoint (other than that
        checkpoint's own leaf) and the same key signed it, the latest one is returned
        instead of a new one (a checkpoint by another key would not verify with the
        signer's key, as an export bundle requires). ``first`` are appended just before
        signing (a key announcing itself).
        """
        key_hex = signers[0].verifier.key_hex
        with self._store._write() as connection:
            self._lock(connection)
            self.append_in(connection, first)
            latest = self._latest(connection)
            size = _size(raw_cursor(connection))
            if latest is not None and size == latest.size + 1 and latest.key_id == key_hex:
                return latest
            root = self._root(connection, size)
            signed = sign_note(Checkpoint(origin, size, root).text(), list(signers))
            now = utcnow()
            row = connection.execute(
                text(
                    "INSERT INTO ledger_checkpoints (size, root, key_id, note, created_us) "
                    "VALUES (:size, :root, :key, :note, :created) RETURNING id"
                ),
                {"size": size, "root": root, "key": key_hex, "note": signed, "created": to_us(now)},
            ).scalar_one()
            fields = {
                "size": size,
                "root": b64(root),
                "key": key_hex,
                "note_sha256": hashlib.sha256(signed.encode()).hexdigest(),
                "checkpoint": int(row),
            }
            self.append_in(connection, [entry("checkpoint", fields, at=now)])
        return StoredCheckpoint(int(row), size, root, key_hex, signed, now)

    def origin(self, default: str | None = None) -> str:
        """This log's origin line, fixed the first time it is asked for."""
        with self._store._read_all() as connection:
            found = connection.execute(
                text("SELECT value FROM meta WHERE key = 'ledger_origin'")
            ).scalar()
        if found:
            return str(found)
        wanted = default or f"intelgraph.local/{uuid.uuid4().hex[:16]}"
        with self._store._write() as connection:
            connection.execute(
                text(
                    "INSERT INTO meta (key, value) VALUES ('ledger_origin', :value) "
                    "ON CONFLICT (key) DO NOTHING"
                ),
                {"value": wanted},
            )
            return str(
                connection.execute(
                    text("SELECT value FROM meta WHERE key = 'ledger_origin'")
                ).scalar_one()
            )

    # -- reads ---------------------------------------------------------------------

    def size(self) -> int:
        with self._store._read_all() as connection:
            return _size(raw_cursor(connection))

    def root(self, size: int | None = None) -> bytes:
        with self._store._read_all() as connection:
            current = _size(raw_cursor(connection))
            wanted = current if size is None else size
            if not 0 <= wanted <= current:
                raise InvalidInput(f"the ledger has {current} leaves, not {wanted}")
            return self._root(connection, wanted)

    def leaf(self, index: int) -> bytes:
        with self._store._read_all() as connection:
            body = connection.execute(
                text("SELECT body FROM ledger_leaves WHERE idx = :idx"), {"idx": index}
            ).scalar()
        if body is None:
            raise NotFound(f"ledger leaf {index} not found")
        return blob(body)

    def leaves(self, start: int = 0, *, chunk: int = 10_000) -> Iterator[tuple[int, str, bytes]]:
        """``(index, kind, body)`` in index order, read in chunks."""
        select = "SELECT idx, kind, body FROM ledger_leaves"
        for row in pages(self._store, select, start=start, chunk=chunk):
            yield int(row[0]), str(row[1]), blob(row[2])

    def members(self, leaf_index: int) -> Members:
        with self._store._read_all() as connection:
            row = connection.execute(
                text("SELECT records, statements FROM ledger_members WHERE leaf_idx = :idx"),
                {"idx": leaf_index},
            ).first()
        if row is None:
            raise NotFound(f"ledger leaf {leaf_index} has no members")
        return Members(blob(row[0]), blob(row[1]))

    def announced_keys(self) -> dict[str, int]:
        """Key id → index of the key-change leaf that announced it."""
        with self._store._read_all() as connection:
            rows = connection.execute(
                text("SELECT idx, body FROM ledger_leaves WHERE kind = 'key-change' ORDER BY idx")
            ).all()
        out: dict[str, int] = {}
        for idx, body in rows:
            key = json.loads(blob(body)).get("key_id")
            if isinstance(key, str):
                out.setdefault(key, int(idx))
        return out

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return self._proof(size, lambda sub: merkle.inclusion_proof(index, size, sub))

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return self._proof(new_size, lambda sub: merkle.consistency_proof(old_size, new_size, sub))

    def _proof(self, size: int, make: Callable[[merkle.Subtree], list[bytes]]) -> list[bytes]:
        """A proof in a tree of ``size`` leaves. The size is only checked when nodes are
        missing (a size beyond the log has some): one round trip in the common case."""
        with self._store._read_all() as connection:
            if size <= 0:
                self._check_size(connection, size)
            try:
                return self._prove(connection, make)
            except InvalidInput:
                self._check_size(connection, size)
                raise

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self._store._read_all() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, size, root, key_id, note, created_us FROM ledger_checkpoints "
                    "ORDER BY id"
                )
            ).all()
        return [_checkpoint(r) for r in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._store._read_all() as connection:
            return self._latest(connection)

    # -- internals -----------------------------------------------------------------

    def _lock(self, connection: Connection) -> None:
        if self._store.dialect_name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})

    def _latest(self, connection: Connection) -> StoredCheckpoint | None:
        row = connection.execute(
            text(
                "SELECT id, size, root, key_id, note, created_us FROM ledger_checkpoints "
                "ORDER BY id DESC LIMIT 1"
            )
        ).first()
        return _checkpoint(row) if row is not None else None

    def _check_size(self, connection: Connection, size: int) -> None:
        current = _size(raw_cursor(connection))
        if not 0 < size <= current:
            raise InvalidInput(f"the ledger has {current} leaves; no tree of size {size}")

    def _root(self, connection: Connection, size: int) -> bytes:
        ranges = merkle.frontier_ranges(size)
        nodes = self._nodes(raw_cursor(connection), {_key(s, e) for s, e in ranges})
        return merkle.fold_frontier([nodes[_key(s, e)] for s, e in ranges])

    def _prove(
        self, connection: Connection, make: Callable[[merkle.Subtree], list[bytes]]
    ) -> list[bytes]:
        """Run a proof twice: once to learn which subtrees it needs, once with them."""
        wanted: list[tuple[int, int]] = []

        def plan(start: int, end: int) -> bytes:
            wanted.append((start, end))
            return bytes(merkle.HASH_SIZE)

        try:
            make(plan)
        except merkle.ProofError as exc:
            raise InvalidInput(str(exc)) from None
        keys: set[Key] = set()
        for start, end in wanted:
            _plan(start, end, keys)
        nodes = self._nodes(raw_cursor(connection), keys)
        return make(lambda start, end: _resolve(start, end, nodes))

    def _nodes(self, cursor: Any, keys: set[Key]) -> dict[Key, bytes]:
        """The stored subtree hashes for ``keys``."""
        found: dict[Key, bytes] = {}
        for level, idx, value in self._store._dialect.ledger_nodes(cursor, sorted(keys)):
            found[(int(level), int(idx))] = blob(value)
        missing = keys - found.keys()
        if missing:
            raise InvalidInput(
                f"the ledger is missing {len(missing)} interior node(s)",
                hint="run `intelgraph ledger verify`: the log may have been tampered with",
            )
        return found


def pages(
    store: Store,
    select: str,
    *,
    where: str = "",
    params: Mapping[str, Any] | None = None,
    start: int = 0,
    chunk: int = 10_000,
) -> Iterator[Sequence[Any]]:
    """Rows of ``select`` (whose first column is ``idx``) from ``start`` on, in index order,
    read ``chunk`` at a time in short reads, so no transaction stays open meanwhile."""
    condition = f"{where} AND idx >= :start" if where else "idx >= :start"
    sql = text(f"{select} WHERE {condition} ORDER BY idx LIMIT :limit")
    position = start
    while True:
        with store._read_all() as connection:
            page = connection.execute(sql, {**(params or {}), "start": position, "limit": chunk})
            rows = page.all()
        yield from rows
        if len(rows) < chunk:
            return
        position = int(rows[-1][0]) + 1


def blob(value: Any) -> bytes:
    """A stored hash or body as bytes, whatever type a tampered row now holds (SQLite
    keeps what it is given: an edited BLOB can come back as TEXT or a number)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def _size(cursor: Any) -> int:
    cursor.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves")
    return int(cursor.fetchone()[0])


def _key(start: int, end: int) -> Key:
    level = (end - start).bit_length() - 1
    return level, start >> level


def _aligned(start: int, end: int) -> bool:
    width = end - start
    return width & (width - 1) == 0 and start % width == 0


def _plan(start: int, end: int, keys: set[Key]) -> None:
    if _aligned(start, end):
        keys.add(_key(start, end))
        return
    middle = start + merkle.split_point(end - start)
    _plan(start, middle, keys)
    _plan(middle, end, keys)


def _resolve(start: int, end: int, nodes: dict[Key, bytes]) -> bytes:
    if _aligned(start, end):
        return nodes[_key(start, end)]
    middle = start + merkle.split_point(end - start)
    return merkle.node_hash(_resolve(start, middle, nodes), _resolve(middle, end, nodes))


def _checkpoint(row: Sequence[Any]) -> StoredCheckpoint:
    return StoredCheckpoint(
        int(row[0]), int(row[1]), blob(row[2]), str(row[3]), str(row[4]), from_us(row[5])
    )


__all__ = ["LedgerLog", "StoredCheckpoint", "blob", "pages"]
