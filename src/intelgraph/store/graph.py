"""Graph reads on the adjacency projection: neighbours, shortest paths, subgraphs.

Every function takes the viewer's visible label-set ids and only ever walks
visible nodes and edges, so results, counts, paths and cursors are the same as
if the invisible part of the graph did not exist.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from intelgraph.errors import InvalidInput, NotFound
from intelgraph.store.adjacency import AdjacencyIndex, BoolArray, IntArray
from intelgraph.store.results import (
    Direction,
    Neighbor,
    Path,
    Subgraph,
    SubgraphEdge,
)

MAX_HOPS = 6
_OUT = np.array(Direction.OUT, dtype=object)
_IN = np.array(Direction.IN, dtype=object)
MAX_LIMIT = 10_000


def _check_limit(limit: int, name: str = "limit") -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"{name} must be between 1 and {MAX_LIMIT}, got {limit}")


def neighbors(
    index: AdjacencyIndex,
    visible: frozenset[int],
    nid: int,
    *,
    direction: Direction = Direction.BOTH,
    edge_types: Sequence[str] | None = None,
    limit: int = 100,
    after: int | None = None,
) -> tuple[list[Neighbor], bool]:
    """Visible edges of one visible node, ordered by (edge, direction) key, starting
    after the key ``after``; returns the page and whether more follow."""
    _check_limit(limit)
    label_mask, node_mask = index.masks(visible)
    if nid >= len(node_mask) or not node_mask[nid]:
        raise NotFound("entity not found")
    _, edge_index, other, outgoing = index.expand(
        np.array([nid], dtype=np.int64),
        outgoing=direction in (Direction.OUT, Direction.BOTH),
        incoming=direction in (Direction.IN, Direction.BOTH),
        label_mask=label_mask,
        node_mask=node_mask,
        schema_codes=index.codes_for(edge_types),
    )
    # One position per (edge, direction): an edge stored under two label sets shows once.
    keys = index.e_nid.view[edge_index] * 2 + (~outgoing).astype(np.int64)
    keys, first = np.unique(keys, return_index=True)
    if after is not None:
        start = int(np.searchsorted(keys, after, side="right"))
        keys, first = keys[start:], first[start:]
    page = first[: limit + 1]
    shown = page[:limit]
    chosen = edge_index[shown]
    # Every column is built with one vectorised step; only the tuples are per item.
    edge_ids = index.node_id_list(index.e_nid.view[chosen])
    other_ids = index.node_id_list(other[shown])
    schemata = np.asarray(index.schema_names, dtype=object)[index.e_schema.view[chosen]]
    directions = np.where(outgoing[shown], _OUT, _IN)
    items = list(map(Neighbor, edge_ids, schemata.tolist(), directions.tolist(), other_ids))
    return items, len(page) > limit


def shortest_paths(
    index: AdjacencyIndex,
    visible: frozenset[int],
    start: int,
    goal: int,
    *,
    max_hops: int = 3,
    limit: int = 10,
    edge_types: Sequence[str] | None = None,
    directed: bool = False,
) -> list[Path]:
    """All shortest paths (at most ``limit``) of up to ``max_hops`` edges.

    Bidirectional breadth-first search, always growing the smaller frontier by
    one whole level, vectorised over the frontier.
    """
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidInput(f"max_hops must be between 1 and {MAX_HOPS}, got {max_hops}")
    _check_limit(limit)
    label_mask, node_mask = index.masks(visible)
    for position, nid in enumerate((start, goal)):
        if nid >= len(node_mask) or not node_mask[nid]:
            raise NotFound("entity not found", details={"position": position})
    if start == goal:
        return [Path((index.node_id(start),), ())]
    codes = index.codes_for(edge_types)
    dist = [np.full(len(node_mask), -1, dtype=np.int16) for _ in range(2)]
    dist[0][start] = 0
    dist[1][goal] = 0
    levels: list[list[tuple[IntArray, IntArray, IntArray]]] = [[], []]
    frontier = [np.array([start], dtype=np.int64), np.array([goal], dtype=np.int64)]
    depth = [0, 0]
    while depth[0] + depth[1] < max_hops and len(frontier[0]) and len(frontier[1]):
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        parents, edge_index, children, _ = index.expand(
            frontier[side],
            outgoing=not directed or side == 0,
            incoming=not directed or side == 1,
            label_mask=label_mask,
            node_mask=node_mask,
            schema_codes=codes,
        )
        fresh = dist[side][children] < 0
        parents, edge_index, children = parents[fresh], edge_index[fresh], children[fresh]
        depth[side] += 1
        reached = np.unique(children)
        dist[side][reached] = depth[side]
        levels[side].append((parents, edge_index, children))
        frontier[side] = reached
        meet = reached[dist[1 - side][reached] >= 0]
        if len(meet):
            totals = depth[side] + dist[1 - side][meet]
            meet = meet[totals == totals.min()]
            return _assemble(index, levels, dist, meet, limit)
    return []


def _halves(
    levels: list[tuple[IntArray, IntArray, IntArray]], node: int, depth: int
) -> Iterator[tuple[list[int], list[int]]]:
    """Every shortest route from a search root to ``node``: (nodes, edge indices)."""
    if depth == 0:
        yield [node], []
        return
    parents, edge_index, children = levels[depth - 1]
    for i in np.flatnonzero(children == node):
        for nodes, edges in _halves(levels, int(parents[i]), depth - 1):
            yield [*nodes, node], [*edges, int(edge_index[i])]


def _assemble(
    index: AdjacencyIndex,
    levels: list[list[tuple[IntArray, IntArray, IntArray]]],
    dist: list[np.ndarray[tuple[int], np.dtype[np.int16]]],
    meet: IntArray,
    limit: int,
) -> list[Path]:
    found: list[Path] = []
    seen: set[tuple[str, ...]] = set()
    for node in sorted(int(m) for m in meet):
        for head_nodes, head_edges in _halves(levels[0], node, int(dist[0][node])):
            for tail_nodes, tail_edges in _halves(levels[1], node, int(dist[1][node])):
                nodes = head_nodes + tail_nodes[::-1][1:]
                edge_ids = index.node_id_list(
                    index.e_nid.view[np.array(head_edges + tail_edges[::-1], dtype=np.int64)]
                )
                path = Path(tuple(index.node_id_list(nodes)), tuple(edge_ids))
                key = path.nodes + path.edges
                if key not in seen:
                    seen.add(key)
                    found.append(path)
                if len(found) >= limit:
                    return found
    return found


def subgraph(
    index: AdjacencyIndex,
    visible: frozenset[int],
    seeds: dict[str, int | None],
    *,
    hops: int = 1,
    edge_types: Sequence[str] | None = None,
    limit: int = 500,
) -> Subgraph:
    """Visible nodes within ``hops`` of the seeds (at most ``limit``) and their edges."""
    if not 0 <= hops <= MAX_HOPS:
        raise InvalidInput(f"hops must be between 0 and {MAX_HOPS}, got {hops}")
    _check_limit(limit)
    label_mask, node_mask = index.masks(visible)
    known = {k: v for k, v in seeds.items() if v is not None and v < len(node_mask)}
    start = [nid for nid in known.values() if node_mask[nid]]
    missing = sorted(k for k, v in seeds.items() if v is None or v not in start)
    chosen: dict[int, None] = dict.fromkeys(sorted(set(start))[:limit])
    truncated = len(set(start)) > limit
    frontier = np.array(list(chosen), dtype=np.int64)
    codes = index.codes_for(edge_types)
    for _ in range(hops):
        if not len(frontier) or truncated:
            break
        _, _, reached, _ = index.expand(
            frontier,
            outgoing=True,
            incoming=True,
            label_mask=label_mask,
            node_mask=node_mask,
            schema_codes=codes,
        )
        new = [int(n) for n in np.unique(reached) if int(n) not in chosen]
        room = limit - len(chosen)
        if len(new) > room:
            new, truncated = new[:room], True
        chosen.update(dict.fromkeys(new))
        frontier = np.array(new, dtype=np.int64)
    edges = _edges_within(
        index, np.array(list(chosen), dtype=np.int64), label_mask, node_mask, codes
    )
    return Subgraph(index.node_id_list(list(chosen)), edges, truncated, missing)


def _edges_within(
    index: AdjacencyIndex,
    nodes: IntArray,
    label_mask: BoolArray,
    node_mask: BoolArray,
    codes: IntArray | None,
) -> list[SubgraphEdge]:
    inside = np.zeros(len(node_mask), dtype=np.bool_)
    inside[nodes] = True
    _, edge_index, other, _ = index.expand(
        nodes,
        outgoing=True,
        incoming=False,
        label_mask=label_mask,
        node_mask=node_mask & inside,
        schema_codes=codes,
    )
    del other
    _, first = np.unique(index.e_nid.view[edge_index], return_index=True)
    out: list[SubgraphEdge] = []
    for i in edge_index[np.sort(first)]:
        out.append(
            SubgraphEdge(
                id=index.node_id(int(index.e_nid.view[i])),
                schema=index.schema_names[int(index.e_schema.view[i])],
                source_id=index.node_id(int(index.e_src.view[i])),
                target_id=index.node_id(int(index.e_dst.view[i])),
            )
        )
    return out


__all__ = ["MAX_HOPS", "neighbors", "shortest_paths", "subgraph"]
