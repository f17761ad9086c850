"""The ledger as the rest of the product uses it: one store's log plus its keys."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from intelgraph.errors import IntelGraphError
from intelgraph.ledger.keys import Keyring
from intelgraph.ledger.leaves import LedgerEntry, entry
from intelgraph.ledger.note import NoteError, Signer, Verifier, open_checkpoint
from intelgraph.model import Judgement, ViewerScope, utcnow

if TYPE_CHECKING:
    from intelgraph.store import Store
    from intelgraph.store.ledger_audit import AuditReport
    from intelgraph.store.ledger_evidence import Evidence
    from intelgraph.store.ledger_log import StoredCheckpoint
    from intelgraph.store.retractions import Retraction


class Ledger:
    """Appends events, signs checkpoints, rotates keys, proves and audits."""

    def __init__(
        self,
        store: Store,
        data_dir: Path,
        *,
        origin: str | None = None,
        signing_key: str | None = None,
    ) -> None:
        self.store = store
        self._data_dir = Path(data_dir)
        self._origin_hint = origin
        self._signing_key = signing_key
        self._origin: str | None = None
        self._keyring: Keyring | None = None

    @property
    def origin(self) -> str:
        if self._origin is None:
            self._origin = self.store.ledger.origin(self._origin_hint)
        return self._origin

    @property
    def keyring(self) -> Keyring:
        if self._keyring is None:
            self._keyring = Keyring(
                self._data_dir, name=_key_name(self.origin), external_key=self._signing_key
            )
        return self._keyring

    def verifiers(self, extra: Sequence[Verifier] = ()) -> list[Verifier]:
        return [*self.keyring.verifiers(), *extra]

    def record(self, *entries: LedgerEntry) -> list[int]:
        """Append events (judgements, policy changes, exports, audited reads)."""
        return self.store.ledger.append(entries)

    def checkpoint(self) -> StoredCheckpoint:
        """Sign the current tree head (announcing the key in the log on its first use)."""
        signer = self.keyring.active()
        first = []
        if signer.verifier.key_hex not in self.store.ledger.announced_keys():
            first.append(key_change(signer.verifier, previous=None, reason="first use"))
        return self.store.ledger.checkpoint([signer], self.origin, first=first)

    def rotate_key(self) -> tuple[Verifier, Verifier, StoredCheckpoint]:
        """New signing key; the change is logged and co-signed by the old key."""
        self.checkpoint()  # the old key is announced before it vouches for the new one
        old, new = self.keyring.rotate()
        change = key_change(new.verifier, previous=old.verifier, reason="rotation")
        checkpoint = self.store.ledger.checkpoint([new, old], self.origin, first=[change])
        return old.verifier, new.verifier, checkpoint

    def signer(self) -> Signer:
        return self.keyring.active()

    def readiness(self) -> str:
        """``ok`` when the signing key loads and the newest checkpoint verifies with a
        known key; else the problem's code (readiness probes must stay cheap: no audit)."""
        try:
            self.keyring.active()
            latest = self.store.ledger.latest_checkpoint()
            if latest is not None:
                checkpoint, _ = open_checkpoint(latest.note, self.verifiers(), origin=self.origin)
                if checkpoint.size != latest.size or checkpoint.root != latest.root:
                    return "checkpoint_mismatch"
        except NoteError:
            return "checkpoint_unverified"
        except IntelGraphError as exc:
            return exc.code
        return "ok"

    def judge(self, judgement: Judgement) -> str:
        """Store a resolution decision and log it, in one transaction."""
        return self.store.put_judgement(judgement, ledger_entry=judgement_entry(judgement))

    def evidence(self, scope: ViewerScope, statement_id: str) -> Evidence:
        """The statement's evidence under a checkpoint (signing one if none covers it)."""
        found = self.store.evidence.evidence(scope, statement_id)
        if found.checkpoint is None:  # the new one covers the leaf: only its path is new
            checkpoint = self.checkpoint()
            path = self.store.ledger.inclusion(found.leaf_index, checkpoint.size)
            found = replace(found, checkpoint=checkpoint, leaf_proof=tuple(path))
        return found

    def verify(
        self,
        extra: Sequence[Verifier] = (),
        *,
        kept: Sequence[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> AuditReport:
        from intelgraph.store.ledger_audit import audit

        return audit(self.store, self.verifiers(extra), self.origin, kept=kept, progress=progress)


def key_change(new: Verifier, *, previous: Verifier | None, reason: str) -> LedgerEntry:
    return entry(
        "key-change",
        {
            "key_id": new.key_hex,
            "vkey": new.vkey(),
            "previous": previous.key_hex if previous else None,
            "reason": reason,
        },
        at=utcnow(),
    )


def judgement_entry(judgement: Judgement) -> LedgerEntry:
    """The reason is logged as a hash: free text may itself be sensitive."""
    return entry(
        "judgement",
        {
            "id": judgement.id,
            "tenant": judgement.tenant,
            "left": judgement.left_id,
            "right": judgement.right_id,
            "decision": str(judgement.decision),
            "author": judgement.author,
            "reason_sha256": hashlib.sha256(judgement.reason.encode()).hexdigest(),
        },
        at=judgement.created_at,
    )


def retraction_entry(retraction: Retraction) -> LedgerEntry:
    """A withdrawn statement, by id; like a judgement's, the reason is logged as a hash."""
    return entry(
        "retraction",
        {
            "statement": retraction.statement_id,
            "entity": retraction.entity_id,
            "tenant": retraction.tenant,
            "author": retraction.author,
            "reason_sha256": hashlib.sha256(retraction.reason.encode()).hexdigest(),
        },
        at=retraction.created_at,
    )


def _key_name(origin: str) -> str:
    """Signed-note key names may not hold spaces or '+'; origins normally do not."""
    return "".join("-" if c.isspace() or c == "+" else c for c in origin)


__all__ = ["Ledger", "judgement_entry", "key_change", "retraction_entry"]
