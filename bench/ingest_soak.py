"""Kill -9 soak for ingest: SIGKILL a CSV load at random points, resume it, check every time.

    .venv/bin/python bench/ingest_soak.py --kills 500
    .venv/bin/python bench/ingest_soak.py --kills 100 --backend postgresql --rows 3000

A deterministic CSV (people owning shares of companies, with some rows that must
go to the dead-letter queue) is first loaded uninterrupted into a fresh store:
that is the reference. Then, in cycles on fresh stores, the same load runs in a
forked child that the parent SIGKILLs after a random delay (at start-up, while
mapping, inside the batch transaction, at commit, between batches, near the
end), or that SIGKILLs itself at a random COMMIT or just after one (the narrowest
windows); after every kill, before resuming, the parent checks the store's integrity
and compares it exactly with the reference cut at the stored checkpoint:
statements, records, dead letters, run totals and field profile. A cycle ends
when a resumed run completes; its final state must equal the reference. Prints
kills done, mismatches found (must be 0) and the time taken.

``tests/ingest/test_kill_resume.py`` runs the same loop with smaller quotas.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any, Protocol

import psycopg
from sqlalchemy import Engine, Pool, event
from sqlalchemy.engine import make_url

from intelgraph.ingest import FormatOptions, IngestOptions, IngestPipeline, Input, RunSummary
from intelgraph.ingest.connectors.files import FileInput, expand_paths
from intelgraph.ingest.mapping import parse_mapping
from intelgraph.model import Source
from intelgraph.ontology import default_ontology
from intelgraph.store import Store
from intelgraph.store.ledger_audit import audit
from intelgraph.store.tables import metadata

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
CHILD_APP = "ig-kill-soak-child"  # application_name of the children's PostgreSQL sessions
SOURCE = Source(name="kill-soak")

# Person + Company + Ownership (owner → asset) per row. A start date that does not match its
# format, a share that is not a number, a stake with no owner (a required edge end) or a row
# with a field too many is dead-lettered; an empty row maps to nothing (a skipped record).
MAPPING = """\
queries:
  - entities:
      person:
        schema: Person
        key: person
        properties:
          name: {column: person}
          nationality: {column: country}
      company:
        schema: Company
        key: company
        properties:
          name: {column: company}
          registrationNumber: {column: regno}
      stake:
        schema: Ownership
        key: row
        properties:
          owner: {entity: person}
          asset: {entity: company}
          percentage: {column: share}
          startDate: {column: since, format: "%d.%m.%Y"}
