"""The offline bundle verifier: no database, no network, only the bundle (and a key).

Checks, in order, each failure class with its own exit code:

1. the archive is well formed and canonical (``malformed``, 10);
2. ``manifest.sig`` is a valid Ed25519 signature by ``signer.vkey`` over
   ``manifest.json``, and that key is the pinned one when ``--key`` is given
   (``signature``, 11);
3. every listed file is present (``missing-file``, 12) with its SHA-256 and size
   (``hash-mismatch``, 13);
4. the ledger checkpoint is signed by that key for the manifest's origin
   (``checkpoint``, 14);
5. each batch leaf is in the log under the checkpoint, the exported statements
   and records are among the leaf's members, and every line of
   ``statements.jsonl`` hashes to a proven statement id (``proof``, 15).

Anything unexpected while reading hostile input is a ``malformed`` verdict,
never a crash.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from intelgraph.export import bundle
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import MEMBER_KINDS, LeafError, canonical, decode, unb64
from intelgraph.ledger.note import NoteError, Verifier, open_checkpoint
from intelgraph.model import Labels, statement_id

EXIT_CODES = {
    "malformed": 10,
    "signature": 11,
    "missing-file": 12,
    "hash-mismatch": 13,
    "checkpoint": 14,
    "proof": 15,
}
MAX_ENTRIES = 100_000
MAX_BYTES = 8 << 30


class BundleInvalid(Exception):
    """A bundle that does not verify; ``kind`` names the failure class."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.kind]


@dataclass
class BundleReport:
    key: Verifier
    pinned: bool
    origin: str
    checkpoint_size: int
    data_format: str
    statements: int
    batches: int
    manifest: dict[str, Any] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "key": self.key.vkey(),
            "key_pinned": self.pinned,
            "origin": self.origin,
            "checkpoint_size": self.checkpoint_size,
            "format": self.data_format,
            "statements": self.statements,
            "batches": self.batches,
            "requester": self.manifest.get("requester"),
            "purpose": self.manifest.get("purpose"),
            "authority": self.manifest.get("authority"),
            "created": self.manifest.get("created"),
        }


def verify_bundle(data: bytes, *, key: Verifier | None = None) -> BundleReport:
    """Check a bundle completely; raises :class:`BundleInvalid` on the first failure."""
    try:
        return _verify(data, key)
    except BundleInvalid:
        raise
    except Exception as exc:  # hostile input must give a verdict, not a traceback
        raise BundleInvalid(
            "malformed", f"the bundle could not be read ({type(exc).__name__})"
        ) from exc


def _verify(data: bytes, pinned: Verifier | None) -> BundleReport:
    files = _unpack(data)
    for name in bundle.RESERVED:
        if name not in files:
            raise BundleInvalid("malformed", f"the bundle has no {name}")
    raw = files[bundle.MANIFEST]
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BundleInvalid("malformed", "manifest.json is not JSON") from None
    if not isinstance(manifest, dict) or canonical(manifest) != raw:
        raise BundleInvalid("malformed", "manifest.json is not a canonical (RFC 8785) object")
    if (manifest.get("format"), manifest.get("version")) != (
        bundle.BUNDLE_FORMAT,
        bundle.BUNDLE_VERSION,
    ):
        raise BundleInvalid("malformed", "this is not an IntelGraph bundle of a known version")
    signer = _signer(files[bundle.SIGNER_KEY], pinned)
    _check_signature(raw, files[bundle.SIGNATURE], signer)
    _check_files(manifest, files)
    ledger = _dict(manifest, "ledger")
    origin = _str(ledger, "origin")
    try:
        checkpoint, _ = open_checkpoint(_str(ledger, "checkpoint"), [signer], origin=origin)
    except NoteError as exc:
        raise BundleInvalid("checkpoint", f"the ledger checkpoint does not verify: {exc}") from None
    statements, records = _check_batches(_list(ledger, "batches"), checkpoint.size, checkpoint.root)
    exported = _check_statements(files.get("statements.jsonl"), statements, records)
    counts = _dict(manifest, "counts")
    if counts.get("statements") != exported:
        raise BundleInvalid("proof", "the manifest's statement count differs from the data")
    return BundleReport(
        key=signer,
        pinned=pinned is not None,
        origin=origin,
        checkpoint_size=checkpoint.size,
        data_format=_str(manifest, "data_format"),
        statements=exported,
        batches=len(_list(ledger, "batches")),
        manifest=manifest,
    )


