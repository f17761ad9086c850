"""The data directory the browser suite runs against: the demo investigation, its users,
an authority, a seeded ingest run, all made with the ``intelgraph`` command line as an
operator would, and the demo's well-known ids."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from bench.ui_bench import REPO, intelgraph

from intelgraph.api.graphql.persisted import document_hash
from intelgraph.demo import DEMO_COMPARTMENTS, DEMO_PURPOSES, generate
from intelgraph.model import Labels, ViewerScope
from intelgraph.ontology import default_ontology, make_entity_id

PASSWORD = "a long enough e2e test password"
WEB_MANIFEST = REPO / "src" / "intelgraph" / "web" / "persisted-documents.json"
SEED_ROWS = 1_234  # a count with a thousands separator: 1,234 / 1.234 shows the locale


def demo_id(schema: str, key: str) -> str:
    return make_entity_id(schema, [key], "demo")


COMPANY0 = demo_id("Company", "company-0-0")  # Aurora Maritime Holdings Ltd (registry + leak)
ADDRESS0 = demo_id("Address", "address-0")  # "… Aurora Street, …": registry only (open data)
PERSON0 = demo_id("Person", "person-0-0")  # Anna Adler: owns company0; birthDate is pii
PERSON0_NAME = "Anna Adler"
COMPANY0_NAME = "Aurora Maritime Holdings Ltd"
AUTHORITY_ID = "e2e-warrant"  # covers PERSON0's private data and restricted licences

# The suite's own look-ups, registered next to the UI's documents (IG_GRAPHQL_PERSISTED_FILES):
# the server runs nothing else, so the UI's documents are still all it can send.
DOCUMENTS = {
    "E2EEntities": "query E2EEntities($ids: [ID!]!) { entities(ids: $ids) { id schema caption } }",
}


@dataclass(frozen=True)
class User:
    name: str
    password: str = PASSWORD


ADMIN = User("admin")
ANALYST = User("analyst")  # TOP SECRET, every demo compartment and purpose
RESTRICTED = User("restricted")  # UNCLASSIFIED, no compartments, purpose investigation


@dataclass(frozen=True)
class World:
    """A served data directory: what tests need to reach and change it."""

    base_url: str
    data_dir: Path
    env: dict[str, str]
    registered: frozenset[str]  # sha256 of every document the server runs

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """An ``intelgraph`` command on this data directory, next to the server."""
        return intelgraph(*args, env=self.env, stdin=stdin)

    def token(self, user: User) -> str:
        answer = httpx.post(
            self.base_url + "/auth/login",
            json={"username": user.name, "password": user.password},
            timeout=30,
        )
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token

    def query(self, name: str, variables: dict[str, Any], *, user: User) -> dict[str, Any]:
        """One of the suite's registered documents over HTTP, as ``user``; its data."""
        answer = httpx.post(
            self.base_url + "/graphql",
            json={"query": DOCUMENTS[name], "operationName": name, "variables": variables},
            headers={"Authorization": f"Bearer {self.token(user)}"},
            timeout=30,
        )
        body = answer.json()
        assert answer.status_code == 200, body
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


def world_env(data_dir: Path) -> dict[str, str]:
    """The environment of every command and of the server; ``prepare`` fills the paths."""
    return {
        **os.environ,
        "IG_DATA_DIR": str(data_dir),
        "IG_ADMIN_PASSWORD": PASSWORD,
        # Only the UI's registered documents run: a document the build sends but the
        # manifest lacks fails the test that needs it.
        "IG_GRAPHQL_PERSISTED": "enforce",
        "IG_GRAPHQL_PERSISTED_FILES": str(data_dir.parent / "e2e-documents.json"),
        "IG_LOG_LEVEL": "warning",
    }


def prepare(data_dir: Path, env: dict[str, str]) -> None:
    """The registry of the suite's own documents and the demo (what the server needs)."""
    registry = {document_hash(text): text for text in DOCUMENTS.values()}
    Path(env["IG_GRAPHQL_PERSISTED_FILES"]).write_text(json.dumps(registry, indent=2))
    intelgraph("demo", "--no-serve", env=env)


