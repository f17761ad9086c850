"""HTTP push ingest: ``POST /ingest/{source}`` takes JSON or NDJSON batches.

A request is authenticated with a push token (``Authorization: Bearer …``; only
the token's SHA-256 is stored), parsed, and put on a bounded in-process queue;
one worker thread per app commits queued batches, in order, through the shared
ingest pipeline (one run per source, opened on the first push and finished when
the server stops). When the queue is full the request is refused with 429 and
``Retry-After`` so that clients slow down instead of the server's memory growing.

Records are mapped with :class:`~intelgraph.ingest.auto.AutoMapper` (entities or
STIX objects); a line that is not valid JSON, or a record the mapper refuses, is
dead-lettered with its reason while the rest of its batch is loaded. Batch ids,
statuses and outcomes are kept in memory for the most recent batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from intelgraph.api.push_records import (
    MEDIA_TYPES,
    PushError,
    PushInput,
    media_kind,
    parse_records,
    push_uri,
    unauthenticated,
)
from intelgraph.errors import ConfigError, IntelGraphError, NotFound
from intelgraph.ingest.auto import AutoMapper
from intelgraph.ingest.keys import tokenization_key
from intelgraph.ingest.pipeline import ActiveRun, BatchOutcome, IngestPipeline
from intelgraph.ingest.records import RawRecord
from intelgraph.model import Source, source_id, utcnow
from intelgraph.obs import get_logger
from intelgraph.store import Store

if TYPE_CHECKING:
    from intelgraph.platform import Platform

log = get_logger(__name__)

MIB: Final = 1024 * 1024
CONNECTOR: Final = "push"
_STOP: Final = object()
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class PushBatch:
    """One accepted request: queued, then committed or failed."""

    def __init__(
        self,
        batch_id: str,
        sequence: int,
        source: Source,
        run_id: str,
        records: Sequence[RawRecord],
        received_at: datetime,
    ) -> None:
        self.id = batch_id
        self.sequence = sequence
        self.source = source
        self.run_id = run_id
        self.records: tuple[RawRecord, ...] = tuple(records)
        self.count = len(self.records)
        self.received_at = received_at
        self.status = "queued"
        self.outcome: BatchOutcome | None = None
        self.error: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    @property
    def settled(self) -> bool:
        return self.status != "queued"

    def on_settled(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (from the worker thread) once the batch is committed or failed."""
        with self._lock:
            if not self.settled:
                self._callbacks.append(callback)
                return
        callback()

    def settle(
        self, outcome: BatchOutcome | None = None, error: IntelGraphError | None = None
    ) -> None:
        with self._lock:
            if error is not None:
                self.status = "failed"
                self.error = {"code": error.code, "message": error.message}
                if error.hint:
                    self.error["hint"] = error.hint
            else:
                self.status = "committed"
                self.outcome = outcome
            self.records = ()  # the status outlives the data
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "batch": self.id,
            "source": self.source.name,
            "run_id": self.run_id,
            "status": self.status,
            "records": self.count,
            "received_at": self.received_at.isoformat(),
        }
        if self.outcome is not None:
            out.update(
                loaded=self.outcome.loaded,
                dead=self.outcome.dead,
                statements_written=self.outcome.result.statements_new,
                statements_updated=self.outcome.result.statements_updated,
            )
        if self.error is not None:
            out["error"] = dict(self.error)
        return out


# -- the service ------------------------------------------------------------------------------


