"""Background jobs on a real platform: exports that verify offline, refusals that fail the
job (and are logged), uploads that become searchable, and jobs invisible to anyone but
their owner and their tenant's admins, over the registry and the download route."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api import create_app, export_routes
from intelgraph.api.hub import EventHub
from intelgraph.api.jobs import Job, JobRegistry, ingest_topic, job_topic, safe_filename
from intelgraph.auth.errors import Forbidden
from intelgraph.auth.users import principal_of
from intelgraph.config import load_settings
from intelgraph.errors import IntelGraphError, InvalidInput, NotFound
from intelgraph.export import Selection, verify_bundle
from intelgraph.ledger.leaves import decode
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest

PASSWORD = "a long enough test password"
COMPANIES = (
    b"ref,name,country\n"
    b"c1,Blue Harbour Shipping Ltd,gb\n"
    b"c2,Northwind Harbour Trading GmbH,de\n"
    b"c3,Quiet Lantern Holdings SA,lu\n"
)
MAPPING = """
source:
  licence: {licence}
queries:
  - entities:
      company:
        schema: Company
        key: ref
        properties:
          name: {{column: name}}
          country: {{column: country}}
"""


class RecordingHub(EventHub):
    """The real hub, also keeping every event published (to check topics and order)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, Any]] = []
        self._seen_lock = threading.Lock()

    def publish(self, topic: str, event: Any) -> None:
        with self._seen_lock:
            self.seen.append((topic, event))
        super().publish(topic, event)

    def on(self, topic: str) -> list[Job]:
        with self._seen_lock:
            return [event for name, event in self.seen if name == topic]


def open_platform(data_dir: Path, **settings: Any) -> Platform:
    return Platform.open(
        load_settings(data_dir=data_dir, auth_issuer="http://testserver", **settings),
        upgrade=True,
    )


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with open_platform(tmp_path / "ig") as opened:
        yield opened


def fresh(platform: Platform, name: str) -> AccessRequest:
    principal = principal_of(platform.store.identity.user_by_name(name), auth_time=int(time.time()))
    return platform.access.request(principal)


@pytest.fixture
def admin(platform: Platform) -> AccessRequest:
    row, _ = ensure_admin(
        platform.store, platform.ledger, tenant="default", password=PASSWORD, purposes=["inv"]
    )
    return fresh(platform, row.name)


def add_user(
    platform: Platform, by: AccessRequest, name: str, *, tenant: str = "default", **rights: Any
) -> AccessRequest:
    platform.admin.add_user(by, name, tenant=tenant, password=PASSWORD, **rights)
    return fresh(platform, name)


@pytest.fixture
def analyst(platform: Platform, admin: AccessRequest) -> AccessRequest:
    return add_user(platform, admin, "analyst", purposes=["inv"])


@pytest.fixture
def other(platform: Platform, admin: AccessRequest) -> AccessRequest:
    return add_user(platform, admin, "other", purposes=["inv"])


@pytest.fixture
def hub() -> RecordingHub:
    return RecordingHub()


@pytest.fixture
def jobs(platform: Platform, hub: RecordingHub) -> Iterator[JobRegistry]:
    registry = JobRegistry(platform, hub)
    yield registry
    registry.shutdown()


def wait(jobs: JobRegistry, request: AccessRequest, job_id: str, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        job = jobs.get(request, job_id)
        if job.finished:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job.status}"
        time.sleep(0.02)


def upload(
    jobs: JobRegistry,
    request: AccessRequest,
    *,
    licence: str = "Open-Data-OK",
    filename: str = "companies.csv",
    data: bytes = COMPANIES,
) -> Job:
    job = jobs.submit_ingest(
        request, filename=filename, data=data, mapping=MAPPING.format(licence=licence)
    )
    return wait(jobs, request, job.id)


def harbour(jobs: JobRegistry, request: AccessRequest) -> Job:
    return jobs.submit_export(request, Selection("search", query="Harbour"), "jsonl")


# -- exports ---------------------------------------------------------------------------------