"""
COLUMNS = ("row", "person", "country", "company", "regno", "share", "since")
COUNTRIES = ("de", "fr", "gb", "nl", "pl", "es")

StatementRow = tuple[str, str, str, str, str, int, int]  # id, entity, prop, value, record, seen
RecordRow = tuple[str, str]  # id, location
LetterRow = tuple[str, str, bytes]  # location, reason, content
EntityRow = tuple[str, str, str, str, bool, int, int]  # id, schema, caption, props, edge, seen
EdgeRow = tuple[str, str, str, str]  # edge entity id, schema, source id, target id

# What a child was doing (shared memory the parent reads after the kill).
STARTING, OPENING, IN_TRANSACTION, COMMITTING, BETWEEN_BATCHES, DONE = range(6)
PHASES = {
    STARTING: "process start",
    OPENING: "opening the store and run",
    IN_TRANSACTION: "inside a write transaction",
    COMMITTING: "at COMMIT",
    BETWEEN_BATCHES: "between batches (reading, mapping)",
    DONE: "after the run returned",
}


# -- the input ------------------------------------------------------------------------------


def write_input(path: Path, rows: int, seed: int) -> int:
    """A deterministic CSV of ``rows`` records (each line unique); returns the record count."""
    rng = random.Random(seed)
    people, companies = max(rows // 3, 1), max(rows // 12, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            if i == rows // 2:
                writer.writerow([""] * len(COLUMNS))  # maps to nothing: a skipped record
                continue
            n, c = rng.randrange(people), rng.randrange(companies)
            since = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1990, 2024)}"
            share = f"{rng.randint(1, 10000) / 100:.2f}"
            if i % 53 == 7:
                since = f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-30"  # wrong format
            if i % 89 == 11:
                share = "about a third"  # not a number
            person = "" if i % 61 == 3 else f"Person {n}"  # a stake without its owner
            # Now and then a company is filed under another number: a new value that later
            # batches add to an existing entity row (the projection's update path).
            regno = f"HRB {c}" if i % 5 else f"HRB {c}/{i % 7}"
            row = [f"r{i}", person, COUNTRIES[n % len(COUNTRIES)], f"Company {c}", regno]
            row += [share, since]
            if i % 401 == 17:
                row.append("stray field")  # unparseable: too many fields
            writer.writerow(row)
    return rows


@dataclass(frozen=True)
class Scenario:
    """One load: its input file, batch size and mapping."""

    csv: Path
    records: int
    batch_size: int = 20
    mapping: str = MAPPING


def file_inputs(scenario: Scenario) -> list[FileInput]:
    return expand_paths([scenario.csv], "csv", FormatOptions())


def ingest(
    url: str,
    scenario: Scenario,
    *,
    progress: Callable[[str, int], None] | None = None,
    inputs: Sequence[Input] | None = None,
) -> RunSummary:
    """Run (or resume) the load in this process, on a store of its own."""
    with Store(url, default_ontology()) as store:
        mapping = parse_mapping(scenario.mapping, store.ontology)
        pipeline = IngestPipeline(
            store,
            SOURCE,
            mapping,
            connector="file",
            mapping_hash=mapping.hash,
            options=IngestOptions(batch_size=scenario.batch_size),
            progress=progress,
        )
        return pipeline.run(list(inputs) if inputs is not None else file_inputs(scenario))


# -- stores -----------------------------------------------------------------------------------


class StoreFactory(Protocol):
    backend: str

    def __call__(self) -> str:
        """The URL of an empty, migrated store (the previous one may be dropped)."""
        ...


class SqliteStores:
    """A new SQLite file per call, in ``folder``; the previous one is deleted."""

    backend = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made = 0

    def __call__(self) -> str:
        for old in self.folder.glob(f"soak-{self.made}.db*"):
            old.unlink()
        self.made += 1
        url = f"sqlite:///{self.folder / f'soak-{self.made}.db'}"
        store = Store(url, default_ontology(), check_schema=False)
        store.upgrade()
        store.close()
        return url


class PostgresStores:
    """One migrated PostgreSQL database, emptied on every call."""

    backend = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self) -> str:
        tables = ", ".join(table.name for table in metadata.sorted_tables)
        with psycopg.connect(plain_pg_url(self.url), autocommit=True) as connection:
            connection.execute("SET session_replication_role = replica")  # past ledger triggers
            connection.execute(f"TRUNCATE {tables} RESTART IDENTITY")
            connection.execute("INSERT INTO meta (key, value) VALUES ('graph_version', '0')")
        return self.url


def plain_pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def child_url(url: str) -> str:
    """The children's URL: on PostgreSQL tagged so the parent can wait for their sessions."""
    if url.startswith("sqlite"):
        return url
    return f"{url}{'&' if '?' in url else '?'}application_name={CHILD_APP}"


@contextmanager
def temporary_database(admin_url: str) -> Iterator[str]:
    """A throw-away, migrated PostgreSQL database on the server of ``admin_url``."""
    name = f"ig_soak_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin_url.rpartition('/')[0]}/{name}"
    try:
        store = Store(url, default_ontology(), check_schema=False)
        store.upgrade()
        store.close()
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for_children(url: str, timeout: float = 30.0) -> bool:
    """On PostgreSQL, wait until the killed children's server sessions have ended, so that
    a COMMIT already on the wire is either applied or rolled back before we look."""
    if url.startswith("sqlite"):
        return True
    deadline = time.monotonic() + timeout
    with psycopg.connect(plain_pg_url(url), autocommit=True) as connection:
        while True:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = %s",
                (CHILD_APP,),
            ).fetchone()
            if row is None or row[0] == 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)


# -- reading a store directly (SQL, not the store API) -----------------------------------------


@dataclass(frozen=True)
class RunState:
    id: str
    status: str
    stats: dict[str, Any]
    profile: dict[str, str]
    drift: list[Any]
    error: str | None
    finished: bool


@dataclass(frozen=True)
class CheckpointRow:
    run_id: str
    input_uri: str
    cursor: str
    records: int
    done: bool


@dataclass(frozen=True)
class Snapshot:
    """Everything the checks compare, read in one transaction, and the integrity problems."""

    statements: list[StatementRow]
    records: list[RecordRow]
    letters: list[LetterRow]
    runs: list[RunState]
    checkpoints: list[CheckpointRow]
    entities: list[EntityRow]
    edges: list[EdgeRow]
    problems: list[str]


@contextmanager
def _reader(url: str) -> Iterator[Callable[[str], list[tuple[Any, ...]]]]:
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            connection.execute("BEGIN")  # one read snapshot for every query
            yield lambda sql: connection.execute(sql).fetchall()
            connection.execute("COMMIT")
    else:
        with psycopg.connect(plain_pg_url(url)) as connection:
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield lambda sql: connection.execute(sql).fetchall()
            connection.rollback()


