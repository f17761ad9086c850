"""One process at a time per run: live holders are refused, dead ones taken over."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import text

from intelgraph.ingest import AutoMapper, IngestPipeline
from intelgraph.ingest.lease import STALE_AFTER, RunInProgress, holder_alive, this_process
from intelgraph.model import Source, ViewerScope, utcnow
from intelgraph.ontology import Ontology
from intelgraph.store import Store
from intelgraph.store.writer import to_us

INPUTS = ["file:///data/people.jsonl"]


def pipeline(store: Store, ontology: Ontology) -> IngestPipeline:
    return IngestPipeline(store, Source(name="lease"), AutoMapper(ontology), connector="file")


def set_holder(store: Store, run_id: str, owner: str, heartbeat_age: timedelta) -> None:
    with store._write() as connection:  # test set-up of the bookkeeping columns
        connection.execute(
            text("UPDATE ingest_runs SET owner = :o, heartbeat_us = :h WHERE id = :id"),
            {"o": owner, "h": to_us(utcnow() - heartbeat_age), "id": run_id},
        )


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_held_by_a_live_process_is_refused(store: Store, ontology: Ontology) -> None:
    first = pipeline(store, ontology).open_run(INPUTS)
    assert first.run.owner == this_process()
    with pytest.raises(RunInProgress) as caught:
        pipeline(store, ontology).open_run(INPUTS)
    assert caught.value.details["run_id"] == first.run.id
    assert "wait for it" in (caught.value.hint or "")


def test_a_run_whose_process_died_is_taken_over(store: Store, ontology: Ontology) -> None:
    first = pipeline(store, ontology).open_run(INPUTS)
    host = this_process().rpartition(":")[0]
    set_holder(store, first.run.id, f"{host}:{dead_pid()}", timedelta(0))
    second = pipeline(store, ontology).open_run(INPUTS)
    assert second.resumed
    assert second.run.id == first.run.id
    (run,) = store.ingest.runs(ViewerScope.make(), limit=1)
    assert run.owner == this_process()


def test_other_hosts_hold_a_run_until_their_heartbeat_is_stale(
    store: Store, ontology: Ontology
) -> None:
    first = pipeline(store, ontology).open_run(INPUTS)
    set_holder(store, first.run.id, "elsewhere.example:4242", timedelta(seconds=10))
    with pytest.raises(RunInProgress):
        pipeline(store, ontology).open_run(INPUTS)
    set_holder(store, first.run.id, "elsewhere.example:4242", STALE_AFTER + timedelta(seconds=1))
    assert pipeline(store, ontology).open_run(INPUTS).resumed


def test_interrupted_runs_are_free(store: Store, ontology: Ontology) -> None:
    first = pipeline(store, ontology).open_run(INPUTS)
    store.ingest.mark_interrupted(first.run.id)
    (run,) = store.ingest.runs(ViewerScope.make(), limit=1)
    assert not holder_alive(run)
    assert pipeline(store, ontology).open_run(INPUTS).run.id == first.run.id


def test_a_claim_is_atomic(store: Store, ontology: Ontology) -> None:
    first = pipeline(store, ontology).open_run(INPUTS)
    assert store.ingest.claim_run(first.run.id, first.run.owner, "a:1")
    assert not store.ingest.claim_run(first.run.id, first.run.owner, "b:2")  # lost the race