def test_an_export_job_runs_publishes_and_its_bundle_verifies(
    jobs: JobRegistry, hub: RecordingHub, analyst: AccessRequest, platform: Platform
) -> None:
    assert upload(jobs, analyst).status == "succeeded"
    submitted = harbour(jobs, analyst)
    assert (submitted.kind, submitted.status, submitted.owner) == (
        "export",
        "queued",
        analyst.principal.id,
    )

    async def follow() -> list[Job]:
        async with hub.subscribe(job_topic(submitted.id)) as events:
            seen = [jobs.get(analyst, submitted.id)]  # subscribe first, then read: no gap
            while not seen[-1].finished:
                event = await asyncio.wait_for(anext(events), 60)
                assert isinstance(event, Job)
                seen.append(event)
            return seen

    done = asyncio.run(follow())[-1]
    assert done.status == "succeeded", done.error
    assert done.progress == 1.0
    assert done.finished_at is not None
    assert done.result is not None
    assert done.result["download"] == f"/exports/{done.id}"
    assert done.result["entities"] == 2  # the two Harbour companies
    archive = (Path(platform.settings.data_dir) / "exports" / f"{done.id}.zip").read_bytes()
    assert len(archive) == done.result["bytes"]
    report = verify_bundle(archive)
    assert report.statements == done.result["statements"] > 0
    assert jobs.export_file(analyst, done.id).read_bytes() == archive
    # every state change was published, in order, as immutable snapshots
    states = [job.status for job in hub.on(job_topic(done.id))]
    assert states == ["queued", "running", "succeeded"]
    with pytest.raises(AttributeError):
        done.status = "failed"  # type: ignore[misc]
    as_json = json.loads(json.dumps(done.to_dict()))
    assert as_json["result"]["manifestSha256"] == done.result["manifestSha256"]


def test_a_refused_export_fails_the_job_and_is_logged(
    jobs: JobRegistry, analyst: AccessRequest, platform: Platform
) -> None:
    assert upload(jobs, analyst, licence="Restricted-TOS").status == "succeeded"
    done = wait(jobs, analyst, harbour(jobs, analyst).id)
    assert done.status == "failed"
    assert done.error is not None
    assert done.error["code"] == "export_refused"
    assert "Restricted-TOS" in done.error["message"]
    assert done.error["details"]["policies"] == ["restricted-export"]
    *_, (_, kind, body) = platform.store.ledger.leaves()
    assert kind == "export"
    assert decode(body)["outcome"] == "refused"
    with pytest.raises(NotFound):
        jobs.export_file(analyst, done.id)
    assert not (Path(platform.settings.data_dir) / "exports" / f"{done.id}.zip").exists()


def test_invalid_export_requests_are_refused_before_queuing(
    jobs: JobRegistry, analyst: AccessRequest
) -> None:
    with pytest.raises(InvalidInput, match="unknown export format"):
        jobs.submit_export(analyst, Selection("search", query="x"), "pdf")


# -- uploads ---------------------------------------------------------------------------------


def test_an_uploaded_csv_is_loaded_searchable_and_reported_under_its_run(
    jobs: JobRegistry, hub: RecordingHub, analyst: AccessRequest, platform: Platform
) -> None:
    done = upload(jobs, analyst)
    assert done.status == "succeeded", done.error
    assert done.run_id is not None
    assert done.result is not None
    assert done.result["runId"] == done.run_id
    assert done.result["recordsRead"] == done.result["recordsLoaded"] == 3
    assert done.result["entitiesCreated"] == 3
    assert done.detail["filename"] == "companies.csv"
    assert done.detail["source"] == "companies"
    assert done.detail["recordsExpected"] == 3
    # the run id is published before the job ends, on the run's own topic too
    on_run = hub.on(ingest_topic(done.run_id))
    assert [job.status for job in on_run][-1] == "succeeded"
    assert on_run[0].status == "running"
    assert all(job.id == done.id for job in on_run)
    run = platform.store.ingest.run(platform.access.scope(analyst), done.run_id)
    assert run.connector == "upload"
    hits = platform.reads.search(analyst, "Harbour").hits
    assert sorted(hit.entity.caption for hit in hits) == [
        "Blue Harbour Shipping Ltd",
        "Northwind Harbour Trading GmbH",
    ]
    source = platform.store.source(run.source_id)
    assert source.labels.tenant == analyst.principal.tenant


def test_oversized_and_empty_uploads_are_refused(
    platform: Platform, analyst: AccessRequest
) -> None:
    jobs = JobRegistry(platform, EventHub(), max_upload_bytes=64)
    try:
        with pytest.raises(InvalidInput) as caught:
            jobs.submit_ingest(analyst, filename="big.jsonl", data=b"x" * 65)
        assert caught.value.code == "upload_too_large"
        assert caught.value.details == {"bytes": 65, "maxBytes": 64}
        with pytest.raises(InvalidInput, match="empty"):
            jobs.submit_ingest(analyst, filename="empty.jsonl", data=b"")
        assert not jobs.uploads_dir.exists()  # nothing was saved
    finally:
        jobs.shutdown()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../x.csv", "x.csv"),
        ("..\\..\\windows\\x.json", "x.json"),
        ("/etc/passwd", "passwd"),
        ("..", "upload"),
        (".csv", "upload.csv"),
        ("a b;rm -rf.csv", "a_b_rm_-rf.csv"),
        ("données.jsonl", "donn_es.jsonl"),
        ("x" * 300 + ".csv.gz", "x" * 113 + ".csv.gz"),
    ],
)
def test_file_names_lose_their_paths_but_keep_their_extension(given: str, kept: str) -> None:
    assert safe_filename(given) == kept


