"""``GET /exports/{job_id}``: the signed bundle of a finished export job.

GraphQL answers ``requestExport`` with a job; when it has succeeded its
``result.download`` names this route. The archive is a file, streamed as such
rather than through GraphQL. Whoever may not see the job, and any job that has
not succeeded, gets the same 404 as an unknown id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from intelgraph.api.jobs import JobRegistry
from intelgraph.api.security import current_request
from intelgraph.policy.principal import AccessRequest

router = APIRouter(tags=["exports"])


def jobs_of(request: Request) -> JobRegistry:
    jobs = request.app.state.jobs
    assert isinstance(jobs, JobRegistry)
    return jobs


@router.get("/exports/{job_id}", response_class=FileResponse)
def download_export(
    job_id: str,
    access: Annotated[AccessRequest, Depends(current_request)],
    jobs: Annotated[JobRegistry, Depends(jobs_of)],
) -> FileResponse:
    path = jobs.export_file(access, job_id)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"intelgraph-export-{job_id}.zip",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


__all__ = ["jobs_of", "router"]
