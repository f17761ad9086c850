"""Objects in S3 and S3-compatible stores (MinIO, Ceph, …) as ingest inputs.

``s3://bucket/key`` names one object; ``s3://bucket/prefix`` names every data
file whose key starts with the prefix. Each object is one resumable input whose
fingerprint is its ETag and size (and version id where the bucket is versioned),
so a re-run skips what is loaded and restarts an object that was replaced.

Objects are probed once when listed (a ranged GET of their head), which tells
the format, learns the version id and checks read permission before the run
starts. Reads download the whole object into a spooled temporary file with
``If-Match`` on the listed ETag: the parsers need a seekable stream, and an
object replaced under the run is refused instead of mixing two versions.

botocore errors are translated here, at the boundary, into the project's own
with a hint; messages carry the S3 error code but no driver text.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as BotoConnectionError

from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.ingest.connectors.files import is_data_file
from intelgraph.ingest.formats import FORMATS, FormatOptions, detect_format, read_records
from intelgraph.ingest.records import RawRecord

HEAD_BYTES = 64 * 1024  # what detect_format looks at, as for local files
SPOOL_BYTES = 64 * 1024 * 1024  # objects up to this size stay in memory while parsed
CHUNK_BYTES = 1024 * 1024
MAX_ATTEMPTS = 5
LIST_PAGE_SIZE = 1000  # S3's own maximum keys per list request
PROBE_WORKERS = 8  # probes are small requests: a few in parallel keep big prefixes quick

_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,62}")
_URL_HINT = "write it as s3://bucket/prefix or s3://bucket/key"
_ENDPOINT_HINT = (
    "check --s3-endpoint / IG_S3_ENDPOINT_URL (e.g. http://127.0.0.1:9000 for MinIO) "
    "and that the object store is running"
)
_CREDENTIALS_HINT = (
    "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and that they may "
    "list and read the bucket"
)
_RERUN_HINT = "re-run the command: the load resumes from its last checkpoint"
_ACCESS_CODES = frozenset({"AccessDenied", "403", "AllAccessDisabled", "AccountProblem"})
_TOKEN_CODES = frozenset({"ExpiredToken", "InvalidToken", "TokenRefreshRequired"})
_REGION_CODES = frozenset(
    {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"}
)
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Error(IntelGraphError):
    """The object store refused or failed a request (the S3 code is in ``details``)."""

    code = "s3_error"


class S3AccessDenied(S3Error):
    """The credentials are missing, unknown, wrong or not allowed to read the bucket."""

    code = "s3_access_denied"


class S3Unavailable(S3Error):
    """The object store could not be reached, or kept failing after retries."""

    code = "s3_unavailable"


class S3ObjectChanged(S3Error):
    """An object was replaced between listing and reading it."""

    code = "s3_object_changed"


# -- URLs and clients -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class S3Url:
    """A parsed ``s3://bucket/key-or-prefix``; an empty key means the whole bucket."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_url(url: str) -> S3Url:
    """Split an ``s3://`` URL by hand: ``?`` and ``#`` are legal in keys, so no urlparse."""
    if not url.startswith("s3://"):
        raise InvalidInput(f"{url!r} is not an s3:// URL", hint=_URL_HINT)
    bucket, _, key = url[len("s3://") :].partition("/")
    if not bucket:
        raise InvalidInput(f"{url!r} names no bucket", hint=_URL_HINT)
    if not _BUCKET.fullmatch(bucket):
        raise InvalidInput(
            f"{bucket!r} is not a valid bucket name",
            hint="bucket names are 3-63 letters, digits, dots and hyphens; " + _URL_HINT,
        )
    return S3Url(bucket, key)


def _check_endpoint(endpoint_url: str | None) -> None:
    """Refuse a malformed endpoint here, where the message can name the option."""
    if endpoint_url is None:
        return
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            f"the S3 endpoint {endpoint_url!r} is not an http(s) URL", hint=_ENDPOINT_HINT
        )


