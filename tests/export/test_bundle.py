"""Signed bundles on both backends: every format verifies offline, every failure class
has its exit code, labels and licences are enforced, and 10,000 random flips of
bundle bytes are all rejected without crashing the verifier."""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from intelgraph.demo import load_demo
from intelgraph.export import (
    EXIT_CODES,
    FORMATS,
    BundleInvalid,
    Exporter,
    ExportRefused,
    ExportRequest,
    Selection,
    verify_bundle,
)
from intelgraph.export.bundle import pack, sign_manifest
from intelgraph.ledger.leaves import canonical, decode
from intelgraph.ledger.note import Checkpoint, Signer, sign_note
from intelgraph.ledger.service import Ledger
from intelgraph.model import ViewerScope
from intelgraph.store import Store

AURORA = "6c7d2d044174229542771dac3309f14624a808a7"
EMBER_KITE = "1e1612d58a44b7ea8d61cddb9ef076048c7848da"
EVERYTHING = ViewerScope.make(clearance="TOP_SECRET", compartments=["FIN", "HUM", "CTI"])
FLIPS = 10_000


@pytest.fixture
def exporter(store: Store, tmp_path: Path) -> Exporter:
    load_demo(store)
    return Exporter(store, Ledger(store, tmp_path / "data"))


def request(
    selection: Selection, fmt: str = "jsonl", scope: ViewerScope = EVERYTHING, **extra: object
) -> ExportRequest:
    extra.setdefault("authority", "warrant 17")  # the demo has Restricted-TOS data
    return ExportRequest(selection, fmt, scope, requester="analyst", **extra)  # type: ignore[arg-type]


def subgraph(hops: int = 2) -> Selection:
    return Selection("subgraph", (AURORA,), hops=hops)


