"""The ledger interface ingest appends each committed batch to.

The Merkle log lands with the ledger issue; until then the recorder keeps
nothing. The event already carries what a leaf needs: the run, the source, the
mapping hash and the hashes of the batch's records and statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BatchEvent:
    run_id: str
    source_id: str
    mapping_hash: str | None
    input_uri: str
    cursor: str
    record_ids: tuple[str, ...]
    statement_ids: tuple[str, ...]


class BatchRecorder(Protocol):
    def record_batch(self, event: BatchEvent) -> None: ...


class NoopRecorder:
    """Records nothing (the ledger issue replaces it with the Merkle log)."""

    def record_batch(self, event: BatchEvent) -> None:
        return None


__all__ = ["BatchEvent", "BatchRecorder", "NoopRecorder"]