class PushIngest:
    """The push queue and its worker; one per app.

    ``before_commit`` is called in the worker before each batch is committed (tests
    use it to hold the worker).
    """

    def __init__(
        self,
        store: Store,
        *,
        token_key: bytes | Callable[[], bytes] = b"",
        queue_batches: int = 64,
        max_body_mb: float = 8,
        max_records: int = 10_000,
        retry_after: int = 1,
        keep_batches: int = 10_000,
        before_commit: Callable[[PushBatch], None] | None = None,
        checkpoint: Callable[[], object] | None = None,
        checkpoint_every: float = 300.0,
    ) -> None:
        self._checkpoint = checkpoint
        self._checkpoint_every = checkpoint_every
        if queue_batches < 1 or max_body_mb <= 0 or max_records < 1 or keep_batches < 1:
            raise ConfigError(
                "push ingest needs a queue of at least one batch, a positive body size limit "
                "and at least one record per request",
                hint="check IG_PUSH_QUEUE_BATCHES, IG_PUSH_MAX_BODY_MB and IG_PUSH_MAX_RECORDS",
            )
        self.store = store
        self.max_body_bytes = int(max_body_mb * MIB)
        self.max_records = max_records
        self.retry_after = max(1, retry_after)
        self._token_key = token_key
        self._keep = keep_batches
        self._before_commit = before_commit
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_batches)
        self._lock = threading.Lock()
        self._runs: dict[str, ActiveRun] = {}
        self._batches: OrderedDict[str, PushBatch] = OrderedDict()
        self._sequence = itertools.count(1)
        self._instance = secrets.token_hex(4)
        self._worker: threading.Thread | None = None
        self._accepting = True

    @classmethod
    def from_platform(cls, platform: Platform, **overrides: Any) -> PushIngest:
        """Limits from the platform's settings (``IG_PUSH_*``), overridable by keyword."""
        settings = platform.settings
        options: dict[str, Any] = {
            "token_key": lambda: tokenization_key(settings.data_dir),
            "queue_batches": settings.push_queue_batches,
            "max_body_mb": settings.push_max_body_mb,
            "max_records": settings.push_max_records,
            "checkpoint": platform.ledger.checkpoint,
            "checkpoint_every": settings.ledger_checkpoint_seconds,
        }
        options.update(overrides)
        return cls(platform.store, **options)

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def accepting(self) -> bool:
        return self._accepting

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        """Start the worker (also done by the first push when no lifespan ran)."""
        with self._lock:
            self._accepting = True
            self._start_locked()

    def _start_locked(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="push-ingest", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        """Refuse new pushes, commit everything queued, finish the open runs."""
        with self._lock:
            self._accepting = False
            worker, self._worker = self._worker, None
        if worker is not None:
            log.info("push_ingest_draining", queued=self._queue.qsize())
            self._queue.put(_STOP)  # after every accepted batch; waits while the queue is full
            worker.join()
        with self._lock:
            runs, self._runs = list(self._runs.values()), {}
        for active in runs:
            try:
                summary = active.finish()
            except Exception:
                log.exception("push_run_finish_failed", run_id=active.run.id)
                continue
            log.info(
                "push_run_finished",
                run_id=summary.run_id,
                source=summary.source,
                records=summary.stats.get("records_read", 0),
            )

    # -- requests ------------------------------------------------------------------------

    def authorize(self, token: str, name: str) -> Source:
        """The source ``name`` when ``token`` may push to it; 401/403 otherwise."""
        token_source = self.store.ingest.push_token_source(token)
        if token_source is None:
            raise unauthenticated("the push token is unknown or revoked", invalid=True)
        try:
            source = self.store.source(token_source)
        except NotFound:
            raise PushError(
                403,
                "forbidden",
                "the push token's source is not registered",
                hint="create tokens with `intelgraph ingest token create SOURCE`, "
                "which registers the source",
            ) from None
        if source_id(source.labels.tenant, name) != token_source:
            raise PushError(
                403,
                "forbidden",
                f"this push token may not push to source {name!r}",
                hint="use the token created for this source, or push to the token's own source",
            )
        return source

    def next_sequence(self) -> int:
        return next(self._sequence)

    def batch_id(self, sequence: int) -> str:
        return f"{self._instance}-{sequence}"

    def submit(
        self, source: Source, records: Sequence[RawRecord], sequence: int, received: datetime
    ) -> PushBatch:
        """Queue a parsed batch: 429 when the queue is full, 503 while stopping."""
        with self._lock:
            if not self._accepting:
                raise PushError(
                    503,
                    "ingest_unavailable",
                    "the server is shutting down and takes no more pushes",
                    hint="retry against a running server",
                    headers={"Retry-After": str(self.retry_after)},
                )
            if self._queue.full():
                raise self._queue_full()
            active = self._runs.get(source.id)
            if active is None:
                active = self._pipeline(source).open_run([push_uri(source)], resumable=False)
                self._runs[source.id] = active
                log.info("push_run_opened", run_id=active.run.id, source=source.name)
            batch = PushBatch(
                self.batch_id(sequence), sequence, source, active.run.id, records, received
            )
            try:
                self._queue.put_nowait(batch)
            except queue.Full:
                raise self._queue_full() from None
            self._batches[batch.id] = batch
            self._forget_old()
            self._start_locked()
        return batch

    def _queue_full(self) -> PushError:
        return PushError(
            429,
            "ingest_queue_full",
            "the ingest queue is full; the request was not accepted",
            hint=f"retry after {self.retry_after} s (see Retry-After), or send larger, "
            "fewer batches",
            headers={"Retry-After": str(self.retry_after)},
        )

    def _forget_old(self) -> None:
        while len(self._batches) > self._keep:
            oldest = next(iter(self._batches.values()))
            if not oldest.settled:
                break
            self._batches.popitem(last=False)

    def batch(self, source: Source, batch_id: str) -> PushBatch:
        with self._lock:
            found = self._batches.get(batch_id)
        if found is None or found.source.id != source.id:
            raise NotFound(
                f"push batch {batch_id!r} not found",
                hint="batch statuses are kept in memory for the most recent batches since "
                "the server started; check the run with `intelgraph ingest runs`",
            )
        return found

    # -- the worker ----------------------------------------------------------------------

    def _pipeline(self, source: Source) -> IngestPipeline:
        key = self._token_key() if callable(self._token_key) else self._token_key
        self._token_key = key
        return IngestPipeline(
            self.store,
            source,
            AutoMapper(self.store.ontology),
            connector=CONNECTOR,
            token_key=key,
            checkpoint=self._checkpoint,
            checkpoint_every=self._checkpoint_every,
        )

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if isinstance(item, PushBatch):
                self._commit(item)

    def _commit(self, batch: PushBatch) -> None:
        try:
            if self._before_commit is not None:
                self._before_commit(batch)
            with self._lock:
                active = self._runs[batch.source.id]
            source_input = PushInput(push_uri(batch.source), batch.received_at)
            outcome = active.commit(
                source_input, batch.records, done=False, cursor=str(batch.sequence)
            )
        except IntelGraphError as exc:
            log.error(
                "push_batch_failed",
                batch=batch.id,
                source=batch.source.name,
                code=exc.code,
                error=exc.message,
            )
            batch.settle(error=exc)
        except Exception:
            log.exception("push_batch_failed", batch=batch.id, source=batch.source.name)
            batch.settle(
                error=IntelGraphError(
                    "the batch could not be stored", hint="see the server log; retry the batch"
                )
            )
        else:
            log.debug(
                "push_batch_committed",
                batch=batch.id,
                source=batch.source.name,
                records=outcome.records,
                dead=outcome.dead,
            )
            batch.settle(outcome)


# -- HTTP -------------------------------------------------------------------------------------

router = APIRouter(tags=["ingest"])


def _service(request: Request) -> PushIngest:
    service: PushIngest = request.app.state.push_ingest
    return service


def bearer_token(header: str | None) -> str:
    if not header:
        raise unauthenticated("no push token was given", invalid=False)
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("the Authorization header is not 'Bearer <token>'", invalid=False)
    return token.strip()


def _wait_flag(value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise PushError(400, "invalid_input", f"wait must be true or false, got {value!r}")


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = PushError(
        413,
        "body_too_large",
        f"the request body is larger than {limit} bytes",
        hint="split the batch into smaller requests (the limit is IG_PUSH_MAX_BODY_MB)",
        details={"max_bytes": limit},
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise PushError(400, "invalid_input", "the Content-Length header is not a number")
        if int(declared) > limit:
            raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


async def _settled(batch: PushBatch) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not done.done():
            done.set_result(None)

    def notify() -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(wake)

    batch.on_settled(notify)
    await done


@router.post("/ingest/{source}", status_code=202)
async def push(source: str, request: Request) -> JSONResponse:
    """Push a batch of records (JSON or NDJSON) to a source; see docs/connectors/push.md."""
    service = _service(request)
    try:
        token = bearer_token(request.headers.get("authorization"))
        target = await run_in_threadpool(service.authorize, token, source)
        wait = _wait_flag(request.query_params.get("wait"))
        kind = media_kind(
            request.headers.get("content-type"), request.headers.get("content-encoding")
        )
        body = await _read_body(request, service.max_body_bytes)
        sequence = service.next_sequence()
        received = utcnow()
        records = await run_in_threadpool(
            lambda: parse_records(
                kind,
                body,
                batch_id=service.batch_id(sequence),
                cursor=str(sequence),
                received=received,
                max_records=service.max_records,
            )
        )
        batch = await run_in_threadpool(service.submit, target, records, sequence, received)
    except PushError as exc:
        return exc.response()
    location = f"/ingest/{quote(source, safe='')}/batches/{batch.id}"
    if not wait:
        return JSONResponse(
            {
                "accepted": batch.count,
                "batch": batch.id,
                "run_id": batch.run_id,
                "queued": service.queue_depth,
            },
            status_code=202,
            headers={"Location": location},
        )
    await _settled(batch)
    if batch.status == "committed":
        return JSONResponse(batch.to_dict(), status_code=200, headers={"Location": location})
    error = dict(batch.error or {})
    error["details"] = {"batch": batch.id}
    return JSONResponse(error, status_code=503 if error.get("code") == "store_error" else 500)


@router.get("/ingest/{source}/batches/{batch_id}")
async def batch_status(source: str, batch_id: str, request: Request) -> JSONResponse:
    """A pushed batch's status: queued, committed (with counts) or failed (with the error)."""
    service = _service(request)
    try:
        token = bearer_token(request.headers.get("authorization"))
        target = await run_in_threadpool(service.authorize, token, source)
    except PushError as exc:
        return exc.response()
    return JSONResponse(service.batch(target, batch_id).to_dict())


__all__ = [
    "MEDIA_TYPES",
    "PushBatch",
    "PushError",
    "PushIngest",
    "PushInput",
    "media_kind",
    "parse_records",
    "router",
]
