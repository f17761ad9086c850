"""Signed export bundles: data files, a manifest with ledger proofs, a signature.

A bundle is one ZIP archive (entries stored uncompressed, sorted, with fixed
metadata, so the same export is the same bytes and any change to the archive
is visible) holding:

- the data files of the chosen format, plus ``statements.jsonl``,
  ``records.jsonl`` and ``sources.json``, which every bundle carries: the
  statements are what the proofs are about;
- ``manifest.json``: RFC 8785 JSON naming every file with its SHA-256 and size,
  the selection, requester, purpose, authority, the policy decisions applied,
  the signed ledger checkpoint and, per ledger batch, the leaf, its inclusion
  proof, and multi-leaf proofs of the exported statements and records;
- ``manifest.sig``: base64 Ed25519 signature over the bytes of ``manifest.json``;
- ``signer.vkey``: the signing key as a signed-note verifier key (name+id+key).

docs/bundles.md specifies the format for third-party verifiers.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intelgraph import __version__
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import (
    RECORD_ID_BYTES,
    STATEMENT_ID_BYTES,
    b64,
    canonical,
    split_ids,
)
from intelgraph.ledger.note import Signer
from intelgraph.model import Record, Source, StoredStatement

BUNDLE_FORMAT = "intelgraph-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNER_KEY = "signer.vkey"
RESERVED = (MANIFEST, SIGNATURE, SIGNER_KEY)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644 << 16


@dataclass(frozen=True, slots=True)
class BatchProof:
    """What proves the exported statements of one ledger batch."""

    leaf_index: int
    leaf: bytes
    leaf_proof: Sequence[bytes]
    statement_ids: Sequence[str]  # exported ones, in position order
    statement_positions: Sequence[int]
    statement_count: int
    statement_proof: Sequence[bytes]
    record_ids: Sequence[str]
    record_positions: Sequence[int]
    record_count: int
    record_proof: Sequence[bytes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf_index,
            "leaf": b64(self.leaf),
            "leaf_proof": [b64(h) for h in self.leaf_proof],
            "statements": {
                "count": self.statement_count,
                "ids": list(self.statement_ids),
                "positions": list(self.statement_positions),
                "proof": [b64(h) for h in self.statement_proof],
            },
            "records": {
                "count": self.record_count,
                "ids": list(self.record_ids),
                "positions": list(self.record_positions),
                "proof": [b64(h) for h in self.record_proof],
            },
        }


def batch_proof(
    leaf_index: int,
    leaf: bytes,
    leaf_proof: Sequence[bytes],
    statements_blob: bytes,
    records_blob: bytes,
    statement_positions: Iterable[int],
    record_positions: Iterable[int],
) -> BatchProof:
    """Multi-leaf proofs of some statements and records among a batch's members."""
    all_statements = split_ids(statements_blob, STATEMENT_ID_BYTES)
    all_records = split_ids(records_blob, RECORD_ID_BYTES)
    s_pos = sorted(set(statement_positions))
    r_pos = sorted(set(record_positions))
    s_hashes = [merkle.leaf_hash(i) for i in all_statements]
    r_hashes = [merkle.leaf_hash(i) for i in all_records]
    return BatchProof(
        leaf_index=leaf_index,
        leaf=leaf,
        leaf_proof=tuple(leaf_proof),
        statement_ids=[all_statements[p].hex() for p in s_pos],
        statement_positions=s_pos,
        statement_count=len(all_statements),
        statement_proof=merkle.multiproof(s_pos, len(s_hashes), merkle.list_subtree(s_hashes)),
        record_ids=[all_records[p].hex() for p in r_pos],
        record_positions=r_pos,
        record_count=len(all_records),
        record_proof=merkle.multiproof(r_pos, len(r_hashes), merkle.list_subtree(r_hashes)),
    )


def statement_line(statement: StoredStatement) -> dict[str, Any]:
    """A statement as exported: every field its id is computed from, and its window."""
    return {
        "id": statement.id,
        "entity_id": statement.entity_id,
        "schema": statement.schema,
        "prop": statement.prop,
        "value": statement.value,
        "source_id": statement.source_id,
        "record_id": statement.record_id,
        "labels": statement.labels.to_dict(),
        "first_seen": statement.first_seen.isoformat(),
        "last_seen": statement.last_seen.isoformat(),
    }


def record_line(record: Record) -> dict[str, Any]:
    """Record metadata (not its content: the hash is what the proofs bind)."""
    return {
        "id": record.id,
        "source_id": record.source_id,
        "uri": record.uri,
        "location": record.location,
        "media_type": record.media_type,
        "labels": record.labels.to_dict(),
    }


def source_entry(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "name": source.name,
        "licence": str(source.licence),
        "retention": str(source.retention),
        "purposes": sorted(source.purposes),
        "residency": source.residency,
    }


_LINE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return "".join(_LINE.encode(row) + "\n" for row in rows).encode()


def file_entry(path: str, content: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return canonical(manifest)


def sign_manifest(manifest: bytes, signer: Signer) -> bytes:
    return base64.b64encode(signer.sign(manifest)) + b"\n"


def pack(files: Mapping[str, bytes]) -> bytes:
    """The canonical archive of ``files``: sorted, stored, fixed metadata."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = ZIP_MODE
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, files[name])
    return out.getvalue()


def exporter() -> dict[str, str]:
    return {"product": "intelgraph", "version": __version__}


__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "MANIFEST",
    "RESERVED",
    "SIGNATURE",
    "SIGNER_KEY",
    "BatchProof",
    "batch_proof",
    "exporter",
    "file_entry",
    "jsonl",
    "manifest_bytes",
    "pack",
    "record_line",
    "sign_manifest",
    "source_entry",
    "statement_line",
]
