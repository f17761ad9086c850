"""``GET /ledger/keys.json``: the ledger's public verification keys.

A client that checks evidence itself (the web UI verifies proofs and checkpoint
signatures in the browser) needs the keys that sign checkpoints. They are public
keys, so the route needs no credential; ``vkey`` is the verifier key exactly as
``intelgraph keys show`` prints it, for comparing out of band, and ``keyId`` the
8 hex digits ``intelgraph ledger status`` shows next to each checkpoint.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from intelgraph.api.security import platform_of
from intelgraph.errors import ConfigError
from intelgraph.ledger.service import Ledger

router = APIRouter(tags=["ledger"])


def ledger_keys(ledger: Ledger) -> dict[str, Any]:
    """The log's origin and every key it has signed with, the active one first."""
    try:
        active: str | None = ledger.keyring.active(create=False).verifier.key_hex
    except ConfigError:  # no key yet (a GET never makes one); older keys still verify
        active = None
    keys = [
        {
            "keyId": verifier.key_hex,
            "algorithm": "Ed25519",
            "publicKey": base64.b64encode(verifier.public_key).decode(),
            "noteName": verifier.name,
            "vkey": verifier.vkey(),
            "current": verifier.key_hex == active,
        }
        for verifier in ledger.verifiers()
    ]
    return {"origin": ledger.origin, "keys": keys}


@router.get("/ledger/keys.json")
def keys_json(request: Request) -> JSONResponse:
    # Revalidated on every use: right after a rotation a stale list would make fresh
    # checkpoints look signed by an unknown key.
    return JSONResponse(
        ledger_keys(platform_of(request).ledger),
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


__all__ = ["ledger_keys", "router"]
