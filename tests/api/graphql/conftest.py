"""Fixtures for the GraphQL guard suites: the demo investigation in a real platform, on
SQLite (and PostgreSQL for the probes), users of every kind, and HTTP clients on the app.

The demo is loaded once per session into a SQLite data directory; each test module opens
its own :class:`Platform` over it with the settings it needs (development, production,
small rate limits, enforced persisted queries), so tokens minted once work everywhere.
"""

from __future__ import annotations

import builtins
import json
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api import create_app
from intelgraph.api.graphql.errors import CODES
from intelgraph.api.graphql.service import GraphQLService
from intelgraph.auth.users import principal_of
from intelgraph.config import Settings, load_settings
from intelgraph.demo import DEMO_COMPARTMENTS, DEMO_PURPOSES, generate, load_demo
from intelgraph.ledger.leaves import BatchLeaf
from intelgraph.model import Labels, Record, Source, ViewerScope, utcnow
from intelgraph.ontology import make_entity_id
from intelgraph.platform import Platform
from intelgraph.store import Store
from tests.conftest import _reset_postgres
from tests.store.builders import company, owns, person

DEMO_SCALE = 2  # two units: about 160 entities, enough for 100-entity batches
PASSWORD = "a long enough test password"
OTHER_TENANT = "umbrella"
UMBRELLA = Labels.make(OTHER_TENANT)


def demo_id(schema: str, key: str) -> str:
    return make_entity_id(schema, [key], "demo")


PERSON0 = demo_id("Person", "person-0-0")  # Anna Adler: birthDate/nationality are pii
PERSON1 = demo_id("Person", "person-0-1")
COMPANY0 = demo_id("Company", "company-0-0")  # Aurora Maritime Holdings Ltd (public)
ACTOR = demo_id("ThreatActor", "actor-0")  # CONFIDENTIAL, CTI
ACCOUNT0 = demo_id("BankAccount", "account-0-0")  # SECRET, FIN
PHONE0 = demo_id("Phone", "phone-0")  # SECRET, HUM
ABSENT = "0" * 40  # an id that exists nowhere


@dataclass(frozen=True)
class UserSpec:
    name: str
    tenant: str = "default"
    clearance: int = 0
    compartments: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ("investigation",)

    def scope(self) -> ViewerScope:
        return ViewerScope.make(self.tenant, self.clearance, self.compartments)


# The demo admin is made by ensure_admin (TOP SECRET, every demo compartment and purpose).
USERS = (
    UserSpec("analyst", clearance=2, compartments=DEMO_COMPARTMENTS, purposes=("investigation",)),
    UserSpec("analyst2", clearance=2, compartments=DEMO_COMPARTMENTS, purposes=("investigation",)),
    UserSpec("low"),  # UNCLASSIFIED, no compartments: sees only the public registry
    UserSpec("ursula", OTHER_TENANT, clearance=3, compartments=DEMO_COMPARTMENTS),
)
ADMIN = UserSpec(
    "admin", clearance=3, compartments=DEMO_COMPARTMENTS, purposes=tuple(DEMO_PURPOSES)
)
SPECS = {spec.name: spec for spec in (ADMIN, *USERS)}


@dataclass
class DemoWorld:
    """A loaded data directory (and database) plus what the tests need to know about it."""

    data_dir: Path
    database_url: str | None
    tokens: dict[str, str]  # user name → access token
    sessions: dict[str, str]  # user name → login session id
    authority_id: str  # a warrant covering PERSON0 for "analyst", purpose investigation
    umbrella_ids: list[str]  # the other tenant's entities
    visible: dict[str, set[str]] = field(default_factory=dict)  # user → visible demo ids
    demo_ids: set[str] = field(default_factory=set)
    schema_of: dict[str, str] = field(default_factory=dict)

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": self.data_dir,
            "database_url": self.database_url,
            "auth_issuer": "http://testserver",
            "access_token_minutes": 240,
        }
        values.update(overrides)
        return load_settings(**values)

    def open(self, **overrides: Any) -> Platform:
        return Platform.open(self.settings(**overrides))

    def hidden_from(self, user: str) -> set[str]:
        """Demo (and other-tenant) ids the user may not see, by the labels of their
        statements: an oracle independent of the store's SQL filter."""
        hidden = self.demo_ids - self.visible[user]
        if SPECS[user].tenant != OTHER_TENANT:
            hidden |= set(self.umbrella_ids)
        return hidden


