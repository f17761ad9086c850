"""Background jobs for the API: signed exports and ingest of uploaded files.

An export or an upload can take minutes, longer than a request should; the API
queues it here and answers with a :class:`Job` at once. Workers (a small thread
pool) run it exactly as the CLI would (``intelgraph export`` /
``intelgraph ingest FILE``), and every change of state, and progress at most
ten times a second, is published on the :class:`~intelgraph.api.hub.EventHub`
as an immutable snapshot, so subscriptions never see a half-updated job.

A job is visible only to its owner and to admins of its tenant; to anyone else
it does not exist (the same ``NotFound`` as an unknown id, so ids cannot be
probed). Finished jobs are kept in memory, the newest ``keep`` of them; their
files (``<data_dir>/exports``, ``<data_dir>/uploads``) stay on disk.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from intelgraph.access.exports import PolicyExportGuard
from intelgraph.errors import IntelGraphError, InvalidInput, NotFound
from intelgraph.export.service import Exporter, ExportRequest, Selection
from intelgraph.files import write_atomically
from intelgraph.ingest.formats import FORMATS as INGEST_FORMATS
from intelgraph.ingest.formats import detect_format
from intelgraph.ingest.mapping.load import parse_mapping
from intelgraph.ingest.runner import RunStarted, default_source_name, ingest_paths, run_source
from intelgraph.ingest.sources import SourceOptions
from intelgraph.model import utcnow
from intelgraph.obs import get_logger
from intelgraph.policy.principal import AccessRequest
from intelgraph.policy.resources import source_resource

if TYPE_CHECKING:
    from intelgraph.api.hub import EventHub
    from intelgraph.ingest.pipeline import RunSummary
    from intelgraph.platform import Platform

log = get_logger(__name__)

JobKind = Literal["export", "ingest"]
JobStatus = Literal["queued", "running", "succeeded", "failed"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed"})
PROGRESS_INTERVAL = 0.1  # seconds: at most ten progress events a second per job
_JOB_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # token_urlsafe ids; nothing else is a file name
MAX_FILENAME = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HEAD = 64 * 1024  # bytes read to tell JSON from STIX, JSON Lines from FtM
INTERNAL_ERROR: Mapping[str, str] = {"code": "internal", "message": "internal error"}


@dataclass(frozen=True, slots=True)
class Job:
    """One background job as a snapshot: the registry replaces it on every change, so a
    published job never changes under its reader."""

    id: str
    kind: JobKind
    owner: str  # principal id
    tenant: str
    status: JobStatus = "queued"
    progress: float = 0.0  # 0..1; stays 0 while the total is unknown
    detail: dict[str, Any] = field(default_factory=dict)  # counts so far, inputs
    result: dict[str, Any] | None = None  # once succeeded
    error: dict[str, Any] | None = None  # once failed: {code, message, hint?, details?}
    run_id: str | None = None  # ingest, once the run is open
    created_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (camelCase, ISO times)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "owner": self.owner,
            "tenant": self.tenant,
            "status": self.status,
            "progress": self.progress,
            "detail": dict(self.detail),
            "result": dict(self.result) if self.result is not None else None,
            "error": dict(self.error) if self.error is not None else None,
            "runId": self.run_id,
            "createdAt": self.created_at.isoformat(),
            "finishedAt": self.finished_at.isoformat() if self.finished_at else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        finished = data.get("finishedAt")
        return cls(
            id=str(data["id"]),
            kind=data["kind"],
            owner=str(data["owner"]),
            tenant=str(data["tenant"]),
            status=data["status"],
            progress=float(data["progress"]),
            detail=dict(data.get("detail") or {}),
            result=data.get("result"),
            error=data.get("error"),
            run_id=data.get("runId"),
            created_at=datetime.fromisoformat(data["createdAt"]),
            finished_at=datetime.fromisoformat(finished) if finished else None,
        )


def job_topic(job_id: str) -> str:
    return f"job:{job_id}"


def ingest_topic(run_id: str) -> str:
    return f"ingest:{run_id}"


def safe_filename(name: str) -> str:
    """An uploaded file's name without any path part or unusual character, keeping its
    extension (the format is detected from it): ``../../x.csv`` → ``x.csv``."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _UNSAFE.sub("_", base)
    base = re.sub(r"\.{2,}", ".", base).rstrip(".")
    if base.startswith("."):
        base = "upload" + base  # ".csv" is an extension with no name, not a hidden file
    if len(base) > MAX_FILENAME:
        suffix = "".join(PurePosixPath(base).suffixes[-2:])[-20:]
        base = base[: MAX_FILENAME - len(suffix)] + suffix
    return base or "upload"


