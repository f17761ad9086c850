"""Claim → evidence: from a statement to its record, run, ledger leaf and proofs.

A statement is proven in two steps: a path inside the batch (or claim) leaf's
sorted statement ids up to the root the leaf carries, then the leaf's path in
the log up to a signed checkpoint. Its record is proven the same way inside the
leaf's record hashes. :meth:`Evidence.check` redoes all of it from the values
alone, so what the store hands out can be checked without trusting the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from intelgraph.errors import InvalidInput, NotFound
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import (
    RECORD_ID_BYTES,
    STATEMENT_ID_BYTES,
    Members,
    unb64,
)
from intelgraph.model import Record, Source, StoredStatement, ViewerScope, statement_id
from intelgraph.store.engine import raw_cursor
from intelgraph.store.ingest_state import RunRow, select_runs
from intelgraph.store.labelsets import in_clause
from intelgraph.store.ledger_log import StoredCheckpoint, blob

if TYPE_CHECKING:
    from intelgraph.store.store import Store


@dataclass(frozen=True, slots=True)
class MemberProof:
    """Where an id sits among a leaf's sorted members, and its RFC 9162 path there."""

    position: int
    size: int
    path: tuple[bytes, ...]

    def root(self, member: bytes) -> bytes:
        return merkle.root_from_inclusion(
            self.position, self.size, merkle.leaf_hash(member), self.path
        )


@dataclass(frozen=True, slots=True)
class Located:
    """A statement's place in the log: its leaf and positions there."""

    leaf_index: int
    members: Members
    statement_position: int
    record_position: int


@dataclass(frozen=True, slots=True)
class Evidence:
    statement: StoredStatement
    record: Record | None  # None when the viewer may not see the record itself
    record_id: str
    source: Source
    run: RunRow | None
    leaf_index: int
    leaf: bytes
    statement_proof: MemberProof
    record_proof: MemberProof
    checkpoint: StoredCheckpoint | None
    leaf_proof: tuple[bytes, ...]

    @property
    def leaf_fields(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.leaf)
        return value

    def check(self) -> None:
        """Recompute everything from the values; raises :class:`merkle.ProofError`."""
        s = self.statement
        if statement_id(s.entity_id, s.prop, s.value, s.source_id, s.record_id, s.labels) != s.id:
            raise merkle.ProofError("the statement's id does not match its content")
        if self.record is not None and self.record.id != s.record_id:
            raise merkle.ProofError("the record's hash does not match the statement's record")
        fields = self.leaf_fields
        roots = {part: unb64(fields[part]["root"]) for part in ("statements", "records")}
        if self.statement_proof.root(bytes.fromhex(s.id)) != roots["statements"]:
            raise merkle.ProofError("the statement is not among the leaf's statements")
        if self.record_proof.root(bytes.fromhex(s.record_id)) != roots["records"]:
            raise merkle.ProofError("the record is not among the leaf's records")
        if self.checkpoint is None:
            raise merkle.ProofError("no checkpoint covers the leaf yet")
        merkle.verify_inclusion(
            self.leaf_index,
            self.checkpoint.size,
            merkle.leaf_hash(self.leaf),
            self.leaf_proof,
            self.checkpoint.root,
        )


