"""The web UI's registered documents stay valid against schema v1 (enforce mode runs
only these, so a schema change that breaks one breaks the UI)."""

from __future__ import annotations

import json

import pytest
from graphql import parse, validate

from intelgraph.api.graphql.persisted import PersistedMode, PersistedQueries, document_hash
from intelgraph.api.graphql.schema import build_api
from intelgraph.api.graphql.service import UI_DOCUMENTS
from intelgraph.ontology import default_ontology

OPERATIONS = json.loads(UI_DOCUMENTS.read_text(encoding="utf-8"))["operations"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o["name"] for o in OPERATIONS])
def test_each_ui_document_validates(operation: dict[str, str]) -> None:
    schema = build_api(default_ontology(), production=True).schema._schema
    assert validate(schema, parse(operation["body"])) == []
    assert operation["id"] == document_hash(operation["body"])


def test_registry_loads_in_enforce_mode() -> None:
    registry = PersistedQueries.load(PersistedMode.ENFORCE, [UI_DOCUMENTS])
    assert registry.registered_count == len(OPERATIONS)
    first = OPERATIONS[0]
    assert (
        registry.resolve(None, {"persistedQuery": {"version": 1, "sha256Hash": first["id"]}})
        == first["body"]
    )