class JobRegistry:
    """Queues, runs and remembers the jobs of one API process."""

    def __init__(
        self,
        platform: Platform,
        hub: EventHub,
        *,
        workers: int = 2,
        keep: int = 1000,
        max_upload_bytes: int = 256 << 20,
    ) -> None:
        if workers < 1 or keep < 1 or max_upload_bytes < 1:
            raise InvalidInput("workers, keep and max_upload_bytes must be positive")
        self.platform = platform
        self.hub = hub
        self.keep = keep
        self.max_upload_bytes = max_upload_bytes
        data_dir = Path(platform.settings.data_dir)
        self.exports_dir = data_dir / "exports"
        # Every published state is also kept here, so another server worker (or a
        # restarted server) can answer for a job it did not run.
        self.jobs_dir = data_dir / "jobs"
        self.uploads_dir = data_dir / "uploads"
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ig-job")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._finished: deque[str] = deque()  # ids in the order they finished
        self._emitted: dict[str, float] = {}  # when each running job last published
        self._closed = False

    # -- submitting ----------------------------------------------------------------------

    def submit_export(self, request: AccessRequest, selection: Selection, fmt: str) -> Job:
        """Queue a signed export of ``selection`` as ``intelgraph export`` makes it; an
        invalid request is refused here, a policy refusal fails the job (and is logged
        in the ledger by the exporter)."""
        access = self.platform.access
        export = ExportRequest(
            selection=selection,
            format=fmt,
            scope=access.scope(request),
            requester=request.principal.name,
            purpose=request.effective_purpose,
            authority=request.authority.id if request.authority is not None else None,
            guard=PolicyExportGuard(access, request),
        )
        job = self._new("export", request, {"format": fmt, "selection": selection.to_dict()})
        self._start(job, self._run_export, export)
        return job

    def submit_ingest(
        self,
        request: AccessRequest,
        *,
        filename: str,
        data: bytes,
        fmt: str | None = None,
        mapping: str | None = None,
        source: str | None = None,
    ) -> Job:
        """Queue the ingest of one uploaded file (``mapping``: the YAML text). Size, name,
        format, mapping and the caller's right to ingest into the source are checked
        before anything is saved or queued."""
        size = len(data) + len((mapping or "").encode())
        if size > self.max_upload_bytes:
            raise InvalidInput(
                f"the upload is {size:,} bytes, more than the {self.max_upload_bytes:,} allowed",
                hint="split the file, or load it on the server with `intelgraph ingest FILE`",
                details={"bytes": size, "maxBytes": self.max_upload_bytes},
                code="upload_too_large",
            )
        if not data:
            raise InvalidInput("the uploaded file is empty")
        name = safe_filename(filename)
        spec = None
        if mapping is not None and mapping.strip():
            spec = parse_mapping(mapping, self.platform.ontology, path="mapping.yml")
        try:  # as on the command line: the format given, the mapping's, else the name's
            kind = (
                fmt
                or (spec.format_options.get("format") if spec else None)
                or detect_format(name, data[:_HEAD])
            )
        except InvalidInput as exc:
            raise InvalidInput(
                exc.message,
                hint=f"name the file with its extension, or give its format: "
                f"{', '.join(INGEST_FORMATS)}",
            ) from None
        if kind not in INGEST_FORMATS:
            raise InvalidInput(
                f"unknown format {kind!r}", hint=f"use one of {', '.join(INGEST_FORMATS)}"
            )
        if spec is None and kind in ("csv", "xlsx"):
            raise InvalidInput(
                f"{kind.upper()} input needs a mapping to say what each row is",
                hint="send the mapping YAML with the upload (see docs/ingest-mappings.md)",
            )
        principal = request.principal
        made, _ = run_source(
            self.platform,
            spec,
            SourceOptions(name=source),
            default_source_name(name),
            tenant=principal.tenant,
        )
        self.platform.access.require(request, "ingest", source_resource(made, made.id))
        job = self._new(
            "ingest",
            request,
            {"filename": name, "format": kind, "bytes": len(data), "source": made.name},
        )
        folder = self.uploads_dir / job.id
        path = folder / "data" / name
        if path.resolve().parent != (folder / "data").resolve():  # safe_filename's promise
            raise InvalidInput("invalid file name")
        write_atomically(path, data, mode=0o600)
        mapping_path = None
        if spec is not None and mapping is not None:
            mapping_path = folder / "mapping.yml"
            write_atomically(mapping_path, mapping.encode(), mode=0o600)
        self._start(job, self._run_ingest, path, kind, mapping_path, source, principal.tenant)
        return job

    # -- reading -------------------------------------------------------------------------

    def is_local(self, job_id: str) -> bool:
        """This process runs (or ran) the job, so its events come through the hub."""
        with self._lock:
            return job_id in self._jobs

    def get(self, request: AccessRequest, job_id: str) -> Job:
        """The job as it is now, for its owner or an admin of its tenant; anyone else is
        told it does not exist."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            job = self._stored(job_id)
        principal = request.principal
        if job is None or not (
            job.owner == principal.id or (principal.admin and principal.tenant == job.tenant)
        ):
            raise NotFound(
                f"no job {job_id!r}", hint="job ids come from requestExport and uploadIngest"
            )
        return job

    def export_file(self, request: AccessRequest, job_id: str) -> Path:
        """The archive of a succeeded export the caller may see."""
        job = self.get(request, job_id)
        path = self.exports_dir / f"{job.id}.zip"
        if job.kind != "export" or job.status != "succeeded" or not path.is_file():
            raise NotFound(
                f"no finished export {job_id!r}",
                hint="wait until the job has succeeded (exportProgress)",
            )
        return path

    def shutdown(self) -> None:
        """Let running jobs finish; jobs still queued fail as cancelled."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            queued = [job for job in self._jobs.values() if job.status == "queued"]
        for job in queued:
            self._fail(
                job.id,
                {
                    "code": "cancelled",
                    "message": "the server stopped before the job ran",
                    "hint": "submit it again",
                },
            )

    # -- workers -------------------------------------------------------------------------

    def _run_export(self, job_id: str, export: ExportRequest) -> None:
        self._update(job_id, status="running")
        result = Exporter(self.platform.store, self.platform.ledger).export(export)
        write_atomically(self.exports_dir / f"{job_id}.zip", result.archive)
        self._update(
            job_id,
            status="succeeded",
            progress=1.0,
            result={
                "bytes": len(result.archive),
                "manifestSha256": result.manifest_sha256,
                "entities": result.entities,
                "edges": result.edges,
                "statements": result.statements,
                "ledgerLeaf": result.leaf_index,
                "download": f"/exports/{job_id}",
            },
        )

    def _run_ingest(
        self,
        job_id: str,
        path: Path,
        fmt: str,
        mapping_path: Path | None,
        source: str | None,
        tenant: str,
    ) -> None:
        self._update(job_id, status="running")
        read = 0
        expected: int | None = None

        def started(run: RunStarted) -> None:
            nonlocal expected
            expected = run.expected_records
            self._update(
                job_id,
                run_id=run.run_id,
                detail={"recordsRead": 0, "recordsExpected": expected, "source": run.source},
            )

        def progress(_uri: str, records: int) -> None:
            nonlocal read
            read += records
            share = min(read / expected, 0.99) if expected else 0.0
            self._update(job_id, progress=share, detail={"recordsRead": read}, throttle=True)

        summary = ingest_paths(
            self.platform,
            [path],
            fmt=fmt,
            mapping_path=mapping_path,
            source_name=source,
            progress=progress,
            connector="upload",
            tenant=tenant,
            started=started,
        )
        totals = _run_totals(summary)
        if summary.status != "completed":
            self._update(job_id, detail={"recordsRead": totals["recordsRead"]})
            self._fail(
                job_id,
                {
                    "code": "ingest_failed",
                    "message": summary.error or f"the run ended {summary.status}",
                    "hint": f"see `intelgraph ingest status {summary.run_id}`",
                },
            )
            return
        self._update(
            job_id,
            status="succeeded",
            progress=1.0,
            run_id=summary.run_id,
            detail={"recordsRead": totals["recordsRead"]},
            result=totals,
        )

    # -- bookkeeping ---------------------------------------------------------------------

    def _new(self, kind: JobKind, request: AccessRequest, detail: dict[str, Any]) -> Job:
        principal = request.principal
        return Job(
            id=secrets.token_urlsafe(16),
            kind=kind,
            owner=principal.id,
            tenant=principal.tenant,
            detail=detail,
        )

    def _start(self, job: Job, work: Callable[..., None], *args: Any) -> None:
        with self._lock:
            if self._closed:
                raise IntelGraphError(
                    "the server is stopping and takes no new jobs",
                    hint="try again in a moment",
                    code="unavailable",
                )
            self._jobs[job.id] = job
        self._publish(job)
        try:
            self._executor.submit(self._guarded, job.id, work, *args)
        except RuntimeError:  # shut down between the check and here
            self._fail(job.id, {"code": "cancelled", "message": "the server is stopping"})
            raise IntelGraphError(
                "the server is stopping and takes no new jobs", code="unavailable"
            ) from None

    def _guarded(self, job_id: str, work: Callable[..., None], *args: Any) -> None:
        """Run a job; any failure ends it failed with an error a client can show (the
        traceback goes to the log, never to the client)."""
        try:
            work(job_id, *args)
        except IntelGraphError as exc:
            self._fail(job_id, exc.to_dict())
        except Exception:
            log.exception("job_failed", job=job_id)
            self._fail(job_id, dict(INTERNAL_ERROR))

    def _fail(self, job_id: str, error: dict[str, Any]) -> None:
        self._update(job_id, status="failed", error=error)

    def _update(
        self,
        job_id: str,
        *,
        status: JobStatus | None = None,
        progress: float | None = None,
        detail: Mapping[str, Any] | None = None,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
        run_id: str | None = None,
        throttle: bool = False,
    ) -> None:
        """Replace the job with an updated snapshot and publish it (a throttled progress
        update is stored but published only if the last one is old enough)."""
        now = time.monotonic()
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.finished:
                return
            changes: dict[str, Any] = {}
            if status is not None:
                changes["status"] = status
                if status in FINISHED:
                    changes["finished_at"] = utcnow()
            if progress is not None:
                changes["progress"] = progress
            if detail is not None:
                changes["detail"] = {**job.detail, **detail}
            if result is not None:
                changes["result"] = result
            if error is not None:
                changes["error"] = error
            if run_id is not None:
                changes["run_id"] = run_id
            job = replace(job, **changes)
            self._jobs[job_id] = job
            if throttle and now - self._emitted.get(job_id, 0.0) < PROGRESS_INTERVAL:
                return
            self._emitted[job_id] = now
            if job.finished:
                self._emitted.pop(job_id, None)
                self._retire(job_id)
            # Announced under the lock (publishing never blocks), so whoever sees the
            # new state through get() has been sent its event too.
            self._announce(job)
        # Progress ticks are not written down: other workers need a job's state, not
        # ten fsyncs a second of its counters.
        if not throttle:
            self._save(job)

    def _retire(self, job_id: str) -> None:
        """Remember a finished job; forget the oldest beyond ``keep`` (lock held)."""
        self._finished.append(job_id)
        while len(self._finished) > self.keep:
            forgotten = self._finished.popleft()
            self._jobs.pop(forgotten, None)
            (self.jobs_dir / f"{forgotten}.json").unlink(missing_ok=True)

    def _stored(self, job_id: str) -> Job | None:
        if not _JOB_ID.fullmatch(job_id):
            return None
        try:
            return Job.from_dict(json.loads((self.jobs_dir / f"{job_id}.json").read_bytes()))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _publish(self, job: Job) -> None:
        self._save(job)
        self._announce(job)

    def _announce(self, job: Job) -> None:
        self.hub.publish(job_topic(job.id), job)
        if job.kind == "ingest" and job.run_id is not None:
            self.hub.publish(ingest_topic(job.run_id), job)

    def _save(self, job: Job) -> None:
        try:
            self.jobs_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(
                self.jobs_dir / f"{job.id}.json", json.dumps(job.to_dict()).encode(), mode=0o600
            )
        except OSError as exc:  # the job goes on; only other workers lose sight of it
            log.warning("job_state_not_saved", job=job.id, error=exc.strerror)


def _run_totals(summary: RunSummary) -> dict[str, Any]:
    data = summary.to_dict()
    return {
        "runId": summary.run_id,
        "source": summary.source,
        "status": summary.status,
        "recordsRead": data["records_read"],
        "recordsLoaded": data["records_loaded"],
        "recordsSkipped": data["records_skipped"],
        "statementsWritten": data["statements_written"],
        "statementsUpdated": data["statements_updated"],
        "entitiesCreated": sum(c["created"] for c in data["entities"].values()),
        "entitiesUpdated": sum(c["updated"] for c in data["entities"].values()),
        "edgesCreated": sum(c["created"] for c in data["edges"].values()),
        "deadLetters": data["dlq"],
        "seconds": data["seconds"],
    }


__all__ = [
    "FINISHED",
    "Job",
    "JobKind",
    "JobRegistry",
    "JobStatus",
    "ingest_topic",
    "job_topic",
    "safe_filename",
]