def read_snapshot(url: str) -> Snapshot:
    with _reader(url) as query:
        raw = {
            "statements": query(
                "SELECT id, entity_id, prop, value, record_id, first_seen_us, last_seen_us, "
                "nid, labelset_id, schema, run_id FROM statements"
            ),
            "records": query("SELECT id, location, run_id FROM records"),
            "letters": query("SELECT location, reason, content, run_id FROM dead_letters"),
            "runs": query(
                "SELECT id, status, stats, profile, drift, error, finished_us FROM ingest_runs"
            ),
            "checkpoints": query(
                "SELECT run_id, input_uri, cursor, records, done FROM ingest_checkpoints"
            ),
            "nodes": query("SELECT nid, id FROM nodes"),
            "entities": query(
                "SELECT row_id, nid, labelset_id, schema, caption, properties, is_edge, "
                "first_seen_us, last_seen_us FROM entities"
            ),
            "edges": query("SELECT nid, labelset_id, schema, src, dst FROM edges"),
            "labelsets": query("SELECT id FROM labelsets"),
            "version": query("SELECT value FROM meta WHERE key = 'graph_version'"),
        }
        problems: list[str] = []
        if url.startswith("sqlite"):
            if query("PRAGMA integrity_check") != [("ok",)]:
                problems.append("PRAGMA integrity_check is not ok")
            if query("PRAGMA foreign_key_check"):
                problems.append("PRAGMA foreign_key_check found violations")
            indexed = {row[0] for row in query("SELECT rowid FROM entity_fts")}
        else:
            unindexed = query("SELECT row_id FROM entities WHERE search IS NULL")
            indexed = {row[0] for row in raw["entities"]} - {row[0] for row in unindexed}
    problems += ledger_problems(url, raw["statements"])
    return _snapshot(raw, indexed, problems)


def ledger_problems(url: str, statements: Sequence[Sequence[Any]]) -> list[str]:
    """The log verifies, and every stored statement is in a logged batch: a batch and
    its leaf commit together or not at all."""
    with Store(url, default_ontology()) as store:
        report = audit(store, [], "soak")
        wanted = [_Logged(row[0], row[4]) for row in statements]
        found = store.evidence.locate(wanted)  # type: ignore[arg-type]  # id + record_id suffice
    problems = [f"ledger: {p}" for p in report.problems]
    missing = len(wanted) - len(found)
    if missing:
        problems.append(f"ledger: {missing} stored statement(s) are in no logged batch")
    return problems


@dataclass(frozen=True)
class _Logged:
    id: str
    record_id: str


def _snapshot(raw: dict[str, Any], indexed: set[int], problems: list[str]) -> Snapshot:
    nodes: dict[int, str] = dict(raw["nodes"])
    runs = [
        RunState(
            id=r[0],
            status=r[1],
            stats=json.loads(r[2]),
            profile=json.loads(r[3]),
            drift=json.loads(r[4]),
            error=r[5],
            finished=r[6] is not None,
        )
        for r in raw["runs"]
    ]
    checkpoints = [
        CheckpointRow(r[0], r[1], r[2], int(r[3]), bool(r[4])) for r in raw["checkpoints"]
    ]
    problems.extend(integrity_problems(raw, {run.id for run in runs}, checkpoints, indexed))
    return Snapshot(
        statements=sorted((s[0], s[1], s[2], s[3], s[4], s[5], s[6]) for s in raw["statements"]),
        records=sorted((r[0], r[1]) for r in raw["records"]),
        letters=sorted((d[0], d[1], bytes(d[2])) for d in raw["letters"]),
        runs=runs,
        checkpoints=checkpoints,
        entities=sorted(
            (nodes[e[1]], e[3], e[4], e[5], bool(e[6]), e[7], e[8]) for e in raw["entities"]
        ),
        edges=sorted((nodes[g[0]], g[2], nodes[g[3]], nodes[g[4]]) for g in raw["edges"]),
        problems=problems,
    )


