"""Engines for the two backends, with the pragmas and drivers each needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from intelgraph.errors import ConfigError, StoreError


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and point it at psycopg 3."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith(("sqlite://", "postgresql+psycopg://")):
        return url
    raise ConfigError(
        f"unsupported database URL scheme in {url.split('://')[0]!r}",
        hint="use sqlite:///path/to/file.db or postgresql://user@host/db",
    )


def dialect_of(url: str) -> str:
    return "sqlite" if normalise_url(url).startswith("sqlite") else "postgresql"


def make_engine(
    url: str, *, cache_mb: int = 256, writer: bool = False, create: bool = True
) -> Engine:
    """Create an engine; on SQLite, WAL mode and (for the writer) ``BEGIN IMMEDIATE``.

    SQLite allows one writer: the writer engine takes the write lock when its
    transaction begins so that two writers queue instead of failing half-way.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, cache_mb=cache_mb, writer=writer, create=create)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: str, *, cache_mb: int, writer: bool, create: bool) -> Engine:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ConfigError(
            "the SQLite store needs a file path",
            hint="use sqlite:///path/to/file.db (in-memory databases cannot be shared)",
        )
    if not create and not Path(database).is_file():
        raise StoreError(
            f"there is no store at {database}",
            hint="run `intelgraph init` (or `intelgraph demo`) first, "
            "or point --data-dir / IG_DATABASE_URL at an existing store",
            code="store_missing",
        )
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def raw_cursor(connection: Connection) -> Any:
    """The DB-API cursor under a connection, for hot paths that skip SQL compilation and
    for dialect-specific SQL (COPY, ``unnest``)."""
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


__all__ = ["dialect_of", "make_engine", "normalise_url", "raw_cursor"]
