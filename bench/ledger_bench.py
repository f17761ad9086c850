"""Ledger and export figures: append rate, proof time at 1M leaves, checkpoint signing,
and export + sign + verify of ~100k statements.

    python bench/ledger_bench.py [--leaves 1000000] [--statements 100000]
                                 [--postgres postgresql://…] [--out figures.json]

Targets (issue 4): ≥ 50,000 leaves/s; inclusion proof ≤ 1 ms at 1M leaves; a
100k-statement export signed, and verified, in ≤ 10 s each.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from intelgraph.demo import load_demo
from intelgraph.export import Exporter, ExportRequest, Selection, verify_bundle
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import LedgerEntry, entry
from intelgraph.ledger.note import Checkpoint, Signer, sign_note
from intelgraph.ledger.service import Ledger
from intelgraph.model import ViewerScope, utcnow
from intelgraph.ontology import default_ontology
from intelgraph.store import Store

EVERYTHING = ViewerScope.make(clearance="TOP_SECRET", compartments=["FIN", "HUM", "CTI"])
BATCH = 10_000


def fresh_store(backend: str, workdir: Path, admin_url: str | None) -> tuple[Store, str | None]:
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        store = Store(url, default_ontology(), check_schema=False)
        store.upgrade()
        return store, None
    assert admin_url is not None
    name = f"ig_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    store = Store(f"{base}/{name}", default_ontology(), check_schema=False)
    store.upgrade()
    return store, name


def drop(admin_url: str | None, name: str | None) -> None:
    if admin_url and name:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def events(start: int, count: int) -> list[LedgerEntry]:
    now = utcnow()
    return [
        entry("audited-read", {"actor": f"analyst-{i % 97}", "resource": f"e{i}"}, at=now)
        for i in range(start, start + count)
    ]


def bench_append_and_proofs(store: Store, leaves: int) -> dict[str, Any]:
    built = 0.0
    appended = 0.0
    done = 0
    while done < leaves:
        count = min(BATCH, leaves - done)
        t0 = time.perf_counter()
        batch = events(done, count)
        t1 = time.perf_counter()
        store.ledger.append(batch)
        t2 = time.perf_counter()
        built += t1 - t0
        appended += t2 - t1
        done += count
        if done % 200_000 == 0:
            print(f"  appended {done:,} leaves", file=sys.stderr)
    size = store.ledger.size()
    root = store.ledger.root()
    rng = random.Random(7)
    times = []
    for _ in range(1_000):
        index = rng.randrange(size)
        t0 = time.perf_counter()
        proof = store.ledger.inclusion(index, size)
        times.append(time.perf_counter() - t0)
        if len(times) <= 20:
            merkle.verify_inclusion(
                index, size, merkle.leaf_hash(store.ledger.leaf(index)), proof, root
            )
    verify_times = []
    leaf = merkle.leaf_hash(store.ledger.leaf(size // 3))
    proof = store.ledger.inclusion(size // 3, size)
    for _ in range(1_000):
        t0 = time.perf_counter()
        merkle.verify_inclusion(size // 3, size, leaf, proof, root)
        verify_times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    consistency = store.ledger.consistency(size // 2, size)
    consistency_ms = (time.perf_counter() - t0) * 1000
    merkle.verify_consistency(size // 2, size, store.ledger.root(size // 2), root, consistency)
    t0 = time.perf_counter()
    report = Ledger(store, Path(tempfile.mkdtemp(prefix="ig-audit-"))).verify()
    audit_s = time.perf_counter() - t0
    assert report.ok, report.problems[:3]
    return {
        "leaves": size,
        "ledger_verify_s": round(audit_s, 1),
        "append_leaves_per_s": round(leaves / appended),
        "build_leaves_per_s": round(leaves / built),
        "inclusion_proof_ms_p50": round(statistics.median(times) * 1000, 3),
        "inclusion_proof_ms_p95": round(sorted(times)[int(len(times) * 0.95)] * 1000, 3),
        "inclusion_verify_ms_p50": round(statistics.median(verify_times) * 1000, 4),
        "consistency_proof_ms": round(consistency_ms, 3),
        "proof_hashes": len(proof),
    }


def bench_checkpoint(store: Store, workdir: Path) -> dict[str, Any]:
    signer = Signer.generate("bench.example/log")
    text = Checkpoint("bench.example/log", 1_000_000, bytes(32)).text()
    t0 = time.perf_counter()
    for _ in range(1_000):
        sign_note(text, [signer])
    sign_ms = time.perf_counter() - t0  # seconds for 1,000 = milliseconds each
    ledger = Ledger(store, workdir / "keys")
    times = []
    for i in range(20):
        store.ledger.append(events(10_000_000 + i, 1))
        t0 = time.perf_counter()
        ledger.checkpoint()
        times.append(time.perf_counter() - t0)
    return {
        "note_sign_ms": round(sign_ms, 4),
        "checkpoint_issue_ms_p50": round(statistics.median(times) * 1000, 2),
    }


def bench_export(store: Store, workdir: Path, statements: int) -> dict[str, Any]:
    scale = max(1, round(statements / 225))
    t0 = time.perf_counter()
    summary = load_demo(store, scale=scale)
    load_s = time.perf_counter() - t0
    ledger = Ledger(store, workdir / "export-keys")
    ledger.checkpoint()
    ids = _all_entity_ids(store)
    request = ExportRequest(
        Selection("entities", tuple(ids), limit=1_000_000),
        "jsonl",
        EVERYTHING,
        requester="bench",
        purpose="benchmark",
        authority="bench",
    )
    t0 = time.perf_counter()
    result = Exporter(store, ledger).export(request)
    export_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = verify_bundle(result.archive)
    verify_s = time.perf_counter() - t0
    assert report.statements == result.statements
    return {
        "demo_scale": scale,
        "demo_statements": summary.statements,
        "demo_load_s": round(load_s, 1),
        "export_entities": result.entities,
        "export_edges": result.edges,
        "export_statements": result.statements,
        "export_batches": result.batches,
        "bundle_bytes": len(result.archive),
        "export_sign_s": round(export_s, 2),
        "verify_s": round(verify_s, 2),
    }


def _all_entity_ids(store: Store) -> list[str]:
    with store._read_all() as connection:  # benchmark: every entity id, unscoped
        return [r[0] for r in connection.exec_driver_sql("SELECT id FROM nodes ORDER BY id")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--postgres", help="admin URL: also run on a throw-away PostgreSQL DB")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    with tempfile.TemporaryDirectory(prefix="ig-ledger-bench-") as temporary:
        workdir = Path(temporary)
        for backend in backends:
            print(f"{backend}: appending {args.leaves:,} leaves…", file=sys.stderr)
            store, name = fresh_store(backend, workdir, args.postgres)
            try:
                figures[backend] = bench_append_and_proofs(store, args.leaves)
                figures[backend].update(bench_checkpoint(store, workdir / backend))
            finally:
                store.close()
                drop(args.postgres, name)
            print(f"{backend}: exporting ~{args.statements:,} statements…", file=sys.stderr)
            store, name = fresh_store(backend, workdir, args.postgres)
            try:
                figures[backend].update(bench_export(store, workdir / backend, args.statements))
            finally:
                store.close()
                drop(args.postgres, name)
            print(json.dumps({backend: figures[backend]}, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
