"""The S3 connector against a real S3 API (moto's server on 127.0.0.1), into real stores.

Objects are uploaded once per module; tests that replace or delete objects work
under a prefix of their own, so the store parametrisation never sees another
test's changes. Credentials reach the connector through the environment (boto3's
standard chain), set per test with monkeypatch.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.ingest import (
    AutoMapper,
    FtmMapper,
    IngestOptions,
    IngestPipeline,
    Mapper,
    RunSummary,
    StixMapper,
    load_mapping,
    stix_entity_id,
)
from intelgraph.ingest.connectors import s3
from intelgraph.ingest.connectors.s3 import (
    S3AccessDenied,
    S3Input,
    S3ObjectChanged,
    S3Unavailable,
    parse_s3_url,
    s3_inputs,
)
from intelgraph.ingest.formats import FormatOptions
from intelgraph.model import Source, ViewerScope
from intelgraph.ontology import Ontology
from intelgraph.store import Store

REPO = Path(__file__).resolve().parents[2]
EVERYONE = ViewerScope.make()
BUCKET = "ig-test"
ACCESS_KEY, SECRET_KEY = "testing-access-key", "testing-secret-key"
OPTIONS = FormatOptions()

PEOPLE = [
    {"id": "p1", "name": "Ada Lovelace", "city": "London"},
    {"id": "p2", "name": "Charles Babbage", "city": "London"},
    {"id": "p3", "name": "Grace Hopper", "city": "New York"},
]
MAPPING = """
queries:
  - entities:
      person:
        schema: Person
        keys: [id]
        properties:
          name: {column: name}
          address: {column: city}
