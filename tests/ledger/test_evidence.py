"""Claim → evidence on both backends: ingested and analyst-made statements alike."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intelgraph.errors import InvalidInput, NotFound, OntologyError
from intelgraph.ingest.claims import CLAIM_MEDIA_TYPE, Claim, assert_claim
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import decode
from intelgraph.ledger.service import Ledger
from intelgraph.model import Labels, Source, ViewerScope
from intelgraph.ontology import Ontology
from intelgraph.store import Store
from tests.ingest.test_pipeline import ROWS, pipeline, write_csv
from tests.ingest.test_pipeline import run_file as ingest_file

EVERYONE = ViewerScope.make()
SECRET = ViewerScope.make(clearance="SECRET", compartments=["FIN"])


def all_statement_ids(store: Store) -> list[str]:
    with store._read_all() as connection:  # test introspection of the raw table
        return [row[0] for row in connection.exec_driver_sql("SELECT id FROM statements")]


def test_every_ingested_statement_has_checkable_evidence(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    summary = ingest_file(store, ontology, write_csv(tmp_path / "people.csv", ROWS), batch_size=2)
    ledger = Ledger(store, tmp_path / "data")
    ids = all_statement_ids(store)
    assert len(ids) > 15
    leaves = set()
    for statement_id in ids:
        found = ledger.evidence(EVERYONE, statement_id)
        found.check()
        assert found.run is not None
        assert found.run.id == summary.run_id
        assert found.record is not None
        assert found.record.location.startswith("line ")
        assert found.source.name == "people"
        fields = found.leaf_fields
        assert fields["type"] == "ingest-batch"
        assert fields["run"] == summary.run_id
        leaves.add(found.leaf_index)
    assert len(leaves) == 2  # three rows in batches of two
    assert ledger.verify().ok


def test_forged_evidence_does_not_check(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    ingest_file(store, ontology, write_csv(tmp_path / "people.csv", ROWS))
    ledger = Ledger(store, tmp_path / "data")
    found = ledger.evidence(EVERYONE, all_statement_ids(store)[0])
    edited = dataclasses.replace(
        found, statement=dataclasses.replace(found.statement, value="someone else")
    )
    with pytest.raises(merkle.ProofError, match="does not match its content"):
        edited.check()
    other_leaf = dataclasses.replace(found, leaf=found.leaf.replace(b'"v":1', b'"v":2'))
    with pytest.raises(merkle.ProofError, match="different root"):
        other_leaf.check()
    short_path = dataclasses.replace(
        found,
        statement_proof=dataclasses.replace(
            found.statement_proof, path=found.statement_proof.path[1:]
        ),
    )
    with pytest.raises(merkle.ProofError):
        short_path.check()


def test_evidence_respects_the_viewer(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    secret = Source(
        "ledger-secret", labels=Labels.make(classification="SECRET", compartments=["FIN"])
    )
    pipe = pipeline(store, ontology)
    pipe.source, pipe.source_id = secret, secret.id
    store.put_source(secret)
    from intelgraph.ingest.connectors.files import expand_paths
    from intelgraph.ingest.formats import FormatOptions

    pipe.run(expand_paths([write_csv(tmp_path / "p.csv", ROWS)], None, FormatOptions()))
    ledger = Ledger(store, tmp_path / "data")
    statement_id = all_statement_ids(store)[0]
    ledger.evidence(SECRET, statement_id).check()
    with pytest.raises(NotFound):
        ledger.evidence(EVERYONE, statement_id)


def test_analyst_claims_take_the_same_path(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    ingest_file(store, ontology, write_csv(tmp_path / "people.csv", ROWS))
    ledger = Ledger(store, tmp_path / "data")
    person = store.search(EVERYONE, "Ada Lovelace").hits[0].entity
    moment = datetime(2026, 11, 29, 12, tzinfo=UTC)
    claim = Claim(
        author="ann",
        entity_id=person.id,
        prop="nationality",
        value="United Kingdom",
        justification="birth register, St James's Westminster",
        evidence=b"%PDF-1.7 scan of the register",
        evidence_name="register.pdf",
    )
    made = assert_claim(store, EVERYONE, claim, at=moment)
    assert made.new
    assert made.value == "gb"  # normalised like ingested values
    found = ledger.evidence(EVERYONE, made.statement_id)
    found.check()
    assert found.leaf_fields["type"] == "claim"
    assert found.leaf_fields["author"] == "ann"
    assert found.leaf_fields["records"]["count"] == 2  # the claim and its evidence file
    assert found.record is not None
    assert found.record.media_type == CLAIM_MEDIA_TYPE
    body = json.loads(found.record.content)
    assert body["justification"].startswith("birth register")
    assert body["evidence"]["sha256"] == made.evidence_id
    evidence = store.record(EVERYONE, str(made.evidence_id))
    assert evidence.content.startswith(b"%PDF")
    assert evidence.media_type == "application/pdf"
    assert found.source.name == "analyst:ann"
    size = store.ledger.size()
    again = assert_claim(store, EVERYONE, claim, at=moment)
    assert not again.new
    assert store.ledger.size() == size  # nothing new, nothing logged
    assert "birth register" not in str([decode(b) for _, _, b in store.ledger.leaves()])
    assert ledger.verify().ok


def test_bad_claims_are_refused(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    ingest_file(store, ontology, write_csv(tmp_path / "people.csv", ROWS))
    person = store.search(EVERYONE, "Ada").hits[0].entity
    size = store.ledger.size()
    base = Claim("ann", person.id, "nationality", "gb", "seen it")
    with pytest.raises(InvalidInput, match="justification"):
        assert_claim(store, EVERYONE, dataclasses.replace(base, justification="  "))
    with pytest.raises(InvalidInput, match="not a valid country"):
        assert_claim(store, EVERYONE, dataclasses.replace(base, value="Atlantis"))
    with pytest.raises(OntologyError, match="no property"):
        assert_claim(store, EVERYONE, dataclasses.replace(base, prop="wingspan"))
    with pytest.raises(InvalidInput, match="above your own clearance"):
        assert_claim(store, EVERYONE, dataclasses.replace(base, classification="SECRET"))
    with pytest.raises(NotFound):
        assert_claim(store, EVERYONE, dataclasses.replace(base, entity_id="0" * 40))
    assert store.ledger.size() == size


def test_long_runs_sign_checkpoints_as_they_go(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    from intelgraph.ingest.connectors.files import expand_paths
    from intelgraph.ingest.formats import FormatOptions

    ledger = Ledger(store, tmp_path / "data")
    calls: list[int] = []

    def checkpoint() -> object:
        calls.append(store.ledger.size())
        return ledger.checkpoint()

    pipe = pipeline(store, ontology, batch_size=1)
    pipe.checkpoint, pipe.checkpoint_every = checkpoint, 0.0  # after every commit
    pipe.run(expand_paths([write_csv(tmp_path / "p.csv", ROWS)], None, FormatOptions()))
    assert len(calls) >= len(ROWS) + 1  # one per commit, and one when the run ends
    assert len(store.ledger.checkpoints()) >= len(ROWS)
    assert ledger.verify().ok
