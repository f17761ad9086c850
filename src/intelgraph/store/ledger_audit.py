"""``intelgraph ledger verify``: recompute the log and check everything stored.

Nothing stored is trusted: leaf hashes are recomputed from leaf bodies, every
interior node from the level below, every checkpoint's signature with the
deployment's public keys and its root from the nodes, consecutive checkpoints
are proven consistent, batch members are hashed back to their leaf's roots,
each checkpoint must be logged by its own leaf (so a deleted checkpoint is
noticed), and every checkpoint key must have been announced in the log first.
Problems are collected, not raised, so one run reports all of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from intelgraph.errors import IntelGraphError
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import LeafError, Members, b64, check_members, decode
from intelgraph.ledger.note import Checkpoint, NoteError, Verifier, open_checkpoint
from intelgraph.store.ledger_log import blob, pages
from intelgraph.store.writer import to_us

if TYPE_CHECKING:
    from intelgraph.store.ledger_log import StoredCheckpoint
    from intelgraph.store.store import Store

_MAX_PROBLEMS = 200
_NODES = "SELECT idx, hash FROM ledger_nodes"


@dataclass
class AuditReport:
    size: int = 0
    checkpoints: int = 0
    batches: int = 0
    root: bytes = merkle.EMPTY_ROOT
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, message: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "size": self.size,
            "root": b64(self.root),
            "checkpoints": self.checkpoints,
            "batches": self.batches,
            "problems": list(self.problems),
        }


def audit(
    store: Store,
    verifiers: list[Verifier],
    origin: str,
    *,
    kept: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
) -> AuditReport:
    """Check the whole log; ``kept`` are checkpoint notes saved elsewhere earlier (a
    witness): the log must still contain each, which catches a rollback."""
    report = AuditReport()
    ledger = store.ledger
    checkpoint_leaves: dict[int, tuple[int, dict[str, Any]]] = {}
    announced: dict[str, int] = {}
    member_leaves: dict[int, dict[str, Any]] = {}
    hashes: list[bytes] = []
    expected = 0
    for index, kind_column, body in ledger.leaves():
        if index != expected:
            report.problem(f"leaves {expected}..{index - 1} are missing")
            expected = index
        expected += 1
        hashes.append(merkle.leaf_hash(body))
        try:
            fields = decode(body)
        except LeafError as exc:
            report.problem(f"leaf {index}: {exc}")
            continue
        kind = fields["type"]
        if kind != kind_column:
            report.problem(f"leaf {index}: stored as {kind_column!r} but its body is {kind!r}")
        if kind == "checkpoint" and isinstance(fields.get("checkpoint"), int):
            checkpoint_leaves[fields["checkpoint"]] = (index, fields)
        elif kind == "key-change" and isinstance(fields.get("key_id"), str):
            announced.setdefault(fields["key_id"], index)
        elif kind in ("ingest-batch", "claim"):
            member_leaves[index] = fields
        if progress is not None and index % 10_000 == 0:
            progress(index)
    report.size = len(hashes)
    nodes_intact = _check_nodes(store, hashes, report)
    _check_members(store, member_leaves, report)
    report.batches = len(member_leaves)
    rows = ledger.checkpoints()
    opened = [_open_kept(saved, verifiers, origin) for saved in kept]
    notes = [note for note in opened if isinstance(note, Checkpoint)]
    # Every root the checks need, in one pass over the leaves.
    sizes = {len(hashes), *(c.size for c in rows), *(n.size for n in notes)}
    roots = merkle.roots_at(hashes, {size for size in sizes if size <= len(hashes)})
    report.root = roots[len(hashes)]
    _check_checkpoints(
        store, rows, roots, verifiers, origin, checkpoint_leaves, announced, nodes_intact, report
    )
    _check_kept(opened, roots, len(hashes), report)
    return report


def _open_kept(saved: str, verifiers: list[Verifier], origin: str) -> Checkpoint | str:
    """A kept checkpoint, or why it does not open."""
    try:
        return open_checkpoint(saved, verifiers, origin=origin)[0]
    except NoteError as exc:
        return str(exc)


def _check_kept(
    opened: list[Checkpoint | str], roots: dict[int, bytes], size: int, report: AuditReport
) -> None:
    for number, note in enumerate(opened, start=1):
        if isinstance(note, str):
            report.problem(f"kept checkpoint {number}: {note}")
    for note in opened:
        if isinstance(note, str):
            continue
        where = f"kept checkpoint of size {note.size}"
        if note.size > size:
            report.problem(f"{where}: the log holds only {size} leaves, it was rolled back")
        elif roots[note.size] != note.root:
            report.problem(f"{where}: the log's leaves no longer give its root")


def _check_nodes(store: Store, leaf_hashes: list[bytes], report: AuditReport) -> bool:
    """Each stored level must equal the one recomputed from the level below; True when
    every one does (then any proof the log makes from its nodes is the true one)."""
    level, below, intact = 0, leaf_hashes, True
    while below:
        count, bad = 0, 0
        rows = pages(store, _NODES, where="level = :level", params={"level": level}, chunk=50_000)
        for row in rows:
            index, value = int(row[0]), blob(row[1])
            count += 1
            if index >= len(below) or below[index] != value:
                bad += 1
                report.problem(f"node {index} at level {level} does not match the leaves")
                if bad > 20:
                    return False
        if count != len(below):
            report.problem(
                f"level {level} of the tree has {count} stored nodes, expected {len(below)}"
            )
        intact = intact and bad == 0 and count == len(below)
        below = [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        level += 1
    return intact


def _check_members(store: Store, leaves: dict[int, dict[str, Any]], report: AuditReport) -> None:
    """Members hash back to their leaf's roots; the record → leaf index matches them."""
    seen: set[int] = set()
    refs: dict[int, list[str]] = {}
    with store._read_all() as connection:
        result = connection.execute(
            text("SELECT leaf_idx, records, statements FROM ledger_members ORDER BY leaf_idx")
        )
        for row in result:
            index = int(row[0])
            seen.add(index)
            fields = leaves.get(index)
            if fields is None:
                report.problem(f"members are stored for leaf {index}, which is not a batch")
                continue
            members = Members(blob(row[1]), blob(row[2]))
            try:
                check_members(fields, members)
            except LeafError as exc:
                report.problem(f"leaf {index}: {exc}")
            refs[index] = [h.hex() for h in members.record_hashes()]
        stored: dict[int, list[str]] = {}
        for record_id, leaf in connection.execute(
            text("SELECT record_id, leaf_idx FROM ledger_refs ORDER BY leaf_idx, record_id")
        ):
            stored.setdefault(int(leaf), []).append(str(record_id))
    for index in sorted(leaves.keys() - seen):
        report.problem(f"leaf {index}: the batch's members are missing")
    for index in sorted(refs.keys() | stored.keys()):
        if refs.get(index, []) != stored.get(index, []):
            report.problem(f"leaf {index}: the record index does not match the batch's records")


