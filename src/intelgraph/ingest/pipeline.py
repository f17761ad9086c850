"""The pipeline every connector shares.

read → map → validate (ontology) → normalise → redact/tokenize → hash →
dedupe/upsert → commit batch + checkpoint in one transaction → ledger.

A record that fails any step goes to the dead-letter queue with its reason and
raw bytes; the rest of its batch is written. Runs are resumable: a repeated
command with the same source, inputs, mapping and options continues the
unfinished run from its checkpoints, and since ids are content hashes a batch
written twice changes nothing.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from intelgraph import __version__
from intelgraph.errors import IntelGraphError, InvalidInput, InvalidValue
from intelgraph.ingest import drift, lease
from intelgraph.ingest.mapping import MappedEntity, RecordError
from intelgraph.ingest.privacy import PrivacyPolicy
from intelgraph.ingest.records import Input, RawRecord
from intelgraph.ledger.leaves import BatchLeaf
from intelgraph.model import Record, Source, Statement, canonical_json, sha256_hex, utcnow
from intelgraph.obs import metrics
from intelgraph.ontology.schema import Schema
from intelgraph.store import Store
from intelgraph.store.ingest_state import DeadLetter, IngestBatch, RunRow
from intelgraph.store.writer import MAX_VALUE, WriteResult, statement_problem

DRIFT_POLICIES = ("warn", "fail")
TABULAR = ("csv", "xlsx")
MAX_BATCH = 100_000
_NORMAL_CACHE = 500_000


class Mapper(Protocol):
    """Turns one parsed record into entities (a YAML mapping, STIX, FtM, …)."""

    def map(self, record: Mapping[str, Any]) -> list[MappedEntity]: ...


class DriftError(IntelGraphError):
    """The input's fields changed against the previous run and the policy is ``fail``."""

    code = "schema_drift"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    batch_size: int = 2000
    drift: str = "warn"
    privacy: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise InvalidInput(f"batch size must be between 1 and {MAX_BATCH}")
        if self.drift not in DRIFT_POLICIES:
            raise InvalidInput(
                f"unknown drift policy {self.drift!r}", hint="use --drift warn or --drift fail"
            )


@dataclass(slots=True)
class RunSummary:
    """What a run did; ``to_dict`` is the ``--json`` output."""

    run_id: str
    source: str
    status: str
    stats: dict[str, Any]
    drift: list[dict[str, Any]]
    resumed: bool = False
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "run_id": self.run_id,
            "source": self.source,
            "status": self.status,
            "resumed": self.resumed,
            "records_read": stats.get("records_read", 0),
            "records_loaded": stats.get("records_loaded", 0),
            "records_skipped": stats.get("records_skipped", 0),
            "statements_written": stats.get("statements_written", 0),
            "statements_updated": stats.get("statements_updated", 0),
            "entities": _counts(stats.get("entities", {})),
            "edges": _counts(stats.get("edges", {})),
            "dlq": stats.get("dlq", 0),
            "redelivered": stats.get("redelivered", 0),
            "seconds": round(float(stats.get("seconds", 0.0)), 3),
            "drift": [dict(change) for change in self.drift],
            "unmapped": stats.get("unmapped", {}),
            "invalid_dropped": stats.get("invalid_dropped", {}),
            "redacted": stats.get("redacted", {}),
            "error": self.error,
        }


def _counts(table: Mapping[str, Sequence[int]]) -> dict[str, dict[str, int]]:
    return {
        name: {"created": int(pair[0]), "updated": int(pair[1])}
        for name, pair in sorted(table.items())
    }


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    records: int
    loaded: int
    dead: int
    result: WriteResult


ProgressCallback = Callable[[str, int], None]


