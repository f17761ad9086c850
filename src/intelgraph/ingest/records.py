"""What connectors hand the pipeline: raw records from resumable inputs.

An *input* is the unit of checkpointing (a file, an S3 object, an HTTP feed);
reading it from a cursor yields every record after that cursor, each carrying
the cursor to resume from once it is stored. A record that cannot even be
parsed still comes through, with ``error`` set, so the pipeline can put it in
the dead-letter queue instead of losing it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One unit read from an input: parsed ``data``, or ``raw`` bytes and an ``error``."""

    data: Mapping[str, Any] | None
    location: str
    cursor: str
    raw: bytes | None = None
    error: str | None = None
    observed_at: datetime | None = None


@runtime_checkable
class Input(Protocol):
    """A resumable source of records: one file, object, feed or message stream."""

    @property
    def uri(self) -> str:
        """Where the records come from (``file://``, ``s3://``, ``https://``, ``nats://``)."""
        ...

    @property
    def format(self) -> str:
        """``csv``, ``json``, ``jsonl``, ``xlsx``, ``stix`` or ``ftm``."""
        ...

    @property
    def fingerprint(self) -> str:
        """Changes whenever the input's content may have changed (size+mtime, ETag, …)."""
        ...

    @property
    def observed_at(self) -> datetime:
        """When the data was as read (file mtime, object time): the statements' first_seen."""
        ...

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        """Records after ``cursor`` (from the start when None), in a stable order."""
        ...


__all__ = ["Input", "RawRecord"]