def test_a_path_traversal_file_name_stays_in_the_job_folder(
    jobs: JobRegistry, analyst: AccessRequest, platform: Platform, tmp_path: Path
) -> None:
    done = upload(jobs, analyst, filename="../../x.csv")
    assert done.status == "succeeded", done.error
    assert done.detail["filename"] == "x.csv"
    assert (jobs.uploads_dir / done.id / "data" / "x.csv").read_bytes() == COMPANIES
    assert not (tmp_path / "x.csv").exists()
    assert not (Path(platform.settings.data_dir) / "x.csv").exists()


def test_the_ingest_right_is_checked_before_anything_is_queued(
    jobs: JobRegistry, platform: Platform, admin: AccessRequest, analyst: AccessRequest
) -> None:
    read_only = platform.admin.create_token(admin, "analyst", "reader", ["read"])
    principal = platform.identity.authenticate(f"Bearer {read_only.token}")
    with pytest.raises(Forbidden, match="may not ingest"):
        jobs.submit_ingest(
            platform.access.request(principal),
            filename="c.csv",
            data=COMPANIES,
            mapping=MAPPING.format(licence="Open-Data-OK"),
        )
    with pytest.raises(Forbidden):  # a mapping cannot label the data into another tenant
        jobs.submit_ingest(
            analyst,
            filename="c.csv",
            data=COMPANIES,
            mapping=MAPPING.format(licence="Open-Data-OK").replace(
                "source:\n", "source:\n  labels: {tenant: umbrella}\n"
            ),
        )
    assert not jobs.uploads_dir.exists()
    ingest = platform.admin.create_token(admin, "analyst", "loader", ["ingest"])
    loader = platform.access.request(platform.identity.authenticate(f"Bearer {ingest.token}"))
    done = upload(jobs, loader)
    assert done.status == "succeeded", done.error


def test_bad_uploads_fail_with_a_code_not_a_traceback(
    jobs: JobRegistry, analyst: AccessRequest
) -> None:
    broken = jobs.submit_ingest(analyst, filename="broken.json", data=b'{"schema": "Comp')
    done = wait(jobs, analyst, broken.id)
    assert done.status == "failed"
    assert done.error is not None
    assert done.error["code"] == "invalid_input"
    assert "not valid JSON" in done.error["message"]
    assert "Traceback" not in json.dumps(done.to_dict())
    with pytest.raises(InvalidInput, match="needs a mapping"):
        jobs.submit_ingest(analyst, filename="rows.csv", data=COMPANIES)
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        jobs.submit_ingest(analyst, filename="notes.pdf", data=b"%PDF-1.7")
    with pytest.raises(InvalidInput, match="problem"):
        jobs.submit_ingest(analyst, filename="c.csv", data=COMPANIES, mapping="queries: []")


def test_an_unexpected_error_is_reported_as_internal(
    jobs: JobRegistry, analyst: AccessRequest
) -> None:
    def explode(_job_id: str) -> None:
        raise RuntimeError("secret path /srv/db in a driver message")

    job = jobs._new("export", analyst, {})
    jobs._start(job, explode)
    done = wait(jobs, analyst, job.id)
    assert done.error == {"code": "internal", "message": "internal error"}