def integrity_problems(
    raw: Mapping[str, Any],
    run_ids: set[str],
    checkpoints: Sequence[CheckpointRow],
    indexed: set[int],
) -> list[str]:
    """Orphans, duplicates, and a projection out of step with the statements."""
    found: dict[str, list[Any]] = defaultdict(list)
    nodes: dict[int, str] = dict(raw["nodes"])
    records = {r[0] for r in raw["records"]}
    labelsets = {r[0] for r in raw["labelsets"]}
    seen: set[str] = set()
    # What the projection of the stored statements must be: (nid, label set) → fold.
    folded: dict[tuple[int, int], dict[str, set[str]]] = {}
    window: dict[tuple[int, int], tuple[int, int]] = {}
    schemata: dict[tuple[int, int], set[str]] = defaultdict(set)
    for sid, entity_id, prop, value, record_id, first, last, nid, labelset, schema, run in raw[
        "statements"
    ]:
        if sid in seen:
            found["duplicated statements"].append(sid)
        seen.add(sid)
        if record_id not in records:
            found["statements without their record"].append(sid)
        if nodes.get(nid) != entity_id:
            found["statements on a missing or wrong node"].append(sid)
        if labelset not in labelsets:
            found["statements with no label set"].append(sid)
        if run not in run_ids:
            found["statements of no run"].append(sid)
        key = (nid, labelset)
        fold = folded.get(key)
        if fold is None:
            fold = folded[key] = {}
            window[key] = (first, last)
        fold.setdefault(prop, set()).add(value)
        schemata[key].add(schema)
        low, high = window[key]
        window[key] = (min(low, first), max(high, last))
    found["records of no run"] = [r[0] for r in raw["records"] if r[2] not in run_ids]
    found["dead letters of no run"] = [d[0] for d in raw["letters"] if d[3] not in run_ids]
    found["checkpoints of no run"] = [c.run_id for c in checkpoints if c.run_id not in run_ids]
    if len(raw["version"]) != 1 or not str(raw["version"][0][0]).isdigit():
        found["meta.graph_version missing or not a number"] = [raw["version"]]
    entities = {(e[1], e[2]): e for e in raw["entities"]}
    twice = Counter((e[1], e[2]) for e in raw["entities"])
    found["entity rows twice"] = [key for key, count in twice.items() if count > 1]
    found["entity rows without statements"] = list(entities.keys() - folded.keys())
    found["statements without an entity row"] = list(folded.keys() - entities.keys())
    ontology = default_ontology()
    ids = {entity_id: nid for nid, entity_id in nodes.items()}
    edges: set[tuple[Any, ...]] = set()
    for key, (
        _,
        nid,
        labelset,
        schema_name,
        _,
        properties,
        is_edge,
        first,
        last,
    ) in entities.items():
        props = json.loads(properties)
        expected = {prop: sorted(values) for prop, values in folded.get(key, {}).items()}
        schema = ontology.get(schema_name)
        if (
            props != expected
            or schema_name not in schemata.get(key, ())
            or (first, last) != window.get(key)
            or bool(is_edge) != schema.is_edge
        ):
            found["entity rows that are not the fold of their statements"].append(nodes.get(nid))
        source, target = schema.edge_source, schema.edge_target
        if schema.is_edge and source and target and props.get(source) and props.get(target):
            ends = (ids.get(min(props[source])), ids.get(min(props[target])))
            edges.add((nid, labelset, schema_name, *ends))
    stored = {tuple(g) for g in raw["edges"]}
    found["edge rows missing"] = list(edges - stored)
    found["edge rows without their edge entity"] = list(stored - edges)
    used = {key[0] for key in folded} | {g[3] for g in stored} | {g[4] for g in stored}
    found["nodes nothing refers to"] = list(nodes.keys() - used)
    row_ids = {e[0] for e in raw["entities"]}
    found["entities missing from the search index"] = list(row_ids - indexed)
    found["search index rows of no entity"] = list(indexed - row_ids)
    return [
        f"{kind}: {len(items)} (e.g. {min(items, key=repr)!r})"
        for kind, items in found.items()
        if items
    ]


# -- the reference ------------------------------------------------------------------------------


def _index(location: str) -> int:
    """The 1-based record number of a CSV record from its location (``line N``, header 1)."""
    if not location.startswith("line "):
        raise ValueError(f"unexpected record location {location!r}")
    return int(location.removeprefix("line ")) - 1


def _without_seconds(stats: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in stats.items() if name != "seconds"}


@dataclass
class Reference:
    """The uninterrupted load, cut by record number so any checkpoint has an expected state."""

    total: int
    statements: dict[int, list[StatementRow]]
    records: dict[int, list[RecordRow]]
    letters: dict[int, list[LetterRow]]
    # Run totals (without ``seconds``) and field profile after each batch, by records done.
    progress: dict[int, tuple[dict[str, Any], dict[str, str]]]
    final: Snapshot
    seconds: float

    def cut(self, done: int) -> tuple[list[StatementRow], list[RecordRow], list[LetterRow]]:
        """The statements, records and dead letters of the first ``done`` records."""
        statements = [s for i in range(1, done + 1) for s in self.statements.get(i, ())]
        records = [r for i in range(1, done + 1) for r in self.records.get(i, ())]
        letters = [d for i in range(1, done + 1) for d in self.letters.get(i, ())]
        return sorted(statements), sorted(records), sorted(letters)


