"""Fixtures shared by every test: real stores on SQLite and PostgreSQL, shared data."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from intelgraph.ontology import Ontology, default_ontology
from intelgraph.store import Store
from intelgraph.store.tables import metadata

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_NATS = "nats://127.0.0.1:4222"
PG_TABLES = ", ".join(table.name for table in metadata.sorted_tables)  # every store table


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def nats_url() -> str:
    """The NATS test server (IG_TEST_NATS_URL); skipped where none answers, mandatory
    when CI is set."""
    url = os.environ.get("IG_TEST_NATS_URL", DEFAULT_NATS)
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 4222), 2).close()
    except OSError as exc:
        message = f"NATS unreachable at {url}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (NATS tests are mandatory when CI is set)")
        pytest.skip(message + " (start nats-server -js, or set IG_TEST_NATS_URL)")
    return url


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return default_ontology()


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away database for this test session, dropped at the end."""
    admin_url = os.environ.get("IG_TEST_POSTGRES_URL", DEFAULT_PG)
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL unreachable at {admin_url}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (PostgreSQL tests are mandatory when CI is set)")
        pytest.skip(message + " (set IG_TEST_POSTGRES_URL to run the PostgreSQL contract suite)")
    name = f"ig_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(admin_url, name)
    store = Store(url, default_ontology(), check_schema=False)
    store.upgrade()
    store.close()
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_postgres(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        # The ledger's append-only triggers refuse TRUNCATE; a test reset is the one
        # legitimate wipe, so it runs with triggers off (superuser only).
        connection.execute("SET session_replication_role = replica")
        connection.execute(f"TRUNCATE {PG_TABLES} RESTART IDENTITY")
        connection.execute(
            "INSERT INTO meta (key, value) VALUES ('graph_version', '0'), ('identity_version', '0')"
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated store on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        store = Store(url, default_ontology(), check_schema=False)
        store.upgrade()
        store.close()
        return url
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def store(store_url: str, ontology: Ontology) -> Iterator[Store]:
    with Store(store_url, ontology) as opened:
        yield opened
