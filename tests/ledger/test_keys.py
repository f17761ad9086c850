"""The keyring: data-directory keys, keys from the environment, rotation, damage."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from intelgraph.config import load_settings
from intelgraph.errors import ConfigError, InvalidInput
from intelgraph.ledger.keys import Keyring
from intelgraph.ledger.note import Signer
from intelgraph.platform import Platform


def test_a_key_is_created_once_with_private_permissions(tmp_path: Path) -> None:
    ring = Keyring(tmp_path, name="log.example/a")
    first = ring.active()
    assert ring.active() == first
    active = tmp_path / "keys/ledger/active.key"
    assert stat.S_IMODE(active.stat().st_mode) == 0o600
    assert (tmp_path / f"keys/ledger/{first.verifier.key_hex}.pub").read_text().strip() == (
        first.verifier.vkey()
    )
    assert Keyring(tmp_path, name="log.example/a").verifiers() == [first.verifier]


def test_rotation_keeps_only_the_old_public_key(tmp_path: Path) -> None:
    ring = Keyring(tmp_path, name="log.example/a")
    old, new = ring.rotate()
    assert ring.active() == new != old
    assert old.skey() not in (tmp_path / "keys/ledger/active.key").read_text()
    assert {v.key_hex for v in ring.verifiers()} == {old.verifier.key_hex, new.verifier.key_hex}


def test_an_external_key_is_used_and_remembered(tmp_path: Path) -> None:
    signer = Signer.generate("log.example/prod")
    ring = Keyring(tmp_path, name="log.example/prod", external_key=signer.skey())
    assert ring.active() == signer
    assert not (tmp_path / "keys/ledger/active.key").exists()
    assert signer.verifier in Keyring(tmp_path, name="x").verifiers()  # its .pub was kept
    with pytest.raises(InvalidInput, match="IG_LEDGER_SIGNING_KEY"):
        ring.rotate()


def test_settings_take_the_key_from_a_file(tmp_path: Path) -> None:
    signer = Signer.generate("log.example/file")
    key_file = tmp_path / "ledger.key"
    key_file.write_text(signer.skey() + "\n")
    settings = load_settings(data_dir=tmp_path / "data", ledger_signing_key_file=key_file)
    with Platform.open(settings, upgrade=True) as platform:
        assert platform.ledger.signer() == signer
    missing = load_settings(data_dir=tmp_path / "data", ledger_signing_key_file=tmp_path / "nope")
    with pytest.raises(ConfigError, match="cannot read the ledger signing key file"):
        missing.signing_key()


@pytest.mark.parametrize("text", ["PRIVATE+KEY+x", "not a key", "PRIVATE+KEY+n+00000000+AAAA"])
def test_broken_keys_are_refused_with_a_hint(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="not usable") as caught:
        Keyring(tmp_path, name="n", external_key=text)
    assert caught.value.hint is not None
    assert "keys generate" in caught.value.hint


def test_a_damaged_public_key_file_is_reported(tmp_path: Path) -> None:
    ring = Keyring(tmp_path, name="log.example/a")
    ring.active()
    (tmp_path / "keys/ledger/deadbeef.pub").write_text("garbage")
    with pytest.raises(ConfigError, match="damaged"):
        ring.verifiers()
