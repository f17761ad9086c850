"""Push-ingest requests as records: media types, JSON/NDJSON parsing, limits, errors.

Kept apart from the queue and worker in ``ingest_push`` so that what a request
body becomes can be read (and tested) on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote

from fastapi.responses import JSONResponse

from intelgraph.errors import IntelGraphError
from intelgraph.ingest.records import RawRecord
from intelgraph.model import Source, canonical_json

MEDIA_TYPES: Final = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/jsonl": "ndjson",
}


class PushError(IntelGraphError):
    """A refused push request, with its HTTP status and any headers the answer needs."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        headers: Mapping[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, hint=hint, details=details, code=code)
        self.status = status
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        return JSONResponse(self.to_dict(), status_code=self.status, headers=self.headers)


def unauthenticated(message: str, *, invalid: bool) -> PushError:
    challenge = 'Bearer realm="intelgraph"' + (', error="invalid_token"' if invalid else "")
    return PushError(
        401,
        "invalid_token" if invalid else "unauthenticated",
        message,
        hint="send 'Authorization: Bearer <push token>'; create a token with "
        "`intelgraph ingest token create SOURCE`",
        headers={"WWW-Authenticate": challenge},
    )


@dataclass(frozen=True, slots=True)
class PushInput:
    """The ingest :class:`~intelgraph.ingest.records.Input` a pushed batch is committed as.

    Every batch of a source has the same uri and fingerprint, so a source's pushes
    form one input of its run; the cursor is the request's sequence number. Batches
    arrive by request and are committed as they come, so ``read`` refuses.
    """

    uri: str
    observed_at: datetime
    format: str = "json"
    fingerprint: str = "push"

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        raise IntelGraphError(
            f"{self.uri} is pushed: its batches are committed as they arrive, not read",
            hint="push records with POST /ingest/{source}",
            code="not_supported",
        )


def push_uri(source: Source) -> str:
    return f"push://{quote(source.labels.tenant, safe='')}/{quote(source.name, safe='')}"


def media_kind(content_type: str | None, content_encoding: str | None = None) -> str:
    """``json`` or ``ndjson`` for a request's Content-Type; 415 for anything else."""
    if content_encoding and content_encoding.strip().lower() not in ("", "identity"):
        raise PushError(
            415,
            "unsupported_media_type",
            f"content encoding {content_encoding.strip()!r} is not supported",
            hint="send the body uncompressed",
        )
    media, _, params = (content_type or "").partition(";")
    kind = MEDIA_TYPES.get(media.strip().lower())
    if kind is None:
        raise PushError(
            415,
            "unsupported_media_type",
            f"content type {media.strip() or '(none)'!r} is not accepted",
            hint="send Content-Type: application/json (an object or a list of objects) or "
            "application/x-ndjson (one object per line)",
        )
    for param in params.split(";"):
        key, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if key.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise PushError(
                415,
                "unsupported_media_type",
                f"charset {charset!r} is not accepted",
                hint="send UTF-8 JSON",
            )
    return kind


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(data: bytes) -> Any:
    try:
        return json.loads(data, parse_constant=_no_constants)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


def _too_many(count: int, limit: int) -> PushError:
    return PushError(
        413,
        "too_many_records",
        f"the request holds {count} records; at most {limit} are accepted per request",
        hint=f"split the batch into requests of at most {limit} records",
        details={"max_records": limit},
    )


def _record(
    item: Any, location: str, cursor: str, seen: datetime, raw: bytes | None = None
) -> RawRecord:
    """An object as a record; anything else as an error record with its bytes (``raw``,
    or the item's canonical JSON, made only then)."""
    if isinstance(item, dict):
        return RawRecord(item, location, cursor, observed_at=seen)
    return RawRecord(
        None,
        location,
        cursor,
        raw=canonical_json(item) if raw is None else raw,
        error=f"expected a JSON object, got {type(item).__name__}",
        observed_at=seen,
    )


def parse_records(
    kind: str, body: bytes, *, batch_id: str, cursor: str, received: datetime, max_records: int
) -> list[RawRecord]:
    """The body's records; a bad NDJSON line becomes an error record, not a failed request."""
    prefix = f"batch {batch_id}"
    out: list[RawRecord] = []
    if kind == "json":
        try:
            document = _loads(body)
        except ValueError as exc:
            raise PushError(
                400,
                "invalid_json",
                f"the body is not valid JSON: {exc}",
                hint="send one JSON object or a list of objects; use application/x-ndjson "
                "so that one bad record does not cost the whole request",
            ) from None
        if isinstance(document, dict):
            out.append(_record(document, f"{prefix} document", cursor, received))
        elif isinstance(document, list):
            if len(document) > max_records:
                raise _too_many(len(document), max_records)
            for index, item in enumerate(document):
                out.append(_record(item, f"{prefix} item[{index}]", cursor, received))
        else:
            raise PushError(
                400,
                "invalid_json",
                f"the body is a JSON {type(document).__name__}, not an object or a list",
                hint="send one JSON object or a list of objects",
            )
    else:
        lines = [
            (number, line.rstrip(b"\r"))
            for number, line in enumerate(body.split(b"\n"), start=1)
            if line.strip()
        ]
        if len(lines) > max_records:
            raise _too_many(len(lines), max_records)
        for number, line in lines:
            location = f"{prefix} line {number}"
            try:
                item = _loads(line)
            except ValueError as exc:
                out.append(
                    RawRecord(
                        None,
                        location,
                        cursor,
                        raw=line,
                        error=f"not valid JSON: {exc}",
                        observed_at=received,
                    )
                )
                continue
            out.append(_record(item, location, cursor, received, raw=line))
    if not out:
        raise PushError(
            400, "empty_batch", "the request holds no records", hint="send at least one record"
        )
    return out


__all__ = [
    "MEDIA_TYPES",
    "PushError",
    "PushInput",
    "media_kind",
    "parse_records",
    "push_uri",
    "unauthenticated",
]