"""
FTM = [
    {"id": "ftm-ada", "schema": "Person", "properties": {"name": ["Ada King"]}},
    {"id": "ftm-acme", "schema": "Company", "properties": {"name": ["Acme Widgets Ltd"]}},
]
INTRUSION = "intrusion-set--0f0e3a4a-1c1d-4f5e-9a0b-1a2b3c4d5e6f"
MALWARE = "malware--7d8e9f00-1a2b-4c3d-8e9f-a0b1c2d3e4f5"
RELATION = "relationship--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
STIX = {
    "type": "bundle",
    "id": "bundle--11111111-2222-4333-8444-555555555555",
    "objects": [
        {
            "type": "intrusion-set",
            "spec_version": "2.1",
            "id": INTRUSION,
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z",
            "name": "Quiet Heron",
        },
        {
            "type": "malware",
            "spec_version": "2.1",
            "id": MALWARE,
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z",
            "name": "Featherlight",
            "is_family": True,
        },
        {
            "type": "relationship",
            "spec_version": "2.1",
            "id": RELATION,
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z",
            "relationship_type": "uses",
            "source_ref": INTRUSION,
            "target_ref": MALWARE,
        },
    ],
}


# -- payloads -------------------------------------------------------------------------------


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def ftm_gz(entities: list[dict[str, Any]]) -> bytes:
    lines = "".join(json.dumps(entity) + "\n" for entity in entities)
    return gzip.compress(lines.encode(), mtime=0)


def many_people(count: int) -> list[dict[str, str]]:
    return [{"id": f"m{n}", "name": f"Person Number {n}", "city": "Bonn"} for n in range(count)]


# -- servers and clients --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def admin_client(endpoint: str, key: str = ACCESS_KEY, secret: str = SECRET_KEY) -> Any:
    """A client with explicit credentials, for fixtures: it never reads the environment."""
    session = boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1"
    )
    return session.client(
        "s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    )


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's S3 API on a free port of 127.0.0.1, for this module."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def admin(endpoint: str) -> Any:
    """The bucket with the shared inputs, and a client to change it."""
    client = admin_client(endpoint)
    client.create_bucket(Bucket=BUCKET)
    objects = {
        "tables/people.csv": csv_bytes(PEOPLE),
        "tables/README": b"not data",
        "tables/": b"",  # a folder marker as consoles create them
        "entities/people.jsonl.gz": ftm_gz(FTM),
        "threat/bundle.json": json.dumps(STIX).encode(),
        "only-notes/notes.md": b"# notes",
        "raw/people.dat": csv_bytes(PEOPLE),
    }
    for key, body in objects.items():
        client.put_object(Bucket=BUCKET, Key=key, Body=body)
    return client


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials for the standard chain, and nothing from this machine's AWS setup."""
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="module")
def auth_endpoint() -> Iterator[tuple[str, dict[str, str]]]:
    """A second moto server, in its own process, that checks credentials.

    Its first two requests are unauthenticated and make a user with an access
    key but no permissions; every later request must be signed by a known key.
    The switch is an environment variable of that process only.
    """
    port = free_port()
    process = subprocess.Popen(  # the interpreter running the tests, with fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={"INITIAL_NO_AUTH_ACTION_COUNT": "2", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        url = f"http://127.0.0.1:{port}"
        iam = boto3.session.Session(
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
            region_name="us-east-1",
        ).client("iam", endpoint_url=url)
        iam.create_user(UserName="reader")
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        yield url, {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail("the moto server process exited at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("the moto server did not start listening")


# -- helpers --------------------------------------------------------------------------------


def fresh_prefix() -> str:
    """A prefix no other test (or store parametrisation) writes to."""
    return f"run-{uuid.uuid4().hex[:12]}/"


def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.yml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def run(
    store: Store,
    mapper: Mapper,
    inputs: list[S3Input],
    *,
    name: str = "s3-test",
    mapping_hash: str | None = None,
    **kwargs: Any,
) -> RunSummary:
    pipeline = IngestPipeline(
        store, Source(name=name), mapper, connector="s3", mapping_hash=mapping_hash, **kwargs
    )
    return pipeline.run(inputs)


def cited(store: Store, entity_id: str) -> set[tuple[str, str]]:
    """(uri, location) of every record the entity's statements cite."""
    entity = store.entity(EVERYONE, entity_id)
    return {(record.uri, record.location) for record in entity.records.values()}


def assert_clean(exc: IntelGraphError) -> None:
    """A message for people: no botocore wording, no Python reprs of exceptions."""
    text = str(exc)
    for leak in ("botocore", "An error occurred", "Traceback", "ClientError"):
        assert leak not in text


# -- listing --------------------------------------------------------------------------------


def test_a_prefix_lists_its_data_files_sorted_with_their_formats(admin: Any, endpoint: str) -> None:
    inputs = s3_inputs(f"s3://{BUCKET}/", fmt=None, options=OPTIONS, endpoint_url=endpoint)

    assert [i.uri for i in inputs] == [
        f"s3://{BUCKET}/entities/people.jsonl.gz",
        f"s3://{BUCKET}/tables/people.csv",
        f"s3://{BUCKET}/threat/bundle.json",
    ]  # README, notes.md, people.dat and the folder marker are not data files
    assert [i.format for i in inputs] == ["ftm", "csv", "stix"]


def test_an_input_reports_etag_size_and_time_of_its_object(admin: Any, endpoint: str) -> None:
    (found,) = s3_inputs(
        f"s3://{BUCKET}/tables/people.csv", fmt=None, options=OPTIONS, endpoint_url=endpoint
    )
    head = admin.head_object(Bucket=BUCKET, Key="tables/people.csv")

    assert found.fingerprint == f"{head['ETag']}:{head['ContentLength']}"
    assert found.observed_at == head["LastModified"]
    assert found.observed_at.utcoffset() is not None
    assert found.observed_at.tzname() == "UTC"


def test_an_exact_key_is_taken_whatever_its_name_when_the_format_is_given(
    admin: Any, endpoint: str
) -> None:
    url = f"s3://{BUCKET}/raw/people.dat"
    with pytest.raises(InvalidInput) as caught:
        s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint)
    assert "--format" in str(caught.value.hint)

    (found,) = s3_inputs(url, fmt="csv", options=OPTIONS, endpoint_url=endpoint)
    assert found.format == "csv"
    assert [r.data for r in found.read(None)] == PEOPLE


def test_a_prefix_is_an_s3_prefix_not_a_folder(admin: Any, endpoint: str) -> None:
    inputs = s3_inputs(f"s3://{BUCKET}/tab", fmt=None, options=OPTIONS, endpoint_url=endpoint)
    assert [i.uri for i in inputs] == [f"s3://{BUCKET}/tables/people.csv"]


def test_listing_pages_through_every_page(
    admin: Any, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3, "LIST_PAGE_SIZE", 2)  # a page of 2 instead of 1000 uploads
    prefix = fresh_prefix()
    keys = [f"{prefix}part-{n}.csv" for n in range(5)]
    for key in reversed(keys):
        admin.put_object(Bucket=BUCKET, Key=key, Body=b"")
    inputs = s3_inputs(f"s3://{BUCKET}/{prefix}", fmt="csv", options=OPTIONS, endpoint_url=endpoint)
    assert [i.key for i in inputs] == keys


def test_a_versioned_object_fingerprint_holds_its_version(admin: Any, endpoint: str) -> None:
    bucket = "ig-versioned"
    admin.create_bucket(Bucket=bucket)
    admin.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put = admin.put_object(Bucket=bucket, Key="people.csv", Body=csv_bytes(PEOPLE))

    (found,) = s3_inputs(
        f"s3://{bucket}/people.csv", fmt=None, options=OPTIONS, endpoint_url=endpoint
    )

    assert found.version_id == put["VersionId"]
    assert found.fingerprint.endswith(":" + put["VersionId"])


# -- loading into the store -----------------------------------------------------------------


def test_csv_with_a_mapping_lands_with_provenance(
    store: Store, ontology: Ontology, admin: Any, endpoint: str, tmp_path: Path
) -> None:
    mapping = load_mapping(mapping_file(tmp_path), ontology)
    url = f"s3://{BUCKET}/tables/people.csv"
    inputs = s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint)

    summary = run(store, mapping, inputs, mapping_hash=mapping.hash)

    assert summary.status == "completed"
    assert summary.stats["records_read"] == 3
    assert summary.stats["dlq"] == 0
    assert summary.stats["statements_written"] > 0
    hits = store.search(EVERYONE, "Grace Hopper").hits
    assert [hit.entity.first("name") for hit in hits] == ["Grace Hopper"]
    assert cited(store, hits[0].entity.id) == {(url, "line 4")}

    again = run(
        store,
        mapping,
        s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint),
        mapping_hash=mapping.hash,
    )
    assert again.stats["records_read"] == 3
    assert again.stats["statements_written"] == 0


