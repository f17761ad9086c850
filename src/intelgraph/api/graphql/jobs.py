"""Export and ingest jobs as GraphQL types (the registry runs them: ``api/jobs.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from intelgraph.api.jobs import Job


@strawberry.type(description="Why a job failed: a stable code, a message, maybe a hint.")
class JobError:
    code: str
    message: str
    hint: str | None


def _error(job: Job) -> JobError | None:
    if not job.error:
        return None
    return JobError(
        code=str(job.error.get("code", "internal")),
        message=str(job.error.get("message", "")),
        hint=job.error.get("hint"),
    )


@strawberry.type(description="A signed export being built; download it when it succeeded.")
class ExportJob:
    id: strawberry.ID
    status: str = strawberry.field(description="queued, running, succeeded or failed.")
    progress: float
    created_at: datetime
    finished_at: datetime | None
    error: JobError | None
    bytes: int | None
    manifest_sha256: str | None
    entities: int | None
    edges: int | None
    statements: int | None
    download: str | None = strawberry.field(description="Where to GET the bundle.")


@strawberry.type(description="An uploaded file being loaded.")
class IngestJob:
    id: strawberry.ID
    status: str = strawberry.field(description="queued, running, succeeded or failed.")
    progress: float
    run_id: str | None = strawberry.field(description="The ingest run, once it has started.")
    detail: JSON = strawberry.field(description="Counts so far: records read, loaded, …")
    result: JSON = strawberry.field(description="The run's totals when it has finished.")
    created_at: datetime
    finished_at: datetime | None
    error: JobError | None


def export_job(job: Job) -> ExportJob:
    result: dict[str, Any] = dict(job.result or {})
    return ExportJob(
        id=strawberry.ID(job.id),
        status=job.status,
        progress=job.progress,
        created_at=job.created_at,
        finished_at=job.finished_at,
        error=_error(job),
        bytes=result.get("bytes"),
        manifest_sha256=result.get("manifestSha256"),
        entities=result.get("entities"),
        edges=result.get("edges"),
        statements=result.get("statements"),
        download=result.get("download"),
    )


def ingest_job(job: Job) -> IngestJob:
    return IngestJob(
        id=strawberry.ID(job.id),
        status=job.status,
        progress=job.progress,
        run_id=job.run_id,
        detail=JSON(dict(job.detail or {})),
        result=JSON(dict(job.result or {})),
        created_at=job.created_at,
        finished_at=job.finished_at,
        error=_error(job),
    )


__all__ = ["ExportJob", "IngestJob", "JobError", "export_job", "ingest_job"]
