from tests.api.test_jobs import *  # noqa
def test_probe(tmp_path):
    lines = b"".join(json.dumps({"id": f"p{i}", "schema": "Person", "properties": {"name": [f"P {i}"]}}).encode() + b"\n" for i in range(3000))
    with open_platform(tmp_path / "ig", ingest_batch_size=5) as platform:
        row, _ = ensure_admin(platform.store, platform.ledger, tenant="default", password=PASSWORD)
        request = fresh(platform, row.name)
        hub = RecordingHub()
        jobs = JobRegistry(platform, hub)
        t = time.monotonic()
        done = wait(jobs, request, jobs.submit_ingest(request, filename="p.jsonl", data=lines).id)
        print("elapsed", time.monotonic() - t, done.status, done.detail, done.result)
        ev = hub.on(job_topic(done.id))
        print(len(ev), [ (e.status, round(e.progress,2), e.detail.get("recordsRead")) for e in ev])
        jobs.shutdown()
