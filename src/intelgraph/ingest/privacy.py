"""Redaction and tokenization of values by their ontology privacy class.

A source decides, per privacy class (``pii``, ``sensitive``), whether values are
kept, dropped, or replaced by a keyed HMAC token. The token of a value is the
same everywhere under one key, so records still join on it, but it cannot be
reversed or recomputed without the deployment's key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from intelgraph.errors import InvalidInput

ACTIONS = ("keep", "token", "drop")
CLASSES = ("pii", "sensitive")
TOKEN_PREFIX = "tok_"  # noqa: S105 - a label on tokens, not a secret


class PrivacyPolicy:
    """What happens to values of each privacy class; ``public`` values are always kept."""

    def __init__(self, rules: Mapping[str, str], key: bytes) -> None:
        for klass, action in rules.items():
            if klass not in CLASSES:
                raise InvalidInput(
                    f"unknown privacy class {klass!r}", hint=f"use one of {', '.join(CLASSES)}"
                )
            if action not in ACTIONS:
                raise InvalidInput(
                    f"unknown privacy action {action!r} for {klass}",
                    hint=f"use one of {', '.join(ACTIONS)}",
                )
        if any(action == "token" for action in rules.values()) and len(key) < 16:
            raise InvalidInput("tokenization needs a key of at least 16 bytes")
        self.rules = {klass: rules.get(klass, "keep") for klass in CLASSES}
        self._key = key

    @property
    def active(self) -> bool:
        return any(action != "keep" for action in self.rules.values())

    def apply(self, privacy_class: str, value: str) -> str | None:
        """The value to store (the token when tokenized), or None to drop it."""
        action = self.rules.get(privacy_class, "keep")
        if action == "keep":
            return value
        if action == "drop":
            return None
        return tokenize(self._key, value)

    def to_dict(self) -> dict[str, str]:
        return dict(self.rules)


def tokenize(key: bytes, value: str) -> str:
    """Deterministic keyed token of a normalised value."""
    digest = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest[:32]


__all__ = ["ACTIONS", "CLASSES", "TOKEN_PREFIX", "PrivacyPolicy", "tokenize"]