def _visible_demo_ids() -> tuple[dict[str, set[str]], dict[str, str]]:
    labels_of: dict[str, set[Labels]] = {}
    schema_of: dict[str, str] = {}
    for statement in generate(DEMO_SCALE).statements:
        labels_of.setdefault(statement.entity_id, set()).add(statement.labels)
        schema_of[statement.entity_id] = statement.schema
    visible = {
        name: {i for i, labels in labels_of.items() if any(spec.scope().can_see(x) for x in labels)}
        for name, spec in SPECS.items()
    }
    return visible, schema_of


def _umbrella(store: Store) -> list[str]:
    source = store.put_source(Source(name="umbrella-feed", labels=UMBRELLA))
    record = Record(source, b'{"row": "umbrella"}', "file:///umbrella.csv", labels=UMBRELLA)
    ids = ["umbrella-p1", "umbrella-c1", "umbrella-o1"]
    statements = [
        *person(ids[0], "Ursula Umbrella", labels=UMBRELLA, source=source, record=record.id),
        *company(
            ids[1],
            "Umbrella Aurora Holdings Corp",
            labels=UMBRELLA,
            source=source,
            record=record.id,
        ),
        *owns(ids[2], ids[0], ids[1], labels=UMBRELLA, source=source, record=record.id),
    ]
    fields = {"run": None, "source": "umbrella", "mapping": None, "input": "t", "cursor": "0"}
    store.write(statements, [record], leaf=BatchLeaf("ingest-batch", fields, utcnow()))
    return ids


def build_world(data_dir: Path, database_url: str | None = None) -> DemoWorld:
    """Load the demo, the other tenant's data, the users and an authority; log them in."""
    world = DemoWorld(data_dir, database_url, {}, {}, "", [])
    with Platform.open(world.settings(), upgrade=True) as platform:
        load_demo(platform.store, scale=DEMO_SCALE)
        world.umbrella_ids = _umbrella(platform.store)
        row, _ = ensure_admin(
            platform.store,
            platform.ledger,
            tenant="default",
            password=PASSWORD,
            compartments=DEMO_COMPARTMENTS,
            purposes=DEMO_PURPOSES,
        )
        admin = platform.access.request(principal_of(row, auth_time=int(time.time())))
        for spec in USERS:
            platform.admin.add_user(
                admin,
                spec.name,
                tenant=spec.tenant,
                clearance=spec.clearance,
                compartments=spec.compartments,
                purposes=spec.purposes,
                password=PASSWORD,
            )
        granted, _ = platform.admin.grant_authority(
            admin,
            kind="warrant",
            issuer="Test court",
            reference="case 1",
            purposes=["investigation"],
            entities=[PERSON0],
            holders=["analyst"],
        )
        world.authority_id = granted.id
        platform.ledger.checkpoint()
        for name in SPECS:
            pair = platform.identity.login(name, PASSWORD)
            world.tokens[name] = pair.access_token
            world.sessions[name] = pair.session
    world.visible, world.schema_of = _visible_demo_ids()
    world.demo_ids = set(world.schema_of)
    return world


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoWorld:
    """The demo investigation on SQLite, shared by every module (read-only use)."""
    return build_world(tmp_path_factory.mktemp("graphql-demo") / "ig")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def backend(
    request: pytest.FixtureRequest, demo: DemoWorld, tmp_path_factory: pytest.TempPathFactory
) -> DemoWorld:
    """The demo world on each backend (PostgreSQL: a throw-away database, reset first)."""
    if request.param == "sqlite":
        return demo
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return build_world(tmp_path_factory.mktemp("graphql-demo-pg") / "ig", url)


def make_client(platform: Platform, graphql: GraphQLService | None = None) -> TestClient:
    """A client on the app; without ``graphql`` the app wires its own service as it does
    in production (event hub, job registry, tracing)."""
    return TestClient(create_app(platform, graphql=graphql))


@pytest.fixture(scope="module")
def platform(demo: DemoWorld) -> Iterator[Platform]:
    """A development-mode platform over the demo, this module's own."""
    with demo.open() as opened:
        yield opened


