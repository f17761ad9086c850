"""Replaying dead letters through the pipeline, after the mapping or data was fixed.

Each pending dead letter of a source becomes a record again (its stored bytes,
parsed as JSON where they are JSON). The replay is a run of its own
(connector ``dlq-replay``); a letter that loads is marked ``loaded``, one that
fails again gets a new dead letter with the new reason and is marked
``failed``, so the queue always says what is still outstanding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from intelgraph.ingest.pipeline import IngestPipeline, RunSummary
from intelgraph.ingest.records import RawRecord
from intelgraph.model import ViewerScope, utcnow
from intelgraph.store import Store
from intelgraph.store.ingest_state import DeadLetter


@dataclass(frozen=True)
class LetterInput:
    """The dead letters of one source as an input."""

    letters: Sequence[DeadLetter]
    source_id: str
    started: datetime

    @property
    def uri(self) -> str:
        return f"dlq://{self.source_id}"

    @property
    def format(self) -> str:
        return "json"

    @property
    def fingerprint(self) -> str:
        return ",".join(str(letter.id) for letter in self.letters)

    @property
    def observed_at(self) -> datetime:
        return self.started

    def location(self, letter: DeadLetter) -> str:
        """Where a replayed letter came from; the replay's own letters carry it."""
        return f"dead letter {letter.id} ({letter.input_uri} {letter.location})"

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        for position, letter in enumerate(self.letters, start=1):
            location = self.location(letter)
            observed = letter.created_at or self.started
            try:
                data = json.loads(letter.content)
            except ValueError:
                data = None
            if isinstance(data, dict):
                yield RawRecord(data, location, str(position), observed_at=observed)
            else:
                yield RawRecord(
                    None,
                    location,
                    str(position),
                    raw=letter.content,
                    error=f"still not a JSON object (was: {letter.reason})",
                    observed_at=observed,
                )


@dataclass(frozen=True, slots=True)
class ReplayResult:
    summary: RunSummary
    loaded: list[int]
    failed: list[int]


def replay(
    store: Store,
    letters: Sequence[DeadLetter],
    make_pipeline: Callable[[str], IngestPipeline],
    scope: ViewerScope,
) -> list[ReplayResult]:
    """Replay ``letters`` grouped by source; ``make_pipeline(source_id)`` builds each run."""
    by_source: dict[str, list[DeadLetter]] = {}
    for letter in letters:
        by_source.setdefault(letter.source_id, []).append(letter)
    results = []
    for source_id, group in sorted(by_source.items()):
        pipeline = make_pipeline(source_id)
        source_input = LetterInput(group, source_id, utcnow())
        active = pipeline.open_run([source_input.uri], resumable=False)
        with active.guard():
            active.load(source_input, None)
        summary = active.finish()
        again = store.ingest.dead_letters(scope, run_id=summary.run_id, limit=10_000)
        failed_at = {letter.location for letter in again}
        outcomes = {
            int(letter.id or 0): (
                "failed" if source_input.location(letter) in failed_at else "loaded"
            )
            for letter in group
        }
        store.ingest.mark_replayed(outcomes, summary.run_id)
        results.append(
            ReplayResult(
                summary,
                sorted(i for i, o in outcomes.items() if o == "loaded"),
                sorted(i for i, o in outcomes.items() if o == "failed"),
            )
        )
    return results


__all__ = ["LetterInput", "ReplayResult", "replay"]
