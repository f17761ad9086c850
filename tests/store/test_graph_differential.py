"""Differential test: graph reads against a plain-Python model of the visible graph."""

from __future__ import annotations

import random
from collections import defaultdict, deque

import pytest

from intelgraph.errors import NotFound
from intelgraph.model import Labels, Statement, ViewerScope
from intelgraph.store import Direction, Store
from tests.store.builders import LABEL_MIX, SCOPE_MIX, link, person

NODES = 40
EDGES = 110


def _build(
    store: Store, seed: int
) -> tuple[dict[str, list[Labels]], list[tuple[str, str, str, Labels]]]:
    rng = random.Random(seed)
    nodes: dict[str, list[Labels]] = {}
    batch: list[Statement] = []
    for i in range(NODES):
        labels = rng.sample(LABEL_MIX, rng.choice((1, 1, 2)))
        nodes[f"n{i}"] = labels
        for j, label in enumerate(labels):
            batch += person(f"n{i}", f"Node {i}", labels=label, record=f"r{i}-{j}")
    edges = []
    for k in range(EDGES):
        a, b = f"n{rng.randrange(NODES)}", f"n{rng.randrange(NODES)}"
        if k % 9 == 0:  # a few hubs and parallel edges
            a = "n0"
        label = rng.choice(LABEL_MIX)
        edges.append((f"e{k:03d}", a, b, label))
        batch += link(f"e{k:03d}", a, b, labels=label, record=f"re{k}")
    rng.shuffle(batch)
    for start in range(0, len(batch), 97):  # several transactions, as ingest would do
        store.write(batch[start : start + 97])
    return nodes, edges


def _visible(
    scope: ViewerScope, nodes: dict[str, list[Labels]], edges: list[tuple[str, str, str, Labels]]
):  # type: ignore[no-untyped-def]
    seen = {n for n, labels in nodes.items() if any(scope.can_see(lb) for lb in labels)}
    kept = [(e, a, b) for e, a, b, lb in edges if scope.can_see(lb) and a in seen and b in seen]
    return seen, kept


def _bfs(start: str, adjacency: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    dist = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for _, other in adjacency[node]:
            if other not in dist:
                dist[other] = dist[node] + 1
                queue.append(other)
    return dist


def _count_shortest(start: str, goal: str, adjacency: dict[str, list[tuple[str, str]]]) -> int:
    dist = _bfs(start, adjacency)
    ways: dict[str, int] = defaultdict(int)
    ways[start] = 1
    for node in sorted(dist, key=dist.__getitem__):
        for _, other in adjacency[node]:
            if dist.get(other) == dist[node] + 1:
                ways[other] += ways[node]
    return ways[goal]


@pytest.mark.parametrize("seed", [1, 2])
def test_graph_reads_match_the_model(store: Store, seed: int) -> None:
    nodes, edges = _build(store, seed)
    rng = random.Random(seed + 100)
    for scope in SCOPE_MIX:
        seen, kept = _visible(scope, nodes, edges)
        adjacency: dict[str, list[tuple[str, str]]] = defaultdict(list)
        expected: dict[str, set[tuple[str, str, Direction]]] = defaultdict(set)
        for edge, a, b in kept:
            adjacency[a].append((edge, b))
            adjacency[b].append((edge, a))
            expected[a].add((edge, b, Direction.OUT))
            expected[b].add((edge, a, Direction.IN))
        for node in nodes:
            if node not in seen:
                with pytest.raises(NotFound):
                    store.neighbors(scope, node)
                continue
            page = store.neighbors(scope, node, limit=1000)
            got = {(n.edge_id, n.entity_id, n.direction) for n in page.items}
            assert got == expected[node], (scope, node)
            assert len(page.items) == len(got)
        candidates = sorted(seen)
        for _ in range(25 if candidates else 0):
            a, b = rng.choice(candidates), rng.choice(candidates)
            found = store.paths(scope, a, b, max_hops=4, limit=1000)
            distance = _bfs(a, adjacency).get(b)
            if distance is None or distance > 4:
                assert found == []
                continue
            assert {p.hops for p in found} == {distance}
            assert len(found) == min(1000, _count_shortest(a, b, adjacency))
            assert len({(p.nodes, p.edges) for p in found}) == len(found)
            for path in found:
                assert path.nodes[0] == a
                assert path.nodes[-1] == b
                for i, edge in enumerate(path.edges):
                    assert (edge, path.nodes[i + 1]) in adjacency[path.nodes[i]]
