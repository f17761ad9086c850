"""Ingest bookkeeping kept beside the data: runs, checkpoints, dead letters, push tokens.

A batch's statements, its dead letters, the input's checkpoint and the run's
running totals are written in one transaction (see ``Store.commit_batch``), so
a process killed at any moment leaves either all of a batch or none of it, and
the checkpoint always names exactly what is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from intelgraph.ledger.leaves import BatchLeaf
from intelgraph.model import Labels, Record, Statement, sha256_hex
from intelgraph.store.labelsets import in_clause
from intelgraph.store.writer import WriteResult, from_us, to_us

RUN_STATUSES = ("running", "completed", "failed", "interrupted")


@dataclass(frozen=True, slots=True)
class RunRow:
    """An ingest run as stored: what read what, with which mapping, and its totals."""

    id: str
    source_id: str
    connector: str
    code_version: str
    started_at: datetime
    status: str = "running"
    mapping_hash: str | None = None
    finished_at: datetime | None = None
    resume_key: str | None = None
    inputs: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    stats: Mapping[str, Any] = field(default_factory=dict)
    profile: Mapping[str, str] = field(default_factory=dict)
    drift: tuple[Mapping[str, Any], ...] = ()
    error: str | None = None
    source_name: str | None = None
    owner: str | None = None  # host:pid of the process loading it
    heartbeat: datetime | None = None  # its last commit


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far a run got through one input: everything before ``cursor`` is stored."""

    input_uri: str
    fingerprint: str
    cursor: str
    records: int
    done: bool


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record that could not be loaded, with why and its raw bytes."""

    run_id: str
    source_id: str
    input_uri: str
    location: str
    reason: str
    content: bytes
    labels: Labels
    id: int | None = None
    created_at: datetime | None = None
    replayed_at: datetime | None = None
    replay_run_id: str | None = None
    replay_outcome: str | None = None


@dataclass(frozen=True, slots=True)
class IngestBatch:
    """Everything one batch commits, atomically."""

    run_id: str
    input_uri: str
    fingerprint: str
    cursor: str
    records_done: int
    input_done: bool
    statements: Sequence[Statement]
    records: Sequence[Record]
    dead_letters: Sequence[DeadLetter]
    # Run totals after this batch, from the write's result and the number of new dead
    # letters, computed inside the transaction.
    stats: Callable[[WriteResult, int], Mapping[str, Any]]
    profile: Mapping[str, str] | None = None
    checked: bool = False  # statements already validated one by one (see BatchWriter.write)
    leaf: BatchLeaf | None = None  # the batch's ledger leaf, appended in its transaction


_RUN_COLUMNS = (
    "r.id, r.source_id, r.connector, r.code_version, r.started_us, r.status, r.mapping_hash, "
    "r.finished_us, r.resume_key, r.inputs, r.options, r.stats, r.profile, r.drift, r.error, "
    "s.name, r.owner, r.heartbeat_us"
)


def _run_from_row(row: Sequence[Any]) -> RunRow:
    return RunRow(
        id=row[0],
        source_id=row[1],
        connector=row[2],
        code_version=row[3],
        started_at=from_us(row[4]),
        status=row[5],
        mapping_hash=row[6],
        finished_at=from_us(row[7]) if row[7] is not None else None,
        resume_key=row[8],
        inputs=tuple(json.loads(row[9])),
        options=json.loads(row[10]),
        stats=json.loads(row[11]),
        profile=json.loads(row[12]),
        drift=tuple(json.loads(row[13])),
        error=row[14],
        source_name=row[15],
        owner=row[16],
        heartbeat=from_us(row[17]) if row[17] is not None else None,
    )


def insert_run(connection: Connection, run: RunRow) -> None:
    connection.execute(
        text(
            "INSERT INTO ingest_runs (id, source_id, connector, mapping_hash, code_version, "
            "started_us, finished_us, status, stats, resume_key, inputs, options, profile, "
            "drift, error, owner, heartbeat_us) VALUES (:id, :source_id, :connector, "
            ":mapping_hash, :code_version, :started, NULL, :status, :stats, :resume_key, "
            ":inputs, :options, :profile, :drift, NULL, :owner, :started)"
        ),
        {
            "id": run.id,
            "source_id": run.source_id,
            "connector": run.connector,
            "mapping_hash": run.mapping_hash,
            "code_version": run.code_version,
            "started": to_us(run.started_at),
            "status": run.status,
            "stats": json.dumps(dict(run.stats), sort_keys=True),
            "resume_key": run.resume_key,
            "inputs": json.dumps(list(run.inputs)),
            "options": json.dumps(dict(run.options), sort_keys=True),
            "profile": json.dumps(dict(run.profile), sort_keys=True),
            "drift": json.dumps(list(run.drift)),
            "owner": run.owner,
        },
    )


def claim_run(connection: Connection, run_id: str, previous: str | None, owner: str) -> bool:
    """Take a run over from ``previous`` (atomically: False if someone else did first)."""
    params = {"id": run_id, "owner": owner, "now": to_us(datetime.now().astimezone())}
    if previous is None:
        condition = "owner IS NULL"
    else:
        condition = "owner = :previous"
        params["previous"] = previous
    claimed = connection.execute(
        text(
            "UPDATE ingest_runs SET owner = :owner, heartbeat_us = :now, status = 'running' "
            f"WHERE id = :id AND {condition}"
        ),
        params,
    ).rowcount
    return bool(claimed)


def select_runs(
    connection: Connection,
    visible: frozenset[int] | None,
    *,
    where: str = "",
    params: Mapping[str, Any] | None = None,
    limit: int = 50,
) -> list[RunRow]:
    """Runs (newest first) whose source the viewer may see (``visible`` None: all)."""
    clauses = [where] if where else []
    if visible is not None:
        clauses.append(in_clause("s.labelset_id", visible))
    condition = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = connection.execute(
        text(
            f"SELECT {_RUN_COLUMNS} FROM ingest_runs r LEFT JOIN sources s "
            f"ON s.id = r.source_id {condition} ORDER BY r.started_us DESC, r.id LIMIT :limit"
        ),
        {**(params or {}), "limit": limit},
    ).all()
    return [_run_from_row(row) for row in rows]


def select_checkpoints(connection: Connection, run_id: str) -> dict[str, Checkpoint]:
    rows = connection.execute(
        text(
            "SELECT input_uri, fingerprint, cursor, records, done FROM ingest_checkpoints "
            "WHERE run_id = :run"
        ),
        {"run": run_id},
    ).all()
    return {r[0]: Checkpoint(r[0], r[1], r[2], int(r[3]), bool(r[4])) for r in rows}


def save_checkpoint(connection: Connection, run_id: str, checkpoint: Checkpoint) -> None:
    connection.execute(
        text(
            "INSERT INTO ingest_checkpoints (run_id, input_uri, fingerprint, cursor, records, "
            "done, updated_us) VALUES (:run, :uri, :fp, :cursor, :records, :done, :now) "
            "ON CONFLICT (run_id, input_uri) DO UPDATE SET fingerprint = excluded.fingerprint, "
            "cursor = excluded.cursor, records = excluded.records, done = excluded.done, "
            "updated_us = excluded.updated_us"
        ),
        {
            "run": run_id,
            "uri": checkpoint.input_uri,
            "fp": checkpoint.fingerprint,
            "cursor": checkpoint.cursor,
            "records": checkpoint.records,
            "done": checkpoint.done,
            "now": to_us(datetime.now().astimezone()),
        },
    )


def save_run_progress(
    connection: Connection,
    run_id: str,
    stats: Mapping[str, Any],
    profile: Mapping[str, str] | None,
) -> None:
    params: dict[str, Any] = {
        "run": run_id,
        "stats": json.dumps(dict(stats), sort_keys=True),
        "now": to_us(datetime.now().astimezone()),
    }
    extra = ""
    if profile is not None:
        extra = ", profile = :profile"
        params["profile"] = json.dumps(dict(profile), sort_keys=True)
    connection.execute(
        text(f"UPDATE ingest_runs SET stats = :stats, heartbeat_us = :now{extra} WHERE id = :run"),
        params,
    )


def finish_run(
    connection: Connection,
    run_id: str,
    *,
    status: str,
    finished_at: datetime,
    stats: Mapping[str, Any],
    profile: Mapping[str, str],
    drift: Sequence[Mapping[str, Any]],
    error: str | None,
) -> None:
    connection.execute(
        text(
            "UPDATE ingest_runs SET status = :status, finished_us = :finished, stats = :stats, "
            "profile = :profile, drift = :drift, error = :error WHERE id = :run"
        ),
        {
            "run": run_id,
            "status": status,
            "finished": to_us(finished_at),
            "stats": json.dumps(dict(stats), sort_keys=True),
            "profile": json.dumps(dict(profile), sort_keys=True),
            "drift": json.dumps(list(drift)),
            "error": error,
        },
    )


def insert_dead_letters(
    connection: Connection, letters: Sequence[DeadLetter], label_ids: Mapping[Labels, int]
) -> int:
    """Insert letters, each at most once per run and place; returns how many are new."""
    if not letters:
        return 0
    now = to_us(datetime.now().astimezone())
    inserted = connection.execute(
        text(
            "INSERT INTO dead_letters (run_id, source_id, input_uri, location, reason, content, "
            "content_hash, labelset_id, created_us) VALUES (:run, :source, :uri, :location, "
            ":reason, :content, :hash, :labelset, :now) ON CONFLICT DO NOTHING"
        ),
        [
            {
                "run": d.run_id,
                "source": d.source_id,
                "uri": d.input_uri,
                "location": d.location,
                "reason": d.reason,
                "content": d.content,
                "hash": sha256_hex(d.content),
                "labelset": label_ids[d.labels],
                "now": now,
            }
            for d in letters
        ],
    ).rowcount  # rows inserted, not those skipped (both drivers sum it over the batch)
    return int(inserted)


_LETTER_COLUMNS = (
    "d.id, d.run_id, d.source_id, d.input_uri, d.location, d.reason, d.content, d.labelset_id, "
    "d.created_us, d.replayed_us, d.replay_run_id, d.replay_outcome"
)


def select_dead_letters(
    connection: Connection,
    visible: frozenset[int],
    labels_of: Any,
    *,
    where: Sequence[str] = (),
    params: Mapping[str, Any] | None = None,
    limit: int = 100,
) -> list[DeadLetter]:
    clauses = [in_clause("d.labelset_id", visible), *where]
    rows = connection.execute(
        text(
            f"SELECT {_LETTER_COLUMNS} FROM dead_letters d WHERE {' AND '.join(clauses)} "
            "ORDER BY d.id LIMIT :limit"
        ),
        {**(params or {}), "limit": limit},
    ).all()
    return [
        DeadLetter(
            id=int(r[0]),
            run_id=r[1],
            source_id=r[2],
            input_uri=r[3],
            location=r[4],
            reason=r[5],
            content=bytes(r[6]),
            labels=labels_of(r[7]),
            created_at=from_us(r[8]),
            replayed_at=from_us(r[9]) if r[9] is not None else None,
            replay_run_id=r[10],
            replay_outcome=r[11],
        )
        for r in rows
    ]


def mark_replayed(
    connection: Connection, outcomes: Mapping[int, str], run_id: str, at: datetime
) -> None:
    if outcomes:
        connection.execute(
            text(
                "UPDATE dead_letters SET replayed_us = :at, replay_run_id = :run, "
                "replay_outcome = :outcome WHERE id = :id"
            ),
            [
                {"at": to_us(at), "run": run_id, "outcome": outcome, "id": letter_id}
                for letter_id, outcome in outcomes.items()
            ],
        )


__all__ = [
    "RUN_STATUSES",
    "Checkpoint",
    "DeadLetter",
    "IngestBatch",
    "RunRow",
    "claim_run",
    "finish_run",
    "insert_dead_letters",
    "insert_run",
    "mark_replayed",
    "save_checkpoint",
    "save_run_progress",
    "select_checkpoints",
    "select_dead_letters",
    "select_runs",
]
