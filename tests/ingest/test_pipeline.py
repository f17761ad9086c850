"""The shared pipeline on both backends: provenance, dedupe, history, DLQ, drift, privacy."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from intelgraph.errors import InvalidInput
from intelgraph.ingest import AutoMapper, DriftError, IngestOptions, IngestPipeline, RunSummary
from intelgraph.ingest.connectors.files import FileInput, expand_paths
from intelgraph.ingest.formats import FormatOptions
from intelgraph.ingest.mapping import parse_mapping
from intelgraph.ingest.privacy import tokenize
from intelgraph.ingest.replay import replay
from intelgraph.model import Labels, Source, ViewerScope, canonical_json
from intelgraph.obs.metrics import REGISTRY
from intelgraph.ontology import Ontology
from intelgraph.store import Store

EVERYONE = ViewerScope.make()
KEY = b"k" * 32
MAPPING = """
source:
  name: people
queries:
  - entities:
      person:
        schema: Person
        keys: [id]
        properties:
          name: {column: name}
          email: {column: email}
          birthDate: {column: born, format: "%d.%m.%Y"}
      company:
        schema: Company
        keys: [employer]
        properties:
          name: {column: employer}
      job:
        schema: Employment
        keys: [id, employer]
        properties:
          employee: {entity: person}
          employer: {entity: company}
