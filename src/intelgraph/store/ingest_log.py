"""``store.ingest``: the store API for ingest runs, checkpoints and dead letters.

Kept apart from :class:`~intelgraph.store.Store` so the core store stays about
statements and graphs; it shares the store's write lock, transactions and label
registry, so a batch commit is one transaction with the statement write.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from intelgraph.errors import InvalidInput, NotFound
from intelgraph.model import ViewerScope, sha256_hex, utcnow
from intelgraph.store import ingest_state as state
from intelgraph.store.ingest_state import Checkpoint, DeadLetter, IngestBatch, RunRow
from intelgraph.store.writer import WriteResult, WrittenIds, to_us

if TYPE_CHECKING:
    from intelgraph.store.store import Store

_MAX_LIST = 10_000


class IngestLog:
    """Runs, checkpoints, dead letters and push tokens of one store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- runs ----------------------------------------------------------------------

    def begin_run(self, run: RunRow) -> None:
        with self._store._write() as connection:
            state.insert_run(connection, run)

    def resumable_run(self, resume_key: str) -> RunRow | None:
        """The newest unfinished run started with the same source, inputs and options."""
        with self._store._read_all() as connection:
            found = state.select_runs(
                connection,
                None,
                where="r.resume_key = :key AND r.status IN ('running', 'interrupted')",
                params={"key": resume_key},
                limit=1,
            )
        return found[0] if found else None

    def claim_run(self, run_id: str, previous: str | None, owner: str) -> bool:
        """Take over an unfinished run; False when another process claimed it first."""
        with self._store._write() as connection:
            return state.claim_run(connection, run_id, previous, owner)

    def mark_interrupted(self, run_id: str) -> None:
        """A run that stopped on an exception or signal: resumable, not finished."""
        with self._store._write() as connection:
            connection.execute(
                text("UPDATE ingest_runs SET status = 'interrupted' WHERE id = :id"),
                {"id": run_id},
            )

    def input_loaded(self, source_id: str, uri: str, fingerprint: str) -> bool:
        """True when a completed run of the source has read this exact input version."""
        with self._store._read_all() as connection:
            row = connection.execute(
                text(
                    "SELECT 1 FROM ingest_checkpoints c JOIN ingest_runs r ON r.id = c.run_id "
                    "WHERE r.source_id = :source AND r.status = 'completed' "
                    "AND c.input_uri = :uri AND c.fingerprint = :fp AND c.done"
                ),
                {"source": source_id, "uri": uri, "fp": fingerprint},
            ).first()
        return row is not None

    def checkpoints(self, run_id: str) -> dict[str, Checkpoint]:
        with self._store._read_all() as connection:
            return state.select_checkpoints(connection, run_id)

    def commit_batch(self, batch: IngestBatch) -> WriteResult:
        """Statements, records, dead letters, checkpoint and run totals in one transaction."""
        store = self._store
        with store._write() as connection:
            ids = WrittenIds()
            result = store._writer.write(
                connection, batch.statements, batch.records, checked=batch.checked, ids=ids
            )
            label_ids = store._labels.intern_many(
                connection, [d.labels for d in batch.dead_letters]
            )
            letters_new = state.insert_dead_letters(connection, batch.dead_letters, label_ids)
            state.save_checkpoint(
                connection,
                batch.run_id,
                Checkpoint(
                    batch.input_uri,
                    batch.fingerprint,
                    batch.cursor,
                    batch.records_done,
                    batch.input_done,
                ),
            )
            state.save_run_progress(
                connection, batch.run_id, batch.stats(result, letters_new), batch.profile
            )
            if batch.leaf is not None:
                store.ledger.append_in(connection, [batch.leaf.entry(ids.records, ids.statements)])
            changed = store.changes.record_written(connection, ids)
        if changed:
            store.changes.committed()
        return result

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        stats: Mapping[str, Any],
        profile: Mapping[str, str],
        drift: Sequence[Mapping[str, Any]],
        error: str | None = None,
    ) -> None:
        if status not in state.RUN_STATUSES:
            raise InvalidInput(f"unknown run status {status!r}")
        with self._store._write() as connection:
            state.finish_run(
                connection,
                run_id,
                status=status,
                finished_at=utcnow(),
                stats=stats,
                profile=profile,
                drift=drift,
                error=error,
            )

    def runs(
        self, scope: ViewerScope, *, source_id: str | None = None, limit: int = 50
    ) -> list[RunRow]:
        """Runs whose source the viewer may see, newest first."""
        where, params = ("r.source_id = :source", {"source": source_id}) if source_id else ("", {})
        with self._store._read(scope) as (connection, visible):
            return state.select_runs(
                connection, visible, where=where, params=params, limit=_bounded(limit)
            )

    def run(self, scope: ViewerScope, run_id: str) -> RunRow:
        with self._store._read(scope) as (connection, visible):
            found = state.select_runs(
                connection, visible, where="r.id = :id", params={"id": run_id}, limit=1
            )
        if not found:
            raise NotFound(
                f"ingest run {run_id!r} not found", hint="list runs: intelgraph ingest runs"
            )
        return found[0]

    def previous_profile(self, source_id: str, before_run: str) -> Mapping[str, str] | None:
        """Field profile of the newest completed run of a source (other than this one)."""
        with self._store._read_all() as connection:
            found = state.select_runs(
                connection,
                None,
                where="r.source_id = :source AND r.id <> :run AND r.status = 'completed' "
                "AND r.profile <> '{}'",
                params={"source": source_id, "run": before_run},
                limit=1,
            )
        return found[0].profile if found else None

    # -- dead letters ----------------------------------------------------------------

    def dead_letters(
        self,
        scope: ViewerScope,
        *,
        run_id: str | None = None,
        source_id: str | None = None,
        pending_only: bool = False,
        ids: Sequence[int] | None = None,
        limit: int = 100,
    ) -> list[DeadLetter]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if run_id:
            where.append("d.run_id = :run")
            params["run"] = run_id
        if source_id:
            where.append("d.source_id = :source")
            params["source"] = source_id
        if pending_only:
            # A letter that failed again was superseded by the replay's own new letter.
            where.append("d.replayed_us IS NULL")
        if ids is not None:
            if not ids:
                return []
            marks = ", ".join(f":id{i}" for i in range(len(ids)))
            where.append(f"d.id IN ({marks})")
            params.update({f"id{i}": int(v) for i, v in enumerate(ids)})
        with self._store._read(scope) as (connection, visible):
            return state.select_dead_letters(
                connection,
                visible,
                self._store._labels.get,
                where=where,
                params=params,
                limit=_bounded(limit),
            )

    def dead_letter(self, scope: ViewerScope, letter_id: int) -> DeadLetter:
        found = self.dead_letters(scope, ids=[letter_id], limit=1)
        if not found:
            raise NotFound(
                f"dead letter {letter_id} not found", hint="list them: intelgraph ingest dlq list"
            )
        return found[0]

    def mark_replayed(self, outcomes: Mapping[int, str], run_id: str) -> None:
        with self._store._write() as connection:
            state.mark_replayed(connection, outcomes, run_id, utcnow())

    # -- push tokens -------------------------------------------------------------------

    def create_push_token(self, source_id: str) -> tuple[str, str]:
        """A new bearer token for ``POST /ingest/{source}``: (token id, secret). Only its
        SHA-256 is stored; the secret is shown once."""
        token_id = secrets.token_hex(8)
        secret = f"igp_{token_id}_{secrets.token_urlsafe(32)}"
        with self._store._write() as connection:
            connection.execute(
                text(
                    "INSERT INTO ingest_tokens (id, source_id, token_hash, created_us) "
                    "VALUES (:id, :source, :hash, :now)"
                ),
                {
                    "id": token_id,
                    "source": source_id,
                    "hash": _token_hash(secret),
                    "now": to_us(utcnow()),
                },
            )
        return token_id, secret

    def revoke_push_token(self, token_id: str) -> None:
        with self._store._write() as connection:
            done = connection.execute(
                text(
                    "UPDATE ingest_tokens SET revoked_us = :now "
                    "WHERE id = :id AND revoked_us IS NULL"
                ),
                {"id": token_id, "now": to_us(utcnow())},
            ).rowcount
        if not done:
            raise NotFound(f"no active push token {token_id!r}")

    def push_token_source(self, secret: str) -> str | None:
        """The source id a presented token may push to, or None (unknown or revoked)."""
        with self._store._read_all() as connection:
            row = connection.execute(
                text(
                    "SELECT source_id FROM ingest_tokens WHERE token_hash = :hash "
                    "AND revoked_us IS NULL"
                ),
                {"hash": _token_hash(secret)},
            ).first()
        return str(row[0]) if row else None


def _token_hash(secret: str) -> str:
    return sha256_hex(secret.encode())


def _bounded(limit: int) -> int:
    if limit < 1 or limit > _MAX_LIST:
        raise InvalidInput(f"limit must be between 1 and {_MAX_LIST}")
    return limit


__all__ = ["IngestLog"]