def unpack(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_exports_and_verifies(exporter: Exporter, fmt: str) -> None:
    result = exporter.export(request(subgraph(), fmt, purpose="case-9"))
    report = verify_bundle(result.archive)
    assert report.statements == result.statements > 50
    assert report.data_format == fmt
    files = unpack(result.archive)
    manifest = json.loads(files["manifest.json"])
    assert {f["path"] for f in manifest["files"]} == set(files) - {
        "manifest.json", "manifest.sig", "signer.vkey"
    }  # fmt: skip
    assert manifest["purpose"] == "case-9"
    assert manifest["authority"] == "warrant 17"
    assert manifest["selection"] == {"kind": "subgraph", "ids": [AURORA], "hops": 2, "limit": 10000}
    # the export itself is the ledger's newest leaf, naming the manifest
    leaf = decode(exporter.store.ledger.leaf(result.leaf_index))
    assert leaf["type"] == "export"
    assert leaf["manifest_sha256"] == result.manifest_sha256
    assert exporter.ledger.verify().ok


def test_the_same_export_is_the_same_bytes_apart_from_its_time(exporter: Exporter) -> None:
    first = unpack(exporter.export(request(subgraph(1), "stix")).archive)
    second = unpack(exporter.export(request(subgraph(1), "stix")).archive)
    for name in first:
        if name not in ("manifest.json", "manifest.sig"):
            assert first[name] == second[name], name


def test_a_viewer_exports_only_what_they_may_see(exporter: Exporter) -> None:
    public = ViewerScope.make()
    result = exporter.export(request(subgraph(3), scope=public))
    lines = [json.loads(line) for line in unpack(result.archive)["statements.jsonl"].splitlines()]
    assert lines
    assert all(line["labels"]["classification"] == 0 for line in lines)
    assert all(line["labels"]["compartments"] == [] for line in lines)
    assert EMBER_KITE not in {line["entity_id"] for line in lines}
    with pytest.raises(Exception, match="not found"):
        exporter.export(request(Selection("entities", (EMBER_KITE,)), scope=public))
    manifest = json.loads(unpack(result.archive)["manifest.json"])
    assert manifest["viewer"] == {
        "tenant": "default",
        "clearance": 0,
        "compartments": [],
        "purposes": None,
    }
    assert manifest["policy"]["decisions"][0]["rule"] == "labels"


def test_restricted_licences_need_an_authority(exporter: Exporter) -> None:
    with pytest.raises(ExportRefused, match="policy forbids exporting data of source") as caught:
        exporter.export(request(subgraph(2), authority=None))
    assert caught.value.details["licence"] in ("Restricted-TOS", "Embargoed")
    assert caught.value.details["policies"] == ["restricted-export"]
    result = exporter.export(request(subgraph(2), authority="court order 2026/113"))
    decisions = json.loads(unpack(result.archive)["manifest.json"])["policy"]["decisions"]
    assert any(d["effect"] == "allow-under-authority" for d in decisions)

    class Nobody:
        """A guard that refuses every source (as policy would, e.g. an expired warrant)."""

        def source_allowed(self, source_id: str, source: object) -> tuple[bool, list[str]]:
            return False, ["expired"]

        def redact(self, entities: list[object]) -> list[object]:
            return entities

    with pytest.raises(ExportRefused, match="expired"):
        exporter.export(request(subgraph(2), authority="expired warrant", guard=Nobody()))


def test_bad_requests_are_refused_before_anything_is_logged(exporter: Exporter) -> None:
    size = exporter.store.ledger.size()
    with pytest.raises(Exception, match="unknown export format"):
        request(subgraph(), "pdf")
    with pytest.raises(Exception, match="needs a query"):
        Selection("search", query=" ")
    with pytest.raises(Exception, match="hops"):
        Selection("subgraph", (AURORA,), hops=9)
    with pytest.raises(Exception, match="matched nothing"):
        exporter.export(request(Selection("search", query="zzzznothing")))
    assert exporter.store.ledger.size() == size


# -- failure classes --------------------------------------------------------------------


def _resign(files: dict[str, bytes], manifest: dict[str, object], signer: Signer) -> bytes:
    raw = canonical(manifest)
    files = {**files, "manifest.json": raw, "manifest.sig": sign_manifest(raw, signer)}
    files["signer.vkey"] = (signer.verifier.vkey() + "\n").encode()
    return pack(files)


def _manifest(files: dict[str, bytes]) -> dict[str, object]:
    value: dict[str, object] = json.loads(files["manifest.json"])
    return value


def malformed(files: dict[str, bytes], archive: bytes) -> bytes:
    return archive[: len(archive) // 2]


def bad_signature(files: dict[str, bytes], archive: bytes) -> bytes:
    manifest = _manifest(files)
    manifest["purpose"] = "something else"
    return pack({**files, "manifest.json": canonical(manifest)})


def missing_file(files: dict[str, bytes], archive: bytes) -> bytes:
    return pack({k: v for k, v in files.items() if k != "sources.json"})


def hash_mismatch(files: dict[str, bytes], archive: bytes) -> bytes:
    return pack({**files, "sources.json": files["sources.json"].replace(b"Open", b"Shut")})


def forged_checkpoint(files: dict[str, bytes], archive: bytes) -> bytes:
    """Someone re-signs the manifest with their own key: the checkpoint is still the
    log's, so it no longer verifies with the bundle's key."""
    return _resign(files, _manifest(files), Signer.generate("mallory"))


def forged_statement(files: dict[str, bytes], archive: bytes) -> bytes:
    """Change a value and redo every signature with a new key: the proofs still fail."""
    mallory = Signer.generate("mallory")
    lines = files["statements.jsonl"].decode().splitlines()
    row = json.loads(lines[0])
    row["value"] = row["value"] + " (edited)"
    lines[0] = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    data = ("\n".join(lines) + "\n").encode()
    manifest = _manifest(files)
    for entry in manifest["files"]:  # type: ignore[attr-defined]
        if entry["path"] == "statements.jsonl":
            entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    ledger = manifest["ledger"]
    note = ledger["checkpoint"]  # type: ignore[index]
    checkpoint = Checkpoint.parse(note[: note.rfind("\n\n") + 1])
    ledger["checkpoint"] = sign_note(checkpoint.text(), [mallory])  # type: ignore[index]
    return _resign({**files, "statements.jsonl": data}, manifest, mallory)


@pytest.mark.parametrize(
    ("damage", "kind"),
    [
        (malformed, "malformed"),
        (bad_signature, "signature"),
        (missing_file, "missing-file"),
        (hash_mismatch, "hash-mismatch"),
        (forged_checkpoint, "checkpoint"),
        (forged_statement, "proof"),
    ],
)
def test_each_failure_class_has_its_own_verdict(
    exporter: Exporter, damage: Callable[[dict[str, bytes], bytes], bytes], kind: str
) -> None:
    archive = exporter.export(request(subgraph(1))).archive
    with pytest.raises(BundleInvalid) as caught:
        verify_bundle(damage(unpack(archive), archive))
    assert caught.value.kind == kind
    assert caught.value.exit_code == EXIT_CODES[kind]
    assert "\n" not in caught.value.message


def test_pinning_the_key_catches_a_wholesale_resigning(exporter: Exporter) -> None:
    archive = exporter.export(request(subgraph(1))).archive
    real = exporter.ledger.signer().verifier
    assert verify_bundle(archive, key=real).pinned
    forged = forged_statement(unpack(archive), archive)
    with pytest.raises(BundleInvalid) as caught:
        verify_bundle(forged, key=real)
    assert caught.value.kind == "signature"


def test_ten_thousand_random_flips_are_all_rejected(exporter: Exporter) -> None:
    bundles = [
        exporter.export(request(Selection("entities", (AURORA,)), fmt)).archive
        for fmt in ("jsonl", "stix", "cypher")
    ]
    for archive in bundles:
        verify_bundle(archive)
    rng = random.Random(4)
    accepted: list[str] = []
    kinds: dict[str, int] = {}
    for trial in range(FLIPS):
        archive = bytearray(bundles[trial % len(bundles)])
        position = rng.randrange(len(archive))
        if rng.random() < 0.5:
            archive[position] ^= 1 << rng.randrange(8)
        else:
            archive[position] = (archive[position] + rng.randrange(1, 256)) % 256
        try:
            verify_bundle(bytes(archive))
        except BundleInvalid as exc:
            kinds[exc.kind] = kinds.get(exc.kind, 0) + 1
        else:
            accepted.append(f"trial {trial}: byte {position}")
    assert accepted == []
    assert sum(kinds.values()) == FLIPS


def test_values_with_unicode_line_separators_survive(exporter: Exporter) -> None:
    from intelgraph.ingest.claims import Claim, assert_claim

    value = "first line\u2028second\u2029end"
    made = assert_claim(exporter.store, EVERYTHING, Claim("ann", AURORA, "notes", value, "seen"))
    result = exporter.export(request(Selection("entities", (AURORA,))))
    report = verify_bundle(result.archive)
    assert report.statements == result.statements
    assert made.statement_id in unpack(result.archive)["statements.jsonl"].decode()


def test_refusals_are_logged_and_altered_data_is_never_signed(exporter: Exporter) -> None:
    with pytest.raises(ExportRefused):
        exporter.export(request(subgraph(2), authority=None, purpose="curiosity"))
    *_, (_, kind, body) = exporter.store.ledger.leaves()
    assert kind == "export"
    refused = decode(body)
    assert refused["outcome"] == "refused"
    assert refused["purpose"] == "curiosity"
    assert "Restricted-TOS" in refused["reason"]
    with exporter.store._writer_engine.begin() as connection:  # an attacker edits a value
        connection.exec_driver_sql(
            "UPDATE statements SET value = 'Aurora Maritime Holdings PLC' "
            "WHERE value = 'Aurora Maritime Holdings Ltd'"
        )
    with pytest.raises(ExportRefused, match="does not match its stored content") as caught:
        exporter.export(request(Selection("entities", (AURORA,))))
    assert caught.value.code == "integrity_error"
    *_, (_, kind, body) = exporter.store.ledger.leaves()
    assert kind == "export"
    assert decode(body)["outcome"] == "refused"  # logged, and nothing signed
    assert "store was altered" in decode(body)["reason"]
