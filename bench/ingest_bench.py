"""Ingest throughput: a generated CSV end to end, the ATT&CK bundle, and NATS.

    python bench/ingest_bench.py                 # 1,000,000 rows on SQLite + ATT&CK + NATS
    python bench/ingest_bench.py --rows 100000 --postgres
    python bench/ingest_bench.py --only csv

The CSV rows are sub-KB records mapped to three entity types (Person, Company,
Address) and two edge types (Employment, Ownership), with provenance hashing,
DLQ checks and checkpoints as in production. The raw parse rate of the same
file (pyarrow's CSV reader) is printed beside it as the ceiling.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from intelgraph.ingest import IngestOptions, IngestPipeline, StixMapper
from intelgraph.ingest.connectors.files import FileInput
from intelgraph.ingest.mapping import parse_mapping
from intelgraph.model import Source
from intelgraph.ontology import default_ontology
from intelgraph.store import Store

REPO = Path(__file__).resolve().parents[1]
ATTACK = REPO.parent / "shared" / "data" / "mitre-attack" / "enterprise-attack.json.gz"
PG_ADMIN = os.environ.get("IG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CSV_TARGET_ROWS_PER_S = 100_000

MAPPING = """
source: {name: bench-csv}
queries:
  - entities:
      person:
        schema: Person
        keys: [person_id]
        properties:
          name: {column: person_name}
          email: {column: email}
          nationality: {column: country}
          addressEntity: {entity: address}
      company:
        schema: Company
        keys: [company_id]
        properties:
          name: {column: company_name}
          jurisdiction: {column: country}
          registrationNumber: {column: company_id}
      address:
        schema: Address
        keys: [street, city]
        properties:
          street: {column: street}
          city: {column: city}
          country: {column: country}
      job:
        schema: Employment
        keys: [person_id, company_id]
        properties:
          employee: {entity: person}
          employer: {entity: company}
          role: {column: role}
          startDate: {column: since}
      stake:
        schema: Ownership
        keys: [company_id, person_id, share]
        properties:
          owner: {entity: person}
          asset: {entity: company}
          percentage: {column: share}
