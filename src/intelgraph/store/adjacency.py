"""In-memory adjacency projection (compressed sparse rows plus label arrays).

Graph reads (neighbours, shortest paths, subgraph expansion) run here instead of
in SQL: a 1-hop read is an array slice and a mask, a k-hop search is a few
vectorised frontier expansions. The arrays are loaded from the ``entities``,
``edges`` and ``nodes`` tables and kept consistent with writes by any process:
every write bumps ``meta.graph_version`` and a read that sees a new version
loads the rows added since (writes only ever add projection rows, and an edge
row's endpoints never change once written). A retraction is the one change that
removes rows; it bumps ``meta.graph_epoch`` too, and a new epoch reloads all.

Visibility is decided by label-set ids: a node is visible when one of its
entity rows has a visible label set; an edge when its own label set is visible
and both endpoints are. A viewer therefore never reaches, counts or pages over
anything outside its scope.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from intelgraph.store.engine import raw_cursor

IntArray = npt.NDArray[np.int64]
_CHUNK = 500_000
BoolArray = npt.NDArray[np.bool_]


class _Growable:
    """An int64 array with amortised appends."""

    def __init__(self) -> None:
        self._data: IntArray = np.zeros(1024, dtype=np.int64)
        self.size = 0

    def extend(self, values: Sequence[int] | IntArray) -> None:
        values = np.asarray(values, dtype=np.int64)
        needed = self.size + len(values)
        if needed > len(self._data):
            grown = np.zeros(max(needed, 2 * len(self._data)), dtype=np.int64)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : needed] = values
        self.size = needed

    @property
    def view(self) -> IntArray:
        return self._data[: self.size]


class _Csr:
    """Edges grouped by one endpoint, each group sorted by edge node id.

    Besides the edge index of each position it keeps, in the same order, the node
    at the other end and the edge's label set, so that a node's edges are read as
    contiguous slices instead of random gathers from the per-edge arrays.
    """

    def __init__(
        self, key: IntArray, other: IntArray, labels: IntArray, edge_nid: IntArray, node_count: int
    ) -> None:
        order = np.lexsort((edge_nid, key)).astype(np.int64)
        counts = np.bincount(key, minlength=node_count + 1)
        self.indptr: IntArray = np.zeros(node_count + 2, dtype=np.int64)
        np.cumsum(counts, out=self.indptr[1 : len(counts) + 1])
        self.indptr[len(counts) + 1 :] = self.indptr[len(counts)]
        self.order: IntArray = order
        self.other: IntArray = other[order]
        self.labels: IntArray = labels[order]
        self.node_count = node_count

    def gather(self, frontier: IntArray) -> tuple[IntArray, IntArray]:
        """(frontier node, position) for every edge of every frontier node."""
        frontier = frontier[frontier <= self.node_count]
        if len(frontier) == 1:  # the common 1-hop case: one contiguous slice
            start, end = self.indptr[frontier[0]], self.indptr[frontier[0] + 1]
            return np.full(end - start, frontier[0], dtype=np.int64), np.arange(start, end)
        starts = self.indptr[frontier]
        lengths = self.indptr[frontier + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        offsets = np.cumsum(lengths) - lengths
        positions = np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths)
        return np.repeat(frontier, lengths), positions


class AdjacencyIndex:
    """The graph projection of one store, refreshed incrementally."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._clear()

    def _clear(self) -> None:
        """Start empty: the next refresh loads everything."""
        self.version = -1
        self.epoch = 0
        self._last_node = 0
        self._last_entity_row = 0
        self._last_edge_row = 0
        self.node_ids: npt.NDArray[np.bytes_] = np.zeros(1, dtype="S1")
        self._ent_nid = _Growable()
        self._ent_label = _Growable()
        self.e_nid = _Growable()
        self.e_label = _Growable()
        self.e_schema = _Growable()
        self.e_src = _Growable()
        self.e_dst = _Growable()
        self.schema_codes: dict[str, int] = {}
        self.schema_names: list[str] = []
        self._csr_out: _Csr | None = None
        self._csr_in: _Csr | None = None
        self._csr_edges = 0
        self._delta_out: dict[int, list[int]] = defaultdict(list)
        self._delta_in: dict[int, list[int]] = defaultdict(list)
        self._masks: dict[frozenset[int], tuple[BoolArray, BoolArray]] = {}
        self._max_label = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the projection still for one graph read: a refresh by another thread
        grows the arrays in place, and a read that sees half of that fails or misses
        edges. Reads are short and hold the GIL anyway, so this costs little."""
        with self._lock:
            yield

    # -- loading -------------------------------------------------------------

    def refresh(self, connection: Connection, version: int, epoch: int = 0) -> bool:
        """Load what writers added up to ``version`` (the ``graph_version`` the caller
        has just read); returns True when anything changed. A new ``epoch``
        (``graph_epoch``: a retraction removed projection rows) reloads from scratch,
        since the incremental load only ever sees rows added."""
        if version == self.version and epoch == self.epoch:
            return False
        with self._lock:
            if version == self.version and epoch == self.epoch:
                return False
            if epoch != self.epoch:
                self._clear()
            self._load_nodes(connection)
            self._load_entities(connection)
            self._load_edges(connection)
            self._masks.clear()
            self.version, self.epoch = version, epoch
        return True

    def _rows(self, connection: Connection, sql: str, last: int) -> Iterator[list[Any]]:
        """Rows after ``last`` in chunks, through the driver cursor (no per-row objects)."""
        cursor = raw_cursor(connection)
        marker = "?" if connection.dialect.name == "sqlite" else "%s"
        cursor.execute(sql.replace(":last", marker), (last,))
        while True:
            chunk = cursor.fetchmany(_CHUNK)
            if not chunk:
                return
            yield chunk

    def _load_nodes(self, connection: Connection) -> None:
        for rows in self._rows(
            connection, "SELECT nid, id FROM nodes WHERE nid > :last ORDER BY nid", self._last_node
        ):
            nids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            try:
                ids = np.array([r[1] for r in rows], dtype=np.bytes_)
            except UnicodeEncodeError:  # non-ASCII ids: store their UTF-8 bytes
                ids = np.array([r[1].encode() for r in rows], dtype=np.bytes_)
            top = int(nids[-1])
            width = max(self.node_ids.dtype.itemsize, ids.dtype.itemsize)
            if top >= len(self.node_ids) or width > self.node_ids.dtype.itemsize:
                grown = np.zeros(max(top + 1, 2 * len(self.node_ids)), dtype=f"S{width}")
                grown[: len(self.node_ids)] = self.node_ids
                self.node_ids = grown
            self.node_ids[nids] = ids
            self._last_node = top

    def _load_entities(self, connection: Connection) -> None:
        for rows in self._rows(
            connection,
            "SELECT row_id, nid, labelset_id FROM entities WHERE row_id > :last ORDER BY row_id",
            self._last_entity_row,
        ):
            data = np.array(rows, dtype=np.int64)
            self._ent_nid.extend(data[:, 1])
            self._ent_label.extend(data[:, 2])
            self._max_label = max(self._max_label, int(data[:, 2].max()))
            self._last_entity_row = int(data[-1, 0])

    def _load_edges(self, connection: Connection) -> None:
        first_index = self.e_nid.size
        for rows in self._rows(
            connection,
            "SELECT row_id, nid, labelset_id, src, dst, schema FROM edges "
            "WHERE row_id > :last ORDER BY row_id",
            self._last_edge_row,
        ):
            data = np.array([r[:5] for r in rows], dtype=np.int64)
            self.e_nid.extend(data[:, 1])
            self.e_label.extend(data[:, 2])
            self.e_src.extend(data[:, 3])
            self.e_dst.extend(data[:, 4])
            self.e_schema.extend([self._schema_code(r[5]) for r in rows])
            self._max_label = max(self._max_label, int(data[:, 2].max()))
            self._last_edge_row = int(data[-1, 0])
        added = range(first_index, self.e_nid.size)
        if not added:
            return
        # Under READ COMMITTED each statement sees its own snapshot: a write committed
        # between the node query and this one brings edges whose nodes were not loaded.
        # Their nodes committed with them or before, so reading nodes again finds them.
        top = max(
            int(self.e_src.view[first_index:].max()), int(self.e_dst.view[first_index:].max())
        )
        if top > self._last_node:
            self._load_nodes(connection)
        pending = self.e_nid.size - self._csr_edges
        if self._csr_out is None or pending > max(50_000, self._csr_edges // 10):
            self._rebuild()
            return
        src, dst = self.e_src.view, self.e_dst.view
        for index in added:
            self._delta_out[int(src[index])].append(index)
            self._delta_in[int(dst[index])].append(index)

    def _schema_code(self, name: str) -> int:
        code = self.schema_codes.get(name)
        if code is None:
            code = self.schema_codes[name] = len(self.schema_names)
            self.schema_names.append(name)
        return code

    def _rebuild(self) -> None:
        node_count = max(self._last_node, 1)
        src, dst, labels, nids = (
            self.e_src.view,
            self.e_dst.view,
            self.e_label.view,
            self.e_nid.view,
        )
        self._csr_out = _Csr(src, dst, labels, nids, node_count)
        self._csr_in = _Csr(dst, src, labels, nids, node_count)
        self._csr_edges = self.e_nid.size
        self._delta_out.clear()
        self._delta_in.clear()

    # -- visibility ------------------------------------------------------------

    def masks(self, visible_labels: frozenset[int]) -> tuple[BoolArray, BoolArray]:
        """(label-set mask, node mask) for a viewer's visible label sets (cached)."""
        cached = self._masks.get(visible_labels)
        if cached is not None:
            return cached
        with self._lock:  # a consistent snapshot while a refresh may be appending
            return self._make_masks(visible_labels)

    def _make_masks(self, visible_labels: frozenset[int]) -> tuple[BoolArray, BoolArray]:
        size = max(self._max_label, max(visible_labels, default=0)) + 2
        label_mask = np.zeros(size, dtype=np.bool_)
        if visible_labels:
            label_mask[np.fromiter(visible_labels, dtype=np.int64)] = True
        nodes = np.zeros(self._last_node + 2, dtype=np.bool_)
        nodes[self._ent_nid.view[label_mask[self._ent_label.view]]] = True
        self._masks[visible_labels] = (label_mask, nodes)
        return label_mask, nodes

    # -- traversal -------------------------------------------------------------

    def edges_of(
        self, frontier: IntArray, outgoing: bool
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """(from node, edge index, other node, label set) for a frontier, one direction."""
        csr = self._csr_out if outgoing else self._csr_in
        delta = self._delta_out if outgoing else self._delta_in
        if csr is None:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        nodes, positions = csr.gather(frontier)
        edge_index = csr.order[positions]
        other = csr.other[positions]
        labels = csr.labels[positions]
        if delta:
            extra = [(n, e) for n in frontier.tolist() for e in delta.get(n, ())]
            if extra:
                more = np.array(extra, dtype=np.int64)
                far = (self.e_dst.view if outgoing else self.e_src.view)[more[:, 1]]
                nodes = np.concatenate([nodes, more[:, 0]])
                edge_index = np.concatenate([edge_index, more[:, 1]])
                other = np.concatenate([other, far])
                labels = np.concatenate([labels, self.e_label.view[more[:, 1]]])
        return nodes, edge_index, other, labels

    def expand(
        self,
        frontier: IntArray,
        *,
        outgoing: bool,
        incoming: bool,
        label_mask: BoolArray,
        node_mask: BoolArray,
        schema_codes: IntArray | None,
    ) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
        """Visible edges leaving a frontier: (from, edge index, to, is_outgoing)."""
        parts: list[tuple[IntArray, IntArray, IntArray, BoolArray]] = []
        for direction, enabled in ((True, outgoing), (False, incoming)):
            if not enabled:
                continue
            src, edge_index, other, labels = self.edges_of(frontier, direction)
            if len(other) and (
                int(other.max()) >= len(node_mask) or int(labels.max()) >= len(label_mask)
            ):
                # Rows loaded by a concurrent refresh after these masks were made:
                # not visible to this read (fail closed).
                fits = (other < len(node_mask)) & (labels < len(label_mask))
                src, edge_index, other, labels = (
                    src[fits],
                    edge_index[fits],
                    other[fits],
                    labels[fits],
                )
            keep = label_mask[labels] & node_mask[other]
            if schema_codes is not None:
                keep &= np.isin(self.e_schema.view[edge_index], schema_codes)
            parts.append(
                (src[keep], edge_index[keep], other[keep], np.full(int(keep.sum()), direction))
            )
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, np.zeros(0, dtype=np.bool_)
        if len(parts) == 1:
            return parts[0]
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]),
        )

    def codes_for(self, schemata: Sequence[str] | None) -> IntArray | None:
        if schemata is None:
            return None
        return np.array(
            [self.schema_codes[s] for s in schemata if s in self.schema_codes], dtype=np.int64
        )

    def node_id(self, nid: int) -> str:
        return bytes(self.node_ids[nid]).decode()  # UTF-8, as stored by _load_nodes

    def node_id_list(self, nids: IntArray | Sequence[int]) -> list[str]:
        """Entity ids of node ids, decoded in one vectorised step."""
        raw: list[bytes] = self.node_ids[np.asarray(nids, dtype=np.int64)].tolist()
        return list(map(bytes.decode, raw))  # UTF-8, as stored by _load_nodes

    def stats(self) -> dict[str, Any]:
        return {
            "nodes": self._last_node,
            "entity_rows": self._ent_nid.size,
            "edge_rows": self.e_nid.size,
            "delta_edges": self.e_nid.size - self._csr_edges,
            "bytes": sum(
                a.view.nbytes
                for a in (
                    self._ent_nid,
                    self._ent_label,
                    self.e_nid,
                    self.e_label,
                    self.e_schema,
                    self.e_src,
                    self.e_dst,
                )
            )
            + self.node_ids.nbytes
            + sum(
                c.indptr.nbytes + c.order.nbytes
                for c in (self._csr_out, self._csr_in)
                if c is not None
            ),
        }


__all__ = ["AdjacencyIndex", "BoolArray", "IntArray"]