def build_reference(url: str, scenario: Scenario) -> Reference:
    progress: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}

    def after_batch(_uri: str, _count: int) -> None:
        with _reader(url) as query:
            ((stats, profile),) = query("SELECT stats, profile FROM ingest_runs")
        totals = json.loads(stats)
        progress[totals["records_read"]] = (_without_seconds(totals), json.loads(profile))

    started = time.perf_counter()
    summary = ingest(url, scenario, progress=after_batch)
    seconds = time.perf_counter() - started
    final = read_snapshot(url)
    if summary.status != "completed" or final.problems or len(final.runs) != 1:
        raise RuntimeError(f"the reference load failed: {summary.status} {final.problems}")
    index_of = {record_id: _index(location) for record_id, location in final.records}
    statements: dict[int, list[StatementRow]] = defaultdict(list)
    records: dict[int, list[RecordRow]] = defaultdict(list)
    letters: dict[int, list[LetterRow]] = defaultdict(list)
    for s in final.statements:
        statements[index_of[s[4]]].append(s)
    for r in final.records:
        records[index_of[r[0]]].append(r)
    for d in final.letters:
        letters[_index(d[0])].append(d)
    numbers = sorted([*records, *letters])
    if numbers != list(range(1, scenario.records + 1)):
        raise RuntimeError("the reference does not hold every record exactly once")
    if not letters or not statements:
        raise RuntimeError("the reference has no dead letters or no statements")
    return Reference(
        scenario.records, dict(statements), dict(records), dict(letters), progress, final, seconds
    )


# -- the exact comparisons --------------------------------------------------------------------


def _diff(kind: str, stored: Sequence[Any], expected: Sequence[Any]) -> list[str]:
    if stored == expected:
        return []
    have, want = Counter(stored), Counter(expected)
    lost, extra = want - have, have - want
    return [
        f"{kind}: {len(stored)} stored, {len(expected)} expected; "
        f"{sum(lost.values())} lost, {sum(extra.values())} unexpected or duplicated"
        + (f" (e.g. lost {next(iter(lost))!r})" if lost else "")
        + (f" (e.g. unexpected {next(iter(extra))!r})" if extra else "")
    ]


def _changed(stored: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in stored.keys() | expected.keys() if stored.get(k) != expected.get(k))


def checkpoint_problems(snap: Snapshot, ref: Reference) -> list[str]:
    """After a kill: the store holds exactly the reference's first N records, where N is
    the stored checkpoint, and the run totals say so."""
    problems = list(snap.problems)
    if len(snap.runs) > 1:
        problems.append(f"{len(snap.runs)} runs: a resume started a new run")
    run = snap.runs[0] if snap.runs else None
    if run is not None and run.status not in ("running", "interrupted"):
        problems.append(f"the unfinished run has status {run.status!r}")
    if len(snap.checkpoints) > 1:
        problems.append(f"{len(snap.checkpoints)} checkpoints for one input")
    checkpoint = snap.checkpoints[0] if snap.checkpoints else None
    done = checkpoint.records if checkpoint is not None else 0
    if checkpoint is not None and (
        checkpoint.cursor != str(done) or (checkpoint.done and done != ref.total)
    ):
        problems.append(f"checkpoint {checkpoint} disagrees with its record count")
    statements, records, letters = ref.cut(done)
    problems += _diff(f"statements at checkpoint {done}", snap.statements, statements)
    problems += _diff(f"records at checkpoint {done}", snap.records, records)
    problems += _diff(f"dead letters at checkpoint {done}", snap.letters, letters)
    if run is None:
        return problems
    stats = run.stats
    counted = {
        "records_read": done,
        "dlq": len(snap.letters),
        "statements_written": len(snap.statements),
        "records_new": len(snap.records),
    }
    for name, actual in counted.items():
        if stats.get(name, 0) != actual:
            problems.append(f"run total {name} = {stats.get(name, 0)}, the store holds {actual}")
    created = sum(
        pair[0] for kind in ("entities", "edges") for pair in stats.get(kind, {}).values()
    )
    if created != len(snap.entities):
        problems.append(
            f"run totals created {created} entities, the store holds {len(snap.entities)}"
        )
    expected_stats, expected_profile = ref.progress.get(done, ({}, {})) if done else ({}, {})
    if done and done not in ref.progress:
        problems.append(f"checkpoint {done} is not at a batch boundary of the reference")
    if _without_seconds(stats) != expected_stats:
        problems.append(
            f"run totals at checkpoint {done} differ from the reference's in "
            f"{_changed(_without_seconds(stats), expected_stats)}"
        )
    if run.profile != expected_profile:
        problems.append(
            f"field profile at checkpoint {done} differs from the reference's in "
            f"{_changed(run.profile, expected_profile)}"
        )
    return problems


