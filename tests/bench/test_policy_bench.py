"""Smoke test: the policy benchmark runs end to end at a tiny size (no timing assertions)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from bench import graph_bench as gb
from bench import policy_bench as pb
from intelgraph.ontology import default_ontology
from intelgraph.store import Store, graph

DECISIONS, BATCH_DECISIONS, PAGES, STARTS = 40, 1_000, 2, 40
TINY = [
    "--entities=2000",
    "--edges=6000",
    "--seed=7",
    f"--decisions={DECISIONS}",
    f"--batch-decisions={BATCH_DECISIONS}",
    f"--pages={PAGES}",
    f"--starts={STARTS}",
    "--rounds=1",
    "--compile-calls=50",
]
NUMBER = r"-?(?:\d+(?:\.\d+)?|nan)"
KEYS = [
    "decide_per_s",
    "decide_p50_us",
    "decide_p95_us",
    "batch10_per_s",
    "batch100_per_s",
    "batch1000_per_s",
    "redact_page_p50_ms",
    "redact_page_p95_ms",
    "one_hop_unfiltered_p95_ms",
    "one_hop_filtered_p95_ms",
    "one_hop_guarded_p95_ms",
    "filtered_overhead_p50_pct",
    "filtered_overhead_p95_pct",
    "guarded_overhead_p50_pct",
    "guarded_overhead_p95_pct",
    "raw_one_hop_p95_ms",
    "mask_overhead_p50_pct",
    "mask_overhead_p95_pct",
    "mask_share_of_read_p50_pct",
    "mask_share_of_read_p95_pct",
    "compile_p50_us",
    "cedar_disagreements",
]
RESULT = re.compile("RESULT " + " ".join(f"{key}={NUMBER}" for key in KEYS))
RAW, ALL, VIEWER = pb.GRAPH_VARIANTS


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> pb.Figures:
    return pb.run(pb.parse_args(TINY), tmp_path_factory.mktemp("policy-bench"))


def test_main_prints_the_result_line_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        pb.main([*TINY, "--decisions=10", "--batch-decisions=100", f"--work-dir={tmp_path}"]) == 0
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert RESULT.fullmatch(last), last
    assert last.endswith(" cedar_disagreements=0")
    assert not list(tmp_path.iterdir())  # the scratch folder is removed


def test_cedar_agrees_with_the_compiled_scope(figures: pb.Figures) -> None:
    cedar = figures.cedar
    assert len(cedar.single.samples_ms) == len(cedar.cedarpy_call.samples_ms) == DECISIONS
    assert 0 < cedar.single.found < DECISIONS  # random rights: some allowed, some not
    assert cedar.cedarpy_call.found == cedar.single.found  # the bare call answers the same
    assert [t.size for t in cedar.batches] == list(pb.BATCH_SIZES)
    assert all(t.decisions == BATCH_DECISIONS for t in cedar.batches)
    assert cedar.compared == DECISIONS + len(pb.BATCH_SIZES) * BATCH_DECISIONS
    assert cedar.disagreements == 0


def test_redaction_withholds_without_and_shows_with_an_authority(figures: pb.Figures) -> None:
    redaction = figures.redaction
    assert redaction.properties == pb.PAGE * len(pb.PII)
    for run in (redaction.hidden, redaction.shown, redaction.guarded_page):
        assert len(run.samples_ms) == PAGES
        assert run.rows == PAGES * redaction.properties


def test_one_hop_variants_see_what_their_label_sets_allow(figures: pb.Figures) -> None:
    hop = figures.hop
    runs = hop.runs
    assert set(runs) == {*pb.STORE_VARIANTS, *pb.GRAPH_VARIANTS}
    assert all(len(run.samples_ms) == STARTS for run in runs.values())
    # Every label set of graph_bench: 3 in tenant default, 1 in acme (no scope sees both).
    assert hop.label_sets == len(gb.LABELS)
    assert hop.admitted["unfiltered"] == hop.label_sets - 1
    assert hop.admitted["filtered"] == hop.admitted["guarded"] == 2
    assert hop.admitted[ALL] == hop.admitted[RAW] == hop.label_sets
    assert hop.edge_share[RAW] == hop.edge_share[ALL] == 1.0
    assert hop.edge_share["unfiltered"] > hop.edge_share["filtered"] > 0
    # The unfiltered scope sees at least as much as the filtered one; the mask with every
    # label set admitted changes nothing against the raw adjacency.
    assert runs[RAW].rows == runs[ALL].rows >= runs["unfiltered"].rows
    assert runs["unfiltered"].rows > runs["filtered"].rows > 0
    assert runs["guarded"].rows == runs["filtered"].rows == runs[VIEWER].rows
    assert runs["guarded"].found == runs["filtered"].found == runs[VIEWER].found


def test_compile_step_and_report(figures: pb.Figures, capsys: pytest.CaptureFixture[str]) -> None:
    compiled = figures.compile
    assert len(compiled.scope_for.samples_ms) == len(compiled.compile_cached.samples_ms) == 50
    assert compiled.compile_cached.rows == 50 * 2  # the viewer's two label sets, every time
    assert compiled.masks_new.samples_ms  # some visible sets were new to the projection
    line = pb.report(figures)
    assert capsys.readouterr().out.strip().splitlines()[-1] == line
    assert RESULT.fullmatch(line)


def test_raw_neighbors_match_graph_neighbors_with_every_label_set(tmp_path: Path) -> None:
    g = gb.generate(500, 2_000, seed=3)
    store = Store(f"sqlite:///{tmp_path / 'raw.db'}", default_ontology(), check_schema=False)
    store.upgrade()
    try:
        gb.load_store(store, g, batch_size=2_000)
        store.graph_stats()
        index, every = store._graph, store._labels.all_ids()
        ids = index.node_id_list(np.arange(len(index.node_ids)))
        nid_of = {entity_id: nid for nid, entity_id in enumerate(ids) if entity_id}
        hubs = [nid_of[g.node_ids[h]] for h in g.hubs[:3].tolist()]
        for nid in [*hubs, *(nid_of[i] for i in g.node_ids[:30])]:
            for limit in (500, 3):
                expected, _ = graph.neighbors(index, every, nid, limit=limit)
                assert pb.raw_neighbors(index, nid, limit) == expected
        assert any(len(pb.raw_neighbors(index, h)) > 3 for h in hubs)
    finally:
        store.close()
