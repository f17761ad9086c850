"""Persisted queries: off, allow (Apollo APQ-compatible) or enforce (registered only).

APQ saves bandwidth: clients send a sha256 and the document only when the server asks.
Enforce mode is a security control: only documents registered at deploy time run, so an
attacker cannot submit hand-crafted expensive queries. Every decision here is made on the
hash before any GraphQL parsing, which keeps refusal cheap.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from intelgraph.errors import ConfigError, IntelGraphError

_HASH = re.compile(r"[0-9a-fA-F]{64}")
_EMPTY: Mapping[str, str] = MappingProxyType({})
APOLLO_MANIFEST_FORMAT = "apollo-persisted-query-manifest"


class PersistedMode(StrEnum):
    OFF = "off"
    ALLOW = "allow"
    ENFORCE = "enforce"


class PersistedQueryError(IntelGraphError):
    """A request's query/persistedQuery pair cannot be turned into a document to run.

    Codes: ``invalid_request``, ``persisted_query_not_supported``,
    ``persisted_query_not_found``, ``persisted_query_mismatch``, ``persisted_query_required``.
    """

    code = "invalid_request"


def document_hash(text: str) -> str:
    """Lowercase hex sha256 of the UTF-8 document, as APQ and Apollo manifests use."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _short(digest: str) -> str:
    return f"{digest[:12]}…" if len(digest) > 12 else digest


class PersistedQueries:
    """Turns ``(query, extensions)`` into the document to execute, per the configured mode."""

    def __init__(
        self,
        mode: PersistedMode | str,
        registered: Mapping[str, str] = _EMPTY,
        *,
        cache_size: int = 10_000,
    ) -> None:
        try:
            self.mode = PersistedMode(mode)
        except ValueError:
            raise ConfigError(
                f"Unknown persisted-query mode {mode!r}.",
                hint="Use one of: off, allow, enforce.",
            ) from None
        if cache_size < 0:
            raise ConfigError(f"cache_size must be >= 0, got {cache_size}.")
        self._registered = _verified(registered, "the registered documents")
        self._cache_size = cache_size
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        mode: PersistedMode | str,
        paths: Sequence[Path],
        *,
        cache_size: int = 10_000,
    ) -> PersistedQueries:
        """Read registries from JSON files: a ``{hash: document}`` object or an Apollo manifest."""
        merged: dict[str, str] = {}
        for path in paths:
            merged.update(_read_registry(Path(path)))
        return cls(mode, merged, cache_size=cache_size)

    @property
    def registered_count(self) -> int:
        return len(self._registered)

    @property
    def cached_count(self) -> int:
        """Documents learnt through APQ (allow mode), bounded by ``cache_size``."""
        with self._lock:
            return len(self._cache)

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str:
        """The document to execute, or a :class:`PersistedQueryError` saying why not."""
        if query is not None and not isinstance(query, str):
            raise PersistedQueryError(
                f"'query' must be a string, got {type(query).__name__}.",
                hint="Send the GraphQL document as a JSON string.",
            )
        text = query or None  # an empty string is how some clients say "hash only"
        raw = _persisted_extension(extensions)

        if self.mode is PersistedMode.OFF:
            if text is not None:
                return text  # the extension is ignored, as Apollo Server does when APQ is off
            if raw is not None:
                raise PersistedQueryError(
                    "PersistedQueryNotSupported",
                    code="persisted_query_not_supported",
                    hint="This server does not accept persisted queries; send the full 'query'.",
                )
            raise _missing_query()

        digest = _parse_persisted(raw) if raw is not None else None
        if self.mode is PersistedMode.ALLOW:
            return self._resolve_allow(text, digest)
        return self._resolve_enforce(text, digest)

    def _resolve_allow(self, text: str | None, digest: str | None) -> str:
        if text is None:
            if digest is None:
                raise _missing_query()
            found = self._lookup(digest)
            if found is None:
                raise _not_found(digest, enforce=False)
            return found
        if digest is not None:
            if document_hash(text) != digest:
                raise _mismatch(digest)
            if digest not in self._registered:
                self._remember(digest, text)
        return text

    def _resolve_enforce(self, text: str | None, digest: str | None) -> str:
        if text is None:
            if digest is None:
                raise _missing_query()
            found = self._registered.get(digest)
            if found is None:
                raise _not_found(digest, enforce=True)
            return found
        actual = document_hash(text)
        if actual not in self._registered:
            raise PersistedQueryError(
                "Only registered (persisted) documents may run on this server.",
                code="persisted_query_required",
                hint=(
                    "This server only runs registered documents: add the operation to the "
                    "persisted-query manifest and deploy it, then send its sha256Hash."
                ),
                details={"sha256Hash": actual},
            )
        if digest is not None and digest != actual:
            raise _mismatch(digest)
        return self._registered[actual]

    def _lookup(self, digest: str) -> str | None:
        found = self._registered.get(digest)
        if found is not None:
            return found
        with self._lock:
            found = self._cache.get(digest)
            if found is not None:
                self._cache.move_to_end(digest)
            return found

    def _remember(self, digest: str, text: str) -> None:
        if self._cache_size == 0:
            return
        with self._lock:
            self._cache[digest] = text
            self._cache.move_to_end(digest)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


