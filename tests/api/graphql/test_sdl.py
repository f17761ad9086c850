"""schema.graphql at the repository root is the contract: it must match the code."""

from __future__ import annotations

from pathlib import Path

from intelgraph.api.graphql.schema import build_api
from intelgraph.ontology import default_ontology

SDL = Path(__file__).resolve().parents[3] / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    generated = build_api(default_ontology()).sdl()
    committed = SDL.read_text(encoding="utf-8")
    assert generated == committed, (
        "schema.graphql differs from the schema the code builds: run "
        "`intelgraph schema graphql --out schema.graphql`, review the diff, and name "
        "every change under the API heading of CHANGELOG.md"
    )


def test_schema_v1_names_are_present() -> None:
    """The names the issue fixes as the v1 contract (a rename breaks clients)."""
    committed = SDL.read_text(encoding="utf-8")
    for name in (
        "me:",
        "entity(id: ID!)",
        "entities(ids: [ID!]!)",
        "search(query: String!",
        "neighbors(id: ID!",
        "paths(from: ID!, to: ID!",
        "subgraph(ids: [ID!]!",
        "statements(entityId: ID!",
        "evidence(statementId: ID!)",
        "sources:",
        "ingestRuns(",
        "ontology:",
        "ledgerCheckpoint:",
        "authorities(",
        "login(",
        "refresh(",
        "logout:",
        "assertStatement(",
        "retractStatement(",
        "judge(",
        "createAuthority(",
        "revokeAuthority(",
        "requestExport(",
        "uploadIngest(",
        "graphChanged(",
        "ingestProgress(",
        "exportProgress(",
    ):
        assert name in committed, name


def test_production_schema_equals_development_schema() -> None:
    """Modes change guards, never the contract."""
    assert (
        build_api(default_ontology(), production=True).sdl() == build_api(default_ontology()).sdl()
    )
