"""The ledger interface ingest appends each committed batch to.

The Merkle log lands with the ledger issue; until then the recorder keeps
nothing. The event already carries what a leaf needs: the run, the source, the
mapping hash and the hashes of the batch's records and statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from intelgraph.model import Record, Statement


@dataclass(frozen=True, slots=True)
class BatchEvent:
    """A committed batch; ids are computed on demand (hashing costs, a no-op needs none)."""

    run_id: str
    source_id: str
    mapping_hash: str | None
    input_uri: str
    cursor: str
    records: Sequence[Record]
    statements: Sequence[Statement]

    @property
    def record_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.records)

    @property
    def statement_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.statements)


class BatchRecorder(Protocol):
    def record_batch(self, event: BatchEvent) -> None: ...


class NoopRecorder:
    """Records nothing (the ledger issue replaces it with the Merkle log)."""

    def record_batch(self, event: BatchEvent) -> None:
        return None


__all__ = ["BatchEvent", "BatchRecorder", "NoopRecorder"]
