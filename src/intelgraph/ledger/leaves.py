"""Typed ledger leaves, encoded with RFC 8785 (JSON Canonicalization Scheme).

A leaf is a small JSON object whose ``type`` says what happened. Batches of data
(an ingest batch, an analyst claim) do not list their members in the leaf: the
leaf carries the RFC 9162 root and count of their record hashes and of their
statement ids, each sorted, and the members are kept beside the log so that a
proof of one statement is a path inside its batch plus the leaf's path in the
log. Leaves hold no values, only hashes and ids: the log may be shown to anyone
who may see that something happened, without showing what.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import rfc8785

from intelgraph.ledger import merkle
from intelgraph.model import to_us

LEAF_VERSION = 1
RECORD_ID_BYTES = 32  # SHA-256 of the record's canonical bytes
STATEMENT_ID_BYTES = 20  # statement ids are 40 hex digits

KINDS = (
    "ingest-batch",
    "claim",
    "judgement",
    "policy-change",
    "key-change",
    "export",
    "audited-read",
    "checkpoint",
    "authority",
    "retraction",
)
MEMBER_KINDS = ("ingest-batch", "claim")


class LeafError(ValueError):
    """A leaf that is not a well-formed ledger event."""


_FAST = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_MAX_SAFE = 2**53 - 1


def canonical(value: Mapping[str, Any]) -> bytes:
    """RFC 8785 bytes of a JSON object (what a leaf is, and what is hashed).

    For values made only of strings, safe integers, booleans, null, lists and
    objects with BMP keys, RFC 8785 and sorted compact ``json`` output are the
    same bytes, and the C encoder is ten times faster on large manifests; anything
    else (floats, huge integers, other key orders) goes through ``rfc8785``.
    """
    if _simple(value):
        try:
            return _FAST.encode(value).encode()
        except UnicodeEncodeError:  # lone surrogates: let rfc8785 refuse them
            pass
    return rfc8785.dumps(dict(value))


def _simple(root: Any) -> bool:
    stack = [root]
    while stack:
        value = stack.pop()
        if isinstance(value, str) or value is None or isinstance(value, bool):
            continue
        if isinstance(value, int):
            if -_MAX_SAFE <= value <= _MAX_SAFE:
                continue
            return False
        if isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str) or any(ord(c) > 0xFFFF for c in key):
                    return False
                stack.append(item)
        else:
            return False
    return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise LeafError("not valid base64") from None


@dataclass(frozen=True, slots=True)
class Members:
    """The sorted, distinct record hashes and statement ids a batch leaf commits to."""

    records: bytes = b""  # concatenated 32-byte record hashes
    statements: bytes = b""  # concatenated 20-byte statement ids

    @classmethod
    def of(cls, record_ids: Iterable[str], statement_ids: Iterable[str]) -> Members:
        records = b"".join(sorted({bytes.fromhex(r) for r in record_ids}))
        statements = b"".join(sorted({bytes.fromhex(s) for s in statement_ids}))
        return cls(records, statements)

    def record_hashes(self) -> list[bytes]:
        return split_ids(self.records, RECORD_ID_BYTES)

    def statement_ids(self) -> list[bytes]:
        return split_ids(self.statements, STATEMENT_ID_BYTES)

    def summary(self) -> dict[str, Any]:
        return {
            "records": member_summary(self.record_hashes()),
            "statements": member_summary(self.statement_ids()),
        }


def split_ids(blob: bytes, width: int) -> list[bytes]:
    if len(blob) % width:
        raise LeafError(f"a member list is not a whole number of {width}-byte ids")
    return [blob[i : i + width] for i in range(0, len(blob), width)]


def member_summary(ids: list[bytes]) -> dict[str, Any]:
    return {"count": len(ids), "root": b64(member_root(ids))}


def member_root(ids: list[bytes]) -> bytes:
    sha256 = hashlib.sha256
    return merkle.root_of([sha256(b"\x00" + i).digest() for i in ids])


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A leaf to append: its canonical body and, for batches, its members."""

    kind: str
    body: bytes
    members: Members | None = None
    record_ids: tuple[str, ...] = field(default=())  # hex, for the record → leaf lookup

    @property
    def leaf_hash(self) -> bytes:
        return merkle.leaf_hash(self.body)


micros = to_us  # a leaf's "time": exact microseconds since the epoch


def entry(kind: str, fields: Mapping[str, Any], *, at: datetime) -> LedgerEntry:
    """A leaf of ``kind`` with ``fields`` (no members)."""
    if kind not in KINDS or kind in MEMBER_KINDS:
        raise LeafError(f"unknown or batch-only leaf type {kind!r}")
    body = {"type": kind, "v": LEAF_VERSION, "time": micros(at), **fields}
    return LedgerEntry(kind, canonical(body))


def batch_entry(
    kind: str,
    fields: Mapping[str, Any],
    *,
    record_ids: Iterable[str],
    statement_ids: Iterable[str],
    at: datetime,
) -> LedgerEntry:
    """An ingest batch or claim leaf committing to its records and statements."""
    if kind not in MEMBER_KINDS:
        raise LeafError(f"{kind!r} leaves have no members")
    members = Members.of(record_ids, statement_ids)
    body = {"type": kind, "v": LEAF_VERSION, "time": micros(at), **fields, **members.summary()}
    records = tuple(h.hex() for h in members.record_hashes())  # sorted once, as bytes
    return LedgerEntry(kind, canonical(body), members, records)


@dataclass(frozen=True, slots=True)
class BatchLeaf:
    """A batch or claim leaf whose members the store fills in when it writes the batch:
    the writer has just computed every record and statement id, so they are not
    hashed a second time."""

    kind: str
    fields: Mapping[str, Any]
    at: datetime

    def __post_init__(self) -> None:
        if self.kind not in MEMBER_KINDS:
            raise LeafError(f"{self.kind!r} leaves have no members")

    def entry(self, record_ids: Iterable[str], statement_ids: Iterable[str]) -> LedgerEntry:
        return batch_entry(
            self.kind, self.fields, record_ids=record_ids, statement_ids=statement_ids, at=self.at
        )


def decode(body: bytes) -> dict[str, Any]:
    """A stored leaf's fields; refuses anything that is not a canonical typed leaf."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise LeafError("the leaf is not JSON") from None
    if not isinstance(value, dict) or value.get("type") not in KINDS:
        raise LeafError("the leaf has no known type")
    if canonical(value) != body:
        raise LeafError("the leaf is not in canonical (RFC 8785) form")
    return value


def check_members(body: Mapping[str, Any], members: Members) -> None:
    """Raise unless ``members`` are the records and statements the leaf commits to."""
    if body.get("type") not in MEMBER_KINDS:
        raise LeafError("only batch and claim leaves have members")
    summary = members.summary()
    for part in ("records", "statements"):
        if body.get(part) != summary[part]:
            raise LeafError(f"the batch's {part} do not match the leaf's root")


__all__ = [
    "KINDS",
    "LEAF_VERSION",
    "MEMBER_KINDS",
    "BatchLeaf",
    "LeafError",
    "LedgerEntry",
    "Members",
    "b64",
    "batch_entry",
    "canonical",
    "check_members",
    "decode",
    "entry",
    "member_root",
    "member_summary",
    "micros",
    "split_ids",
    "unb64",
]