def final_problems(
    snap: Snapshot, ref: Reference, summary: Mapping[str, Any] | None, resumed: bool | None
) -> list[str]:
    """After a completed run: everything equals the uninterrupted reference."""
    problems = list(snap.problems)
    if len(snap.runs) != 1:
        return [*problems, f"{len(snap.runs)} runs instead of one"]
    run, reference_run = snap.runs[0], ref.final.runs[0]
    if (run.status, run.error, run.finished) != ("completed", None, True):
        problems.append(f"the run ended {run.status!r} ({run.error})")
    checkpoints = [(c.cursor, c.records, c.done) for c in snap.checkpoints]
    if checkpoints != [(str(ref.total), ref.total, True)]:
        problems.append(f"final checkpoints {checkpoints}")
    problems += _diff("statements", snap.statements, ref.final.statements)
    problems += _diff("records", snap.records, ref.final.records)
    problems += _diff("dead letters", snap.letters, ref.final.letters)
    problems += _diff("entities", snap.entities, ref.final.entities)
    problems += _diff("edges", snap.edges, ref.final.edges)
    totals, reference_totals = _without_seconds(run.stats), _without_seconds(reference_run.stats)
    if totals != reference_totals:
        problems.append(
            f"run totals differ from the reference's in {_changed(totals, reference_totals)}"
        )
    if (run.profile, run.drift) != (reference_run.profile, reference_run.drift):
        problems.append("the field profile or drift differs from the reference's")
    if summary is not None:
        if (summary["status"], summary["run_id"], summary["resumed"]) != (
            "completed",
            run.id,
            resumed,
        ):
            problems.append(
                f"summary {summary['status']} {summary['run_id']} resumed={summary['resumed']}"
                f", expected completed {run.id} resumed={resumed}"
            )
        said = {name: summary[name] for name in ("records_read", "statements_written", "dlq")}
        wanted = {name: reference_run.stats[name] for name in said}
        if said != wanted:
            problems.append(f"summary totals {said} != reference {wanted}")
    return problems


# -- the kill loop --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KillPlan:
    """Where a child kills itself with SIGKILL, counting the batches it commits: ``at``
    ``"batch"`` (when batch ``after`` has been committed), ``"commit"`` (at the first
    COMMIT issued once ``after`` batches are in: that transaction is lost) or
    ``"committed"`` (right after the first transaction that commits once ``after``
    batches are in, before the pipeline sees it returning). ``""``: only the parent's
    timer kills."""

    at: str = ""
    after: int = 0


@dataclass(frozen=True)
class ChildResult:
    exitcode: int | None
    summary: dict[str, Any] | None  # the run summary, when the child finished
    phase: str  # what the child was doing when it stopped
    batches: int  # batches it committed

    @property
    def killed(self) -> bool:
        return self.exitcode == -signal.SIGKILL


def _child(url: str, scenario: Scenario, plan: KillPlan, shared: Any, results: Pipe) -> None:
    """Runs in the forked child: the load on a store of its own, reporting its phase."""

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def on_begin(*_: Any) -> None:
        shared[0] = IN_TRANSACTION

    def on_commit(*_: Any) -> None:
        shared[0], shared[2] = COMMITTING, 1
        if plan.at == "commit" and shared[1] >= plan.after:
            die()

    def on_checkin(*_: Any) -> None:
        if shared[2]:  # the connection comes back from a transaction that committed
            shared[0], shared[2] = BETWEEN_BATCHES, 0
            if plan.at == "committed" and shared[1] >= plan.after:
                die()

    def on_batch(_uri: str, _count: int) -> None:
        shared[0] = BETWEEN_BATCHES
        shared[1] += 1
        if plan.at == "batch" and shared[1] == plan.after:
            die()

    # Class-level listeners: this child's engines are the only ones in this process.
    event.listen(Engine, "begin", on_begin)
    event.listen(Engine, "commit", on_commit)
    event.listen(Pool, "checkin", on_checkin)
    shared[0] = OPENING
    summary = ingest(url, scenario, progress=on_batch)
    shared[0] = DONE
    results.send(summary.to_dict())