def _missing_query() -> PersistedQueryError:
    return PersistedQueryError(
        "The request has no 'query'.",
        hint="Send the GraphQL document in the 'query' field.",
    )


def _not_found(digest: str, *, enforce: bool) -> PersistedQueryError:
    # The message is exactly Apollo's: its clients match on it to resend with the document.
    return PersistedQueryError(
        "PersistedQueryNotFound",
        code="persisted_query_not_found",
        hint=(
            "This server only runs registered documents; this hash is not registered."
            if enforce
            else "Resend the request with both 'query' and this persistedQuery hash."
        ),
        details={"sha256Hash": digest},
    )


def _mismatch(digest: str) -> PersistedQueryError:
    return PersistedQueryError(
        "The persistedQuery sha256Hash does not match the sha256 of 'query'.",
        code="persisted_query_mismatch",
        hint="Hash the exact UTF-8 query text with sha256 and send it as lowercase hex.",
        details={"sha256Hash": digest},
    )


def _persisted_extension(extensions: Mapping[str, Any] | None) -> object | None:
    if extensions is None:
        return None
    if not isinstance(extensions, Mapping):
        raise PersistedQueryError(
            f"'extensions' must be an object, got {type(extensions).__name__}.",
            hint='Send extensions as {"persistedQuery": {"version": 1, "sha256Hash": "..."}}.',
        )
    return extensions.get("persistedQuery")


def _parse_persisted(raw: object) -> str:
    """Validate ``extensions.persistedQuery`` and return its normalised hash."""
    if not isinstance(raw, Mapping):
        raise PersistedQueryError(
            f"'extensions.persistedQuery' must be an object, got {type(raw).__name__}.",
            hint='Send {"version": 1, "sha256Hash": "<64 hex characters>"}.',
        )
    version = raw.get("version")
    if isinstance(version, bool) or version != 1:
        raise PersistedQueryError(
            f"Unsupported persistedQuery version {version!r}.",
            hint="Only version 1 of the persisted-query protocol is supported.",
            details={"version": repr(version)[:40]},
        )
    digest = raw.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        shown = repr(digest)[:20]
        raise PersistedQueryError(
            f"'extensions.persistedQuery.sha256Hash' must be 64 hex characters, got {shown}.",
            hint="Send the sha256 of the UTF-8 query text as hex.",
        )
    return digest.lower()


