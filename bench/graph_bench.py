"""Graph benchmark: bulk load, 1-hop, 3-hop shortest path and search, against LadybugDB.

Run ``python bench/graph_bench.py`` (1,000,000 entities / 5,000,000 edges) or
``--small`` (100,000 / 500,000). The graph is generated deterministically from
``--seed``: Person and Company entities (a ``name`` and a ``country`` statement
each) and Ownership / Directorship / UnknownLink edges (``source`` and
``target`` property statements), with 1% of the nodes drawing ~30% of the edge
endpoints. Every generated row gets a record id, the SHA-256 of its canonical
bytes, computed while loading (so it is part of the load time).

The same graph, with the same labels, is then loaded into LadybugDB by
``COPY FROM`` CSV and the same 1-hop and 3-hop workloads run there with the
viewer's label rule in the ``WHERE`` clause. The last line printed is a
``RESULT key=value …`` line with numbers only (``nan`` for what was not run).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from intelgraph.model import Labels, Statement, ViewerScope, canonical_json, source_id
from intelgraph.ontology import default_ontology
from intelgraph.store import Store, WriteResult

IntArray = npt.NDArray[np.int64]

SMALL = (100_000, 500_000)
DEFAULT = (1_000_000, 5_000_000)
HUB_SHARE_OF_NODES = 0.01
HUB_SHARE_OF_ENDPOINTS = 0.30
COMPANY_SHARE = 0.4
T0 = datetime(2024, 1, 1, tzinfo=UTC)
OUT_DIR = Path(__file__).resolve().parent / "out"

# Label codes: (labels, classification, tenant) and how often each is drawn.
LABELS: tuple[Labels, ...] = (
    Labels(),
    Labels.make(classification="CONFIDENTIAL"),
    Labels.make(classification="SECRET", compartments=["FIN"]),
    Labels.make(tenant="acme"),
)
LABEL_WEIGHTS = (0.80, 0.08, 0.10, 0.02)
VIEWER = ViewerScope.make(tenant="default", clearance="CONFIDENTIAL")

NODE_SCHEMATA = ("Person", "Company")
# Edge types: (schema, source property, target property, target must be a Company).
EDGE_TYPES: tuple[tuple[str, str, str, bool], ...] = (
    ("Ownership", "owner", "asset", True),
    ("Directorship", "director", "organization", True),
    ("UnknownLink", "subject", "object", False),
)
EDGE_WEIGHTS = (0.4, 0.2, 0.4)
SOURCES = tuple(source_id("default", f"bench-registry-{i}") for i in range(4))


def _words(text: str) -> list[str]:
    return text.split()


_SYLLABLES = _words(
    "ka ro va li mon ter sa bel dor fin gal hu ix jo kel lum mar nor os pra "
    "qui ras sel tor ul ven wal xan yor zet an bri cor dan el fro gru han ist jul"
)
FIRST_NAMES = _words(
    "Anna Ben Carla David Elena Felix Greta Hugo Irina Jonas Karin Lars Maria Niko Olga "
    "Pavel Quinn Rosa Stefan Tanja Ugo Vera Walter Xenia Yusuf Zora Amir Bianca Chen Dmitri "
    "Eva Farid Gianni Hana Ivan Julia Kemal Lena Milan Nadia Omar Petra Rami Sofia Tomas "
    "Ulla Viktor Wanda Yara Zeno"
)
COMPANY_SUFFIXES = _words("Holdings Ltd GmbH Trading Capital Partners Group Invest SA AG")
COUNTRIES = _words("de fr gb us ru cn ch cy pa vg lu nl ae sg hk it es pl ua tr")
WORDS3 = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES]
WORDS2 = [a + b for a in _SYLLABLES for b in _SYLLABLES]


# -- generation ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Graph:
    """A generated graph: node and edge attributes as arrays, ids derived from the seed."""

    seed: int
    node_ids: list[str]
    is_company: npt.NDArray[np.bool_]
    name_a: IntArray
    name_b: IntArray
    country: IntArray
    node_label: IntArray
    hubs: IntArray
    edge_type: IntArray
    edge_src: IntArray
    edge_dst: IntArray
    edge_label: IntArray

    @property
    def entities(self) -> int:
        return len(self.node_ids)

    @property
    def edges(self) -> int:
        return len(self.edge_src)

    @property
    def statements(self) -> int:
        return 2 * self.entities + 2 * self.edges

    def name(self, i: int) -> str:
        word = WORDS3[int(self.name_b[i]) % len(WORDS3)].capitalize()
        if self.is_company[i]:
            a = int(self.name_a[i])
            suffix = COMPANY_SUFFIXES[(a // len(WORDS2)) % len(COMPANY_SUFFIXES)]
            return f"{word} {WORDS2[a % len(WORDS2)].capitalize()} {suffix}"
        return f"{FIRST_NAMES[int(self.name_a[i]) % len(FIRST_NAMES)]} {word}"

    def schema(self, i: int) -> str:
        return NODE_SCHEMATA[int(self.is_company[i])]

    def edge_id(self, j: int) -> str:
        """Deterministic edge id: hash of schema, endpoints and row number."""
        schema = EDGE_TYPES[int(self.edge_type[j])][0]
        key = f"{schema}|{self.node_ids[self.edge_src[j]]}|{self.node_ids[self.edge_dst[j]]}|{j}"
        return hashlib.sha256(key.encode()).hexdigest()[:40]

    def visible_nodes(self) -> IntArray:
        """Nodes the benchmark viewer may see (tenant default, clearance CONFIDENTIAL)."""
        return np.flatnonzero(self.node_label <= 1).astype(np.int64)


def _pick(rng: np.random.Generator, pool: IntArray, hub_pool: IntArray, size: int) -> IntArray:
    """Endpoints: mostly uniform over ``pool``, a share skewed over ``hub_pool``."""
    out = pool[rng.integers(0, len(pool), size)]
    to_hub = rng.random(size) < HUB_SHARE_OF_ENDPOINTS
    k = int(to_hub.sum())
    # u**2 puts more weight on the first hubs, so a few have thousands of edges.
    out[to_hub] = hub_pool[(len(hub_pool) * rng.random(k) ** 2).astype(np.int64)]
    return out


def generate(entities: int, edges: int, seed: int = 42) -> Graph:
    """Generate the graph deterministically from ``seed`` (ids, names, labels, endpoints)."""
    if entities < 2 or edges < 1:
        raise ValueError("need at least 2 entities and 1 edge")
    rng = np.random.default_rng(seed)
    is_company = rng.random(entities) < COMPANY_SHARE
    is_company[0] = True  # at least one company, the target of Ownership/Directorship
    node_ids = [
        hashlib.sha256(f"{NODE_SCHEMATA[int(c)]}|bench|{seed}|{i}".encode()).hexdigest()[:40]
        for i, c in enumerate(is_company.tolist())
    ]
    all_nodes = np.arange(entities, dtype=np.int64)
    companies = np.flatnonzero(is_company).astype(np.int64)
    hubs = rng.choice(entities, size=max(1, int(entities * HUB_SHARE_OF_NODES)), replace=False)
    hubs = hubs.astype(np.int64)
    company_hubs = hubs[is_company[hubs]]
    if len(company_hubs) == 0:
        company_hubs = companies[:1]
    edge_type = rng.choice(len(EDGE_TYPES), size=edges, p=EDGE_WEIGHTS).astype(np.int64)
    to_company = np.array([t[3] for t in EDGE_TYPES])[edge_type]
    src = _pick(rng, all_nodes, hubs, edges)
    dst = np.empty(edges, dtype=np.int64)
    dst[to_company] = _pick(rng, companies, company_hubs, int(to_company.sum()))
    dst[~to_company] = _pick(rng, all_nodes, hubs, int((~to_company).sum()))
    loops = np.flatnonzero(src == dst)
    while len(loops):  # no self-loops: redraw their sources uniformly
        src[loops] = rng.integers(0, entities, len(loops))
        loops = loops[src[loops] == dst[loops]]
    return Graph(
        seed=seed,
        node_ids=node_ids,
        is_company=is_company,
        name_a=rng.integers(0, 1 << 30, entities),
        name_b=rng.integers(0, 1 << 30, entities),
        country=rng.integers(0, len(COUNTRIES), entities),
        node_label=rng.choice(len(LABELS), size=entities, p=LABEL_WEIGHTS).astype(np.int64),
        hubs=hubs,
        edge_type=edge_type,
        edge_src=src,
        edge_dst=dst,
        edge_label=rng.choice(len(LABELS), size=edges, p=LABEL_WEIGHTS).astype(np.int64),
    )


def record_id(row: Sequence[str]) -> str:
    """Provenance hash of one source row: SHA-256 of its canonical bytes."""
    return hashlib.sha256(canonical_json(list(row))).hexdigest()


def statements(graph: Graph) -> Iterator[Statement]:
    """The graph as statements, nodes first, lazily (memory stays bounded)."""
    node_ids = graph.node_ids
    for i in range(graph.entities):
        schema, entity_id, name = graph.schema(i), node_ids[i], graph.name(i)
        country = COUNTRIES[int(graph.country[i])]
        src = SOURCES[i % len(SOURCES)]
        rec = record_id((schema, entity_id, name, country, src))
        labels = LABELS[int(graph.node_label[i])]
        yield Statement(entity_id, schema, "name", name, src, rec, labels, T0)
        yield Statement(entity_id, schema, "country", country, src, rec, labels, T0)
    for j in range(graph.edges):
        schema, source_prop, target_prop, _ = EDGE_TYPES[int(graph.edge_type[j])]
        edge_id = graph.edge_id(j)
        a, b = node_ids[graph.edge_src[j]], node_ids[graph.edge_dst[j]]
        src = SOURCES[j % len(SOURCES)]
        rec = record_id((schema, edge_id, a, b, src))
        labels = LABELS[int(graph.edge_label[j])]
        yield Statement(edge_id, schema, source_prop, a, src, rec, labels, T0)
        yield Statement(edge_id, schema, target_prop, b, src, rec, labels, T0)


# -- measuring helpers -----------------------------------------------------------


@dataclass(frozen=True)
class Latencies:
    """Per-call wall times of one workload, in milliseconds."""

    samples_ms: list[float]
    found: int = 0  # calls with a non-empty answer
    rows: int = 0  # rows returned in total

    def pct(self, q: float) -> float:
        if not self.samples_ms:
            return math.nan
        return float(np.percentile(np.asarray(self.samples_ms), q))


def timed(calls: Sequence[Any], run: Callable[[Any], int], warmup: int = 20) -> Latencies:
    """Run ``run(arg)`` for each arg (after ``warmup`` untimed calls); it returns a row count."""
    for arg in calls[:warmup]:
        run(arg)
    samples: list[float] = []
    found = rows = 0
    for arg in calls:
        start = time.perf_counter_ns()
        n = run(arg)
        samples.append((time.perf_counter_ns() - start) / 1e6)
        found += n > 0
        rows += n
    return Latencies(samples, found, rows)


@dataclass(frozen=True)
class Queries:
    """The workload: start nodes for 1-hop, pairs for paths, names for search."""

    starts: list[str]
    pairs: list[tuple[str, str]]
    names: list[str]


def make_queries(
    graph: Graph, *, starts: int = 2000, pairs: int = 500, names: int = 500
) -> Queries:
    """Deterministic queries over nodes the viewer may see; half the start nodes are hubs."""
    rng = np.random.default_rng(graph.seed + 1)
    visible = graph.visible_nodes()
    seen = np.zeros(graph.entities, dtype=np.bool_)
    seen[visible] = True
    hubs = graph.hubs[seen[graph.hubs]]
    if len(hubs) == 0:
        hubs = visible[:1]
    n_hubs = starts // 2
    start_idx = np.concatenate([rng.choice(hubs, n_hubs), rng.choice(visible, starts - n_hubs)])
    rng.shuffle(start_idx)
    pair_idx = rng.choice(visible, size=(pairs, 2))
    name_idx = rng.choice(visible, names)
    ids = graph.node_ids
    return Queries(
        starts=[ids[i] for i in start_idx.tolist()],
        pairs=[(ids[a], ids[b]) for a, b in pair_idx.tolist()],
        names=[graph.name(i) for i in name_idx.tolist()],
    )


# -- our store -------------------------------------------------------------------


@dataclass(frozen=True)
class LoadFigures:
    statements: int
    seconds: float
    size_bytes: int
    written: WriteResult = field(default_factory=WriteResult)

    @property
    def rate(self) -> float:
        return self.statements / self.seconds if self.seconds > 0 else math.nan


def _progress(total: int, started: float, every_s: float) -> Callable[[WriteResult], None]:
    state = {"done": 0, "last": started}

    def report(result: WriteResult) -> None:
        state["done"] += result.statements_new + result.statements_updated
        now = time.perf_counter()
        if now - state["last"] >= every_s:
            state["last"] = now
            done, elapsed = state["done"], now - started
            print(
                f"  loaded {done:,}/{total:,} statements "
                f"({done / elapsed:,.0f}/s, {elapsed:,.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    return report


def load_store(
    store: Store, graph: Graph, *, batch_size: int = 50_000, progress_every_s: float = 5.0
) -> LoadFigures:
    """Write the graph through ``store.bulk_write``; time includes hashing and id derivation."""
    started = time.perf_counter()
    written = store.bulk_write(
        statements(graph),
        batch_size=batch_size,
        progress=_progress(graph.statements, started, progress_every_s),
    )
    seconds = time.perf_counter() - started
    return LoadFigures(graph.statements, seconds, store.size_bytes(), written)


@dataclass(frozen=True)
class StoreFigures:
    projection_s: float
    projection_bytes: int
    projection_nodes: int
    projection_edges: int
    one_hop: Latencies
    path3: Latencies
    search: Latencies


def measure_store(store: Store, queries: Queries, scope: ViewerScope = VIEWER) -> StoreFigures:
    """Build the graph projection, then time 1-hop, 3-hop shortest path and search."""
    started = time.perf_counter()
    stats = store.graph_stats()
    projection_s = time.perf_counter() - started

    def one_hop(entity_id: str) -> int:
        return len(store.neighbors(scope, entity_id, limit=500).items)

    def path3(pair: tuple[str, str]) -> int:
        return len(store.paths(scope, pair[0], pair[1], max_hops=3, limit=1))

    def search(name: str) -> int:
        return len(store.search(scope, name, first=20).hits)

    return StoreFigures(
        projection_s=projection_s,
        projection_bytes=int(stats["bytes"]),
        projection_nodes=int(stats["nodes"]),
        projection_edges=int(stats["edge_rows"]),
        one_hop=timed(queries.starts, one_hop),
        path3=timed(queries.pairs, path3),
        search=timed(queries.names, search),
    )


# -- LadybugDB -------------------------------------------------------------------

LB_SCHEMA = (
    "CREATE NODE TABLE Node(id STRING PRIMARY KEY, schema STRING, name STRING, "
    "tenant STRING, cls INT64)",
    "CREATE REL TABLE Edge(FROM Node TO Node, id STRING, schema STRING, tenant STRING, cls INT64)",
)
_VISIBLE = "{x}.cls <= 1 AND {x}.tenant = 'default'"
LB_ONE_HOP = (
    "MATCH (a:Node {id: $id})-[e:Edge]-(b:Node) "
    f"WHERE {_VISIBLE.format(x='e')} AND {_VISIBLE.format(x='b')} "
    "RETURN e.id, e.schema, b.id LIMIT 500"
)
LB_PATH3 = (
    "MATCH p = (a:Node {id: $a})-[e:Edge* SHORTEST 1..3 "
    f"(r, n | WHERE {_VISIBLE.format(x='r')} AND {_VISIBLE.format(x='n')})]-"
    "(b:Node {id: $b}) RETURN properties(nodes(e), 'id'), properties(rels(e), 'id') LIMIT 1"
)


@dataclass(frozen=True)
class LadybugFigures:
    csv_s: float
    copy_s: float
    size_bytes: int
    one_hop: Latencies
    path3: Latencies


def write_csv(graph: Graph, folder: Path) -> tuple[Path, Path]:
    """Node and edge CSV files (no header) for ``COPY FROM``, with the same labels."""
    folder.mkdir(parents=True, exist_ok=True)
    nodes_csv, edges_csv = folder / "nodes.csv", folder / "edges.csv"
    tenant = [labels.tenant for labels in LABELS]
    cls = [labels.classification for labels in LABELS]
    ids = graph.node_ids
    with nodes_csv.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(
            (ids[i], graph.schema(i), graph.name(i), tenant[code], cls[code])
            for i, code in enumerate(graph.node_label.tolist())
        )
    with edges_csv.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(
            (ids[s], ids[d], graph.edge_id(j), EDGE_TYPES[t][0], tenant[code], cls[code])
            for j, (s, d, t, code) in enumerate(
                zip(
                    graph.edge_src.tolist(),
                    graph.edge_dst.tolist(),
                    graph.edge_type.tolist(),
                    graph.edge_label.tolist(),
                    strict=True,
                )
            )
        )
    return nodes_csv, edges_csv


def _folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def load_ladybug(graph: Graph, folder: Path) -> tuple[Any, float, float, int]:
    """Load the graph into LadybugDB under ``folder``: (connection, csv s, copy s, bytes)."""
    import ladybug  # imported here: only the [bench] extra installs it

    started = time.perf_counter()
    nodes_csv, edges_csv = write_csv(graph, folder / "csv")
    csv_s = time.perf_counter() - started
    db_path = folder / "ladybug.db"
    database = ladybug.Database(str(db_path))
    connection = ladybug.Connection(database)
    started = time.perf_counter()
    for ddl in LB_SCHEMA:
        connection.execute(ddl)
    connection.execute(f"COPY Node FROM '{nodes_csv.as_posix()}' (header=false)")
    connection.execute(f"COPY Edge FROM '{edges_csv.as_posix()}' (header=false)")
    connection.execute("CHECKPOINT")
    copy_s = time.perf_counter() - started
    return connection, csv_s, copy_s, _folder_bytes(db_path)


def measure_ladybug(
    connection: Any, queries: Queries, *, csv_s: float, copy_s: float, size_bytes: int
) -> LadybugFigures:
    """Time the same 1-hop and 3-hop workloads with the label rule in the query."""

    def one_hop(entity_id: str) -> int:
        return len(connection.execute(LB_ONE_HOP, {"id": entity_id}).get_all())

    def path3(pair: tuple[str, str]) -> int:
        return len(connection.execute(LB_PATH3, {"a": pair[0], "b": pair[1]}).get_all())

    return LadybugFigures(
        csv_s=csv_s,
        copy_s=copy_s,
        size_bytes=size_bytes,
        one_hop=timed(queries.starts, one_hop),
        path3=timed(queries.pairs, path3),
    )


# -- report ----------------------------------------------------------------------


def _ms(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.3f}"


def result_line(load: LoadFigures, ours: StoreFigures, lb: LadybugFigures | None) -> str:
    """The machine-readable last line: numbers only, ``nan`` for what was not measured."""
    lb_one = lb.one_hop.pct(95) if lb else math.nan
    lb_path = lb.path3.pct(95) if lb else math.nan
    return (
        f"RESULT load_statements_per_s={load.rate:.0f} "
        f"one_hop_p95_ms={_ms(ours.one_hop.pct(95))} "
        f"path3_p95_ms={_ms(ours.path3.pct(95))} "
        f"search_p95_ms={_ms(ours.search.pct(95))} "
        f"ladybug_one_hop_p95_ms={_ms(lb_one)} "
        f"ladybug_path3_p95_ms={_ms(lb_path)}"
    )


def _ratio(ours: float, theirs: float) -> str:
    if math.isnan(ours) or math.isnan(theirs) or theirs == 0:
        return "nan"
    return f"{ours / theirs:.2f}"


def report_rows(
    graph: Graph, load: LoadFigures, ours: StoreFigures, lb: LadybugFigures | None
) -> list[tuple[str, str, str]]:
    """(figure, IntelGraph, LadybugDB) rows for the summary table."""
    mb = 1024 * 1024
    na = "-"
    rows: list[tuple[str, str, str]] = [
        ("entities / edges", f"{graph.entities:,} / {graph.edges:,}", na),
        ("statements", f"{graph.statements:,}", na),
        ("load seconds", f"{load.seconds:,.1f}", f"{lb.copy_s:,.1f} (COPY)" if lb else na),
        ("load statements/s", f"{load.rate:,.0f}", na),
        ("CSV write seconds", na, f"{lb.csv_s:,.1f}" if lb else na),
        (
            "store size MB",
            f"{load.size_bytes / mb:,.1f}",
            f"{lb.size_bytes / mb:,.1f}" if lb else na,
        ),
        ("projection build s", f"{ours.projection_s:,.2f}", na),
        ("projection MB", f"{ours.projection_bytes / mb:,.1f}", na),
        (
            "projection nodes / edges",
            f"{ours.projection_nodes:,} / {ours.projection_edges:,}",
            na,
        ),
    ]
    for title, mine, theirs in (
        ("1-hop", ours.one_hop, lb.one_hop if lb else None),
        ("3-hop path", ours.path3, lb.path3 if lb else None),
    ):
        for q in (50, 95, 99):
            rows.append(
                (f"{title} p{q} ms", _ms(mine.pct(q)), _ms(theirs.pct(q)) if theirs else na)
            )
        rows.append(
            (
                f"{title} calls with rows / rows",
                f"{mine.found:,} / {mine.rows:,}",
                f"{theirs.found:,} / {theirs.rows:,}" if theirs else na,
            )
        )
        rows.append(
            (
                f"{title} p95 ratio ours/ladybug",
                _ratio(mine.pct(95), theirs.pct(95) if theirs else math.nan),
                na,
            )
        )
    for q in (50, 95, 99):
        rows.append((f"search p{q} ms", _ms(ours.search.pct(q)), na))
    rows.append(
        ("search calls with hits", f"{ours.search.found:,}/{len(ours.search.samples_ms):,}", na)
    )
    return rows


def report(graph: Graph, load: LoadFigures, ours: StoreFigures, lb: LadybugFigures | None) -> str:
    """Print the summary table, then the RESULT line last; returns the RESULT line."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="IntelGraph graph benchmark (viewer: tenant default, CONFIDENTIAL)")
    table.add_column("figure")
    table.add_column("IntelGraph", justify="right")
    table.add_column("LadybugDB", justify="right")
    for row in report_rows(graph, load, ours, lb):
        table.add_row(*row)
    Console(width=100).print(table)
    line = result_line(load, ours, lb)
    print(line, flush=True)
    return line


