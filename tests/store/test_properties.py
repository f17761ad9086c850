"""Property-based contract tests: idempotent upserts and label filtering, both backends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intelgraph.model import Statement
from intelgraph.ontology import Ontology
from intelgraph.store import Store
from tests.conftest import _reset_postgres
from tests.store.builders import LABEL_MIX, SCOPE_MIX

statements = st.builds(
    Statement,
    entity_id=st.sampled_from([f"e{i}" for i in range(6)]),
    schema=st.just("Person"),
    prop=st.sampled_from(["name", "alias", "notes"]),
    value=st.sampled_from(["Anna", "Boris", "Clara Nova", "Dora"]),
    source_id=st.sampled_from(["s1", "s2"]),
    record_id=st.sampled_from(["r1", "r2", "r3"]),
    labels=st.sampled_from(LABEL_MIX),
    first_seen=st.sampled_from([datetime(2024, 1, d, tzinfo=UTC) for d in (1, 2, 3)]),
    last_seen=st.none() | st.just(datetime(2024, 2, 1, tzinfo=UTC)),
    run_id=st.none() | st.sampled_from(["run-1", "run-2"]),
)

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, ontology: Ontology
) -> Callable[[], contextmanager[Store]]:  # type: ignore[type-arg]
    """A factory of empty stores, one per hypothesis example."""

    @contextmanager
    def make() -> Iterator[Store]:
        if request.param == "sqlite":
            path: Path = tmp_path_factory.mktemp("prop") / "store.db"
            url = f"sqlite:///{path}"
            bootstrap = Store(url, ontology, check_schema=False)
            bootstrap.upgrade()
            bootstrap.close()
        else:
            url = request.getfixturevalue("postgres_url")
            _reset_postgres(url)
        with Store(url, ontology) as store:
            yield store

    return make


def _snapshot(store: Store) -> object:
    return [
        (
            store.counts(scope),
            {
                i: (e.schema, dict(e.properties), e.first_seen, e.last_seen)
                for i, e in store.entities(scope, [f"e{i}" for i in range(6)]).items()
            },
            sorted(s.id for i in range(6) for s in store.statements(scope, f"e{i}")),
        )
        for scope in SCOPE_MIX
    ]


@SETTINGS
@given(batch=st.lists(statements, max_size=30))
def test_rewriting_any_batch_changes_nothing(fresh_store, batch: list[Statement]) -> None:  # type: ignore[no-untyped-def]
    with fresh_store() as store:
        store.write(batch)
        before = _snapshot(store)
        again = store.write(batch)
        assert not again.changed
        assert _snapshot(store) == before


@SETTINGS
@given(batch=st.lists(statements, min_size=1, max_size=30))
def test_every_read_shows_exactly_the_visible_statements(
    fresh_store, batch: list[Statement]
) -> None:  # type: ignore[no-untyped-def]
    with fresh_store() as store:
        store.write(batch)
        ids = [f"e{i}" for i in range(6)]
        for scope in SCOPE_MIX:
            visible = [s for s in batch if scope.can_see(s.labels)]
            expected: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for s in visible:
                expected[s.entity_id][s.prop].add(s.value)
            got = store.entities(scope, ids)
            assert set(got) == set(expected)
            for entity_id, entity in got.items():
                assert {p: set(v) for p, v in entity.properties.items()} == expected[entity_id]
            stored = {s.id for i in ids for s in store.statements(scope, i)}
            assert stored == {s.id for s in visible}
            assert store.counts(scope).entities == len(expected)
            for word in ("anna", "clara", "nova"):
                matching = {
                    e
                    for e, props in expected.items()
                    if any(word in v.lower().split() for vals in props.values() for v in vals)
                }
                page = store.search(scope, word, first=50)
                assert page.total == len(matching)
                assert {h.entity.id for h in page.hits} == matching