"""
ROWS = [
    {"id": "1", "name": "Ada Lovelace", "email": "ada@example.org", "born": "10.12.1815",
     "employer": "Analytical Engines"},
    {"id": "2", "name": "Charles Babbage", "email": "cb@example.org", "born": "26.12.1791",
     "employer": "Analytical Engines"},
    {"id": "3", "name": "Grace Hopper", "email": "grace@example.org", "born": "09.12.1906",
     "employer": "Navy"},
]  # fmt: skip


def write_csv(path: Path, rows: list[dict[str, str]], *, mtime: float | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def pipeline(
    store: Store, ontology: Ontology, text: str = MAPPING, **options: object
) -> IngestPipeline:
    mapping = parse_mapping(text, ontology)
    return IngestPipeline(
        store,
        Source(name="people", labels=Labels.make()),
        mapping,
        connector="file",
        mapping_hash=mapping.hash,
        options=IngestOptions(**options),  # type: ignore[arg-type]
        token_key=KEY,
    )


def run_file(store: Store, ontology: Ontology, path: Path, **options: object) -> RunSummary:
    inputs = expand_paths([path], None, FormatOptions())
    return pipeline(store, ontology, **options).run(inputs)


def statement_rows(store: Store) -> set[tuple[str, ...]]:
    """Every stored statement row, read straight from the table."""
    with store._read_all() as connection:  # test introspection of the raw table
        rows = connection.execute(
            text(
                "SELECT id, entity_id, prop, value, record_id, run_id, first_seen_us, "
                "last_seen_us FROM statements"
            )
        ).all()
    return {tuple(str(v) for v in row) for row in rows}


def test_provenance_of_every_statement(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ROWS, mtime=1_700_000_000)
    summary = run_file(store, ontology, path)
    assert summary.status == "completed"
    data = summary.to_dict()
    assert data["records_read"] == 3
    assert data["entities"]["Person"] == {"created": 3, "updated": 0}
    assert data["entities"]["Company"] == {"created": 2, "updated": 0}
    assert data["edges"]["Employment"] == {"created": 3, "updated": 0}
    hit = store.search(EVERYONE, "Lovelace").hits[0]
    entity = store.entity(EVERYONE, hit.entity.id)
    assert list(entity.properties["birthDate"]) == ["1815-12-10"]
    for statement in entity.statements:
        record = entity.records[statement.record_id]
        assert record.uri == path.resolve().as_uri()
        assert record.location == "line 2"
        expected = canonical_json(ROWS[0])
        assert record.content == expected
        assert statement.record_id == hashlib.sha256(expected).hexdigest()
        assert statement.run_id == summary.run_id
        assert statement.first_seen.timestamp() == 1_700_000_000
    run = store.ingest.run(EVERYONE, summary.run_id)
    assert run.connector == "file"
    assert run.mapping_hash == parse_mapping(MAPPING, ontology).hash
    assert run.code_version
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.stats["statements_written"] == data["statements_written"] > 0


def test_reingest_changes_nothing(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ROWS, mtime=1_700_000_000)
    first = run_file(store, ontology, path)
    before = statement_rows(store)
    again = run_file(store, ontology, path)
    assert again.run_id != first.run_id
    data = again.to_dict()
    assert (data["statements_written"], data["statements_updated"]) == (0, 0)
    assert data["records_read"] == 3
    assert all(v == {"created": 0, "updated": 0} for v in data["entities"].values())
    assert statement_rows(store) == before


def test_changed_row_keeps_history(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ROWS, mtime=1_700_000_000)
    run_file(store, ontology, path)
    changed = [dict(ROWS[0], email="ada@newmail.org"), *ROWS[1:]]
    write_csv(path, changed, mtime=1_800_000_000)
    summary = run_file(store, ontology, path)
    assert summary.to_dict()["statements_written"] > 0
    ada = store.search(EVERYONE, "Lovelace").hits[0].entity
    emails = {
        s.value: (int(s.first_seen.timestamp()), int(s.last_seen.timestamp()))
        for s in store.statements(EVERYONE, ada.id)
        if s.prop == "email"
    }
    # The old value stays, last seen at the first version; the new one starts now.
    assert emails == {
        "ada@example.org": (1_700_000_000, 1_700_000_000),
        "ada@newmail.org": (1_800_000_000, 1_800_000_000),
    }
    babbage = store.search(EVERYONE, "Babbage").hits[0].entity
    names = [s for s in store.statements(EVERYONE, babbage.id) if s.prop == "name"]
    assert [(int(s.first_seen.timestamp()), int(s.last_seen.timestamp())) for s in names] == [
        (1_700_000_000, 1_800_000_000)
    ]


def test_bad_rows_go_to_the_dlq_and_neighbours_load(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    rows = [*ROWS, dict(ROWS[0], id="4", name="Bad Date", born="31.02.1900")]
    path = tmp_path / "people.csv"
    write_csv(path, rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("5,too,few\n")
    summary = run_file(store, ontology, path, batch_size=100)
    data = summary.to_dict()
    assert data["records_read"] == 5
    assert data["records_loaded"] == 3
    assert data["dlq"] == 2
    letters = store.ingest.dead_letters(EVERYONE, run_id=summary.run_id)
    reasons = {letter.location: letter.reason for letter in letters}
    assert "birthDate" in reasons["line 5"]
    assert "31.02.1900" in reasons["line 5"]
    assert "3 fields" in reasons["line 6"]
    raw = {letter.location: letter.content for letter in letters}
    assert json.loads(raw["line 5"])["name"] == "Bad Date"
    assert raw["line 6"] == b"5,too,few"
    assert len(store.search(EVERYONE, "Grace").hits) == 1

    fixed = MAPPING.replace('format: "%d.%m.%Y"', 'format: ["%d.%m.%Y", "%Y-%m-%d"]')
    bad_date = next(letter for letter in letters if letter.location == "line 5")
    # Fix the data: the replay reads the stored bytes, so a corrected copy is needed.
    results = replay(
        store,
        [bad_date],
        lambda sid: IngestPipeline(
            store, store.source(sid), parse_mapping(fixed, ontology), connector="dlq-replay"
        ),
        EVERYONE,
    )
    assert results[0].failed == [bad_date.id]
    pending = store.ingest.dead_letters(EVERYONE, pending_only=True)
    # The old letter is superseded by the replay's own, which carries the current reason.
    assert bad_date.id not in {letter.id for letter in pending}
    (renewed,) = [p for p in pending if p.run_id == results[0].summary.run_id]
    assert "31.02.1900" in renewed.reason
    assert renewed.content == bad_date.content


def test_replay_loads_after_the_mapping_is_fixed(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    rows = [dict(ROWS[0], born="1815-12-10")]
    path = write_csv(tmp_path / "people.csv", rows)
    first = run_file(store, ontology, path)
    assert first.to_dict()["dlq"] == 1
    letter = store.ingest.dead_letters(EVERYONE)[0]
    fixed = MAPPING.replace('format: "%d.%m.%Y"', 'format: ["%d.%m.%Y", "%Y-%m-%d"]')
    results = replay(
        store,
        [letter],
        lambda sid: IngestPipeline(
            store, store.source(sid), parse_mapping(fixed, ontology), connector="dlq-replay"
        ),
        EVERYONE,
    )
    assert results[0].loaded == [letter.id]
    assert store.ingest.dead_letters(EVERYONE, pending_only=True) == []
    replayed = store.ingest.dead_letters(EVERYONE, ids=[letter.id])[0]
    assert replayed.replay_outcome == "loaded"
    assert replayed.replay_run_id == results[0].summary.run_id
    ada = store.search(EVERYONE, "Lovelace").hits[0].entity
    assert list(store.entity(EVERYONE, ada.id).properties["birthDate"]) == ["1815-12-10"]


def test_drift_is_reported_and_can_fail(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ROWS)
    assert run_file(store, ontology, path).drift == []
    drifted = [{**{k: v for k, v in row.items() if k != "email"}, "phone": "+44 20 7946 0000",
                "id": f"x{row['id']}"} for row in ROWS]  # fmt: skip
    write_csv(path, drifted)
    counted = {"source": "people", "change": "retyped"}
    before_metric = REGISTRY.get_sample_value("intelgraph_ingest_schema_drift_total", counted)
    warned = run_file(store, ontology, path)
    assert warned.status == "completed"
    after_metric = REGISTRY.get_sample_value("intelgraph_ingest_schema_drift_total", counted)
    assert (after_metric or 0) - (before_metric or 0) == 1
    changes = {(c["change"], c["field"]) for c in warned.drift}
    assert changes == {("new", "phone"), ("missing", "email"), ("retyped", "id")}
    stored = store.ingest.run(EVERYONE, warned.run_id)
    assert {c["field"] for c in stored.drift} == {"phone", "email", "id"}

    before = store.counts(EVERYONE).statements
    write_csv(path, [dict(row, id=row["id"], email="x") for row in drifted])
    with pytest.raises(DriftError) as caught:
        run_file(store, ontology, path, drift="fail")
    assert caught.value.code == "schema_drift"
    assert store.counts(EVERYONE).statements == before  # nothing of the drifted batch landed
    failed = store.ingest.runs(EVERYONE, limit=1)[0]
    assert failed.status == "failed"
    assert "new field 'email'" in (failed.error or "")


@pytest.mark.parametrize(
    ("action", "expected"),
    [("keep", "ada@example.org"), ("token", tokenize(KEY, "ada@example.org")), ("drop", None)],
)
def test_pii_redaction(
    store: Store, ontology: Ontology, tmp_path: Path, action: str, expected: str | None
) -> None:
    assert ontology.property("Person", "email").privacy == "pii"
    path = write_csv(tmp_path / "people.csv", ROWS)
    summary = run_file(store, ontology, path, privacy={"pii": action})
    ada = store.search(EVERYONE, "Lovelace").hits[0].entity
    emails = store.entity(EVERYONE, ada.id).properties.get("email")
    assert (list(emails) if emails else None) == ([expected] if expected else None)
    run = store.ingest.run(EVERYONE, summary.run_id)
    assert run.options["privacy"]["pii"] == action
    if action != "keep":
        assert summary.to_dict()["redacted"]["pii"][action] >= 3


def test_tokens_join_across_sources(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ROWS)
    mapping = parse_mapping(MAPPING, ontology)
    for name in ("people", "hr"):
        IngestPipeline(
            store,
            Source(name=name),
            mapping,
            connector="file",
            options=IngestOptions(privacy={"pii": "token"}),
            token_key=KEY,
        ).run(expand_paths([path], None, FormatOptions()))
    ada = store.search(EVERYONE, "Lovelace").hits[0].entity
    emails = {
        (s.source_id, s.value) for s in store.statements(EVERYONE, ada.id) if s.prop == "email"
    }
    token = tokenize(KEY, "ada@example.org")
    # Both sources hold the same token, so the records still join; the address is nowhere.
    assert emails == {(Source(name="people").id, token), (Source(name="hr").id, token)}
    assert token.startswith("tok_")
    assert token != tokenize(b"other-key-other-key", "ada@example.org")


def test_an_exception_interrupts_and_the_next_run_resumes(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    rows = [dict(ROWS[i % 3], id=str(i), name=f"Person {i}") for i in range(50)]
    path = write_csv(tmp_path / "people.csv", rows)
    calls: list[int] = []

    def explode(_: str, records: int) -> None:
        calls.append(records)
        if len(calls) == 2:
            raise KeyboardInterrupt

    inputs = expand_paths([path], None, FormatOptions())
    broken = pipeline(store, ontology, batch_size=10)
    broken.progress = explode
    with pytest.raises(KeyboardInterrupt):
        broken.run(inputs)
    interrupted = store.ingest.runs(EVERYONE, limit=1)[0]
    assert interrupted.status == "interrupted"
    assert store.ingest.checkpoints(interrupted.id)[inputs[0].uri].records == 20

    resumed = pipeline(store, ontology, batch_size=10).run(inputs)
    assert resumed.resumed
    assert resumed.run_id == interrupted.id
    data = resumed.to_dict()
    assert data["records_read"] == 50
    assert data["entities"]["Person"]["created"] == 50


def test_ftm_stream_and_unknown_properties(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    lines = [
        {"id": "p-1", "schema": "Person", "properties": {"name": ["Ada"], "eyeColor": ["grey"]}},
        {"id": "c-1", "schema": "Company", "properties": {"name": ["Engines Ltd"]}},
        {"id": "o-1", "schema": "Ownership",
         "properties": {"owner": ["p-1"], "asset": ["c-1"], "percentage": ["50"]}},
        {"id": "x", "schema": "NoSuchSchema", "properties": {}},
    ]  # fmt: skip
    path = tmp_path / "entities.ftm.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    inputs = expand_paths([path], None, FormatOptions())
    assert inputs[0].format == "ftm"
    summary = IngestPipeline(store, Source(name="ftm"), AutoMapper(ontology), connector="file").run(
        inputs
    )
    data = summary.to_dict()
    assert data["records_loaded"] == 3
    assert data["dlq"] == 1
    assert data["unmapped"] == {"Person.eyeColor": 1}
    page = store.neighbors(EVERYONE, "p-1")
    assert [(n.entity_id, n.edge_schema, n.edge_id) for n in page.items] == [
        ("c-1", "Ownership", "o-1")
    ]


def test_duplicate_inputs_are_refused(store: Store, ontology: Ontology, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "people.csv", ROWS)
    one = FileInput(path, "csv")
    with pytest.raises(InvalidInput, match="the same input is named twice"):
        pipeline(store, ontology).run([one, FileInput(path, "csv")])
    assert store.ingest.runs(EVERYONE) == []  # refused before a run was opened


def test_bad_options_are_refused() -> None:
    with pytest.raises(InvalidInput, match="batch size must be between 1 and"):
        IngestOptions(batch_size=0)
    with pytest.raises(InvalidInput, match="unknown drift policy 'explode'"):
        IngestOptions(drift="explode")


def test_values_the_store_refuses_are_dead_lettered(
    store: Store, ontology: Ontology, tmp_path: Path
) -> None:
    lines = [
        {"id": "ok-1", "schema": "Person", "properties": {"name": ["Fine"]}},
        {"id": "long-1", "schema": "Person",
         "properties": {"name": ["Long"], "notes": ["x" * 70_000]}},
        {"id": "nul-1", "schema": "Person", "properties": {"name": ["Bad\u0000Name"]}},
    ]  # fmt: skip
    path = tmp_path / "odd.ftm"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    summary = IngestPipeline(store, Source(name="odd"), AutoMapper(ontology), connector="file").run(
        expand_paths([path], None, FormatOptions())
    )
    assert summary.to_dict()["records_loaded"] == 1
    reasons = sorted(letter.reason for letter in store.ingest.dead_letters(EVERYONE))
    assert len(reasons) == 2
    assert any("at most 65536" in reason for reason in reasons)
    assert any("control characters" in reason for reason in reasons), reasons
