"""The provenance ledger: an RFC 9162 Merkle log with C2SP signed checkpoints.

The modules here are pure (hashing, proofs, leaves, signed notes, keys); the
log's storage lives in :mod:`intelgraph.store` so that a batch and its leaf
commit in one transaction, and :class:`Ledger` ties the two together.
"""

from intelgraph.ledger.keys import Keyring
from intelgraph.ledger.leaves import LeafError, LedgerEntry, batch_entry, entry
from intelgraph.ledger.merkle import ProofError
from intelgraph.ledger.note import Checkpoint, NoteError, Signer, Verifier

__all__ = [
    "Checkpoint",
    "Keyring",
    "LeafError",
    "LedgerEntry",
    "NoteError",
    "ProofError",
    "Signer",
    "Verifier",
    "batch_entry",
    "entry",
]
