"""1,000 random tamperings of a stored ledger, on each backend: every one is detected.

The attacker here has write access to the database and drops past the append-only
triggers (SQLite: drops them; PostgreSQL: replication role). Each trial changes
one thing, runs ``ledger verify``, then puts the row back, so the next trial
starts from an intact log (checked at the end).
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intelgraph.ledger.leaves import batch_entry, entry
from intelgraph.ledger.service import Ledger
from intelgraph.model import Decision, Judgement, utcnow
from intelgraph.store import Store

TRIALS = 1_000


class Raw:
    """A trigger-free connection to the store's database (the attacker's)."""

    def __init__(self, store: Store, url: str) -> None:
        self.sqlite = store.dialect_name == "sqlite"
        if self.sqlite:
            self.connection: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
            self.connection.isolation_level = None
            names = self.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'"
            ).fetchall()
            for (name,) in names:
                self.connection.execute(f"DROP TRIGGER {name}")
        else:
            import psycopg

            self.connection = psycopg.connect(url, autocommit=True)
            self.connection.execute("SET session_replication_role = replica")

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.sqlite:
            sql = sql.replace("%s", "?")
        cursor = self.connection.execute(sql, params)
        try:
            return [tuple(r) for r in cursor.fetchall()]
        except Exception:  # statements without results
            return []

    def close(self) -> None:
        self.connection.close()


def flip(data: bytes, rng: random.Random) -> bytes:
    position = rng.randrange(len(data))
    return (
        data[:position] + bytes([data[position] ^ (1 << rng.randrange(8))]) + data[position + 1 :]
    )


def build(store: Store, ledger: Ledger) -> None:
    """A realistic small log: batches, events, a judgement, checkpoints, a rotation."""
    for batch in range(6):
        records = [hashlib.sha256(f"r{batch}-{i}".encode()).hexdigest() for i in range(5)]
        statements = [hashlib.sha256(f"s{batch}-{i}".encode()).hexdigest()[:40] for i in range(12)]
        store.ledger.append(
            [
                batch_entry(
                    "ingest-batch",
                    {
                        "run": f"run{batch // 2}",
                        "source": "s",
                        "mapping": None,
                        "input": "f",
                        "cursor": str(batch),
                    },
                    record_ids=records,
                    statement_ids=statements,
                    at=utcnow(),
                ),
                entry("audited-read", {"actor": f"a{batch}", "resource": "x"}, at=utcnow()),
            ]
        )
        if batch % 2:
            ledger.checkpoint()
    ledger.judge(Judgement("a", "b", Decision.SAME, "analyst", "same"))
    ledger.rotate_key()
    store.ledger.append(
        [entry("policy-change", {"actor": "admin", "sha256": "00" * 32}, at=utcnow())]
    )
    ledger.checkpoint()


Trial = Callable[[Raw, random.Random], Callable[[], None]]


def _row(raw: Raw, sql: str, rng: random.Random) -> tuple[Any, ...]:
    rows = raw.run(sql)
    return rows[rng.randrange(len(rows))]


def rewrite_leaf(raw: Raw, rng: random.Random) -> Callable[[], None]:
    idx, body = _row(raw, "SELECT idx, body FROM ledger_leaves", rng)
    raw.run("UPDATE ledger_leaves SET body = %s WHERE idx = %s", (flip(bytes(body), rng), idx))
    return lambda: raw.run("UPDATE ledger_leaves SET body = %s WHERE idx = %s", (bytes(body), idx))


def relabel_leaf(raw: Raw, rng: random.Random) -> Callable[[], None]:
    idx, kind = _row(raw, "SELECT idx, kind FROM ledger_leaves", rng)
    other = "audited-read" if kind != "audited-read" else "export"
    raw.run("UPDATE ledger_leaves SET kind = %s WHERE idx = %s", (other, idx))
    return lambda: raw.run("UPDATE ledger_leaves SET kind = %s WHERE idx = %s", (kind, idx))


def delete_leaf(raw: Raw, rng: random.Random) -> Callable[[], None]:
    idx, kind, body = _row(raw, "SELECT idx, kind, body FROM ledger_leaves", rng)
    raw.run("DELETE FROM ledger_leaves WHERE idx = %s", (idx,))
    return lambda: raw.run(
        "INSERT INTO ledger_leaves (idx, kind, body) VALUES (%s, %s, %s)", (idx, kind, bytes(body))
    )


def reorder_leaves(raw: Raw, rng: random.Random) -> Callable[[], None]:
    rows = raw.run("SELECT idx, kind, body FROM ledger_leaves")
    a, b = rng.sample(rows, 2)

    def put(x: tuple[Any, ...], y: tuple[Any, ...]) -> None:
        raw.run(
            "UPDATE ledger_leaves SET kind = %s, body = %s WHERE idx = %s",
            (y[1], bytes(y[2]), x[0]),
        )

    put(a, b)
    put(b, a)
    return lambda: (put(a, a), put(b, b))  # type: ignore[return-value]


def rewrite_node(raw: Raw, rng: random.Random) -> Callable[[], None]:
    level, idx, value = _row(raw, "SELECT level, idx, hash FROM ledger_nodes", rng)
    sql = "UPDATE ledger_nodes SET hash = %s WHERE level = %s AND idx = %s"
    raw.run(sql, (flip(bytes(value), rng), level, idx))
    return lambda: raw.run(sql, (bytes(value), level, idx))


def delete_node(raw: Raw, rng: random.Random) -> Callable[[], None]:
    level, idx, value = _row(raw, "SELECT level, idx, hash FROM ledger_nodes", rng)
    raw.run("DELETE FROM ledger_nodes WHERE level = %s AND idx = %s", (level, idx))
    return lambda: raw.run(
        "INSERT INTO ledger_nodes (level, idx, hash) VALUES (%s, %s, %s)",
        (level, idx, bytes(value)),
    )


def rewrite_checkpoint(raw: Raw, rng: random.Random) -> Callable[[], None]:
    row = _row(raw, "SELECT id, size, root, key_id, note, created_us FROM ledger_checkpoints", rng)
    cid, size, root, key, note, created = row
    column = rng.choice(["size", "root", "key_id", "note", "created_us"])
    new: Any = {
        "size": size + rng.choice([-1, 1]),
        "root": flip(bytes(root), rng),
        "key_id": "%08x" % (int(key, 16) ^ (1 << rng.randrange(32))),
        "note": flip(note.encode(), rng).decode("utf-8", "replace"),
        "created_us": created + rng.randrange(1, 10**6),
    }[column]
    if column == "note" and new == note:
        new = note.replace("\n", "\n ", 1)
    old = {"size": size, "root": bytes(root), "key_id": key, "note": note, "created_us": created}[
        column
    ]
    raw.run(f"UPDATE ledger_checkpoints SET {column} = %s WHERE id = %s", (new, cid))
    return lambda: raw.run(f"UPDATE ledger_checkpoints SET {column} = %s WHERE id = %s", (old, cid))


def delete_checkpoint(raw: Raw, rng: random.Random) -> Callable[[], None]:
    row = _row(raw, "SELECT id, size, root, key_id, note, created_us FROM ledger_checkpoints", rng)
    raw.run("DELETE FROM ledger_checkpoints WHERE id = %s", (row[0],))
    return lambda: raw.run(
        "INSERT INTO ledger_checkpoints (id, size, root, key_id, note, created_us) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (row[0], row[1], bytes(row[2]), row[3], row[4], row[5]),
    )


def reorder_checkpoints(raw: Raw, rng: random.Random) -> Callable[[], None]:
    rows = raw.run("SELECT id, size, root, key_id, note, created_us FROM ledger_checkpoints")
    a, b = rng.sample(rows, 2)
    sql = (
        "UPDATE ledger_checkpoints SET size = %s, root = %s, key_id = %s, note = %s, "
        "created_us = %s WHERE id = %s"
    )

    def put(x: tuple[Any, ...], y: tuple[Any, ...]) -> None:
        raw.run(sql, (y[1], bytes(y[2]), y[3], y[4], y[5], x[0]))

    put(a, b)
    put(b, a)
    return lambda: (put(a, a), put(b, b))  # type: ignore[return-value]


def rewrite_members(raw: Raw, rng: random.Random) -> Callable[[], None]:
    idx, records, statements = _row(
        raw, "SELECT leaf_idx, records, statements FROM ledger_members", rng
    )
    column, value = rng.choice([("records", bytes(records)), ("statements", bytes(statements))])
    sql = f"UPDATE ledger_members SET {column} = %s WHERE leaf_idx = %s"
    raw.run(sql, (flip(value, rng), idx))
    return lambda: raw.run(sql, (value, idx))


def delete_members(raw: Raw, rng: random.Random) -> Callable[[], None]:
    idx, records, statements = _row(
        raw, "SELECT leaf_idx, records, statements FROM ledger_members", rng
    )
    raw.run("DELETE FROM ledger_members WHERE leaf_idx = %s", (idx,))
    return lambda: raw.run(
        "INSERT INTO ledger_members (leaf_idx, records, statements) VALUES (%s, %s, %s)",
        (idx, bytes(records), bytes(statements)),
    )


def repoint_ref(raw: Raw, rng: random.Random) -> Callable[[], None]:
    record, leaf = _row(raw, "SELECT record_id, leaf_idx FROM ledger_refs", rng)
    raw.run("DELETE FROM ledger_refs WHERE record_id = %s AND leaf_idx = %s", (record, leaf))
    return lambda: raw.run(
        "INSERT INTO ledger_refs (record_id, leaf_idx) VALUES (%s, %s)", (record, leaf)
    )


TAMPERINGS: list[Trial] = [
    rewrite_leaf,
    relabel_leaf,
    delete_leaf,
    reorder_leaves,
    rewrite_node,
    delete_node,
    rewrite_checkpoint,
    delete_checkpoint,
    reorder_checkpoints,
    rewrite_members,
    delete_members,
    repoint_ref,
]


def test_every_random_tampering_is_detected(store: Store, store_url: str, tmp_path: Path) -> None:
    ledger = Ledger(store, tmp_path)
    build(store, ledger)
    assert ledger.verify().ok
    raw = Raw(store, store_url)
    rng = random.Random(20261129)
    undetected: list[str] = []
    counts: dict[str, int] = {}
    try:
        for trial in range(TRIALS):
            tamper = rng.choice(TAMPERINGS)
            counts[tamper.__name__] = counts.get(tamper.__name__, 0) + 1
            restore = tamper(raw, rng)
            try:
                report = ledger.verify()
            except Exception as exc:  # a crash is not a verdict
                pytest.fail(f"trial {trial} ({tamper.__name__}) crashed the verifier: {exc!r}")
            if report.ok:
                undetected.append(f"trial {trial}: {tamper.__name__}")
            restore()
    finally:
        raw.close()
    assert undetected == []
    assert set(counts) == {t.__name__ for t in TAMPERINGS}  # every kind was tried
    assert ledger.verify().ok  # every trial was undone