def test_gzipped_ftm_entities_land(store: Store, ontology: Ontology, endpoint: str) -> None:
    url = f"s3://{BUCKET}/entities/people.jsonl.gz"
    inputs = s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint)

    summary = run(store, FtmMapper(ontology), inputs)

    assert summary.stats["records_read"] == 2
    assert summary.stats["dlq"] == 0
    ada = store.entity(EVERYONE, "ftm-ada")
    assert (ada.schema, ada.first("name")) == ("Person", "Ada King")
    assert cited(store, "ftm-acme") == {(url, "line 2")}


def test_a_stix_bundle_lands_as_entities_and_an_edge(
    store: Store, ontology: Ontology, endpoint: str
) -> None:
    url = f"s3://{BUCKET}/threat/bundle.json"
    inputs = s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint)

    summary = run(store, StixMapper(ontology), inputs)

    assert summary.stats["records_read"] == 3
    assert summary.stats["dlq"] == 0
    heron = store.entity(EVERYONE, stix_entity_id(INTRUSION))
    assert (heron.schema, heron.first("name")) == ("IntrusionSet", "Quiet Heron")
    uses = store.entity(EVERYONE, stix_entity_id(RELATION))
    assert uses.schema == "Uses"
    assert (uses.source_id, uses.target_id) == (
        stix_entity_id(INTRUSION),
        stix_entity_id(MALWARE),
    )
    assert cited(store, stix_entity_id(MALWARE)) == {(url, f"objects[1] ({MALWARE})")}


def test_a_prefix_of_mixed_json_loads_with_the_auto_mapper(
    store: Store, ontology: Ontology, admin: Any, endpoint: str
) -> None:
    prefix = fresh_prefix()
    admin.put_object(Bucket=BUCKET, Key=f"{prefix}a.jsonl.gz", Body=ftm_gz(FTM))
    admin.put_object(Bucket=BUCKET, Key=f"{prefix}b.json", Body=json.dumps(STIX).encode())
    inputs = s3_inputs(f"s3://{BUCKET}/{prefix}", fmt=None, options=OPTIONS, endpoint_url=endpoint)

    summary = run(store, AutoMapper(ontology), inputs)

    assert summary.stats["records_read"] == 5
    assert summary.stats["dlq"] == 0
    assert store.entity(EVERYONE, "ftm-acme").first("name") == "Acme Widgets Ltd"
    assert store.entity(EVERYONE, stix_entity_id(MALWARE)).first("name") == "Featherlight"