"""
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus"]
CITIES = ["Berlin", "Paris", "Madrid", "Rome", "Vienna", "Prague", "Lisbon", "Dublin"]
COUNTRIES = ["de", "fr", "es", "it", "at", "cz", "pt", "ie"]
ROLES = ["director", "secretary", "engineer", "accountant", "founder"]


def generate_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Deterministic rows: people work for and own shares in companies at addresses."""
    rng = random.Random(seed)
    companies = max(rows // 10, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["person_id", "person_name", "email", "country", "street", "city", "company_id",
             "company_name", "role", "since", "share"]
        )  # fmt: skip
        for row in range(rows):
            person = rng.randrange(rows // 2 + 1)
            company = rng.randrange(companies)
            city = rng.randrange(len(CITIES))
            first, last = rng.choice(FIRST), rng.choice(LAST)
            writer.writerow(
                [
                    f"P{person:08d}",
                    f"{first} {last} {person}",
                    f"{first.lower()}.{person}@example.org",
                    COUNTRIES[city],
                    f"{rng.randrange(1, 300)} {rng.choice(LAST)}straße",
                    CITIES[city],
                    f"C{company:07d}",
                    f"{rng.choice(LAST)} {rng.choice(['GmbH', 'SA', 'Ltd', 'SRL'])} {company}",
                    rng.choice(ROLES),
                    f"{rng.randrange(1990, 2025)}-{rng.randrange(1, 13):02d}-01",
                    str(rng.randrange(1, 100)),
                ]
            )
            del row


def raw_parse_rate(path: Path) -> tuple[float, int]:
    """Rows/s of pyarrow's multi-threaded CSV reader on the same file (the ceiling)."""
    try:
        from pyarrow import csv as pacsv
    except ImportError:
        return 0.0, 0
    started = time.perf_counter()
    table = pacsv.read_csv(path)
    elapsed = time.perf_counter() - started
    return table.num_rows / elapsed, table.num_rows


def _fresh_store(url: str) -> Store:
    ontology = default_ontology()
    store = Store(url, ontology, check_schema=False)
    store.upgrade()
    return store


def _postgres_url() -> tuple[str, str]:
    import psycopg

    name = f"ig_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", name


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_csv(path: Path, url: str, label: str, batch_size: int) -> dict[str, float]:
    store = _fresh_store(url)
    mapping = parse_mapping(MAPPING, store.ontology)
    pipeline = IngestPipeline(
        store,
        Source(name="bench-csv"),
        mapping,
        connector="file",
        mapping_hash=mapping.hash,
        options=IngestOptions(batch_size=batch_size),
    )
    started = time.perf_counter()
    summary = pipeline.run([FileInput(path, "csv")])
    elapsed = time.perf_counter() - started
    store.close()
    data = summary.to_dict()
    rows = data["records_read"]
    size_mb = path.stat().st_size / 1e6
    out = {
        "rows": rows,
        "seconds": elapsed,
        "rows_per_s": rows / elapsed,
        "mb_per_s": size_mb / elapsed,
        "statements_per_s": data["statements_written"] / elapsed,
        "statements": data["statements_written"],
        "dlq": data["dlq"],
    }
    print(
        f"CSV {label}: {rows:,} rows in {elapsed:,.1f} s = {out['rows_per_s']:,.0f} rows/s, "
        f"{out['mb_per_s']:,.1f} MB/s, {out['statements_per_s']:,.0f} statements/s "
        f"({data['statements_written']:,} statements, dlq {data['dlq']})"
    )
    return out


def bench_attack(url: str) -> float | None:
    if not ATTACK.is_file():
        print(f"ATT&CK: skipped ({ATTACK} not found)")
        return None
    with gzip.open(ATTACK, "rt", encoding="utf-8") as handle:
        objects = len(json.load(handle)["objects"])
    store = _fresh_store(url)
    pipeline = IngestPipeline(
        store, Source(name="attack"), StixMapper(store.ontology), connector="file"
    )
    started = time.perf_counter()
    summary = pipeline.run([FileInput(ATTACK, "stix")])
    elapsed = time.perf_counter() - started
    store.close()
    data = summary.to_dict()
    print(
        f"ATT&CK: {data['records_read']:,} of {objects:,} objects in {elapsed:,.2f} s "
        f"({data['records_loaded']:,} loaded, {data['records_skipped']:,} markings, "
        f"{data['dlq']} dlq, {data['statements_written']:,} statements)"
    )
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--postgres", action="store_true", help="also run the CSV on PostgreSQL")
    parser.add_argument("--nats-events", type=int, default=200_000)
    parser.add_argument("--only", choices=["csv", "attack", "nats"], default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ig-ingest-bench-") as tmp:
        work = Path(tmp)
        result: dict[str, float] = {}
        if args.only in (None, "csv"):
            path = work / "rows.csv"
            generate_csv(path, args.rows)
            size_mb = path.stat().st_size / 1e6
            per_row = size_mb * 1e6 / args.rows
            print(f"generated {args.rows:,} rows, {size_mb:,.1f} MB ({per_row:,.0f} B/row)")
            parse_rate, parsed = raw_parse_rate(path)
            if parsed:
                mb_s = size_mb / (parsed / parse_rate)
                print(f"raw parse (pyarrow): {parse_rate:,.0f} rows/s, {mb_s:,.1f} MB/s")
            sqlite = bench_csv(path, f"sqlite:///{work / 'csv.db'}", "SQLite", args.batch_size)
            result["csv_sqlite_rows_per_s"] = sqlite["rows_per_s"]
            if parse_rate:
                print(f"ratio to raw parse: {sqlite['rows_per_s'] / parse_rate:.5f}")
            print(f"target: >= {CSV_TARGET_ROWS_PER_S:,} rows/s per worker on SQLite")
            if args.postgres:
                url, name = _postgres_url()
                try:
                    pg = bench_csv(path, url, "PostgreSQL", args.batch_size)
                    result["csv_postgres_rows_per_s"] = pg["rows_per_s"]
                finally:
                    _drop_postgres(name)
        if args.only in (None, "attack"):
            seconds = bench_attack(f"sqlite:///{work / 'attack.db'}")
            if seconds is not None:
                result["attack_seconds"] = seconds
        if args.only in (None, "nats"):
            try:
                from bench.nats_ingest import run_nats_bench
            except ImportError:
                sys.path.insert(0, str(REPO))
                from bench.nats_ingest import run_nats_bench
            figures = run_nats_bench(f"sqlite:///{work / 'nats.db'}", events=args.nats_events)
            result.update({f"nats_{k}": v for k, v in figures.items()})
        print("RESULT " + json.dumps({k: round(v, 3) for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