def _verified(entries: Mapping[str, str], source: str) -> dict[str, str]:
    """Normalise hashes to lowercase and check each one really is its document's sha256."""
    out: dict[str, str] = {}
    for key, text in entries.items():
        if not isinstance(key, str) or not _HASH.fullmatch(key):
            raise ConfigError(
                f"Persisted query {str(key)[:20]!r} in {source} is not a 64-character hex sha256.",
                hint="Key every document by the lowercase hex sha256 of its UTF-8 text.",
                details={"source": source},
            )
        if not isinstance(text, str) or not text:
            raise ConfigError(
                f"Persisted query {_short(key)} in {source} has no document text.",
                hint="Every entry needs the GraphQL document as a non-empty string.",
                details={"source": source, "sha256Hash": key.lower()},
            )
        digest = key.lower()
        if document_hash(text) != digest:
            raise ConfigError(
                f"Persisted query {_short(digest)} in {source}: the hash does not match "
                "its document.",
                hint="Regenerate the registry; the key must be sha256 of the exact UTF-8 text.",
                details={"source": source, "sha256Hash": digest, "actual": document_hash(text)},
            )
        out[digest] = text
    return out


def _read_registry(path: Path) -> dict[str, str]:
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"Cannot read persisted-query registry {where}: {exc.strerror or exc}.",
            hint="Check the path in the persisted-query settings.",
            details={"path": where},
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"Persisted-query registry {where} is not UTF-8 text.",
            hint="Save the registry as UTF-8 JSON.",
            details={"path": where},
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"Persisted-query registry {where} is not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            hint="Fix the JSON, or regenerate the file with your client tooling.",
            details={"path": where},
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"Persisted-query registry {where} must be a JSON object, got {type(data).__name__}.",
            hint='Use {"<sha256>": "<document>"} or an Apollo persisted-query manifest.',
            details={"path": where},
        )
    if "format" in data or "operations" in data:
        return _verified(_manifest_entries(data, where), where)
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(
                f"Persisted-query registry {where}: the value for {str(key)[:20]!r} "
                f"is {type(value).__name__}, not a document string.",
                hint='A plain registry maps "<sha256>" to "<document>" only.',
                details={"path": where},
            )
    return _verified(data, where)


def _manifest_entries(data: dict[str, Any], where: str) -> dict[str, str]:
    def bad(problem: str) -> ConfigError:
        return ConfigError(
            f"Apollo manifest {where}: {problem}.",
            hint=(
                f'Expected {{"format": "{APOLLO_MANIFEST_FORMAT}", "version": 1, '
                '"operations": [{"id", "name", "type", "body"}]}; regenerate it with '
                "generate-persisted-query-manifest."
            ),
            details={"path": where},
        )

    if data.get("format") != APOLLO_MANIFEST_FORMAT:
        raise bad(f"'format' must be {APOLLO_MANIFEST_FORMAT!r}, got {data.get('format')!r}")
    version = data.get("version")
    if isinstance(version, bool) or version != 1:
        raise bad(f"unsupported 'version' {version!r} (only 1 is known)")
    operations = data.get("operations")
    if not isinstance(operations, list):
        raise bad("'operations' must be a list")
    out: dict[str, str] = {}
    for index, op in enumerate(operations):
        if not isinstance(op, dict):
            raise bad(f"operations[{index}] is not an object")
        op_id, body = op.get("id"), op.get("body")
        label = f"operations[{index}] ({op.get('name')!s})"
        if not isinstance(op_id, str):
            raise bad(f"{label} has no string 'id'")
        if not isinstance(body, str):
            raise bad(f"{label} has no string 'body'")
        if _HASH.fullmatch(op_id) and document_hash(body) != op_id.lower():
            raise bad(f"{label}: 'id' {_short(op_id)} is not the sha256 of its body")
        out[op_id] = body
    return out


__all__ = [
    "APOLLO_MANIFEST_FORMAT",
    "PersistedMode",
    "PersistedQueries",
    "PersistedQueryError",
    "document_hash",
]