@pytest.mark.shared_data
def test_the_donations_csv_loads_every_row(
    store: Store, ontology: Ontology, admin: Any, endpoint: str, shared_data: Path
) -> None:
    key = fresh_prefix() + "donations.csv"
    admin.put_object(
        Bucket=BUCKET, Key=key, Body=(shared_data / "donations" / "donations.csv").read_bytes()
    )
    mapping = load_mapping(REPO / "docs" / "examples" / "donations.yml", ontology)
    inputs = s3_inputs(f"s3://{BUCKET}/{key}", fmt=None, options=OPTIONS, endpoint_url=endpoint)

    summary = run(store, mapping, inputs, name="de-party-donations", mapping_hash=mapping.hash)

    assert summary.stats["records_read"] == 292
    assert summary.stats["dlq"] == 0
    assert summary.stats["records_loaded"] == 292
    hits = store.search(EVERYONE, "MLPD", schemata=["Organization"]).hits
    assert hits
    assert {uri for uri, _ in cited(store, hits[0].entity.id)} == {f"s3://{BUCKET}/{key}"}


# -- change detection and resume ------------------------------------------------------------


def test_replacing_an_object_changes_its_fingerprint_and_stops_a_stale_read(
    admin: Any, endpoint: str
) -> None:
    key = fresh_prefix() + "people.csv"
    admin.put_object(Bucket=BUCKET, Key=key, Body=csv_bytes(PEOPLE))
    url = f"s3://{BUCKET}/{key}"
    (before,) = s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint)

    admin.put_object(Bucket=BUCKET, Key=key, Body=csv_bytes(PEOPLE[:2]))
    (after,) = s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint)

    assert after.fingerprint != before.fingerprint
    assert len(list(after.read(None))) == 2
    with pytest.raises(S3ObjectChanged) as caught:
        list(before.read(None))
    assert url in caught.value.message
    assert "re-run" in str(caught.value.hint)
    assert_clean(caught.value)


def test_an_object_deleted_after_listing_is_reported(admin: Any, endpoint: str) -> None:
    key = fresh_prefix() + "people.csv"
    admin.put_object(Bucket=BUCKET, Key=key, Body=csv_bytes(PEOPLE))
    (found,) = s3_inputs(f"s3://{BUCKET}/{key}", fmt=None, options=OPTIONS, endpoint_url=endpoint)
    admin.delete_object(Bucket=BUCKET, Key=key)

    with pytest.raises(InvalidInput) as caught:
        list(found.read(None))
    assert "does not exist" in caught.value.message
    assert "re-run" in str(caught.value.hint)


class Interrupted(Exception):
    pass


