"""The ledger's signing keys: one active Ed25519 key, and every public key ever used.

In the embedded default the keys live in the data directory
(``keys/ledger/active.key``, mode 0600, and ``keys/ledger/<key id>.pub``). In
production the active key comes from ``IG_LEDGER_SIGNING_KEY`` or
``IG_LEDGER_SIGNING_KEY_FILE`` (the signed-note ``PRIVATE+KEY+…`` form) and is
rotated by the operator; its public half is still written to the data directory
so that checkpoints it signed stay verifiable after it is replaced.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from intelgraph.errors import ConfigError, InvalidInput
from intelgraph.files import write_atomically
from intelgraph.ledger.note import NoteError, Signer, Verifier

KEY_DIR = "keys/ledger"
ACTIVE = "active.key"


class Keyring:
    """Signing and verifier keys for one log (named by its origin)."""

    def __init__(self, data_dir: Path, *, name: str, external_key: str | None = None) -> None:
        self.directory = Path(data_dir) / KEY_DIR
        self.name = name
        self._external = (
            _parse_signer(external_key, "IG_LEDGER_SIGNING_KEY") if external_key else None
        )

    @property
    def external(self) -> bool:
        return self._external is not None

    def active(self, *, create: bool = True) -> Signer:
        """The key that signs new checkpoints and exports (created on first use)."""
        if self._external is not None:
            self._remember(self._external.verifier)
            return self._external
        path = self.directory / ACTIVE
        if path.is_file():
            return _parse_signer(path.read_text(), str(path))
        if not create:
            raise ConfigError(
                "the ledger has no signing key yet",
                hint="run `intelgraph init` or `intelgraph ledger checkpoint`",
            )
        signer = Signer.generate(self.name)
        self._install(signer)
        return signer

    def verifiers(self) -> list[Verifier]:
        """Every public key this deployment has signed with, active first."""
        found: list[Verifier] = []
        with contextlib.suppress(ConfigError):
            found.append(self.active(create=False).verifier)
        if self.directory.is_dir():
            for path in sorted(self.directory.glob("*.pub")):
                try:
                    verifier = Verifier.parse(path.read_text())
                except NoteError as exc:
                    raise ConfigError(
                        f"the public key file {path} is damaged: {exc}",
                        hint="restore it from backup or remove it",
                    ) from None
                if verifier not in found:
                    found.append(verifier)
        return found

    def rotate(self) -> tuple[Signer, Signer]:
        """Replace the active key; only the old public key is kept. Returns (old, new)."""
        if self._external is not None:
            raise InvalidInput(
                "the signing key comes from IG_LEDGER_SIGNING_KEY(_FILE)",
                hint="generate a new key with `intelgraph keys generate`, set it in the "
                "environment and restart; the ledger records the change at the next checkpoint",
            )
        old = self.active()
        new = Signer.generate(self.name)
        self._install(new)
        return old, new

    def _install(self, signer: Signer) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._remember(signer.verifier)
        write_atomically(self.directory / ACTIVE, (signer.skey() + "\n").encode(), mode=0o600)

    def _remember(self, verifier: Verifier) -> None:
        path = self.directory / f"{verifier.key_hex}.pub"
        if path.is_file():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        path.write_text(verifier.vkey() + "\n")


def _parse_signer(text: str, where: str) -> Signer:
    try:
        return Signer.parse(text)
    except NoteError as exc:
        raise ConfigError(
            f"the ledger signing key in {where} is not usable: {exc}",
            hint="a key looks like PRIVATE+KEY+name+keyid+base64; make one with "
            "`intelgraph keys generate`",
        ) from None


__all__ = ["ACTIVE", "KEY_DIR", "Keyring"]
