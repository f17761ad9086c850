"""The stored log on both backends: appends, roots, proofs, checkpoints, keys, triggers."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from intelgraph.errors import IntelGraphError, NotFound, StoreError
from intelgraph.ledger import merkle
from intelgraph.ledger.leaves import LedgerEntry, Members, batch_entry, decode, entry
from intelgraph.ledger.note import Signer, open_checkpoint
from intelgraph.ledger.service import Ledger
from intelgraph.model import Decision, Judgement, utcnow
from intelgraph.store import Store


def read_event(n: int) -> LedgerEntry:
    return entry("audited-read", {"actor": f"analyst-{n}", "resource": f"e{n}"}, at=utcnow())


def stored_hashes(store: Store) -> list[bytes]:
    return [merkle.leaf_hash(body) for _, _, body in store.ledger.leaves()]


def test_appends_give_the_reference_root_and_proofs_at_every_size(store: Store) -> None:
    sizes = [1, 2, 3, 5, 8, 13, 1, 40]  # uneven batches cross many subtree boundaries
    appended = 0
    for size in sizes:
        indexes = store.ledger.append([read_event(appended + i) for i in range(size)])
        assert indexes == list(range(appended, appended + size))
        appended += size
    hashes = stored_hashes(store)
    assert len(hashes) == appended == store.ledger.size()
    for size in range(1, appended + 1):
        root = merkle.root_of(hashes[:size])
        assert store.ledger.root(size) == root
        for index in {0, size // 2, size - 1}:
            proof = store.ledger.inclusion(index, size)
            merkle.verify_inclusion(index, size, hashes[index], proof, root)
    for old in range(1, appended + 1, 7):
        proof = store.ledger.consistency(old, appended)
        merkle.verify_consistency(old, appended, store.ledger.root(old), store.ledger.root(), proof)


def test_proof_requests_outside_the_log_are_refused(store: Store) -> None:
    store.ledger.append([read_event(0)])
    with pytest.raises(IntelGraphError, match="no tree of size 5"):
        store.ledger.inclusion(0, 5)
    with pytest.raises(IntelGraphError, match="outside"):
        store.ledger.inclusion(3, 1)


def test_checkpoints_are_signed_notes_and_idempotent(store: Store, tmp_path: Path) -> None:
    ledger = Ledger(store, tmp_path)
    store.ledger.append([read_event(i) for i in range(9)])
    first = ledger.checkpoint()
    again = ledger.checkpoint()
    assert again.id == first.id  # nothing new since: the same checkpoint
    note, signed = open_checkpoint(first.note, ledger.verifiers(), origin=ledger.origin)
    assert note.size == first.size == 10  # nine events + the key's announcement
    assert note.root == merkle.root_of(stored_hashes(store)[:10])
    assert [v.key_hex for v in signed] == [first.key_id]
    # the issuing is itself logged, right after the size it covers
    logged = decode(store.ledger.leaf(first.size))
    assert logged["type"] == "checkpoint"
    assert logged["checkpoint"] == first.id
    report = ledger.verify()
    assert report.ok, report.problems
    # a stranger's key does not verify it
    with pytest.raises(ValueError, match="no valid signature by a known key"):
        open_checkpoint(first.note, [Signer.generate("stranger").verifier])


def test_a_checkpoint_is_reused_only_for_the_key_that_signed_it(
    store: Store, tmp_path: Path
) -> None:
    ledger = Ledger(store, tmp_path)
    first = ledger.checkpoint()
    outside = Ledger(store, tmp_path, signing_key=Signer.generate("ops-key").skey())
    theirs = outside.checkpoint()  # announces the outside key, then signs
    assert theirs.key_id != first.key_id
    ours = ledger.checkpoint()  # nothing appended since, but another key's checkpoint
    assert (ours.key_id, ours.size) == (first.key_id, theirs.size + 1)
    open_checkpoint(ours.note, [ledger.signer().verifier])  # what an export bundle needs
    assert ledger.checkpoint().id == ours.id
    assert ledger.verify().ok


def test_rotation_keeps_old_checkpoints_verifiable(store: Store, tmp_path: Path) -> None:
    ledger = Ledger(store, tmp_path)
    store.ledger.append([read_event(i) for i in range(4)])
    before = ledger.checkpoint()
    old, new, rotated = ledger.rotate_key()
    assert old.key_hex == before.key_id != new.key_hex
    _, signed = open_checkpoint(rotated.note, ledger.verifiers())
    assert {v.key_hex for v in signed} == {old.key_hex, new.key_hex}  # co-signed
    store.ledger.append([read_event(9)])
    after = ledger.checkpoint()
    assert after.key_id == new.key_hex
    fresh = Ledger(store, tmp_path)  # a new process: keys from the data directory only
    assert {v.key_hex for v in fresh.verifiers()} >= {old.key_hex, new.key_hex}
    assert not (tmp_path / "keys/ledger/active.key").read_text().count(old.key_hex)
    report = fresh.verify()
    assert report.ok, report.problems
    assert report.checkpoints == 3


def test_a_checkpoint_by_an_unannounced_key_is_reported(store: Store, tmp_path: Path) -> None:
    ledger = Ledger(store, tmp_path)
    ledger.checkpoint()
    rogue = Signer.generate(ledger.origin.replace(" ", "-"))
    store.ledger.append([read_event(1)])
    store.ledger.checkpoint([rogue], ledger.origin)
    report = ledger.verify([rogue.verifier])
    assert any("not announced" in p for p in report.problems)


def test_judgements_are_logged_with_their_decision(store: Store, tmp_path: Path) -> None:
    ledger = Ledger(store, tmp_path)
    judgement = Judgement("a", "b", Decision.SAME, "analyst", "same passport number")
    ledger.judge(judgement)
    ledger.judge(judgement)  # stored once, so logged once
    logged = [decode(body) for _, kind, body in store.ledger.leaves() if kind == "judgement"]
    assert len(logged) == 1
    assert logged[0]["id"] == judgement.id
    assert logged[0]["decision"] == "same"
    assert "same passport" not in str(logged[0])  # the free text is logged as a hash
    assert logged[0]["reason_sha256"] == hashlib.sha256(b"same passport number").hexdigest()


def test_batch_members_prove_statements_and_records(store: Store, tmp_path: Path) -> None:
    records = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(7)]
    statements = [hashlib.sha256(f"s{i}".encode()).hexdigest()[:40] for i in range(30)]
    leaf = batch_entry(
        "ingest-batch",
        {"run": "r1", "source": "src", "mapping": None, "input": "file:///x", "cursor": "7"},
        record_ids=records + records[:2],  # duplicates are committed once
        statement_ids=statements,
        at=utcnow(),
    )
    (index,) = store.ledger.append([leaf])
    members = store.ledger.members(index)
    assert members == Members.of(records, statements)
    with store._read_all() as connection:  # test introspection: the record → leaf index
        refs = connection.exec_driver_sql("SELECT record_id, leaf_idx FROM ledger_refs").all()
    assert sorted(refs) == [(r, index) for r in sorted(records)]
    body = decode(store.ledger.leaf(index))
    assert body["records"]["count"] == 7
    assert body["statements"]["count"] == 30


def test_concurrent_appenders_get_consecutive_indexes(store: Store) -> None:
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(10):
                store.ledger.append([read_event(offset + i)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [i for i, _, _ in store.ledger.leaves()] == list(range(40))
    assert store.ledger.root() == merkle.root_of(stored_hashes(store))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_leaves SET body = body",
        "DELETE FROM ledger_leaves",
        "UPDATE ledger_nodes SET hash = hash",
        "DELETE FROM ledger_checkpoints",
        "UPDATE ledger_members SET records = records",
        "DELETE FROM ledger_refs",
    ],
)
def test_the_database_refuses_to_change_the_ledger(
    store: Store, store_url: str, tmp_path: Path, statement: str
) -> None:
    ledger = Ledger(store, tmp_path)
    store.ledger.append(
        [
            batch_entry(
                "claim",
                {"author": "a"},
                record_ids=["ab" * 32],
                statement_ids=["cd" * 20],
                at=utcnow(),
            )
        ]
    )
    ledger.checkpoint()
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    assert ledger.verify().ok


def test_truncate_is_refused_on_postgresql(store: Store, store_url: str) -> None:
    if store.dialect_name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    import psycopg

    store.ledger.append([read_event(0)])
    with (
        psycopg.connect(store_url) as connection,
        pytest.raises(psycopg.Error, match="append-only"),
    ):
        connection.execute("TRUNCATE ledger_leaves")
    assert store.ledger.size() == 1


def test_driver_errors_from_raw_cursors_are_translated(store: Store) -> None:
    with pytest.raises(NotFound):
        store.ledger.leaf(99)
    store.ledger.append([read_event(0)])
    with store._writer_engine.begin() as connection:  # a stray node where leaf 1 will go
        connection.execute(
            text("INSERT INTO ledger_nodes (level, idx, hash) VALUES (0, 1, :hash)"),
            {"hash": bytes(32)},
        )
    with pytest.raises(StoreError) as caught:  # the bulk insert's own driver error
        store.ledger.append([read_event(1)])
    assert caught.value.details["driver_error"] in ("IntegrityError", "UniqueViolation")
    assert store.ledger.size() == 1  # rolled back
