"""Contract: neighbours, shortest paths and subgraphs respect scopes on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from intelgraph.errors import InvalidInput, NotFound
from intelgraph.model import Statement
from intelgraph.ontology import Ontology
from intelgraph.store import Direction, Store
from tests.store.builders import (
    EVERYTHING,
    NOBODY_SPECIAL,
    SECRET_FIN,
    company,
    link,
    owns,
    person,
)


def _chain(store: Store) -> None:
    """a → b → c → d, plus a secret shortcut a → x → d through a secret node."""
    batch: list[Statement] = []
    for node in "abcd":
        batch += person(node, f"Person {node}")
    batch += link("ab", "a", "b") + link("bc", "b", "c") + link("cd", "c", "d")
    batch += person("x", "Secret X", labels=SECRET_FIN)
    batch += link("ax", "a", "x") + link("xd", "x", "d")
    store.write(batch)


def test_neighbors_by_direction(store: Store) -> None:
    store.write(person("p", "P") + company("c1", "C1") + company("c2", "C2"))
    store.write(owns("o1", "p", "c1") + owns("o2", "c2", "p"))
    out = store.neighbors(EVERYTHING, "p", direction="out")
    assert [(n.edge_id, n.entity_id, n.direction) for n in out.items] == [
        ("o1", "c1", Direction.OUT)
    ]
    inn = store.neighbors(EVERYTHING, "p", direction="in")
    assert [(n.edge_id, n.entity_id) for n in inn.items] == [("o2", "c2")]
    both = store.neighbors(EVERYTHING, "p")
    assert {n.entity_id for n in both.items} == {"c1", "c2"}
    assert all(n.edge_schema == "Ownership" for n in both.items)


def test_neighbors_filter_by_edge_type(store: Store) -> None:
    store.write(person("p", "P") + company("c", "C") + person("q", "Q"))
    store.write(owns("o", "p", "c") + link("l", "p", "q"))
    page = store.neighbors(EVERYTHING, "p", edge_types=["Ownership"])
    assert [n.entity_id for n in page.items] == ["c"]
    with pytest.raises(InvalidInput):
        store.neighbors(EVERYTHING, "p", edge_types=["Person"])


def test_neighbors_page_through_all_edges(store: Store) -> None:
    batch = person("hub", "Hub")
    for i in range(23):
        batch += person(f"n{i}", f"N{i}") + link(f"e{i:02d}", "hub", f"n{i}")
    store.write(batch)
    seen: list[str] = []
    cursor = None
    while True:
        page = store.neighbors(EVERYTHING, "hub", limit=5, cursor=cursor)
        seen.extend(n.entity_id for n in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"n{i}" for i in range(23))
    assert len(seen) == 23


def test_hidden_nodes_and_edges_are_invisible_to_neighbors(store: Store) -> None:
    _chain(store)
    low = store.neighbors(NOBODY_SPECIAL, "a")
    assert [n.entity_id for n in low.items] == ["b"]
    high = store.neighbors(EVERYTHING, "a")
    assert {n.entity_id for n in high.items} == {"b", "x"}
    with pytest.raises(NotFound):
        store.neighbors(NOBODY_SPECIAL, "x")
    # A secret edge between two public nodes is hidden too.
    store.write(link("secret-edge", "b", "d", labels=SECRET_FIN))
    assert {n.entity_id for n in store.neighbors(NOBODY_SPECIAL, "b").items} == {"a", "c"}
    assert {n.entity_id for n in store.neighbors(EVERYTHING, "b").items} == {"a", "c", "d"}


def test_unknown_and_hidden_start_look_the_same(store: Store) -> None:
    _chain(store)
    errors = []
    for entity_id in ("x", "does-not-exist"):
        with pytest.raises(NotFound) as info:
            store.neighbors(NOBODY_SPECIAL, entity_id)
        errors.append(info.value.message.replace(entity_id, "ID"))
    assert errors[0] == errors[1]


def test_shortest_paths_respect_scope(store: Store) -> None:
    _chain(store)
    high = store.paths(EVERYTHING, "a", "d", max_hops=3)
    assert [p.nodes for p in high] == [("a", "x", "d")]
    assert high[0].edges == ("ax", "xd")
    low = store.paths(NOBODY_SPECIAL, "a", "d", max_hops=3)
    assert [p.nodes for p in low] == [("a", "b", "c", "d")]
    assert low[0].hops == 3
    assert store.paths(NOBODY_SPECIAL, "a", "d", max_hops=2) == []
    with pytest.raises(NotFound):
        store.paths(NOBODY_SPECIAL, "a", "x")


def test_all_shortest_paths_and_first_n(store: Store) -> None:
    batch = person("s", "S") + person("t", "T")
    for i in range(4):
        batch += (
            person(f"m{i}", f"M{i}") + link(f"s{i}", "s", f"m{i}") + link(f"t{i}", f"m{i}", "t")
        )
    store.write(batch)
    every = store.paths(EVERYTHING, "s", "t", max_hops=4, limit=100)
    assert sorted(p.nodes for p in every) == [("s", f"m{i}", "t") for i in range(4)]
    assert len(store.paths(EVERYTHING, "s", "t", limit=2)) == 2
    assert store.paths(EVERYTHING, "s", "s")[0].nodes == ("s",)


def test_directed_paths_follow_edge_direction(store: Store) -> None:
    store.write(person("a", "A") + person("b", "B") + person("c", "C"))
    store.write(link("ab", "a", "b") + link("cb", "c", "b"))
    assert [p.nodes for p in store.paths(EVERYTHING, "a", "c")] == [("a", "b", "c")]
    assert store.paths(EVERYTHING, "a", "c", directed=True) == []
    assert [p.nodes for p in store.paths(EVERYTHING, "a", "b", directed=True)] == [("a", "b")]


def test_path_limits_are_validated(store: Store) -> None:
    _chain(store)
    with pytest.raises(InvalidInput):
        store.paths(EVERYTHING, "a", "d", max_hops=0)
    with pytest.raises(InvalidInput):
        store.paths(EVERYTHING, "a", "d", max_hops=99)


def test_subgraph_expansion(store: Store) -> None:
    _chain(store)
    low = store.subgraph(NOBODY_SPECIAL, ["a"], hops=2)
    assert sorted(low.nodes) == ["a", "b", "c"]
    assert sorted(e.id for e in low.edges) == ["ab", "bc"]
    assert not low.truncated
    high = store.subgraph(EVERYTHING, ["a", "missing"], hops=1)
    assert sorted(high.nodes) == ["a", "b", "x"]
    assert high.missing == ["missing"]
    hidden = store.subgraph(NOBODY_SPECIAL, ["x"], hops=1)
    assert hidden.nodes == []
    assert hidden.missing == ["x"]
    capped = store.subgraph(EVERYTHING, ["a"], hops=3, limit=3)
    assert len(capped.nodes) == 3
    assert capped.truncated


def test_graph_sees_writes_from_another_store_instance(
    store: Store, store_url: str, ontology: Ontology
) -> None:
    store.write(person("a", "A") + person("b", "B") + link("ab", "a", "b"))
    assert [n.entity_id for n in store.neighbors(EVERYTHING, "a").items] == ["b"]
    with Store(store_url, ontology) as other:
        other.write(person("c", "C") + link("ac", "a", "c"))
    assert {n.entity_id for n in store.neighbors(EVERYTHING, "a").items} == {"b", "c"}
    assert [p.nodes for p in store.paths(EVERYTHING, "b", "c")] == [("b", "a", "c")]


def test_cursors_hold_only_what_the_viewer_has_seen(store: Store) -> None:
    import base64
    import json

    _chain(store)
    page = store.neighbors(EVERYTHING, "a", limit=1)
    assert page.next_cursor is not None
    payload = json.loads(base64.urlsafe_b64decode(page.next_cursor + "=="))
    assert payload["e"] == page.items[0].edge_id
    assert not any(isinstance(v, int) and not isinstance(v, bool) for v in payload.values())
    # A forged cursor naming a hidden edge is refused exactly like a made-up one.
    errors = []
    for edge in ("ax", "no-such-edge"):
        forged = base64.urlsafe_b64encode(
            json.dumps({"k": "nb", "e": edge, "o": True}).encode()
        ).decode()
        with pytest.raises(InvalidInput) as info:
            store.neighbors(NOBODY_SPECIAL, "a", cursor=forged)
        errors.append(info.value.to_dict())
    assert errors[0] == errors[1]


def test_paths_name_the_missing_end_the_same_way_hidden_or_absent(store: Store) -> None:
    _chain(store)
    messages = []
    for target in ("x", "never-stored"):
        with pytest.raises(NotFound) as info:
            store.paths(NOBODY_SPECIAL, "a", target)
        messages.append(info.value.message.replace(target, "ID"))
        with pytest.raises(NotFound) as info:
            store.paths(NOBODY_SPECIAL, target, "a")
        messages.append(info.value.message.replace(target, "ID"))
    assert len(set(messages)) == 1


def test_reads_during_concurrent_writes_stay_consistent(store: Store) -> None:
    import threading

    store.write(person("hub", "Hub"))
    errors: list[BaseException] = []
    counts: list[list[int]] = [[], [], []]
    done = threading.Event()

    def reader(seen: list[int]) -> None:
        while not done.is_set():
            try:
                page = store.neighbors(EVERYTHING, "hub", limit=1000)
                seen.append(len(page.items))
                assert len({n.edge_id for n in page.items}) == len(page.items)
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader, args=(seen,)) for seen in counts]
    for thread in threads:
        thread.start()
    for batch in range(20):
        statements: list[Statement] = []
        for i in range(batch * 10, batch * 10 + 10):
            statements += person(f"n{i}", f"N{i}") + link(f"e{i}", "hub", f"n{i}")
        store.write(statements)
    done.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors[0]
    for seen in counts:
        assert seen == sorted(seen)  # a reader never sees the graph go backwards
    assert len(store.neighbors(EVERYTHING, "hub", limit=1000).items) == 200


def test_non_ascii_ids_survive_graph_reads(store: Store) -> None:
    store.write(person("münchen-1", "Ärger GmbH Person") + person("東京", "Tokyo Person"))
    store.write(link("kante-ü", "münchen-1", "東京"))
    page = store.neighbors(EVERYTHING, "münchen-1")
    assert [(n.edge_id, n.entity_id) for n in page.items] == [("kante-ü", "東京")]
    assert [p.nodes for p in store.paths(EVERYTHING, "東京", "münchen-1")] == [
        ("東京", "münchen-1")
    ]


def test_node_id_cache_eviction_keeps_ids_right(store: Store) -> None:
    store._writer.nodes._limit = 3  # force many generations
    batch: list[Statement] = []
    for i in range(12):
        batch += person(f"n{i}", f"N{i}")
    store.write(batch)
    for i in range(12):
        store.write(link(f"e{i}", f"n{i}", f"n{(i * 5 + 1) % 12}"))
    for i in range(12):
        page = store.neighbors(EVERYTHING, f"n{i}", direction="out")
        assert [(n.edge_id, n.entity_id) for n in page.items] == [(f"e{i}", f"n{(i * 5 + 1) % 12}")]


def test_projection_loads_the_nodes_of_edges_committed_during_a_refresh(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL each query of a refresh sees its own snapshot: a write that commits
    between the node query and the edge query brings edges whose nodes were not read."""
    store.write(person("a", "A"))
    assert store.neighbors(EVERYTHING, "a").items == []  # the projection is loaded
    graph = store._graph
    load_entities = graph._load_entities
    wrote: list[bool] = []

    def write_in_between(connection: Any) -> None:
        load_entities(connection)
        if not wrote:
            wrote.append(True)
            store.write(person("b", "B") + link("e", "a", "b"))

    monkeypatch.setattr(graph, "_load_entities", write_in_between)
    store.write(person("c", "C"))  # a new version: the next read refreshes
    store.neighbors(EVERYTHING, "a")
    monkeypatch.undo()
    assert wrote
    assert [n.entity_id for n in store.neighbors(EVERYTHING, "a").items] == ["b"]
