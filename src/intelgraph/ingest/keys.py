"""The deployment's tokenization key (keyed HMAC tokens for redacted values)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from intelgraph.errors import ConfigError

KEY_FILE = "keys/tokenization.key"


def tokenization_key(data_dir: Path, *, create: bool = True) -> bytes:
    """32 random bytes kept in the data directory (mode 0600), created on first use.

    Losing the key means new tokens no longer match old ones; back it up with
    the data directory.
    """
    path = Path(data_dir) / KEY_FILE
    if path.is_file():
        key = path.read_bytes()
        if len(key) < 16:
            raise ConfigError(
                f"the tokenization key {path} is too short", hint="restore it from backup"
            )
        return key
    if not create:
        return b""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


__all__ = ["KEY_FILE", "tokenization_key"]