@pytest.fixture(scope="module")
def client(platform: Platform) -> Iterator[TestClient]:
    with make_client(platform) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def prod_platform(demo: DemoWorld) -> Iterator[Platform]:
    """The same data with ``mode=production`` (introspection and suggestions off)."""
    with demo.open(mode="production") as opened:
        yield opened


@pytest.fixture(scope="module")
def prod_client(prod_platform: Platform) -> Iterator[TestClient]:
    with make_client(prod_platform) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def tokens(demo: DemoWorld) -> dict[str, str]:
    return demo.tokens


# -- requests --------------------------------------------------------------------------


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def gql(
    client: TestClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None,
    headers: Mapping[str, str] | None = None,
    operation_name: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> httpx.Response:
    """POST one operation as JSON."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = dict(variables)
    if operation_name is not None:
        payload["operationName"] = operation_name
    if extensions is not None:
        payload["extensions"] = dict(extensions)
    response: httpx.Response = client.post(
        "/graphql", json=payload, headers={**auth(token), **(headers or {})}
    )
    return response


def gql_get(
    client: TestClient,
    params: Mapping[str, Any],
    *,
    token: str | None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """GET with the GraphQL-over-HTTP query parameters (JSON-encodes variables/extensions)."""
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response: httpx.Response = client.get(
        "/graphql", params=encoded, headers={**auth(token), **(headers or {})}
    )
    return response


def data_of(response: httpx.Response) -> dict[str, Any]:
    """The data of a successful operation (fails the test on any error)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def codes_of(response: httpx.Response) -> list[str]:
    body = response.json()
    bodies = body if isinstance(body, list) else [body]
    return [e["extensions"]["code"] for b in bodies for e in b.get("errors", [])]


def only_code(response: httpx.Response) -> str:
    codes = codes_of(response)
    assert len(codes) == 1, response.text
    return codes[0]


# -- leaks -----------------------------------------------------------------------------

_EXCEPTION_NAMES = sorted(
    {
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    | {
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "KeyError",
        "RuntimeError",
        "TypeError",
        "ValueError",
        "GraphQLError",
        "IntelGraphError",
        "StoreError",
        "NotFound",
        "InvalidInput",
        "OperationalError",
        "ProgrammingError",
        "IntegrityError",
        "QueryTooComplex",
        "PersistedQueryError",
    }
    - {"Warning", "Exception"}
)
LEAKS = (
    re.compile(r"Traceback|File \"|line \d+, in "),
    re.compile(r"\bSELECT\b|FROM entities|\bINSERT INTO\b|sqlalchemy|psycopg|sqlite3"),
    re.compile(r"/work/|/tmp/|site-packages|\.py\b"),
    re.compile(r"\b(?:" + "|".join(_EXCEPTION_NAMES) + r")\b"),
    re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b"),  # any class name, e.g. DataError
)


def leaks_in(text: str) -> list[str]:
    return [m.group(0) for pattern in LEAKS for m in [pattern.search(text)] if m]


def check_errors(body: Any) -> list[dict[str, Any]]:
    """Every error in a (batched) body has a message and a documented code, and none of
    them tells the client about the server's internals; returns the errors."""
    bodies = body if isinstance(body, list) else [body]
    errors: list[dict[str, Any]] = []
    for one in bodies:
        assert isinstance(one, dict), one
        for error in one.get("errors") or []:
            assert isinstance(error.get("message"), str), error
            assert error["message"], error
            code = (error.get("extensions") or {}).get("code")
            assert code in CODES, error
            text = json.dumps(error)
            assert not leaks_in(text), (leaks_in(text), error)
            errors.append(error)
    return errors


# -- SQL counting ----------------------------------------------------------------------


BACKGROUND_THREADS = ("change-feed",)  # the app's own pollers, not the request's work


class SqlCounter:
    """Counts statements sent to the store's engines (reader and writer) by anything but
    the app's background threads (the change feed polls the store all the time)."""

    def __init__(self, store: Store) -> None:
        self.engines = list({id(e): e for e in (store._engine, store._writer_engine)}.values())
        self.statements: list[str] = []
        self.background: list[str] = []

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.current_thread().name.startswith(BACKGROUND_THREADS):
            self.background.append(statement)
        else:
            self.statements.append(statement)

    def __enter__(self) -> SqlCounter:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._seen)

    @property
    def count(self) -> int:
        return len(self.statements)