def _check_checkpoints(
    store: Store,
    rows: list[StoredCheckpoint],
    roots: dict[int, bytes],
    verifiers: list[Verifier],
    origin: str,
    logged: dict[int, tuple[int, dict[str, Any]]],
    announced: dict[str, int],
    nodes_intact: bool,
    report: AuditReport,
) -> None:
    size = max(roots)  # the log's size: its root is always among them
    report.checkpoints = len(rows)
    previous: StoredCheckpoint | None = None
    previous_rooted = False
    for row in rows:
        where = f"checkpoint {row.id} (size {row.size})"
        try:
            note, signed = open_checkpoint(row.note, verifiers, origin=origin)
        except NoteError as exc:
            report.problem(f"{where}: {exc}")
            continue
        if (note.size, note.root) != (row.size, row.root):
            report.problem(f"{where}: the stored size or root differs from the signed note")
            continue
        if row.key_id not in {v.key_hex for v in signed}:
            report.problem(f"{where}: the stored key id is not a key that signed it")
        if note.size > size:
            report.problem(f"{where}: it covers more leaves than the log holds")
            continue
        rooted = roots[note.size] == note.root
        if not rooted:
            report.problem(f"{where}: its root is not the root of the stored leaves")
        first_use = min(announced.get(v.key_hex, size) for v in signed)
        if first_use >= note.size:
            report.problem(f"{where}: signed by a key the log had not announced")
        _check_logged(row, logged.pop(row.id, None), report)
        if previous is not None:
            # Two roots of the same verified leaves are consistent by construction: the
            # proof (a read of stored nodes) can only fail when something else already did.
            implied = nodes_intact and previous_rooted and rooted
            _check_consistency(store, previous, row, report, prove=not implied)
        previous, previous_rooted = row, rooted
    for checkpoint_id, (index, _) in sorted(logged.items()):
        report.problem(f"leaf {index} logs checkpoint {checkpoint_id}, which is missing")


def _check_logged(
    row: StoredCheckpoint, logged: tuple[int, dict[str, Any]] | None, report: AuditReport
) -> None:
    where = f"checkpoint {row.id}"
    if logged is None:
        report.problem(f"{where} was never logged in the ledger")
        return
    index, fields = logged
    wanted = {
        "size": row.size,
        "root": b64(row.root),
        "key": row.key_id,
        "note_sha256": hashlib.sha256(row.note.encode()).hexdigest(),
        "time": to_us(row.created_at),
    }
    if index != row.size or any(fields.get(k) != v for k, v in wanted.items()):
        report.problem(f"{where} does not match the leaf {index} that logged it")


def _check_consistency(
    store: Store, old: StoredCheckpoint, new: StoredCheckpoint, report: AuditReport, *, prove: bool
) -> None:
    if new.size < old.size:
        report.problem(f"checkpoint {new.id} is smaller than checkpoint {old.id} before it")
        return
    if not prove or old.size == 0 or old.size == new.size:
        return
    try:
        proof = store.ledger.consistency(old.size, new.size)
        merkle.verify_consistency(old.size, new.size, old.root, new.root, proof)
    except merkle.ProofError as exc:
        report.problem(f"checkpoints {old.id} → {new.id} are not consistent: {exc}")
    except IntelGraphError as exc:
        report.problem(f"checkpoints {old.id} → {new.id} cannot be proven: {exc.message}")


__all__ = ["AuditReport", "audit"]