def test_an_interrupted_run_resumes_after_its_last_batch(
    store: Store, ontology: Ontology, admin: Any, endpoint: str, tmp_path: Path
) -> None:
    rows = many_people(10)
    prefix = fresh_prefix()
    admin.put_object(Bucket=BUCKET, Key=f"{prefix}people.csv", Body=csv_bytes(rows))
    url = f"s3://{BUCKET}/{prefix}"
    mapping = load_mapping(mapping_file(tmp_path), ontology)
    options = IngestOptions(batch_size=3)

    def inputs() -> list[S3Input]:
        return s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url=endpoint)

    baseline = run(
        store, mapping, inputs(), name="s3-baseline", mapping_hash=mapping.hash, options=options
    )

    def stop_after_first_batch(uri: str, count: int) -> None:
        raise Interrupted(uri)

    with pytest.raises(Interrupted):
        run(
            store,
            mapping,
            inputs(),
            mapping_hash=mapping.hash,
            options=options,
            progress=stop_after_first_batch,
        )
    read_on_resume: list[int] = []
    resumed = run(
        store,
        mapping,
        inputs(),
        mapping_hash=mapping.hash,
        options=options,
        progress=lambda uri, count: read_on_resume.append(count),
    )

    assert resumed.resumed is True
    assert not baseline.resumed
    assert sum(read_on_resume) == 7  # the first batch of 3 is not read again
    for total in ("records_read", "records_loaded", "dlq", "statements_written"):
        assert resumed.stats[total] == baseline.stats[total], total
    assert resumed.stats["records_read"] == 10


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://ig-test/x", "s3:/ig-test/x", "s3://", "ig-test/tables", "s3://ab/x", "s3://a b/x"],
)
def test_a_malformed_url_is_refused_before_any_request(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        s3_inputs(url, fmt=None, options=OPTIONS, endpoint_url="http://127.0.0.1:1")
    assert "s3://bucket/" in str(caught.value.hint)


def test_a_url_keeps_question_marks_in_keys() -> None:
    parsed = parse_s3_url("s3://ig-test/odd?name#1.csv")
    assert (parsed.bucket, parsed.key) == ("ig-test", "odd?name#1.csv")


def test_a_missing_bucket_is_named(endpoint: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        s3_inputs("s3://no-such-bucket/x", fmt=None, options=OPTIONS, endpoint_url=endpoint)
    assert caught.value.message == "the bucket 'no-such-bucket' does not exist (NoSuchBucket)"
    assert "--s3-endpoint" in str(caught.value.hint)
    assert_clean(caught.value)


def test_an_empty_prefix_says_there_is_nothing(admin: Any, endpoint: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        s3_inputs(f"s3://{BUCKET}/nothing/", fmt=None, options=OPTIONS, endpoint_url=endpoint)
    assert caught.value.message == f"there are no objects under s3://{BUCKET}/nothing/"


def test_a_prefix_without_data_files_says_so(admin: Any, endpoint: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        s3_inputs(f"s3://{BUCKET}/only-notes/", fmt=None, options=OPTIONS, endpoint_url=endpoint)
    assert "is a data file" in caught.value.message
    assert "--format" in str(caught.value.hint)


def test_an_unknown_format_is_refused(endpoint: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        s3_inputs(f"s3://{BUCKET}/", fmt="parquet", options=OPTIONS, endpoint_url=endpoint)
    assert "csv" in str(caught.value.hint)


def test_an_unreachable_endpoint_names_the_setting() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(S3Unavailable) as caught:
        s3_inputs(f"s3://{BUCKET}/", fmt=None, options=OPTIONS, endpoint_url=closed, max_attempts=1)
    assert closed in caught.value.message
    assert "--s3-endpoint / IG_S3_ENDPOINT_URL" in str(caught.value.hint)
    assert_clean(caught.value)


def test_a_malformed_endpoint_names_the_setting() -> None:
    with pytest.raises(InvalidInput) as caught:
        s3_inputs(f"s3://{BUCKET}/", fmt=None, options=OPTIONS, endpoint_url="127.0.0.1:9000")
    assert "--s3-endpoint" in str(caught.value.hint)


def test_missing_credentials_say_which_variables_to_set(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(S3AccessDenied) as caught:
        s3_inputs(f"s3://{BUCKET}/", fmt=None, options=OPTIONS, endpoint_url=endpoint)
    assert caught.value.message == "no AWS credentials were found"
    assert "AWS_ACCESS_KEY_ID" in str(caught.value.hint)


def test_a_missing_aws_profile_is_named(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    with pytest.raises(InvalidInput) as caught:
        s3_inputs(f"s3://{BUCKET}/", fmt=None, options=OPTIONS, endpoint_url=endpoint)
    assert "AWS_PROFILE" in caught.value.message
    assert_clean(caught.value)


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        ("unknown", "InvalidAccessKeyId"),
        ("wrong-secret", "SignatureDoesNotMatch"),
        ("no-permission", "AccessDenied"),
    ],
)
def test_rejected_credentials_say_what_to_check(
    auth_endpoint: tuple[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    credentials: str,
    code: str,
) -> None:
    url, key = auth_endpoint
    pairs = {
        "unknown": ("AKIAUNKNOWNUNKNOWN00", "whatever"),
        "wrong-secret": (key["id"], "not-the-secret"),
        "no-permission": (key["id"], key["secret"]),
    }
    access, secret = pairs[credentials]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", access)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)

    with pytest.raises(S3AccessDenied) as caught:
        s3_inputs(f"s3://{BUCKET}/", fmt=None, options=OPTIONS, endpoint_url=url)

    assert caught.value.message.endswith(f"({code})")
    assert caught.value.details["s3_code"] == code
    assert "AWS_ACCESS_KEY_ID" in str(caught.value.hint)
    assert_clean(caught.value)


def test_the_cli_reads_an_s3_prefix(admin: Any, endpoint: str, tmp_path: Path) -> None:
    """`intelgraph ingest s3://…` with --s3-endpoint, end to end through the command line."""
    from typer.testing import CliRunner

    from intelgraph.cli import app

    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(app, [*data, "init"]).exit_code == 0
    result = runner.invoke(
        app,
        [*data, "ingest", f"s3://{BUCKET}/entities/", "--s3-endpoint", endpoint, "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records_read"] == len(FTM)
    assert summary["dlq"] == 0
    runs = json.loads(runner.invoke(app, [*data, "ingest", "runs", "--json"]).stdout)
    assert runs[0]["connector"] == "s3"
    assert runs[0]["inputs"] == [f"s3://{BUCKET}/entities/people.jsonl.gz"]
