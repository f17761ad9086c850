"""Smoke test: the graph benchmark runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from bench import graph_bench as gb
from intelgraph.ontology import default_ontology
from intelgraph.store import Store

ENTITIES, EDGES = 2_000, 6_000
NUMBER = r"(?:\d+(?:\.\d+)?|nan)"
RESULT = re.compile(
    rf"RESULT load_statements_per_s=\d+ one_hop_p95_ms={NUMBER} path3_p95_ms={NUMBER} "
    rf"search_p95_ms={NUMBER} ladybug_one_hop_p95_ms={NUMBER} ladybug_path3_p95_ms={NUMBER}"
)


@pytest.fixture(scope="module")
def graph() -> gb.Graph:
    return gb.generate(ENTITIES, EDGES, seed=7)


@pytest.fixture(scope="module")
def queries(graph: gb.Graph) -> gb.Queries:
    return gb.make_queries(graph, starts=60, pairs=30, names=30)


def test_generation_is_deterministic_and_skewed(graph: gb.Graph) -> None:
    again = gb.generate(ENTITIES, EDGES, seed=7)
    assert again.node_ids == graph.node_ids
    assert (again.edge_dst == graph.edge_dst).all()
    assert graph.statements == 2 * ENTITIES + 2 * EDGES
    assert not (graph.edge_src == graph.edge_dst).any()
    hub = graph.hubs[0]
    degree = int((graph.edge_src == hub).sum() + (graph.edge_dst == hub).sum())
    assert degree > 10 * (2 * EDGES / ENTITIES)  # the first hub is far above the mean
    assert set(graph.node_label.tolist()) == {0, 1, 2, 3}


def test_store_run_prints_result_line(
    tmp_path: Path, graph: gb.Graph, queries: gb.Queries, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'bench.db'}", default_ontology(), check_schema=False)
    store.upgrade()
    try:
        load = gb.load_store(store, graph, batch_size=5_000)
        ours = gb.measure_store(store, queries)
    finally:
        store.close()
    assert load.written.statements_new == graph.statements
    assert load.rate > 0
    assert load.size_bytes > 0
    assert ours.projection_edges == EDGES
    assert ours.projection_bytes > 0
    assert ours.one_hop.found > 0
    assert ours.one_hop.rows > 0
    assert ours.search.found > 0
    assert len(ours.path3.samples_ms) == 30
    assert all(s > 0 for s in ours.one_hop.samples_ms)

    line = gb.report(graph, load, ours, None)
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == line
    assert RESULT.fullmatch(line)
    assert line.endswith("ladybug_one_hop_p95_ms=nan ladybug_path3_p95_ms=nan")


def test_ladybug_gives_the_same_answers(
    tmp_path: Path, graph: gb.Graph, queries: gb.Queries
) -> None:
    pytest.importorskip("ladybug", reason="LadybugDB comes with the [bench] extra")
    store = Store(f"sqlite:///{tmp_path / 'bench.db'}", default_ontology(), check_schema=False)
    store.upgrade()
    try:
        load = gb.load_store(store, graph)
        ours = gb.measure_store(store, queries)
    finally:
        store.close()
    connection, csv_s, copy_s, size = gb.load_ladybug(graph, tmp_path / "ladybug")
    try:
        lb = gb.measure_ladybug(connection, queries, csv_s=csv_s, copy_s=copy_s, size_bytes=size)
    finally:
        connection.close()
    assert size > 0
    # Same graph, same label rule: the same rows and the same pairs with a path.
    assert lb.one_hop.rows == ours.one_hop.rows > 0
    assert lb.path3.found == ours.path3.found
    line = gb.result_line(load, ours, lb)
    assert RESULT.fullmatch(line)
    assert not math.isnan(lb.one_hop.pct(95))


def test_sqlite_insert_bench_prints_a_rate_per_layout(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import sqlite_insert_bench

    assert sqlite_insert_bench.main(["--rows", "2000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(sqlite_insert_bench.LAYOUTS)
    assert all(
        line.endswith("rows/s") and int(line.split()[-2].replace(",", "")) > 0 for line in lines
    )