def run_child(url: str, scenario: Scenario, plan: KillPlan, delay: float) -> ChildResult:
    """Fork a child that runs (or resumes) the load; SIGKILL it after ``delay`` seconds
    unless it has finished or killed itself by then."""
    context = multiprocessing.get_context("fork")
    shared = context.RawArray("i", 3)  # phase, batches committed, a commit in flight
    shared[0] = STARTING
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(child_url(url), scenario, plan, shared, send), daemon=True
    )
    child.start()
    send.close()
    child.join(delay)
    if child.is_alive():
        child.kill()  # SIGKILL
        child.join()
    summary = receive.recv() if child.exitcode == 0 and receive.poll(5) else None
    receive.close()
    return ChildResult(child.exitcode, summary, PHASES.get(shared[0], "?"), shared[1])


@dataclass
class SoakReport:
    kills: int = 0
    trials: int = 0
    finished: int = 0  # trials whose child completed the run before the kill
    cycles: int = 0
    failed: int = 0  # checks that found a mismatch (each may list several problems)
    mismatches: list[str] = field(default_factory=list)  # the problems, one per line
    phases: Counter[str] = field(default_factory=Counter)
    partial: int = 0  # kills that left the input partly loaded (0 < checkpoint < total)
    after_last_batch: int = 0  # kills after the last batch, before the run was finished
    seconds: float = 0.0

    def fail(self, label: str, problems: Sequence[str]) -> None:
        if problems:
            self.failed += 1
            self.mismatches += [f"{label}: {problem}" for problem in problems]

    def lines(self) -> list[str]:
        where = ", ".join(f"{name}: {n}" for name, n in self.phases.most_common())
        return [
            f"kills={self.kills} mismatches={self.failed} trials={self.trials} "
            f"completed_before_kill={self.finished} cycles={self.cycles} "
            f"seconds={self.seconds:.1f}",
            f"kills that left the input partly loaded: {self.partial}; "
            f"after the last batch, before the run was finished: {self.after_last_batch}",
            f"where the kills landed: {where}",
            *self.mismatches[:20],
        ]