def _unpack(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_BYTES:
            raise BundleInvalid("malformed", "the archive is too large")
        files: dict[str, bytes] = {}
        for info in infos:
            if info.filename in files:
                raise BundleInvalid("malformed", f"the archive holds {info.filename} twice")
            files[info.filename] = archive.read(info)
    except BundleInvalid:
        raise
    except Exception as exc:  # BadZipFile, CRC errors, truncated data, bad headers …
        raise BundleInvalid(
            "malformed", f"the file is not a readable bundle archive ({exc})"
        ) from None
    if bundle.pack(files) != data:
        raise BundleInvalid(
            "malformed", "the archive is not in canonical form: it was altered after signing"
        )
    return files


def _signer(raw: bytes, pinned: Verifier | None) -> Verifier:
    try:
        key = Verifier.parse(raw.decode())
    except (NoteError, UnicodeDecodeError):
        raise BundleInvalid("malformed", "signer.vkey is not a verifier key") from None
    if pinned is not None and key != pinned:
        raise BundleInvalid(
            "signature",
            f"the bundle is signed by key {key.key_hex}, not the pinned key {pinned.key_hex}",
        )
    return key


def _check_signature(manifest: bytes, signature: bytes, key: Verifier) -> None:
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
        if base64.b64encode(raw) + b"\n" != signature:
            raise ValueError("not canonical")
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(raw, manifest)
    except (ValueError, InvalidSignature):
        raise BundleInvalid(
            "signature", "manifest.sig is not a valid signature of the manifest"
        ) from None


def _check_files(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    listed: set[str] = set()
    for item in _list(manifest, "files"):
        if not isinstance(item, dict):
            raise BundleInvalid("malformed", "a manifest file entry is not an object")
        path = _str(item, "path")
        listed.add(path)
        if path not in files:
            raise BundleInvalid("missing-file", f"{path} is listed in the manifest but missing")
        wanted = bundle.file_entry(path, files[path])
        if (item.get("sha256"), item.get("size")) != (wanted["sha256"], wanted["size"]):
            raise BundleInvalid(
                "hash-mismatch", f"{path} does not match its SHA-256 in the manifest"
            )
    extra = set(files) - listed - set(bundle.RESERVED)
    if extra:
        raise BundleInvalid("malformed", f"the archive holds unlisted files: {sorted(extra)[:3]}")


def _check_batches(
    batches: list[Any], size: int, root: bytes
) -> tuple[dict[str, int], dict[int, set[str]]]:
    """Proven statement ids (→ their batch) and each batch's proven record ids."""
    statements: dict[str, int] = {}
    records: dict[int, set[str]] = {}
    for number, item in enumerate(batches):
        if not isinstance(item, dict):
            raise BundleInvalid("malformed", "a ledger batch entry is not an object")
        where = f"batch {number}"
        leaf = unb64(_str(item, "leaf"))
        index = _int(item, "leaf_index")
        try:
            fields = decode(leaf)
        except LeafError as exc:
            raise BundleInvalid("proof", f"{where}: the leaf is not valid: {exc}") from None
        if fields.get("type") not in MEMBER_KINDS:
            raise BundleInvalid("proof", f"{where}: the leaf is not a batch of data")
        try:
            path = [unb64(h) for h in _list(item, "leaf_proof")]
            merkle.verify_inclusion(index, size, merkle.leaf_hash(leaf), path, root)
        except (merkle.ProofError, LeafError) as exc:
            raise BundleInvalid("proof", f"{where}: the leaf is not in the log: {exc}") from None
        ids = _members(item, "statements", fields, where)
        for statement in ids:
            statements.setdefault(statement, number)
        records[number] = set(_members(item, "records", fields, where))
    return statements, records


def _members(item: Mapping[str, Any], part: str, leaf: Mapping[str, Any], where: str) -> list[str]:
    block = _dict(item, part)
    ids = [str(i) for i in _list(block, "ids")]
    positions = [int(p) for p in _list(block, "positions")]
    count = _int(block, "count")
    summary = leaf.get(part)
    if not isinstance(summary, dict) or summary.get("count") != count:
        raise BundleInvalid("proof", f"{where}: the {part} count differs from the leaf's")
    if len(ids) != len(positions) or positions != sorted(set(positions)):
        raise BundleInvalid("proof", f"{where}: the {part} positions are not a sorted list per id")
    try:
        hashes = {
            p: merkle.leaf_hash(bytes.fromhex(i)) for p, i in zip(positions, ids, strict=True)
        }
        proof = [unb64(h) for h in _list(block, "proof")]
        computed = merkle.root_from_multiproof(count, hashes, proof)
        wanted = unb64(str(summary.get("root")))
    except (ValueError, merkle.ProofError, LeafError) as exc:
        raise BundleInvalid("proof", f"{where}: the {part} proof is invalid: {exc}") from None
    if computed != wanted:
        raise BundleInvalid("proof", f"{where}: the exported {part} are not the leaf's")
    return ids


def _check_statements(
    data: bytes | None, proven: dict[str, int], records: dict[int, set[str]]
) -> int:
    if data is None:
        raise BundleInvalid("missing-file", "statements.jsonl is missing")
    seen: set[str] = set()
    # Lines end in "\n" only: values may hold U+2028 or U+0085, which splitlines() splits on.
    text = data.decode()
    if text and not text.endswith("\n"):
        raise BundleInvalid("malformed", "statements.jsonl does not end with a newline")
    for number, line in enumerate(text.split("\n")[:-1] if text else [], start=1):
        try:
            row = json.loads(line)
            labels = Labels.from_dict(row["labels"])
            computed = statement_id(
                row["entity_id"],
                row["prop"],
                row["value"],
                row["source_id"],
                row["record_id"],
                labels,
            )
        except Exception:
            raise BundleInvalid(
                "malformed", f"statements.jsonl line {number} is not a statement"
            ) from None
        if computed != row.get("id"):
            raise BundleInvalid(
                "proof", f"statements.jsonl line {number}: the content does not hash to its id"
            )
        batch = proven.get(computed)
        if batch is None:
            raise BundleInvalid("proof", f"statement {computed} is not proven by any batch")
        if row["record_id"] not in records[batch]:
            raise BundleInvalid("proof", f"statement {computed}: its record is not proven")
        seen.add(computed)
    if seen != set(proven):
        raise BundleInvalid("proof", "the proven statements and statements.jsonl differ")
    return len(seen)


def _dict(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise BundleInvalid("malformed", f"the manifest's {key!r} is not an object")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise BundleInvalid("malformed", f"the manifest's {key!r} is not a list")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise BundleInvalid("malformed", f"the manifest's {key!r} is not a string")
    return value


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BundleInvalid("malformed", f"the manifest's {key!r} is not an integer")
    return value


__all__ = ["EXIT_CODES", "BundleInvalid", "BundleReport", "verify_bundle"]
