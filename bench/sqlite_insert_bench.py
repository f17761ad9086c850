"""How fast SQLite itself inserts statement-shaped rows on this machine.

The ceiling under the store's load rate: the same row shape and pragmas as the
store (WAL, synchronous=NORMAL, 256 MiB cache), 50,000-row transactions, with
no Python work besides ``executemany``. Prints rows/s per table layout.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

COLUMNS = (
    "nid INTEGER NOT NULL, id TEXT NOT NULL, entity_id TEXT NOT NULL, schema TEXT, "
    "prop TEXT, value TEXT, source_id TEXT, record_id TEXT, run_id TEXT, "
    "labelset_id INTEGER, first_seen_us INTEGER, last_seen_us INTEGER"
)
LAYOUTS = {
    "append only (no key)": [f"CREATE TABLE statements ({COLUMNS})"],
    "store layout: (nid, id) WITHOUT ROWID": [
        f"CREATE TABLE statements ({COLUMNS}, PRIMARY KEY (nid, id)) WITHOUT ROWID"
    ],
    "random text key + entity index": [
        f"CREATE TABLE statements ({COLUMNS}, PRIMARY KEY (id))",
        "CREATE INDEX ix_entity ON statements (entity_id)",
    ],
}


def rows(count: int) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for i in range(count):
        entity = hashlib.sha256(f"e{i // 2}".encode()).hexdigest()[:40]
        sid = hashlib.sha256(f"s{i}".encode()).hexdigest()[:40]
        record = hashlib.sha256(f"r{i // 2}".encode()).hexdigest()
        out.append((i // 2, sid, entity, "Person", "name", f"Person {i}", "src", record,
                    None, 1, 1_700_000_000_000_000, 1_700_000_000_000_000))  # fmt: skip
    return out


def measure(ddl: Sequence[str], data: list[tuple[object, ...]], folder: Path) -> float:
    connection = sqlite3.connect(folder / "bench.db", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-262144"):
        connection.execute(f"PRAGMA {pragma}")
    for statement in ddl:
        connection.execute(statement)
    marks = ",".join("?" * len(data[0]))
    started = time.perf_counter()
    for start in range(0, len(data), 50_000):
        connection.execute("BEGIN")
        connection.executemany(
            f"INSERT INTO statements VALUES ({marks})", data[start : start + 50_000]
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return len(data) / elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=600_000)
    args = parser.parse_args(argv)
    data = rows(args.rows)
    for name, ddl in LAYOUTS.items():
        with tempfile.TemporaryDirectory() as folder:
            print(f"{name:40s} {measure(ddl, data, Path(folder)):>10,.0f} rows/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
