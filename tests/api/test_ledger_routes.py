"""``GET /ledger/keys.json``: the keys a browser needs to check checkpoints itself."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intelgraph.api import create_app
from intelgraph.config import load_settings
from intelgraph.ledger.note import Verifier, open_checkpoint, split_note
from intelgraph.platform import Platform


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    with Platform.open(load_settings(data_dir=tmp_path), upgrade=True) as opened:
        yield opened


def _verifier(key: dict[str, Any]) -> Verifier:
    """The key as a browser reads it: name and raw public key, nothing else."""
    return Verifier(key["noteName"], base64.b64decode(key["publicKey"]))


def test_no_key_yet_lists_none_and_makes_none(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    response = client.get("/ledger/keys.json")  # no credential: public keys
    assert response.status_code == 200
    assert response.json() == {"origin": platform.ledger.origin, "keys": []}
    assert platform.ledger.keyring.verifiers() == []  # a GET does not create a key


def test_keys_verify_the_checkpoints_they_sign(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    first = platform.ledger.checkpoint()
    response = client.get("/ledger/keys.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    body = response.json()
    assert body["origin"] == platform.ledger.origin
    [key] = body["keys"]
    assert key["algorithm"] == "Ed25519"
    assert key["current"] is True
    assert key["keyId"] == first.key_id
    verifier = _verifier(key)
    assert verifier.key_hex == key["keyId"]  # the id is derived, not just asserted
    assert Verifier.parse(key["vkey"]) == verifier  # what `intelgraph keys show` prints
    checkpoint, signed = open_checkpoint(first.note, [verifier], origin=body["origin"])
    assert (checkpoint.size, checkpoint.root, signed) == (first.size, first.root, [verifier])


def test_rotation_lists_the_new_key_first_and_keeps_the_old(platform: Platform) -> None:
    client = TestClient(create_app(platform))
    platform.ledger.checkpoint()
    old, new, cosigned = platform.ledger.rotate_key()
    keys = client.get("/ledger/keys.json").json()["keys"]
    assert [(k["keyId"], k["current"]) for k in keys] == [
        (new.key_hex, True),
        (old.key_hex, False),
    ]
    verifiers = [_verifier(k) for k in keys]
    assert verifiers == [new, old]
    # The rotation checkpoint carries both signatures; each listed key checks its own.
    assert len(split_note(cosigned.note)[1]) == 2
    for verifier in verifiers:
        _, signed = open_checkpoint(cosigned.note, [verifier])
        assert signed == [verifier]
