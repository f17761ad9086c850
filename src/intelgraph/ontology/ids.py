"""Deterministic entity ids: re-ingesting the same data upserts instead of duplicating."""

from __future__ import annotations

from collections.abc import Sequence

from intelgraph.errors import InvalidValue
from intelgraph.model import canonical_json, sha256_hex
from intelgraph.ontology.normalizers import collapse


def make_entity_id(schema: str, key_values: Sequence[str], namespace: str = "") -> str:
    """40 hex chars of SHA-256 over ``[namespace, schema, keys]``.

    Keys are NFC-normalised with whitespace collapsed and kept in order (position
    matters: ``["a", "b"]`` and ``["b", "a"]`` give different ids). At least one key
    must be non-empty, or every keyless entity of a type would share one id.
    """
    if not isinstance(schema, str) or not schema:
        raise InvalidValue("an entity id needs a type name", hint="pass the schema, e.g. 'Person'")
    if isinstance(key_values, str):
        raise InvalidValue(
            "key values must be a sequence of strings, not one string",
            hint="wrap a single key in a list: ['value']",
        )
    if not all(isinstance(value, str) for value in key_values):
        raise InvalidValue("key values must be strings", hint="convert numbers and dates to text")
    keys = [collapse(value) for value in key_values]
    if not any(keys):
        raise InvalidValue(
            f"cannot make an id for {schema} without a non-empty key value",
            hint="map at least one identifying field (a name, number or source id) as key",
        )
    return sha256_hex(canonical_json([namespace, schema, keys]))[:40]


__all__ = ["make_entity_id"]
