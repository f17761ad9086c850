"""Restart safety: an ingest killed with SIGKILL at any point resumes from its checkpoint
with no lost and no duplicated statement, on both backends.

Every kill is followed, before resuming, by an integrity check (SQLite's own checks,
orphans, duplicates, a projection out of step with its statements) and an exact
comparison with an uninterrupted reference load cut at the stored checkpoint:
statements, records, dead letters, run totals and field profile. The machinery is
shared with ``bench/ingest_soak.py``, which runs the same loop for hundreds of kills.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bench import ingest_soak as soak
from intelgraph.ingest import RawRecord
from intelgraph.ingest.connectors.files import FileInput

KILLS = {"sqlite": 50, "postgresql": 20}
SEED = 20261129


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_stores(request: pytest.FixtureRequest, tmp_path: Path) -> soak.StoreFactory:
    """Empty migrated stores on demand: new SQLite files, or the session's PostgreSQL
    database emptied (skipped without a server, mandatory in CI, as everywhere)."""
    if request.param == "sqlite":
        return soak.SqliteStores(tmp_path)
    return soak.PostgresStores(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> soak.Scenario:
    """2,000 records in batches of 20: long enough for most kills to land mid-run."""
    path = tmp_path_factory.mktemp("kill-resume") / "owners.csv"
    return soak.Scenario(path, soak.write_input(path, 2000, seed=7), batch_size=20)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> soak.Scenario:
    """310 records in batches of 25: twelve full batches and a last one of ten."""
    path = tmp_path_factory.mktemp("kill-resume-small") / "owners.csv"
    return soak.Scenario(path, soak.write_input(path, 310, seed=11), batch_size=25)


@pytest.fixture(scope="module")
def references() -> dict[str, soak.Reference]:
    """Reference loads of the small input, one per backend, made once for this module."""
    return {}


@pytest.fixture
def small_ref(
    fresh_stores: soak.StoreFactory, small: soak.Scenario, references: dict[str, soak.Reference]
) -> soak.Reference:
    if fresh_stores.backend not in references:
        references[fresh_stores.backend] = soak.build_reference(fresh_stores(), small)
    return references[fresh_stores.backend]


def test_the_input_exercises_statements_skips_and_every_kind_of_dead_letter(
    small_ref: soak.Reference,
) -> None:
    ref = small_ref
    stats = ref.final.runs[0].stats
    reasons = [reason for _, reason, _ in ref.final.letters]
    assert stats["records_read"] == 310
    assert stats["records_skipped"] == 1  # the empty row
    assert stats["records_loaded"] + stats["records_skipped"] + stats["dlq"] == 310
    assert any("does not match the date format" in r for r in reasons)
    assert any("percentage" in r for r in reasons)
    assert any("fields, the header has" in r for r in reasons)
    assert any("has no value for required owner" in r for r in reasons)
    assert stats["statements_written"] == len(ref.final.statements) > 2000
    assert {schema for _, schema, *_ in ref.final.entities} == {"Person", "Company", "Ownership"}
    assert len(ref.final.edges) == sum(1 for e in ref.final.entities if e[4]) > 250
    # Companies are shared by many rows, so later batches update earlier entity rows.
    assert stats["entities"]["Company"][1] > 0
    assert sorted(ref.progress) == [*range(25, 301, 25), 310]


def test_sigkill_at_random_points_resumes_with_nothing_lost_or_duplicated(
    fresh_stores: soak.StoreFactory, large: soak.Scenario
) -> None:
    quota = KILLS[fresh_stores.backend]
    report = soak.soak(fresh_stores, large, kills=quota, seed=SEED)
    summary = "\n".join(report.lines())
    print(summary)  # shown with -s, and on failure
    assert report.mismatches == [], summary
    assert report.failed == 0
    assert report.kills >= quota
    assert report.partial > 0, summary  # some kills left the input half loaded
    assert report.cycles >= 1


@pytest.mark.parametrize(
    ("plan", "checkpoint", "has_run"),
    [
        pytest.param(soak.KillPlan("commit", 0), None, False, id="at-first-commit"),
        pytest.param(soak.KillPlan("committed", 0), None, False, id="after-first-commit"),
        pytest.param(soak.KillPlan("batch", 3), 75, True, id="after-batch-3"),
        pytest.param(soak.KillPlan("commit", 3), 75, True, id="at-commit-of-batch-4"),
        pytest.param(soak.KillPlan("committed", 3), 100, True, id="just-after-batch-4-commits"),
        pytest.param(soak.KillPlan("batch", 13), 310, True, id="after-last-batch"),
        pytest.param(soak.KillPlan("commit", 13), 310, True, id="at-commit-of-finish"),
    ],
)
def test_sigkill_at_exact_points_resumes_exactly(
    fresh_stores: soak.StoreFactory,
    small: soak.Scenario,
    small_ref: soak.Reference,
    plan: soak.KillPlan,
    checkpoint: int | None,
    has_run: bool,
) -> None:
    """The moments on either side of a commit, hit on purpose rather than by chance."""
    ref = small_ref
    url = fresh_stores()
    child = soak.run_child(url, small, plan, delay=120.0)
    assert child.killed, child
    assert soak.wait_for_children(url)
    killed = soak.read_snapshot(url)
    assert soak.checkpoint_problems(killed, ref) == []
    assert bool(killed.runs) is has_run
    stored = [c.records for c in killed.checkpoints]
    assert stored == ([checkpoint] if checkpoint is not None else [])
    if has_run:
        assert killed.runs[0].status == "running"
        assert killed.runs[0].stats.get("records_read", 0) == (checkpoint or 0)
    summary = soak.ingest(url, small)
    assert summary.status == "completed"
    assert summary.resumed is has_run
    assert soak.final_problems(soak.read_snapshot(url), ref, summary.to_dict(), has_run) == []


@dataclass(frozen=True)
class DroppingInput:
    """A file whose connection drops after ``fail_after`` records (not at a batch end)."""

    inner: FileInput
    fail_after: int

    @property
    def uri(self) -> str:
        return self.inner.uri

    @property
    def format(self) -> str:
        return self.inner.format

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    @property
    def observed_at(self) -> datetime:
        return self.inner.observed_at

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        for count, record in enumerate(self.inner.read(cursor), start=1):
            if count > self.fail_after:
                raise OSError("connection reset by the source")
            yield record


class Stop(Exception):
    """Raised by a progress callback."""


def _raise_after(batches: int, error: BaseException) -> Callable[[str, int], None]:
    seen = [0]

    def progress(_uri: str, _count: int) -> None:
        seen[0] += 1
        if seen[0] == batches:
            raise error

    return progress


@pytest.mark.parametrize("where", ["reader", "after-commit", "ctrl-c"])
def test_an_exception_mid_run_marks_it_interrupted_and_the_next_run_resumes_it(
    fresh_stores: soak.StoreFactory, small: soak.Scenario, small_ref: soak.Reference, where: str
) -> None:
    ref = small_ref
    url = fresh_stores()
    if where == "reader":
        dropping = DroppingInput(soak.file_inputs(small)[0], fail_after=130)
        with pytest.raises(OSError, match="connection reset"):
            soak.ingest(url, small, inputs=[dropping])
        expected = 125  # five whole batches; the half-read sixth is not stored
    elif where == "after-commit":
        with pytest.raises(Stop):
            soak.ingest(url, small, progress=_raise_after(3, Stop("stop")))
        expected = 75  # the third batch was committed before the callback raised
    else:
        with pytest.raises(KeyboardInterrupt):
            soak.ingest(url, small, progress=_raise_after(4, KeyboardInterrupt()))
        expected = 100
    interrupted = soak.read_snapshot(url)
    assert [run.status for run in interrupted.runs] == ["interrupted"]
    assert [c.records for c in interrupted.checkpoints] == [expected]
    assert soak.checkpoint_problems(interrupted, ref) == []

    summary = soak.ingest(url, small)
    assert summary.resumed is True
    assert summary.run_id == interrupted.runs[0].id
    assert summary.status == "completed"
    assert summary.to_dict()["records_read"] == 310
    assert soak.final_problems(soak.read_snapshot(url), ref, summary.to_dict(), True) == []


def test_the_soak_script_prints_kills_mismatches_and_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert soak.main(["--kills", "3", "--rows", "200", "--batch-size", "10", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^RESULT backend=sqlite kills=3 mismatches=0 seconds=\d+\.\d$", out, re.M)