# -- command line ----------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="IntelGraph graph benchmark")
    parser.add_argument("--small", action="store_true", help="100k entities / 500k edges")
    parser.add_argument("--entities", type=int, help=f"entities (default {DEFAULT[0]:,})")
    parser.add_argument("--edges", type=int, help=f"edges (default {DEFAULT[1]:,})")
    parser.add_argument(
        "--database-url", help="store URL (default: a SQLite file in a temporary folder)"
    )
    parser.add_argument("--no-ladybug", action="store_true", help="skip the LadybugDB run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument(
        "--cache-mb", type=int, default=2048, help="SQLite page cache (IG_SQLITE_CACHE_MB)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    size = SMALL if args.small else DEFAULT
    entities = args.entities or size[0]
    edges = args.edges or size[1]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="graph-bench-", dir=OUT_DIR))
    url = args.database_url or f"sqlite:///{work / 'store.db'}"
    log = sys.stderr
    try:
        print(f"generating {entities:,} entities / {edges:,} edges (seed {args.seed})", file=log)
        started = time.perf_counter()
        graph = generate(entities, edges, args.seed)
        queries = make_queries(graph)
        print(f"  generated in {time.perf_counter() - started:.1f} s", file=log)
        print(f"loading {graph.statements:,} statements into the store", file=log, flush=True)
        store = Store(url, default_ontology(), check_schema=False, cache_mb=args.cache_mb)
        store.upgrade()
        try:
            load = load_store(store, graph, batch_size=args.batch_size)
            print(f"  {load.rate:,.0f} statements/s; measuring", file=log, flush=True)
            ours = measure_store(store, queries)
        finally:
            store.close()
        lb: LadybugFigures | None = None
        if not args.no_ladybug:
            print("loading LadybugDB (CSV + COPY FROM)", file=log, flush=True)
            connection, csv_s, copy_s, lb_bytes = load_ladybug(graph, work / "ladybug")
            print(f"  COPY took {copy_s:.1f} s; measuring", file=log, flush=True)
            lb = measure_ladybug(
                connection, queries, csv_s=csv_s, copy_s=copy_s, size_bytes=lb_bytes
            )
            connection.close()
        report(graph, load, ours, lb)
    finally:
        if args.keep:
            print(f"kept {work}", file=log)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