def s3_client(
    endpoint_url: str | None = None, region: str | None = None, *, max_attempts: int = MAX_ATTEMPTS
) -> Any:
    """A client with bounded retries and timeouts, credentials from boto3's standard chain.

    A fresh session per call: boto3's default session caches credentials for the
    process, so a changed environment would otherwise go unnoticed. Custom
    endpoints get path-style addressing, which every S3-compatible store speaks.
    """
    _check_endpoint(endpoint_url)
    config = Config(
        retries={"max_attempts": max_attempts, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    try:
        with _translated(S3Url("", ""), endpoint_url):
            session = boto3.session.Session(region_name=region)
            return session.client("s3", endpoint_url=endpoint_url, config=config)
    except ValueError as exc:  # boto3 refuses an endpoint it cannot parse with a ValueError
        raise InvalidInput(f"the S3 client cannot be set up: {exc}", hint=_ENDPOINT_HINT) from None


def _endpoint(client: Any) -> str | None:
    """The URL a client talks to, for messages about connection failures."""
    url = getattr(getattr(client, "meta", None), "endpoint_url", None)
    return str(url) if url else None


# -- error translation ------------------------------------------------------------------------


@contextmanager
def _translated(target: S3Url, endpoint_url: str | None = None) -> Iterator[None]:
    """Turn botocore's exceptions raised inside the block into the project's own."""
    try:
        yield
    except ClientError as exc:
        raise _client_error(exc.response, target) from None
    except NoCredentialsError:
        raise S3AccessDenied(
            "no AWS credentials were found", hint=_CREDENTIALS_HINT, details={"s3_code": None}
        ) from None
    except BotoConnectionError as exc:
        raise _connection_error(exc, endpoint_url) from None
    except BotoCoreError as exc:
        raise _botocore_error(exc, target) from None


def _client_error(response: Mapping[str, Any], target: S3Url) -> IntelGraphError:
    """The project's error for an S3 error response, chosen by its code and status."""
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    details = {"s3_code": code, "http_status": status}
    if code == "NoSuchBucket":
        return InvalidInput(
            f"the bucket {target.bucket!r} does not exist ({code})",
            hint="check the bucket name, and --s3-endpoint / IG_S3_ENDPOINT_URL if it is not "
            "on AWS",
            details=details,
        )
    if code in _MISSING_CODES:
        return InvalidInput(
            f"{target} does not exist ({code})",
            hint="it may have been deleted since it was listed; check the URL and re-run",
            details=details,
        )
    if code == "PreconditionFailed" or status == 412:
        return S3ObjectChanged(
            f"{target} was replaced while it was being read ({code or status})",
            hint="re-run the command: the object is read again under its new fingerprint",
            details=details,
        )
    return _auth_error(code, status, target, details) or _other_error(code, status, target, details)


def _auth_error(
    code: str, status: int, target: S3Url, details: dict[str, Any]
) -> IntelGraphError | None:
    """Credential and region problems: the user fixes these in the environment."""
    if code == "InvalidAccessKeyId":
        message = f"the object store does not know the access key ({code})"
    elif code == "SignatureDoesNotMatch":
        message = f"the secret key does not match the access key ({code})"
    elif code in _TOKEN_CODES:
        return S3AccessDenied(
            f"the session token is expired or invalid ({code})",
            hint="refresh the credentials (AWS_SESSION_TOKEN, aws sso login) and re-run",
            details=details,
        )
    elif code in _ACCESS_CODES or status == 403:
        message = f"access to {target} was denied ({code or status})"
    elif code in _REGION_CODES:
        return InvalidInput(
            f"the bucket {target.bucket!r} is in another region ({code})",
            hint="set AWS_DEFAULT_REGION to the bucket's region",
            details=details,
        )
    else:
        return None
    return S3AccessDenied(message, hint=_CREDENTIALS_HINT, details=details)


def _other_error(code: str, status: int, target: S3Url, details: dict[str, Any]) -> IntelGraphError:
    """Server-side failures that survived the retries, and codes not known here."""
    if code == "InvalidBucketName":
        return InvalidInput(
            f"{target.bucket!r} is not a valid bucket name ({code})",
            hint=_URL_HINT,
            details=details,
        )
    if status >= 500 or code in ("SlowDown", "ServiceUnavailable", "InternalError"):
        return S3Unavailable(
            f"the object store kept failing on {target} ({code or status})",
            hint="try again later; " + _RERUN_HINT,
            details=details,
        )
    return S3Error(
        f"the object store refused the request for {target} ({code or status})",
        hint="check the URL, the permissions and --s3-endpoint / IG_S3_ENDPOINT_URL",
        details=details,
    )


def _connection_error(exc: Exception, endpoint_url: str | None) -> S3Unavailable:
    """No connection at all: name the endpoint, since a wrong one is the usual cause."""
    where = endpoint_url or "the AWS S3 endpoint"
    kind = type(exc).__name__
    if kind == "SSLError":
        return S3Unavailable(
            f"TLS verification failed for {where} ({kind})",
            hint="check the endpoint's certificate, or point AWS_CA_BUNDLE at its CA",
        )
    return S3Unavailable(f"cannot connect to {where} ({kind})", hint=_ENDPOINT_HINT)


def _botocore_error(exc: BotoCoreError, target: S3Url) -> IntelGraphError:
    """Other client-side failures: bad settings, or a transfer cut off mid-object."""
    kind = type(exc).__name__
    if kind == "ProfileNotFound":
        return InvalidInput(
            f"the AWS profile named in AWS_PROFILE does not exist ({kind})",
            hint="check AWS_PROFILE and ~/.aws/config",
        )
    if kind in ("PartialCredentialsError", "CredentialRetrievalError"):
        return S3AccessDenied(
            f"the AWS credentials are incomplete ({kind})", hint=_CREDENTIALS_HINT
        )
    if kind == "ParamValidationError":
        return InvalidInput(f"the object store cannot address {target} ({kind})", hint=_URL_HINT)
    return S3Unavailable(f"reading {target} failed ({kind})", hint=_RERUN_HINT)


# -- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class S3Input:
    """One object; its fingerprint is its ETag and size (and version id when versioned)."""

    bucket: str
    key: str
    format: str
    etag: str
    size: int
    last_modified: datetime
    version_id: str | None = None
    options: FormatOptions = field(default_factory=FormatOptions)
    client: Any = field(default=None, repr=False, compare=False)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def fingerprint(self) -> str:
        base = f"{self.etag}:{self.size}"
        return f"{base}:{self.version_id}" if self.version_id else base

    @property
    def observed_at(self) -> datetime:
        return self.last_modified.astimezone(UTC)

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        return read_records(self.format, self._download, cursor=cursor, options=self.options)

    def _download(self) -> IO[bytes]:
        """The whole object in a spooled file (memory up to 64 MiB, then disk).

        ``If-Match`` pins the listed ETag: if the object was replaced since, S3
        answers 412 and the run stops rather than mixing records of two versions.
        """
        # Not a with-block: the parser owns and closes the stream this returns.
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        try:
            with _translated(S3Url(self.bucket, self.key), _endpoint(self.client)):
                response = self.client.get_object(
                    Bucket=self.bucket, Key=self.key, IfMatch=self.etag
                )
                body = response["Body"]
                try:
                    for chunk in body.iter_chunks(CHUNK_BYTES):
                        spool.write(chunk)
                finally:
                    body.close()
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return cast(IO[bytes], spool)


@dataclass(frozen=True, slots=True)
class _Listed:
    key: str
    etag: str
    size: int
    last_modified: datetime


def s3_inputs(
    url: str,
    *,
    fmt: str | None,
    options: FormatOptions,
    endpoint_url: str | None = None,
    region: str | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[S3Input]:
    """The object ``url`` names, or the data files under it as a prefix (sorted by key).

    ``fmt`` forces a format; otherwise each object's is told from its key and head.
    ``max_attempts`` bounds botocore's retries of each request (throttling, 5xx,
    dropped connections).
    """
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    target = parse_s3_url(url)
    client = s3_client(endpoint_url, region, max_attempts=max_attempts)
    with _translated(target, endpoint_url):
        listed = _select(target, _list(client, target))
    probes = _probe_all(client, target.bucket, listed, fmt)
    return [
        S3Input(
            bucket=target.bucket,
            key=item.key,
            format=chosen,
            etag=item.etag,
            size=item.size,
            last_modified=item.last_modified,
            version_id=version,
            options=options,
            client=client,
        )
        for item, (chosen, version) in zip(listed, probes, strict=True)
    ]


def _list(client: Any, target: S3Url) -> list[_Listed]:
    """Every object whose key starts with the URL's key, paginated, in key order."""
    found: list[_Listed] = []
    paginator = client.get_paginator("list_objects_v2")
    pages = paginator.paginate(
        Bucket=target.bucket, Prefix=target.key, PaginationConfig={"PageSize": LIST_PAGE_SIZE}
    )
    for page in pages:
        for item in page.get("Contents", ()):
            found.append(
                _Listed(
                    key=str(item["Key"]),
                    etag=str(item["ETag"]),
                    size=int(item["Size"]),
                    last_modified=item["LastModified"],
                )
            )
    return sorted(found, key=lambda item: item.key)


def _select(target: S3Url, listed: list[_Listed]) -> list[_Listed]:
    """The exact key when it exists; else the data files under the prefix.

    A key named exactly is taken whatever its name (``--format`` can tell its
    format); under a prefix, folder markers and files that are not data are skipped.
    """
    if target.key and not target.key.endswith("/"):
        exact = [item for item in listed if item.key == target.key]
        if exact:
            return exact
    if not listed:
        raise InvalidInput(
            f"there are no objects under {target}",
            hint="check the bucket and prefix (keys are case-sensitive); list them with "
            f"`aws s3 ls {target}`",
        )
    data = [item for item in listed if _is_data_key(item.key)]
    if not data:
        raise InvalidInput(
            f"none of the {len(listed)} objects under {target} is a data file",
            hint="name one object exactly and give its format with --format",
        )
    return data


def _probe_all(
    client: Any, bucket: str, listed: list[_Listed], fmt: str | None
) -> list[tuple[str, str | None]]:
    """Probe objects a few at a time, in order; the first failure cancels the rest."""
    pool = ThreadPoolExecutor(max_workers=max(1, min(PROBE_WORKERS, len(listed))))
    try:
        return list(pool.map(lambda item: _probe(client, bucket, item, fmt), listed))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _is_data_key(key: str) -> bool:
    """The local-files rule applied to the key's last segment; folder markers are not data."""
    if key.endswith("/"):
        return False
    return is_data_file(Path(PurePosixPath(key).name))


def _probe(client: Any, bucket: str, item: _Listed, fmt: str | None) -> tuple[str, str | None]:
    """The object's format and version id, from a GET of its first bytes.

    The probe runs even when the format is given, so the fingerprint (which
    holds the version id) does not depend on ``--format`` and a missing read
    permission shows before the run starts. Empty objects cannot be ranged: HEAD.
    """
    with _translated(S3Url(bucket, item.key), _endpoint(client)):
        if item.size == 0:
            response = client.head_object(Bucket=bucket, Key=item.key, IfMatch=item.etag)
            head = b""
        else:
            wanted = HEAD_BYTES if fmt is None else 1
            response = client.get_object(
                Bucket=bucket,
                Key=item.key,
                IfMatch=item.etag,
                Range=f"bytes=0-{min(item.size, wanted) - 1}",
            )
            body = response["Body"]
            try:
                head = bytes(body.read())
            finally:
                body.close()
    version = response.get("VersionId")
    chosen = fmt or detect_format(item.key, head)
    return chosen, str(version) if version else None


__all__ = [
    "S3AccessDenied",
    "S3Error",
    "S3Input",
    "S3ObjectChanged",
    "S3Unavailable",
    "S3Url",
    "parse_s3_url",
    "s3_client",
    "s3_inputs",
]
