"""Faults: a writer killed mid-batch, corrupt files, unreachable servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from intelgraph.errors import InvalidInput, StoreError
from intelgraph.model import Record, Statement
from intelgraph.ontology import Ontology
from intelgraph.store import Store
from tests.store.builders import EVERYTHING, person

WRITER = textwrap.dedent(
    """
    import sys
    from intelgraph.ontology import default_ontology
    from intelgraph.store import Store
    from tests.store.builders import person, link
    store = Store(sys.argv[1], default_ontology())
    store.write(person("committed", "Committed Person"))
    batch = []
    for i in range(60000):
        batch += person(f"p{i}", f"Person {i}") + link(f"l{i}", "committed", f"p{i}")
    print("writing", flush=True)
    store.write(batch)
    print("done", flush=True)
    """
)


def test_a_writer_killed_mid_batch_leaves_the_store_consistent(
    store_url: str, ontology: Ontology, tmp_path: Path
) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writer = subprocess.Popen(
        [sys.executable, str(script), store_url], stdout=subprocess.PIPE, text=True, env=env
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "writing"
    time.sleep(0.5)  # let the big transaction get under way
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    with Store(store_url, ontology) as store:
        counts = store.counts(EVERYTHING)
        assert store.entity(EVERYTHING, "committed").caption == "Committed Person"
        # All or nothing: the killed batch is either fully there or not at all.
        assert counts.statements in (1, 1 + 60000 * 3)
        assert counts.entities in (1, 60001)
        assert counts.edges == (0 if counts.entities == 1 else 60000)
        page = store.neighbors(EVERYTHING, "committed", limit=10)
        assert len(page.items) == (0 if counts.edges == 0 else 10)
        # The store still takes writes afterwards.
        assert store.write(person("after", "After Crash")).statements_new == 1


def test_corrupt_sqlite_file_gives_a_store_error(tmp_path: Path, ontology: Ontology) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as info:
        Store(f"sqlite:///{path}", ontology)
    assert "sqlite" not in info.value.message.lower()
    assert info.value.hint


def test_unreachable_postgres_gives_a_store_error(ontology: Ontology) -> None:
    with pytest.raises(StoreError) as info:
        Store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", ontology)
    assert "127.0.0.1" not in info.value.message
    assert info.value.to_dict()["code"] == "store_error"


def test_in_memory_sqlite_is_refused_with_a_hint(ontology: Ontology) -> None:
    from intelgraph.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        Store("sqlite://", ontology)
    assert "file" in (info.value.hint or "")


@pytest.mark.parametrize(
    "bad",
    [
        person("bad", "x", labels=None),  # type: ignore[arg-type]
        person("bad", ""),
        person("", "x"),
        person("bad", "x", record=""),
        person("bad", "nul\x00byte"),
        person("x" * 65, "too long an id"),
        person("bad", "v" * 70_000),
        [person("bad", "x")[0]._replace(run_id="run\x00")],
        [person("bad", "x")[0]._replace(run_id=7)],
        [person("bad", "x")[0]._replace(first_seen="yesterday")],
        [person("bad", "x")[0]._replace(first_seen=None)],
        [person("bad", "x")[0]._replace(entity_id=5)],
        [person("bad", "x")[0]._replace(prop=b"name")],
        ["not a statement"],
        [person("bad", "x")[0]._replace(value=42)],
    ],
)
def test_malformed_batches_are_refused_whole(store: Store, bad: list[Statement]) -> None:
    store.write(person("keep", "Keep"))
    with pytest.raises(InvalidInput) as info:
        store.write(person("lost", "Lost") + bad)
    assert "nothing from this batch was written" in (info.value.hint or "")
    assert set(store.entities(EVERYTHING, ["keep", "lost"])) == {"keep"}
    assert store.write(person("lost", "Lost")).statements_new == 1


def test_bad_records_are_refused(store: Store) -> None:
    bad = Record(source_id="s", content="text, not bytes", uri="u")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        store.write(person("x", "X"), [bad])
    assert store.counts(EVERYTHING).statements == 0