class KillPoints:
    """Random kill points. Mostly the parent's timer: during start-up, in a short window
    of the remaining work, anywhere in it, or aimed at its end (the time per record is
    learnt from the kills, and the window stretches when kills stop making progress, as
    on a slow or busy machine). Otherwise the child kills itself at a COMMIT or right
    after one, a few batches on (now and then after its last batch), so that the narrow
    moments on either side of a commit are hit too. Once only the run's finish is left,
    every other trial lets it finish."""

    STARTUP = 0.05  # seconds from fork to the first batch, roughly
    SAFETY = 120.0  # the parent's timer behind a child that is to kill itself

    def __init__(self, rng: random.Random, ref: Reference, batch_size: int) -> None:
        self.rng = rng
        self.per_record = ref.seconds / ref.total
        self.window = ref.seconds / 12
        self.stretch = 1.0
        self.batch_size = batch_size

    def next(self, done: int, total: int) -> tuple[float, KillPlan, str]:
        rng, startup = self.rng, self.STARTUP
        if done >= total and rng.random() < 0.5:  # only the run's finish is left: let it be
            return self.SAFETY, KillPlan(), "finish"
        remaining = startup + (total - done) * self.per_record
        pick = rng.random()
        if pick < 0.12:
            return rng.uniform(0.0, startup), KillPlan(), "start-up"
        if pick < 0.67:
            high = min(startup + self.window, remaining) * self.stretch
            return rng.uniform(startup / 2, high), KillPlan(), "window"
        if pick < 0.72:
            return rng.uniform(0.0, remaining), KillPlan(), "anywhere"
        if pick < 0.78:
            return remaining * rng.uniform(0.85, 1.02), KillPlan(), "end"
        batches = -(-(total - done) // self.batch_size)
        after = batches if rng.random() < 0.05 else rng.randint(0, min(batches, 8))
        at = rng.choice(("commit", "committed"))
        return self.SAFETY, KillPlan(at, after), "self"

    def learn(self, kind: str, delay: float, advanced: int) -> None:
        if kind in ("window", "anywhere", "end") and advanced > 0 and delay > self.STARTUP:
            observed = (delay - self.STARTUP) / advanced
            self.per_record = 0.7 * self.per_record + 0.3 * observed
        if kind == "window":
            grown = self.stretch * (0.9 if advanced > 0 else 1.3)
            self.stretch = min(max(grown, 1.0), 50.0)


MAX_FAILED = 10  # failed checks after which a soak stops
SELF_KILLS = {"commit": "itself at a COMMIT", "committed": "itself just after a COMMIT"}


def _checkpoint(snap: Snapshot) -> int:
    return snap.checkpoints[0].records if snap.checkpoints else 0


def soak(
    fresh: StoreFactory,
    scenario: Scenario,
    *,
    kills: int,
    seed: int,
    log: Callable[[str], None] | None = None,
    max_trials: int | None = None,
) -> SoakReport:
    """Kill and resume the load until ``kills`` kills have landed, checking after each.

    Each cycle starts on a fresh store and ends when a resumed run completes; the last
    one is completed in this process once the quota is met."""
    started = time.perf_counter()
    report = SoakReport()
    ref = build_reference(fresh(), scenario)
    points = KillPoints(random.Random(seed), ref, scenario.batch_size)
    limit = max_trials if max_trials is not None else 20 * kills + 100
    while report.kills < kills and report.trials < limit and report.failed < MAX_FAILED:
        report.cycles += 1
        url = fresh()
        before = read_snapshot(url)
        while report.trials < limit:
            if report.kills >= kills:  # quota met: finish this cycle in this process
                summary = ingest(url, scenario).to_dict()
                problems = final_problems(read_snapshot(url), ref, summary, bool(before.runs))
                report.fail("final resume in-process", problems)
                break
            report.trials += 1
            done = _checkpoint(before)
            delay, plan, kind = points.next(done, ref.total)
            child = run_child(url, scenario, plan, delay)
            label = f"trial {report.trials} (cycle {report.cycles}, {kind})"
            if not wait_for_children(url):
                report.fail(label, ["the killed child's server sessions did not end"])
                break
            after = read_snapshot(url)
            if len(after.runs) == 1 and after.runs[0].status == "completed":
                report.finished += 1
                resumed = bool(before.runs) if child.summary is not None else None
                report.fail(
                    f"{label}, completed", final_problems(after, ref, child.summary, resumed)
                )
                if log is not None:
                    log(f"{label}: completed; {report.kills} kills so far")
                break
            if not child.killed:
                report.fail(label, [f"the child exited with {child.exitcode}, unfinished"])
                break
            report.kills += 1
            now = _checkpoint(after)
            where = SELF_KILLS.get(plan.at, child.phase)
            report.phases[where] += 1
            report.partial += 0 < now < ref.total
            report.after_last_batch += bool(after.checkpoints and after.checkpoints[0].done)
            points.learn(kind, delay, now - done)
            if log is not None:
                log(f"{label}: killed {where} at checkpoint {now}/{ref.total}")
            problems = checkpoint_problems(after, ref)
            if problems:
                report.fail(f"{label}, killed at checkpoint {now}", problems)
                break  # this store is broken: go on with a fresh one
            before = after
    if report.kills < kills:
        report.fail("soak", [f"gave up after {report.trials} trials and {report.kills} kills"])
    report.seconds = time.perf_counter() - started
    return report


# -- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=500, help="kills to land mid-run")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rows", type=int, default=2000, help="CSV records (default 2000)")
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("IG_TEST_POSTGRES_URL", DEFAULT_PG),
        help="PostgreSQL server to create a throw-away database on (--backend postgresql)",
    )
    parser.add_argument("--verbose", action="store_true", help="print every trial to stderr")
    args = parser.parse_args(argv)
    if args.rows < 100 or args.kills < 1 or args.batch_size < 1:
        parser.error("--rows must be at least 100, --kills and --batch-size at least 1")

    with tempfile.TemporaryDirectory(prefix="ig-soak-") as folder:
        scenario = Scenario(
            Path(folder) / "owners.csv",
            write_input(Path(folder) / "owners.csv", args.rows, args.seed),
            batch_size=args.batch_size,
        )
        log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.verbose else None
        print(
            f"{args.backend}: {args.rows} records, batches of {args.batch_size}, "
            f"{args.kills} kills, seed {args.seed}",
            file=sys.stderr,
        )
        if args.backend == "sqlite":
            report = soak(
                SqliteStores(Path(folder)), scenario, kills=args.kills, seed=args.seed, log=log
            )
        else:
            with temporary_database(args.database_url) as url:
                report = soak(
                    PostgresStores(url), scenario, kills=args.kills, seed=args.seed, log=log
                )
    for line in report.lines():
        print(line)
    print(
        f"RESULT backend={args.backend} kills={report.kills} "
        f"mismatches={report.failed} seconds={report.seconds:.1f}"
    )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
