"""Policy benchmark: Cedar decisions/s, property redaction, and what the label filter
costs a 1-hop read.

Run ``python bench/policy_bench.py`` (graph of 100,000 entities / 500,000 edges,
``--small``) or ``--full`` (graph_bench's 1,000,000 / 5,000,000), or choose
``--entities``/``--edges``. Three parts:

1. **Cedar.** ``PolicyEngine.decide`` on Entity resources with random labels for
   random principals (one call per decision), ``decide_many`` in batches of 10,
   100 and 1,000, and ``AccessControl.check_properties`` on a page of 50 stored
   Person entities with four ``pii`` properties each (without an authority: all
   withheld; with one that covers them: all shown). Policies are parsed once,
   before anything is timed. Every decision on an Entity is compared with the
   compiled scope (``scope_for(request).can_see(labels)``): they must agree.
2. **1-hop.** graph_bench's graph, loader and start nodes; ``neighbors(limit=500)``
   for the same start nodes as (i) an *unfiltered* scope (the data's tenant, its
   highest classification, every compartment in it, ``purposes=None``), (ii) a *filtered*
   principal's compiled scope (graph_bench's viewer: tenant default, CONFIDENTIAL),
   (iii) the *guarded* path ``GuardedReads.neighbors(request, …)``, which compiles
   the scope from the principal on every call. The store always applies the
   label-set mask, so the same read is also timed on the projection itself:
   ``graph.neighbors`` with every label set admitted, with the viewer's, and a
   copy of it without the mask at all (raw adjacency). The variants are
   interleaved call by call, so background load hits them alike.
3. **Compile step.** ``scope_for`` and ``LabelRegistry.visible_ids`` alone (cached
   and for a scope never seen before), and the build of the adjacency masks for a
   visible set never seen before.

The last line printed is ``RESULT key=value …`` with numbers only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from intelgraph.access import AccessControl, Auditor, GuardedReads
from intelgraph.ledger.service import Ledger
from intelgraph.model import Entity, Labels, Statement, ViewerScope
from intelgraph.ontology import default_ontology
from intelgraph.policy import AccessRequest, Authority, PolicyEngine, Principal, scope_for
from intelgraph.policy.engine import shipped_schema
from intelgraph.policy.resources import Resource, context, principal_entity, resource_entities
from intelgraph.store import Store, graph
from intelgraph.store.adjacency import AdjacencyIndex
from intelgraph.store.results import Direction, Neighbor

try:
    from bench import graph_bench as gb
except ImportError:  # run as ``python bench/policy_bench.py``: its own folder is on the path
    import graph_bench as gb  # type: ignore[no-redef,import-not-found,unused-ignore]


BATCH_SIZES = (10, 100, 1000)
LIMIT = 500
PAGE = 50  # entities per redaction page
PII = ("email", "phone", "birthDate", "nationality")  # pii properties of Person
PURPOSE = "investigation"
_OUT = np.array(Direction.OUT, dtype=object)
_IN = np.array(Direction.IN, dtype=object)

# Random principals and resources for the Cedar part.
TENANTS = ("default", "acme")
COMPARTMENTS = ("FIN", "HUM", "SIG")
PURPOSES = ("investigation", "compliance", "research")
RESOURCE_POOL = 5_000
PRINCIPAL_POOL = 200


# -- random principals and resources ---------------------------------------------------


def _subset(rng: random.Random, names: Sequence[str], p: float) -> list[str]:
    return [name for name in names if rng.random() < p]


def random_labels(rng: random.Random) -> Labels:
    return Labels.make(
        tenant="default" if rng.random() < 0.8 else rng.choice(TENANTS),
        classification=rng.randint(0, 3),
        compartments=_subset(rng, COMPARTMENTS, 0.25),
        purposes=_subset(rng, PURPOSES, 0.2),
    )


def random_request(rng: random.Random, now: int, i: int) -> AccessRequest:
    """A principal with random rights; the purpose sent is its default or a random one
    (which it may not hold: then only purpose-neutral data is visible)."""
    principal = Principal.make(
        f"bench-{i}",
        "default" if rng.random() < 0.8 else rng.choice(TENANTS),
        rng.randint(0, 3),
        compartments=_subset(rng, COMPARTMENTS, 0.4),
        purposes=_subset(rng, PURPOSES, 0.5),
        auth_time=now,
    )
    purpose = rng.choice(PURPOSES) if rng.random() < 0.3 else None
    return AccessRequest(principal, purpose, None, now)


def entity_resources(rng: random.Random, count: int) -> list[Resource]:
    return [
        Resource("Entity", f"bench-entity-{i}", random_labels(rng), {"schema": "Person"})
        for i in range(count)
    ]


def expected(request: AccessRequest, resource: Resource) -> bool:
    """What the compiled scope says about an Entity (the differential test's rule)."""
    return scope_for(request).can_see(resource.labels)


# -- part 1: Cedar ----------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    """Batches of one size: per-batch wall times (ms) and the decisions they made."""

    size: int
    batch_ms: list[float]

    @property
    def decisions(self) -> int:
        return self.size * len(self.batch_ms)

    @property
    def per_s(self) -> float:
        total = sum(self.batch_ms) / 1000
        return self.decisions / total if total > 0 else float("nan")


@dataclass(frozen=True)
class CedarFigures:
    single: gb.Latencies  # found = decisions that allowed
    cedarpy_call: gb.Latencies  # the cedarpy call alone for the same single requests
    batches: list[Throughput]
    disagreements: int  # Cedar vs the compiled scope, over every Entity decision
    compared: int


def measure_cedar(
    engine: PolicyEngine, *, decisions: int, batch_decisions: int, seed: int
) -> CedarFigures:
    """Single ``decide`` calls, then ``decide_many`` batches; checks every answer against
    the compiled scope."""
    import cedarpy

    rng = random.Random(seed)
    now = int(time.time())
    requests = [random_request(rng, now, i) for i in range(PRINCIPAL_POOL)]
    pool = entity_resources(rng, RESOURCE_POOL)
    pairs = [(rng.choice(requests), rng.choice(pool)) for _ in range(decisions)]
    disagreements = compared = 0

    def one(pair: tuple[AccessRequest, Resource]) -> int:
        return int(engine.decide(pair[0], "read", pair[1]).allowed)

    single = gb.timed(pairs, one)
    for request, resource in pairs:  # untimed: the agreement check
        compared += 1
        disagreements += engine.decide(request, "read", resource).allowed != expected(
            request, resource
        )

    # The cedarpy call alone, for the same requests with their entities prepared
    # beforehand (the rest of ``decide`` is building those and reading the answer).
    policies = cedarpy.PolicySet.from_str(engine.text)
    schema = cedarpy.Schema.from_str(shipped_schema())
    prepared = [
        (
            [
                {
                    "principal": {"type": "User", "id": request.principal.id},
                    "action": {"type": "Action", "id": "read"},
                    "resource": resource.uid(),
                    "context": context(
                        request, engine.max_auth_age_seconds, engine.platform_tenant
                    ),
                }
            ],
            json.dumps([principal_entity(request.principal), *resource_entities(resource)]),
        )
        for request, resource in pairs
    ]

    def bare(item: tuple[list[dict[str, Any]], str]) -> int:
        return int(cedarpy.is_authorized_batch(item[0], policies, item[1], schema)[0].allowed)

    cedarpy_call = gb.timed(prepared, bare)

    batches = []
    for size in BATCH_SIZES:
        count = max(1, batch_decisions // size)
        work = [(rng.choice(requests), rng.sample(pool, size)) for _ in range(count)]
        engine.decide_many(work[0][0], "read", work[0][1])  # warm-up
        samples = []
        for request, resources in work:
            started = time.perf_counter_ns()
            answers = engine.decide_many(request, "read", resources)
            samples.append((time.perf_counter_ns() - started) / 1e6)
            for resource, answer in zip(resources, answers, strict=True):
                compared += 1
                disagreements += answer.allowed != expected(request, resource)
        batches.append(Throughput(size, samples))
    return CedarFigures(single, cedarpy_call, batches, disagreements, compared)


@dataclass(frozen=True)
class RedactionFigures:
    properties: int  # private properties on the page (Cedar resources per call)
    hidden: gb.Latencies  # no authority: rows = properties withheld
    shown: gb.Latencies  # an authority covering the page: rows = properties shown
    guarded_page: gb.Latencies  # GuardedReads.entities: store read + redaction


def pii_page(entities: int) -> list[Statement]:
    """``entities`` Person entities with a name and four ``pii`` properties each."""
    out: list[Statement] = []
    for i in range(entities):
        entity_id = f"bench-pii-{i:04d}"
        values = {
            "name": f"Pia Private {i}",
            "email": f"pia{i}@example.org",
            "phone": f"+4930{1000000 + i}",
            "birthDate": (date(1970, 1, 1) + timedelta(days=97 * i)).isoformat(),
            "nationality": gb.COUNTRIES[i % len(gb.COUNTRIES)],
        }
        for prop, value in values.items():
            out.append(
                Statement(
                    entity_id, "Person", prop, value, gb.SOURCES[0], "bench-pii", Labels(), gb.T0
                )
            )
    return out


def page_ids(entities: int) -> list[str]:
    return [f"bench-pii-{i:04d}" for i in range(entities)]


def measure_redaction(
    store: Store, control: AccessControl, reads: GuardedReads, *, pages: int
) -> RedactionFigures:
    """``check_properties`` on one page of stored entities, without and with an authority."""
    now = int(time.time())
    ids = page_ids(PAGE)
    principal = Principal.make("bench-analyst", "default", "CONFIDENTIAL", purposes=[PURPOSE])
    plain = AccessRequest(principal, PURPOSE, None, now)
    warrant = Authority(
        id="bench-warrant",
        tenant="default",
        kind="warrant",
        issuer="bench court",
        reference="1/26",
        purposes=frozenset({PURPOSE}),
        entities=frozenset(ids),
        not_before=now - 60,
        expires=now + 86_400,
    )
    covered = AccessRequest(principal, PURPOSE, warrant, now)
    found = store.entities(scope_for(plain), ids)
    page: list[Entity] = [found[i] for i in ids]
    properties = sum(len(set(PII) & set(e.properties)) for e in page)
    calls = list(range(pages))

    def hidden(_: int) -> int:
        check = control.check_properties(plain, page)
        return sum(len(v) for v in check.hidden.values())

    def shown(_: int) -> int:
        check = control.check_properties(covered, page)
        return sum(len(v) for v in check.shown.values())

    def guarded(_: int) -> int:
        read = reads.entities(plain, ids)  # nothing shown, nothing missing: no audit
        return sum(len(e.redactions) for e in read.values())

    warm = min(3, pages)
    return RedactionFigures(
        properties,
        gb.timed(calls, hidden, warmup=warm),
        gb.timed(calls, shown, warmup=warm),
        gb.timed(calls, guarded, warmup=warm),
    )


# -- part 2: 1-hop with and without the label filter ------------------------------------


def unfiltered_scope() -> ViewerScope:
    """Sees every label set of the data's tenant: its highest classification, every
    compartment, no purpose rule. (No scope sees another tenant: graph_bench's 2% ``acme`` rows
    stay hidden, see ``graph.neighbors`` with all label sets for that.)"""
    mine = [labels for labels in gb.LABELS if labels.tenant == "default"]
    return ViewerScope.make(
        tenant="default",
        clearance=max(labels.classification for labels in mine),
        compartments=set().union(*(labels.compartments for labels in mine)),
        purposes=None,
    )


VIEWER_PRINCIPAL = Principal.make("bench-viewer", "default", "CONFIDENTIAL")


def raw_neighbors(index: AdjacencyIndex, nid: int, limit: int = LIMIT) -> list[Neighbor]:
    """``graph.neighbors`` without the label-set mask (no ``masks``/``expand``): both
    directions' CSR slices, then the same de-duplication, paging and id building."""
    frontier = np.array([nid], dtype=np.int64)
    _, out_edges, out_other, _ = index.edges_of(frontier, True)
    _, in_edges, in_other, _ = index.edges_of(frontier, False)
    edge_index = np.concatenate([out_edges, in_edges])
    other = np.concatenate([out_other, in_other])
    outgoing = np.concatenate(
        [np.ones(len(out_edges), dtype=np.bool_), np.zeros(len(in_edges), dtype=np.bool_)]
    )
    keys = index.e_nid.view[edge_index] * 2 + (~outgoing).astype(np.int64)
    keys, first = np.unique(keys, return_index=True)
    shown = first[:limit]
    chosen = edge_index[shown]
    edge_ids = index.node_id_list(index.e_nid.view[chosen])
    other_ids = index.node_id_list(other[shown])
    schemata = np.asarray(index.schema_names, dtype=object)[index.e_schema.view[chosen]]
    directions = np.where(outgoing[shown], _OUT, _IN)
    return list(map(Neighbor, edge_ids, schemata.tolist(), directions.tolist(), other_ids))


def timed_interleaved(
    calls: Sequence[Any], runs: dict[str, Callable[[Any], int]], *, rounds: int, warmup: int = 20
) -> dict[str, gb.Latencies]:
    """Like ``graph_bench.timed`` for several variants at once: for every call each
    variant runs once, in an order rotated call by call, so drifts in background load
    touch every variant alike."""
    names = list(runs)
    for arg in calls[:warmup]:
        for name in names:
            runs[name](arg)
    samples: dict[str, list[float]] = {name: [] for name in names}
    found = dict.fromkeys(names, 0)
    rows = dict.fromkeys(names, 0)
    for step, arg in enumerate(itertools.chain.from_iterable(itertools.repeat(calls, rounds))):
        shift = step % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter_ns()
            n = runs[name](arg)
            samples[name].append((time.perf_counter_ns() - started) / 1e6)
            found[name] += n > 0
            rows[name] += n
    return {name: gb.Latencies(samples[name], found[name], rows[name]) for name in names}


@dataclass(frozen=True)
class HopFigures:
    label_sets: int  # label sets in the store
    admitted: dict[str, int]  # label sets each variant admits
    edge_share: dict[str, float]  # share of edge rows each variant may traverse
    runs: dict[str, gb.Latencies]
    calls: int


STORE_VARIANTS = ("unfiltered", "filtered", "guarded")
GRAPH_VARIANTS = ("graph: raw, no mask", "graph: all label sets", "graph: viewer's label sets")


def measure_one_hop(
    store: Store, reads: GuardedReads, starts: Sequence[str], *, rounds: int
) -> HopFigures:
    everything = unfiltered_scope()
    request = AccessRequest(VIEWER_PRINCIPAL)
    compiled = scope_for(request)
    # The store's own registry and projection: the graph-level variants bypass the
    # connection, version check and id lookup of ``Store.neighbors``.
    registry, index = store._labels, store._graph
    store.graph_stats()  # build the projection (untimed)
    all_ids = registry.all_ids()
    viewer_ids = registry.visible_ids(compiled)
    everything_ids = registry.visible_ids(everything)
    known = set(starts)
    nid_of = {
        entity_id: nid
        for nid, entity_id in enumerate(index.node_id_list(np.arange(len(index.node_ids))))
        if entity_id in known
    }

    runs: dict[str, Callable[[str], int]] = {
        "unfiltered": lambda e: len(store.neighbors(everything, e, limit=LIMIT).items),
        "filtered": lambda e: len(store.neighbors(compiled, e, limit=LIMIT).items),
        "guarded": lambda e: len(reads.neighbors(request, e, limit=LIMIT).items),
        GRAPH_VARIANTS[0]: lambda e: len(raw_neighbors(index, nid_of[e])),
        GRAPH_VARIANTS[1]: lambda e: len(
            graph.neighbors(index, all_ids, nid_of[e], limit=LIMIT)[0]
        ),
        GRAPH_VARIANTS[2]: lambda e: len(
            graph.neighbors(index, viewer_ids, nid_of[e], limit=LIMIT)[0]
        ),
    }
    masks = {
        "unfiltered": everything_ids,
        "filtered": viewer_ids,
        "guarded": viewer_ids,
        GRAPH_VARIANTS[1]: all_ids,
        GRAPH_VARIANTS[2]: viewer_ids,
    }
    src, dst, labels = index.e_src.view, index.e_dst.view, index.e_label.view
    share: dict[str, float] = {GRAPH_VARIANTS[0]: 1.0}
    for name, ids in masks.items():
        label_mask, node_mask = index.masks(ids)
        visible = label_mask[labels] & node_mask[src] & node_mask[dst]
        share[name] = float(visible.mean()) if len(visible) else float("nan")
    admitted = {name: len(ids) for name, ids in masks.items()}
    admitted[GRAPH_VARIANTS[0]] = len(all_ids)
    return HopFigures(
        label_sets=len(all_ids),
        admitted=admitted,
        edge_share=share,
        runs=timed_interleaved(starts, runs, rounds=rounds),
        calls=len(starts) * rounds,
    )


# -- part 3: the compile step -----------------------------------------------------------


@dataclass(frozen=True)
class CompileFigures:
    scope_for: gb.Latencies
    compile_cached: gb.Latencies  # scope_for + visible_ids, as every guarded read does
    visible_ids_new: gb.Latencies  # visible_ids for a scope never seen (cache miss)
    masks_new: gb.Latencies  # adjacency masks for a visible set never seen


def measure_compile(store: Store, *, calls: int) -> CompileFigures:
    registry, index = store._labels, store._graph
    request = AccessRequest(VIEWER_PRINCIPAL)
    repeat = list(range(calls))

    def compile_once(_: int) -> int:
        return len(registry.visible_ids(scope_for(request)))

    # A purpose no label set carries: every scope is new to the cache, the answer the same.
    fresh = [
        ViewerScope("default", 1, frozenset(), frozenset({f"bench-purpose-{i}"}))
        for i in range(calls)
    ]
    # Visible sets the projection has no masks for yet: subsets of all label sets.
    all_ids = sorted(registry.all_ids())
    subsets = [
        frozenset(c)
        for k in range(1, len(all_ids))
        for c in itertools.combinations(all_ids, k)
        if frozenset(c) not in index._masks
    ][:200]
    return CompileFigures(
        scope_for=gb.timed(repeat, lambda _: int(scope_for(request).clearance >= 0)),
        compile_cached=gb.timed(repeat, compile_once),
        visible_ids_new=gb.timed(fresh, lambda s: len(registry.visible_ids(s)), warmup=0),
        masks_new=gb.timed(subsets, lambda v: int(index.masks(v)[1].sum()), warmup=0),
    )


# -- report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    entities: int
    edges: int
    load_s: float
    cedar: CedarFigures
    redaction: RedactionFigures
    hop: HopFigures
    compile: CompileFigures


def _num(value: float, digits: int = 3) -> str:
    return "nan" if math.isnan(value) else f"{value:.{digits}f}"


def overhead(hop: HopFigures, name: str, base: str, q: float) -> float:
    """How much slower ``name`` is than ``base`` at percentile ``q``, in percent."""
    reference = hop.runs[base].pct(q)
    return (hop.runs[name].pct(q) / reference - 1) * 100 if reference > 0 else math.nan


def mask_share(hop: HopFigures, q: float) -> float:
    """The mask step (graph read with every label set admitted minus the raw read) as a
    percentage of the store's unfiltered 1-hop read, at percentile ``q``."""
    reference = hop.runs["unfiltered"].pct(q)
    masked, raw = (hop.runs[name].pct(q) for name in GRAPH_VARIANTS[:2][::-1])
    return (masked - raw) / reference * 100 if reference > 0 else math.nan


def result_line(f: Figures) -> str:
    """The machine-readable last line: numbers only (``nan`` where nothing was timed)."""
    single, runs, hop = f.cedar.single, f.hop.runs, f.hop
    raw, masked = GRAPH_VARIANTS[0], GRAPH_VARIANTS[1]
    values: dict[str, str] = {
        "decide_per_s": f"{_per_s(single):.0f}",
        "decide_p50_us": _num(single.pct(50) * 1000, 1),
        "decide_p95_us": _num(single.pct(95) * 1000, 1),
        **{f"batch{t.size}_per_s": f"{t.per_s:.0f}" for t in f.cedar.batches},
        "redact_page_p50_ms": _num(f.redaction.hidden.pct(50)),
        "redact_page_p95_ms": _num(f.redaction.hidden.pct(95)),
        "one_hop_unfiltered_p95_ms": _num(runs["unfiltered"].pct(95)),
        "one_hop_filtered_p95_ms": _num(runs["filtered"].pct(95)),
        "one_hop_guarded_p95_ms": _num(runs["guarded"].pct(95)),
        "filtered_overhead_p50_pct": _num(overhead(hop, "filtered", "unfiltered", 50), 1),
        "filtered_overhead_p95_pct": _num(overhead(hop, "filtered", "unfiltered", 95), 1),
        "guarded_overhead_p50_pct": _num(overhead(hop, "guarded", "unfiltered", 50), 1),
        "guarded_overhead_p95_pct": _num(overhead(hop, "guarded", "unfiltered", 95), 1),
        "raw_one_hop_p95_ms": _num(runs[raw].pct(95)),
        "mask_overhead_p50_pct": _num(overhead(hop, masked, raw, 50), 1),
        "mask_overhead_p95_pct": _num(overhead(hop, masked, raw, 95), 1),
        "mask_share_of_read_p50_pct": _num(mask_share(hop, 50), 1),
        "mask_share_of_read_p95_pct": _num(mask_share(hop, 95), 1),
        "compile_p50_us": _num(f.compile.compile_cached.pct(50) * 1000, 2),
        "cedar_disagreements": str(f.cedar.disagreements),
    }
    return "RESULT " + " ".join(f"{key}={value}" for key, value in values.items())


def _per_s(lat: gb.Latencies) -> float:
    total = sum(lat.samples_ms) / 1000
    return len(lat.samples_ms) / total if total > 0 else math.nan


def report_rows(f: Figures) -> list[tuple[str, str]]:
    c, r, h, k = f.cedar, f.redaction, f.hop, f.compile
    single = c.single
    rows: list[tuple[str, str]] = [
        ("graph entities / edges", f"{f.entities:,} / {f.edges:,} (loaded in {f.load_s:,.1f} s)"),
        (
            "decide: calls / allowed",
            f"{len(single.samples_ms):,} / {single.found:,}",
        ),
        ("decide: decisions/s", f"{_per_s(single):,.0f}"),
        (
            "decide: p50 / p95 / p99 µs",
            " / ".join(f"{single.pct(q) * 1000:,.0f}" for q in (50, 95, 99)),
        ),
        (
            "  of which the cedarpy call: p50 / p95 µs",
            " / ".join(f"{c.cedarpy_call.pct(q) * 1000:,.0f}" for q in (50, 95)),
        ),
    ]
    for t in c.batches:
        per_batch = gb.Latencies(t.batch_ms)
        rows.append(
            (
                f"decide_many x{t.size}: decisions/s (batch p50 ms)",
                f"{t.per_s:,.0f} ({per_batch.pct(50):,.2f})",
            )
        )
    rows.append(("Cedar vs compiled scope: disagreements", f"{c.disagreements} of {c.compared:,}"))
    for title, lat, verb in (
        (f"check_properties, {PAGE} entities, no authority", r.hidden, "withheld"),
        (f"check_properties, {PAGE} entities, authority", r.shown, "shown"),
        (f"GuardedReads.entities, {PAGE} ids (read + redact)", r.guarded_page, "withheld"),
    ):
        per_call = lat.rows // len(lat.samples_ms) if lat.samples_ms else 0
        rows.append(
            (
                f"{title}: p50 / p95 ms (pii {verb})",
                f"{lat.pct(50):,.2f} / {lat.pct(95):,.2f} ({per_call} of {r.properties})",
            )
        )
    rows.append(("label sets in the store", f"{h.label_sets}"))
    for name in (*STORE_VARIANTS, *GRAPH_VARIANTS):
        lat = h.runs[name]
        rows.append(
            (
                f"1-hop {name}: p50 / p95 / p99 ms",
                " / ".join(_num(lat.pct(q)) for q in (50, 95, 99)),
            )
        )
        rows.append(
            (
                "  label sets admitted, edges traversable, calls with rows / rows",
                f"{h.admitted[name]}, {h.edge_share[name]:.1%}, {lat.found:,} / {lat.rows:,}",
            )
        )
    for name, base in (
        ("filtered", "unfiltered"),
        ("guarded", "unfiltered"),
        (GRAPH_VARIANTS[1], GRAPH_VARIANTS[0]),
        (GRAPH_VARIANTS[2], GRAPH_VARIANTS[0]),
        ("unfiltered", GRAPH_VARIANTS[1]),
    ):
        p50, p95 = (_num(overhead(h, name, base, q), 1) for q in (50, 95))
        rows.append((f"overhead {name} over {base}: p50 / p95", f"{p50}% / {p95}%"))
    p50, p95 = (_num(mask_share(h, q), 1) for q in (50, 95))
    rows.append(
        ("mask step as a share of the unfiltered store read: p50 / p95", f"{p50}% / {p95}%")
    )
    for title, lat in (
        ("scope_for", k.scope_for),
        ("scope_for + visible_ids (cached)", k.compile_cached),
        ("visible_ids, new scope", k.visible_ids_new),
    ):
        rows.append(
            (f"{title}: p50 / p95 µs", f"{lat.pct(50) * 1000:,.2f} / {lat.pct(95) * 1000:,.2f}")
        )
    rows.append(
        (
            f"adjacency masks, new visible set ({len(k.masks_new.samples_ms)}): p50 / max ms",
            f"{k.masks_new.pct(50):,.2f} / {k.masks_new.pct(100):,.2f}",
        )
    )
    return rows


def report(f: Figures) -> str:
    """Print the table, then the RESULT line last; returns the RESULT line."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="IntelGraph policy benchmark (viewer: tenant default, CONFIDENTIAL)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for row in report_rows(f):
        table.add_row(*row)
    Console(width=120).print(table)
    line = result_line(f)
    print(line, flush=True)
    return line


# -- command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="IntelGraph policy benchmark")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--small", action="store_true", help="100k entities / 500k edges (default)")
    size.add_argument("--full", action="store_true", help="1M entities / 5M edges")
    parser.add_argument("--entities", type=int, help=f"entities (default {gb.SMALL[0]:,})")
    parser.add_argument("--edges", type=int, help=f"edges (default {gb.SMALL[1]:,})")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--decisions", type=int, default=5_000, help="single decide calls")
    parser.add_argument(
        "--batch-decisions", type=int, default=20_000, help="decisions per batch size"
    )
    parser.add_argument("--pages", type=int, default=100, help="redaction pages per variant")
    parser.add_argument("--starts", type=int, default=2_000, help="1-hop start nodes")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the start nodes")
    parser.add_argument("--compile-calls", type=int, default=10_000)
    parser.add_argument("--database-url", help="store URL (default: a SQLite file in --work-dir)")
    parser.add_argument("--work-dir", type=Path, help="scratch folder (default: under bench/out)")
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--cache-mb", type=int, default=2048)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, work: Path) -> Figures:
    log = sys.stderr
    size = gb.DEFAULT if args.full else gb.SMALL
    entities, edges = args.entities or size[0], args.edges or size[1]
    engine = PolicyEngine.load()  # parsed once, outside every timed loop
    print(f"Cedar: {args.decisions:,} single decisions, batches", file=log, flush=True)
    cedar = measure_cedar(
        engine, decisions=args.decisions, batch_decisions=args.batch_decisions, seed=args.seed
    )
    print(f"generating {entities:,} entities / {edges:,} edges", file=log, flush=True)
    g = gb.generate(entities, edges, args.seed)
    starts = gb.make_queries(g, starts=args.starts, pairs=0, names=0).starts
    url = args.database_url or f"sqlite:///{work / 'store.db'}"
    store = Store(url, default_ontology(), check_schema=False, cache_mb=args.cache_mb)
    store.upgrade()
    try:
        print(f"loading {g.statements:,} statements", file=log, flush=True)
        load = gb.load_store(store, g, batch_size=args.batch_size)
        store.write(pii_page(PAGE))
        control = AccessControl(
            store, engine, Auditor(Ledger(store, work / "ledger")), platform_tenant="default"
        )
        reads = GuardedReads(store, control)
        print("redaction", file=log, flush=True)
        redaction = measure_redaction(store, control, reads, pages=args.pages)
        print("1-hop", file=log, flush=True)
        hop = measure_one_hop(store, reads, starts, rounds=args.rounds)
        print("compile step", file=log, flush=True)
        compiled = measure_compile(store, calls=args.compile_calls)
    finally:
        store.close()
    return Figures(entities, edges, load.seconds, cedar, redaction, hop, compiled)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.work_dir is not None:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="policy-bench-", dir=args.work_dir))
    else:
        gb.OUT_DIR.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="policy-bench-", dir=gb.OUT_DIR))
    try:
        report(run(args, work))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
