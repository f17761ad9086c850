"""The generated demo investigation: deterministic, valid, labelled, connected."""

from __future__ import annotations

from intelgraph.demo import DEMO_FULL_SCOPE, generate, load_demo
from intelgraph.model import ViewerScope
from intelgraph.ontology import Ontology, make_entity_id
from intelgraph.store import Store


def test_generation_is_deterministic() -> None:
    one, two = generate(2), generate(2)
    assert [s.id for s in one.statements] == [s.id for s in two.statements]
    assert [r.id for r in one.records] == [r.id for r in two.records]


def test_every_statement_is_valid_for_the_ontology(ontology: Ontology) -> None:
    data = generate(1)
    by_entity: dict[tuple[str, str], dict[str, list[str]]] = {}
    for s in data.statements:
        assert ontology.normalize(s.schema, s.prop, s.value) == s.value
        by_entity.setdefault((s.entity_id, s.schema), {}).setdefault(s.prop, []).append(s.value)
    for (_, schema), properties in by_entity.items():
        assert ontology.validate(schema, properties) == [], schema
    record_ids = {r.id for r in data.records}
    assert {s.record_id for s in data.statements} <= record_ids


def test_scale_grows_the_investigation() -> None:
    assert len(generate(3).statements) > 2.5 * len(generate(1).statements)


def test_demo_has_mixed_classifications_and_compartments() -> None:
    labels = {s.labels for s in generate(1).statements}
    assert {label.classification for label in labels} == {0, 1, 2}
    assert {c for label in labels for c in label.compartments} == {"FIN", "HUM", "CTI"}


def test_loading_twice_changes_nothing(store: Store) -> None:
    first = load_demo(store, scale=2)
    assert first.statements_new == first.statements
    second = load_demo(store, scale=2)
    assert second.statements_new == 0
    assert second.by_schema == first.by_schema
    public = store.counts(ViewerScope.make())
    everything = store.counts(DEMO_FULL_SCOPE)
    assert 0 < public.entities < everything.entities


def test_units_are_connected_into_one_network(store: Store) -> None:
    load_demo(store, scale=3)
    first_owner = make_entity_id("Person", ["person-0-0"], "demo")
    found = store.paths(
        DEMO_FULL_SCOPE, first_owner, make_entity_id("Person", ["person-1-0"], "demo"), max_hops=6
    )
    assert found
    assert found[0].nodes[0] == first_owner
    assert 2 <= found[0].hops <= 6