class IngestPipeline:
    """Loads inputs from one source with one mapper; one instance per run."""

    def __init__(
        self,
        store: Store,
        source: Source,
        mapper: Mapper,
        *,
        connector: str,
        mapping_hash: str | None = None,
        options: IngestOptions | None = None,
        token_key: bytes = b"",
        checkpoint: Callable[[], object] | None = None,
        checkpoint_every: float = 300.0,
        progress: ProgressCallback | None = None,
        run_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.ontology = store.ontology
        self.source = source
        self.source_id = source.id  # hashed once: every record and statement carries it
        self.mapper = mapper
        self.connector = connector
        self.mapping_hash = mapping_hash
        self.options = options or IngestOptions()
        self.privacy = PrivacyPolicy(self.options.privacy, token_key)
        self.checkpoint = checkpoint  # signs a ledger checkpoint when a run ends
        self.checkpoint_every = checkpoint_every  # …and every so many seconds of a long run
        self.progress = progress
        self.run_options = dict(run_options or {})
        self._schemata: dict[str, Schema] = {}
        # (property, raw) → normalised: data repeats (countries, roles, companies).
        self._normal: dict[tuple[str, str, str], str] = {}

    # -- runs -----------------------------------------------------------------------------

    def resume_key(self, inputs: Sequence[str]) -> str:
        return sha256_hex(
            canonical_json(
                [
                    self.source.id,
                    self.connector,
                    sorted(inputs),
                    self.mapping_hash,
                    self.options.batch_size,
                    self.options.drift,
                    self.privacy.to_dict(),
                    self.run_options,
                ]
            )
        )

    def open_run(self, inputs: Sequence[str], *, resumable: bool = True) -> ActiveRun:
        """Start a run, or continue the unfinished one for the same inputs."""
        self.store.put_source(self.source)
        key = self.resume_key(inputs) if resumable else None
        previous = self.store.ingest.resumable_run(key) if key else None
        owner = lease.this_process()
        if previous is not None:
            if lease.holder_alive(previous) or not self.store.ingest.claim_run(
                previous.id, previous.owner, owner
            ):
                raise lease.refuse(previous)
            return ActiveRun(self, previous, resumed=True)
        run = RunRow(
            id="run-" + sha256_hex(canonical_json([key, utcnow().isoformat(), id(self)]))[:24],
            source_id=self.source.id,
            connector=self.connector,
            code_version=__version__,
            started_at=utcnow(),
            mapping_hash=self.mapping_hash,
            resume_key=key,
            owner=owner,
            inputs=tuple(inputs),
            options={
                **self.run_options,
                "batch_size": self.options.batch_size,
                "drift": self.options.drift,
                "privacy": self.privacy.to_dict(),
            },
        )
        self.store.ingest.begin_run(run)
        return ActiveRun(self, run, resumed=False)

    def run(
        self, inputs: Sequence[Input], *, started: Callable[[ActiveRun], object] | None = None
    ) -> RunSummary:
        """Load every input to the end, resuming an interrupted run of the same inputs;
        ``started`` is told of the run once it is open (API jobs publish its id early)."""
        uris = [i.uri for i in inputs]
        if len(set(uris)) != len(uris):
            raise InvalidInput("the same input is named twice", hint="give each input once")
        active = self.open_run(uris)
        with active.guard():
            if started is not None:
                started(active)
            for source_input in inputs:
                checkpoint = active.checkpoints.get(source_input.uri)
                cursor = None
                if checkpoint is not None and checkpoint.fingerprint == source_input.fingerprint:
                    if checkpoint.done:
                        continue
                    cursor = checkpoint.cursor
                active.load(source_input, cursor)
        return active.finish()

    # -- records → statements ------------------------------------------------------------------

    def _schema(self, name: str) -> Schema:
        schema = self._schemata.get(name)
        if schema is None:
            try:
                schema = self.ontology.get(name)
            except IntelGraphError as exc:
                raise RecordError(exc.message) from None
            if schema.abstract:
                raise RecordError(f"{name} is abstract; map to a concrete type")
            self._schemata[name] = schema
        return schema

    def prepare(
        self, record: RawRecord, input_uri: str, run_id: str, observed: datetime, stats: RunStats
    ) -> tuple[Record, list[Statement]]:
        """The stored record and its statements; RecordError when it must be dead-lettered."""
        if record.data is None:
            raise RecordError(record.error or "the record could not be parsed")
        content = canonical_json(record.data)
        stored = Record(
            source_id=self.source_id,
            content=content,
            uri=input_uri,
            location=record.location,
            run_id=run_id,
            labels=self.source.labels,
        )
        try:
            entities = self.mapper.map(record.data)
        except InvalidValue as exc:
            raise RecordError(exc.message) from None
        record_id = stored.id
        source_id, labels = self.source_id, self.source.labels
        statements: list[Statement] = []
        checked: MappedEntity | None = None
        for entity in entities:
            schema = self._schema(entity.schema)
            values = self._normalised(schema, entity, stats)
            missing = [name for name in schema.required if not values.get(name)]
            if missing:
                raise RecordError(
                    f"{schema.name} {entity.id} has no value for required "
                    f"{', '.join(sorted(missing))}"
                )
            for prop_name, prop_values in values.items():
                for value in prop_values:
                    statement = Statement(
                        entity.id,
                        schema.name,
                        prop_name,
                        value,
                        source_id,
                        record_id,
                        labels,
                        observed,
                        None,
                        run_id,
                    )
                    # The full check once per entity (ids, names, times); values each time,
                    # cheaply, with the full check only to word the reason.
                    if (
                        checked is not entity
                        or not value
                        or len(value) > MAX_VALUE
                        or ("\x00" in value)
                    ):
                        problem = statement_problem(statement)
                        if problem is not None:
                            raise RecordError(f"{schema.name}.{prop_name}: {problem}")
                        checked = entity
                    statements.append(statement)
        return stored, statements

    def _normalised(
        self, schema: Schema, entity: MappedEntity, stats: RunStats
    ) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        privacy = self.privacy
        properties = schema.properties
        for name, raw_values in entity.properties.items():
            prop = properties.get(name)
            if prop is None:
                stats.unmapped(f"{schema.name}.{name}")
                continue
            kept: list[str] = []
            cache = self._normal
            for raw in raw_values:
                try:
                    value = cache.get((schema.name, name, raw)) or prop.normalize(raw)
                except InvalidValue as exc:
                    if name in entity.lenient:
                        stats.dropped(f"{schema.name}.{name}")
                        continue
                    expected = f"; {exc.hint}" if exc.hint else ""
                    raise RecordError(f"{schema.name}.{name}: {exc.message}{expected}") from None
                if len(cache) < _NORMAL_CACHE:
                    cache[(schema.name, name, raw)] = value
                if prop.privacy != "public" and privacy.active:
                    redacted = privacy.apply(prop.privacy, value)
                    stats.redacted(prop.privacy, privacy.rules.get(prop.privacy, "keep"))
                    if redacted is None:
                        continue
                    value = redacted
                if value not in kept:
                    kept.append(value)
            if kept:
                out[name] = kept
        return out


class RunStats:
    """Running totals of a run, restored from the run row when it resumes."""

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = {
            "records_read": 0,
            "records_loaded": 0,
            "records_skipped": 0,
            "records_new": 0,
            "statements_seen": 0,
            "statements_written": 0,
            "statements_updated": 0,
            "dlq": 0,
            "redelivered": 0,
            "seconds": 0.0,
            "entities": {},
            "edges": {},
            "unmapped": {},
            "invalid_dropped": {},
            "redacted": {},
        }
        self.data.update(copy.deepcopy(dict(initial or {})))

    def copy(self) -> RunStats:
        return RunStats(self.data)

    def unmapped(self, qname: str) -> None:
        table = self.data["unmapped"]
        table[qname] = table.get(qname, 0) + 1

    def dropped(self, qname: str) -> None:
        table = self.data["invalid_dropped"]
        table[qname] = table.get(qname, 0) + 1

    def redacted(self, klass: str, action: str) -> None:
        table = self.data["redacted"].setdefault(klass, {})
        table[action] = table.get(action, 0) + 1

    def add(self, counts: Mapping[str, int | float]) -> None:
        for name, value in counts.items():
            self.data[name] += value

    def add_write(self, result: WriteResult, ontology: Any) -> None:
        data = self.data
        data["statements_written"] += result.statements_new
        data["statements_updated"] += result.statements_updated
        data["records_new"] += result.records_new
        for schema, (created, updated) in result.by_schema.items():
            table = data["edges" if ontology.get(schema).is_edge else "entities"]
            before = table.get(schema, [0, 0])
            table[schema] = [before[0] + created, before[1] + updated]


class ActiveRun:
    """A run in progress: commits batches, keeps totals and the field profile."""

    def __init__(self, pipeline: IngestPipeline, run: RunRow, *, resumed: bool) -> None:
        self.pipeline = pipeline
        self.run = run
        self.resumed = resumed
        self.stats = RunStats(run.stats)
        self.profiler = drift.Profiler(run.profile)
        self.previous_profile = pipeline.store.ingest.previous_profile(run.source_id, run.id)
        self.drift: list[dict[str, Any]] = []
        # Where a resumed run stopped, per input (read once, at the start).
        self.checkpoints = pipeline.store.ingest.checkpoints(run.id) if resumed else {}
        self._done = {uri: cp.records for uri, cp in self.checkpoints.items()}
        self._clock = time.monotonic()
        self._checkpointed = time.monotonic()

    def count(self, name: str, amount: int) -> None:
        """Add to a run counter a connector keeps (``redelivered``); stored with the next
        batch's totals."""
        self.stats.add({name: amount})

    def guard(self) -> _RunGuard:
        """Marks the run interrupted (resumable) if the block raises."""
        return _RunGuard(self)

    def load(self, source_input: Input, cursor: str | None) -> None:
        """Read one input from ``cursor`` to its end in batches."""
        if cursor is None:
            self._done[source_input.uri] = 0
        size = self.pipeline.options.batch_size
        batch: list[RawRecord] = []
        last_cursor = cursor or ""
        for record in source_input.read(cursor):
            batch.append(record)
            if len(batch) >= size:
                self.commit(source_input, batch, done=False)
                last_cursor = batch[-1].cursor
                batch = []
        self.commit(
            source_input, batch, done=True, cursor=batch[-1].cursor if batch else last_cursor
        )

    def commit(
        self,
        source_input: Input,
        records: Sequence[RawRecord],
        *,
        done: bool,
        cursor: str | None = None,
    ) -> BatchOutcome:
        """Map, validate and write one batch with its checkpoint, in one transaction."""
        pipeline = self.pipeline
        run_id = self.run.id
        tally = self.stats.copy()  # this batch's counters land only if its commit does
        prepared: list[Record] = []
        statements: list[Statement] = []
        letters: list[DeadLetter] = []
        loaded = skipped = 0
        profiler = self.profiler
        default_seen = source_input.observed_at
        for record in records:
            if record.data is not None:
                profiler.add(record.data)
            try:
                stored, made = pipeline.prepare(
                    record, source_input.uri, run_id, record.observed_at or default_seen, tally
                )
            except RecordError as exc:
                letters.append(self._letter(source_input.uri, record, exc.reason))
                continue
            prepared.append(stored)
            if made:
                statements.extend(made)
                loaded += 1
            else:
                skipped += 1
        self._check_drift(source_input.format, final=False)
        tally.add(
            {
                "records_read": len(records),
                "records_loaded": loaded,
                "records_skipped": skipped,
                "statements_seen": len(statements),
                "seconds": time.monotonic() - self._clock,
            }
        )
        records_done = self._done.get(source_input.uri, 0) + len(records)

        def totals(result: WriteResult, letters_new: int) -> Mapping[str, Any]:
            tally.add_write(result, pipeline.ontology)
            tally.add({"dlq": letters_new})  # a redelivered bad record is listed once
            return tally.data

        end = cursor if cursor is not None else (records[-1].cursor if records else "")
        result = pipeline.store.ingest.commit_batch(
            IngestBatch(
                run_id=run_id,
                input_uri=source_input.uri,
                fingerprint=source_input.fingerprint,
                cursor=end,
                records_done=records_done,
                input_done=done,
                statements=statements,
                records=prepared,
                dead_letters=letters,
                stats=totals,
                profile=profiler.fields,
                checked=True,
                leaf=self._leaf(source_input.uri, end) if prepared else None,
            )
        )
        self.stats = tally
        self._done[source_input.uri] = records_done
        self._clock = time.monotonic()
        if pipeline.progress is not None and records:
            pipeline.progress(source_input.uri, len(records))
        if pipeline.checkpoint is not None and (
            time.monotonic() - self._checkpointed >= pipeline.checkpoint_every
        ):
            pipeline.checkpoint()  # long-running streams get signed heads as they go
            self._checkpointed = time.monotonic()
        return BatchOutcome(len(records), loaded, len(letters), result)

    def _leaf(self, uri: str, cursor: str) -> BatchLeaf:
        """The batch's ledger leaf; the store adds its members and commits it with the
        batch, in one transaction."""
        pipeline = self.pipeline
        return BatchLeaf(
            "ingest-batch",
            {
                "run": self.run.id,
                "source": pipeline.source_id,
                "mapping": pipeline.mapping_hash,
                "input": uri,
                "cursor": cursor,
            },
            utcnow(),
        )

    def _letter(self, uri: str, record: RawRecord, reason: str) -> DeadLetter:
        content = canonical_json(record.data) if record.data is not None else (record.raw or b"")
        return DeadLetter(
            run_id=self.run.id,
            source_id=self.pipeline.source_id,
            input_uri=uri,
            location=record.location,
            reason=reason,
            content=content,
            labels=self.pipeline.source.labels,
        )

    def _check_drift(self, fmt: str, *, final: bool) -> None:
        previous = self.previous_profile
        if previous is None:
            return
        changes = drift.compare(previous, self.profiler.fields, complete=final or fmt in TABULAR)
        if not changes:
            return
        self.drift = changes
        if self.pipeline.options.drift == "fail":
            raise DriftError(
                "the input's fields changed since the source's previous run: "
                + "; ".join(drift.describe(c) for c in changes),
                hint="fix the input or mapping, or run with --drift warn to load it anyway",
                details={"drift": changes},
            )

    def finish(self, status: str = "completed", error: str | None = None) -> RunSummary:
        if status == "completed":
            try:
                self._check_drift("", final=True)
            except DriftError as exc:
                status, error = "failed", exc.message
        self.stats.data["seconds"] += time.monotonic() - self._clock
        self._clock = time.monotonic()
        self.pipeline.store.ingest.finish_run(
            self.run.id,
            status=status,
            stats=self.stats.data,
            profile=self.profiler.fields,
            drift=self.drift,
            error=error,
        )
        summary = RunSummary(
            run_id=self.run.id,
            source=self.pipeline.source.name,
            status=status,
            stats=self.stats.data,
            drift=self.drift,
            resumed=self.resumed,
            error=error,
        )
        metrics.record_run(self.pipeline.source.name, summary.to_dict())
        if self.pipeline.checkpoint is not None:
            self.pipeline.checkpoint()
        return summary


class _RunGuard:
    def __init__(self, active: ActiveRun) -> None:
        self.active = active

    def __enter__(self) -> ActiveRun:
        return self.active

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> None:
        if exc is None:
            return
        store = self.active.pipeline.store
        if isinstance(exc, DriftError):
            self.active.finish("failed", exc.message)
            return
        # If the database itself is failing the run stays 'running', which is resumable too.
        with contextlib.suppress(IntelGraphError):
            store.ingest.mark_interrupted(self.active.run.id)


__all__ = [
    "DRIFT_POLICIES",
    "ActiveRun",
    "BatchOutcome",
    "DriftError",
    "IngestOptions",
    "IngestPipeline",
    "Mapper",
    "RunStats",
    "RunSummary",
]