class EvidenceFinder:
    """Finds the ledger leaves behind statements (one store, any viewer)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def statement(self, scope: ViewerScope, statement: str) -> StoredStatement | None:
        """The visible statement with this id (or unique prefix of ≥ 8 digits), retracted
        or not, else None: what a caller checks before acting on one (a retraction)."""
        store = self._store
        with store._read(scope) as (connection, visible):
            wanted = _full_id(connection, visible, statement.strip().lower())
            found = store._reader.statements_by_id(connection, visible, [wanted])
        return found[0] if found else None

    def evidence(self, scope: ViewerScope, statement: str) -> Evidence:
        """A statement's evidence; ``statement`` is its id or a unique prefix (≥ 8 digits)."""
        store = self._store
        with store._read(scope) as (connection, visible):
            wanted = _full_id(connection, visible, statement.strip().lower())
            found = store._reader.statements_by_id(connection, visible, [wanted])
            if not found:
                raise NotFound(
                    f"statement {statement!r} not found",
                    hint="`intelgraph show ENTITY --json` lists the ids of its statements",
                )
            stored = found[0]
            records = store._reader.records(connection, visible, [stored.record_id])
            runs = (
                select_runs(
                    connection, visible, where="r.id = :id", params={"id": stored.run_id}, limit=1
                )
                if stored.run_id
                else []
            )
        located = self.locate([stored])
        if stored.id not in located:
            raise NotFound(
                f"statement {statement!r} is not in the ledger",
                hint="it was stored before the ledger existed; re-ingest its source to log it",
            )
        place = located[stored.id]
        ledger = store.ledger
        checkpoint = ledger.latest_checkpoint()
        leaf_proof: list[bytes] = []
        if checkpoint is not None and place.leaf_index < checkpoint.size:
            leaf_proof = ledger.inclusion(place.leaf_index, checkpoint.size)
        elif checkpoint is not None:
            checkpoint = None
        return Evidence(
            statement=stored,
            record=records.get(stored.record_id),
            record_id=stored.record_id,
            source=store.source(stored.source_id),
            run=runs[0] if runs else None,
            leaf_index=place.leaf_index,
            leaf=ledger.leaf(place.leaf_index),
            statement_proof=member_proof(place.members.statement_ids(), place.statement_position),
            record_proof=member_proof(place.members.record_hashes(), place.record_position),
            checkpoint=checkpoint,
            leaf_proof=tuple(leaf_proof),
        )

    def locate(self, statements: Sequence[StoredStatement]) -> dict[str, Located]:
        """The first leaf logging each statement (absent: never logged)."""
        by_record: dict[str, list[StoredStatement]] = {}
        for item in statements:
            by_record.setdefault(item.record_id, []).append(item)
        leaves_of: dict[str, list[int]] = {}
        dialect = self._store._dialect
        with self._store._read_all() as connection:
            cursor = raw_cursor(connection)
            for record_id, leaf in dialect.select_in(
                cursor,
                "SELECT record_id, leaf_idx FROM ledger_refs WHERE record_id",
                sorted(by_record),
            ):
                leaves_of.setdefault(str(record_id), []).append(int(leaf))
            rows = dialect.select_in(
                cursor,
                "SELECT leaf_idx, records, statements FROM ledger_members WHERE leaf_idx",
                sorted({i for found in leaves_of.values() for i in found}),
            )
        positions = {int(row[0]): _Positions(Members(blob(row[1]), blob(row[2]))) for row in rows}
        out: dict[str, Located] = {}
        for record_id, items in by_record.items():
            for leaf in sorted(leaves_of.get(record_id, [])):
                place = positions.get(leaf)  # absent only if the members were deleted
                if place is None:
                    continue
                record_at = place.record(record_id)
                if record_at is None:
                    continue
                for item in items:
                    if item.id in out:
                        continue
                    at = place.statement(item.id)
                    if at is not None:
                        out[item.id] = Located(leaf, place.members, at, record_at)
        return out


def _full_id(connection: Any, visible: frozenset[int], given: str) -> str:
    """Expand a unique prefix of a visible statement id (an index range scan)."""
    if len(given) >= 40 or len(given) < 8 or not visible or not given.isascii():
        return given
    if any(c not in "0123456789abcdef" for c in given):
        return given
    rows = connection.execute(
        text(
            "SELECT id FROM statements WHERE id >= :low AND id < :high "
            f"AND {in_clause('labelset_id', visible)} LIMIT 2"
        ),
        {"low": given, "high": given + "g"},
    ).all()
    if len(rows) > 1:
        raise InvalidInput(
            f"{given!r} is the start of several statement ids", hint="give more digits"
        )
    return str(rows[0][0]) if rows else given


def member_proof(ids: list[bytes], position: int) -> MemberProof:
    hashes = [merkle.leaf_hash(i) for i in ids]
    path = merkle.inclusion_proof(position, len(ids), merkle.list_subtree(hashes))
    return MemberProof(position, len(ids), tuple(path))


class _Positions:
    """Where each member sits in a batch: binary search for a few lookups, an index
    built once when many statements of one batch are asked for (an export)."""

    def __init__(self, members: Members) -> None:
        self.members = members
        self._lookups = 0
        self._statements: dict[bytes, int] | None = None

    def record(self, record_id: str) -> int | None:
        return _find(self.members.records, bytes.fromhex(record_id), RECORD_ID_BYTES)

    def statement(self, statement_id: str) -> int | None:
        wanted = bytes.fromhex(statement_id)
        self._lookups += 1
        if self._statements is None and self._lookups > 64:
            ids = self.members.statements
            self._statements = {
                ids[i : i + STATEMENT_ID_BYTES]: i // STATEMENT_ID_BYTES
                for i in range(0, len(ids), STATEMENT_ID_BYTES)
            }
        if self._statements is not None:
            return self._statements.get(wanted)
        return _find(self.members.statements, wanted, STATEMENT_ID_BYTES)


def _find(ids: bytes, wanted: bytes, width: int) -> int | None:
    """Binary search for ``wanted`` in sorted fixed-width ids."""
    low, high = 0, len(ids) // width
    while low < high:
        middle = (low + high) // 2
        if ids[middle * width : (middle + 1) * width] < wanted:
            low = middle + 1
        else:
            high = middle
    if ids[low * width : (low + 1) * width] == wanted:
        return low
    return None


__all__ = ["Evidence", "EvidenceFinder", "Located", "MemberProof", "member_proof"]