def _analyst_and_warrant(env: dict[str, str]) -> None:
    intelgraph(
        "users", "add", ANALYST.name, "--clearance", "TOP_SECRET",
        "--compartments", ",".join(DEMO_COMPARTMENTS), "--purposes", ",".join(DEMO_PURPOSES),
        "--password-stdin", env=env, stdin=ANALYST.password + "\n",
    )  # fmt: skip
    intelgraph(
        "authority", "grant", "--id", AUTHORITY_ID, "--kind", "warrant",
        "--issuer", "E2E district court", "--reference", "E2E-1",
        "--purpose", "investigation", "--entities", PERSON0,
        "--licences", "Restricted-TOS,Proprietary-Client,Embargoed",
        "--holders", ANALYST.name, env=env,
    )  # fmt: skip


def _restricted(env: dict[str, str]) -> None:
    intelgraph(
        "users", "add", RESTRICTED.name, "--clearance", "UNCLASSIFIED",
        "--purposes", "investigation", "--password-stdin", env=env,
        stdin=RESTRICTED.password + "\n",
    )  # fmt: skip


def _seed_run(data_dir: Path, env: dict[str, str]) -> None:
    seed = data_dir / "e2e-seed.ftm"
    rows = (
        {
            "id": f"e2e-seed-{i:04d}",
            "schema": "Organization",
            "properties": {"name": [f"Seed Organisation {i:04d}"]},
        }
        for i in range(SEED_ROWS)
    )
    seed.write_text("".join(json.dumps(row) + "\n" for row in rows))
    intelgraph("ingest", str(seed), "--source", "e2e-seed", "--json", env=env)


def registered_documents(env: dict[str, str]) -> frozenset[str]:
    """The hashes of the documents a server started now would run: the web UI's manifest
    as it is on disk (it is read at start) and the suite's own registry."""
    manifest = json.loads(WEB_MANIFEST.read_text("utf-8"))
    suite = json.loads(Path(env["IG_GRAPHQL_PERSISTED_FILES"]).read_text("utf-8"))
    return frozenset({op["id"] for op in manifest["operations"]} | set(suite))


def extras(data_dir: Path, env: dict[str, str]) -> list[Callable[[], None]]:
    """What the tests add to the demo, as independent lanes of commands: they run at the
    same time, next to the starting server (each command pays seconds of start-up)."""
    return [
        lambda: _analyst_and_warrant(env),
        lambda: _restricted(env),
        lambda: _seed_run(data_dir, env),
    ]


@dataclass(frozen=True)
class Hidden:
    """What the restricted user must never be shown: ids of demo entities none of whose
    statements they may see, and the distinctive captions of those entities."""

    ids: frozenset[str]
    captions: frozenset[str]


def hidden_from_restricted(world: World) -> Hidden:
    """Ids by the generator's labels (an oracle independent of the server), captions as
    the admin reads them through the API; checks the restricted user gets none of them."""
    scope = ViewerScope.make("default", 0, ())
    labels: dict[str, set[Labels]] = {}
    schema_of: dict[str, str] = {}
    for statement in generate(1).statements:
        labels.setdefault(statement.entity_id, set()).add(statement.labels)
        schema_of[statement.entity_id] = statement.schema
    ids = sorted(i for i, sets in labels.items() if not any(scope.can_see(x) for x in sets))
    as_admin = world.query("E2EEntities", {"ids": ids}, user=ADMIN)
    as_restricted = world.query("E2EEntities", {"ids": ids}, user=RESTRICTED)
    assert all(e is not None for e in as_admin["entities"]), "the admin must see the demo"
    assert as_restricted["entities"] == [None] * len(ids), "the oracle disagrees with policy"
    ontology = default_ontology()
    generic = {ontology.get(schema).label for schema in schema_of.values()} | set(
        schema_of.values()
    )
    captions = {
        e["caption"]
        for e in as_admin["entities"]
        if e["caption"] not in generic and len(e["caption"]) >= 5  # "Link", "Uses": too common
    }
    return Hidden(frozenset(ids), frozenset(captions))
