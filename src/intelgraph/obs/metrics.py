"""Prometheus metrics (prometheus-client), one process-wide registry.

Ingest counts what every run did, per source, so an operator can alert on dead
letters and schema drift without reading run records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

INGEST_RECORDS = Counter(
    "intelgraph_ingest_records",
    "Records read by ingest runs, by outcome (loaded, skipped, dlq).",
    ["source", "outcome"],
    registry=REGISTRY,
)
INGEST_STATEMENTS = Counter(
    "intelgraph_ingest_statements_written",
    "New statements written by ingest runs.",
    ["source"],
    registry=REGISTRY,
)
INGEST_DRIFT = Counter(
    "intelgraph_ingest_schema_drift",
    "Schema drift seen by ingest runs against the source's previous run, by change.",
    ["source", "change"],
    registry=REGISTRY,
)
INGEST_RUNS = Counter(
    "intelgraph_ingest_runs",
    "Finished ingest runs, by status.",
    ["source", "status"],
    registry=REGISTRY,
)


GRAPHQL_OPERATIONS = Counter(
    "intelgraph_graphql_operations",
    "GraphQL operations, by transport and outcome (ok, or the first error code).",
    ["transport", "outcome"],
    registry=REGISTRY,
)
GRAPHQL_SECONDS = Histogram(
    "intelgraph_graphql_operation_seconds",
    "Time to answer a GraphQL operation over HTTP (after authentication).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
GRAPHQL_COST = Histogram(
    "intelgraph_graphql_operation_cost",
    "Estimated cost of GraphQL operations (the figure rate limits charge).",
    buckets=(1, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000),
    registry=REGISTRY,
)


def record_run(source: str, summary: Mapping[str, Any]) -> None:
    """Count a finished run's totals (a resumed run counts only once, when it ends)."""
    INGEST_RUNS.labels(source, summary["status"]).inc()
    INGEST_RECORDS.labels(source, "loaded").inc(summary["records_loaded"])
    INGEST_RECORDS.labels(source, "skipped").inc(summary["records_skipped"])
    INGEST_RECORDS.labels(source, "dlq").inc(summary["dlq"])
    INGEST_STATEMENTS.labels(source).inc(summary["statements_written"])
    for change in summary.get("drift", ()):
        INGEST_DRIFT.labels(source, change["change"]).inc()


def exposition() -> bytes:
    """The registry in the Prometheus text format (for ``/metrics``)."""
    return generate_latest(REGISTRY)


__all__ = [
    "GRAPHQL_COST",
    "GRAPHQL_OPERATIONS",
    "GRAPHQL_SECONDS",
    "INGEST_DRIFT",
    "REGISTRY",
    "exposition",
    "record_run",
]