def test_progress_is_published_at_most_ten_times_a_second(tmp_path: Path) -> None:
    lines = b"".join(
        json.dumps(
            {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Person {i}"]}}
        ).encode()
        + b"\n"
        for i in range(3000)
    )
    with open_platform(tmp_path / "ig", ingest_batch_size=5) as platform:
        row, _ = ensure_admin(platform.store, platform.ledger, tenant="default", password=PASSWORD)
        request = fresh(platform, row.name)
        hub = RecordingHub()
        jobs = JobRegistry(platform, hub)
        try:
            started = time.monotonic()
            done = wait(
                jobs, request, jobs.submit_ingest(request, filename="p.jsonl", data=lines).id
            )
            elapsed = time.monotonic() - started
        finally:
            jobs.shutdown()
    assert done.status == "succeeded", done.error
    events = hub.on(job_topic(done.id))
    running = [job for job in events if job.status == "running"]
    assert len(running) <= 2 + 10 * elapsed + 1  # start, run id, then ≤ 10/s
    shares = [job.progress for job in events]
    assert shares == sorted(shares)
    assert shares[-1] == 1.0
    assert any(0 < share < 1 for share in shares) or elapsed < 0.1


# -- who sees what ---------------------------------------------------------------------------


def test_jobs_are_invisible_to_other_users_and_tenants(
    jobs: JobRegistry,
    platform: Platform,
    admin: AccessRequest,
    analyst: AccessRequest,
    other: AccessRequest,
) -> None:
    upload(jobs, analyst)
    done = wait(jobs, analyst, harbour(jobs, analyst).id)
    assert done.status == "succeeded", done.error
    outsider = add_user(platform, admin, "boss", tenant="umbrella", admin=True)
    for stranger in (other, outsider):
        with pytest.raises(NotFound) as foreign:
            jobs.get(stranger, done.id)
        with pytest.raises(NotFound):
            jobs.export_file(stranger, done.id)
        with pytest.raises(NotFound) as absent:
            jobs.get(stranger, "no-such-job")
        assert foreign.value.hint == absent.value.hint  # nothing tells the two apart
    assert jobs.get(admin, done.id) == done  # an admin of the tenant sees it
    assert jobs.export_file(admin, done.id).is_file()


def test_only_the_newest_finished_jobs_are_kept(platform: Platform, analyst: AccessRequest) -> None:
    jobs = JobRegistry(platform, EventHub(), keep=2)
    try:
        ids = []
        for _ in range(3):
            job = jobs.submit_ingest(analyst, filename="bad.json", data=b"{")
            wait(jobs, analyst, job.id)
            ids.append(job.id)
        with pytest.raises(NotFound):
            jobs.get(analyst, ids[0])
        assert [jobs.get(analyst, i).status for i in ids[1:]] == ["failed", "failed"]
    finally:
        jobs.shutdown()
    with pytest.raises(IntelGraphError) as closed:
        jobs.submit_ingest(analyst, filename="late.json", data=b"{}")
    assert closed.value.code == "unavailable"


# -- the download route ----------------------------------------------------------------------


def login(client: TestClient, name: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_download_route(
    jobs: JobRegistry, platform: Platform, analyst: AccessRequest, other: AccessRequest
) -> None:
    upload(jobs, analyst)
    done = wait(jobs, analyst, harbour(jobs, analyst).id)
    refused = wait(jobs, analyst, jobs.submit_ingest(analyst, filename="b.json", data=b"{").id)
    app = create_app(platform)
    if not any(getattr(route, "path", None) == "/exports/{job_id}" for route in app.routes):
        app.include_router(export_routes.router)  # until app.py includes it itself
    app.state.jobs = jobs
    with TestClient(app) as client:
        mine, theirs = login(client, "analyst"), login(client, "other")
        response = client.get(f"/exports/{done.id}", headers=mine)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/zip"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="intelgraph-export-{done.id}.zip"'
        )
        assert verify_bundle(response.content).statements > 0
        for path, headers in (
            (f"/exports/{done.id}", theirs),  # someone else's
            ("/exports/unknown", mine),  # nobody's
            (f"/exports/{refused.id}", mine),  # not an export
        ):
            missing = client.get(path, headers=headers)
            assert missing.status_code == 404, path
            assert missing.json()["code"] == "not_found"
        anonymous = client.get(f"/exports/{done.id}")
        assert anonymous.status_code == 401
        assert anonymous.json()["code"] == "token_missing"


def test_another_worker_answers_for_a_job_it_did_not_run(
    platform: Platform, jobs: JobRegistry, analyst: AccessRequest, other: AccessRequest
) -> None:
    """Server workers share the data directory: a job's state file lets a second
    registry (another worker) report it and serve its bundle, to its owner only."""
    assert upload(jobs, analyst).status == "succeeded"
    job = harbour(jobs, analyst)
    done = wait(jobs, analyst, job.id)
    assert done.status == "succeeded"
    second = JobRegistry(platform, EventHub())
    try:
        assert not second.is_local(job.id)
        seen = second.get(analyst, job.id)
        assert seen == done
        assert second.export_file(analyst, job.id).read_bytes()[:2] == b"PK"
        with pytest.raises(NotFound):
            second.get(other, job.id)
        with pytest.raises(NotFound):
            second.get(analyst, "../../etc/passwd")
    finally:
        second.shutdown()
