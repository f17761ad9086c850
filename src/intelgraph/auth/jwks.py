"""Where token verification keys come from: the embedded issuer's own key set, or a
configured issuer's published JWKS.

Keys never come from the token itself (no ``jku``/``jwk``/``x5u``); a source maps a
``kid`` to one key and checks that the key fits the token's algorithm, so a key of
one type can never be used to check a signature made for another.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, JWKRegistry, Key, KeySet, OKPKey, RSAKey

from intelgraph.auth.errors import AuthError
from intelgraph.errors import ConfigError
from intelgraph.obs import get_logger

MAX_JWKS_BYTES = 1024 * 1024  # a JWKS is a few KiB; more is a misconfiguration or an attack
MIN_RSA_BITS = 2048

_log = get_logger(__name__)


class KeySource(Protocol):
    def key_for(self, kid: str, alg: str) -> Key:
        """The key named ``kid`` fit for ``alg``; ``AuthError`` when there is none."""
        ...


def key_fits(key: Key, alg: str) -> bool:
    """Whether ``key`` may check an ``alg`` signature (type, curve, size, use, key's alg)."""
    if key.get("use") not in (None, "sig") or key.alg not in (None, alg):
        return False
    key_ops = key.get("key_ops")
    if key_ops is not None and "verify" not in key_ops:
        return False
    if alg in ("Ed25519", "EdDSA"):
        return isinstance(key, OKPKey) and key.curve_name == "Ed25519"
    if alg == "ES256":
        return isinstance(key, ECKey) and key.curve_name == "P-256"
    if alg == "RS256":
        return isinstance(key, RSAKey) and key.raw_value.key_size >= MIN_RSA_BITS
    return False


def _pick(candidates: list[Key], kid: str, alg: str) -> Key:
    if not candidates:
        raise AuthError("token_key_unknown", f"no key with kid {kid[:80]!r}")
    for key in candidates:
        if key_fits(key, alg):
            return key
    raise AuthError(
        "token_algorithm_refused",
        f"key {kid[:80]!r} does not fit algorithm {alg}",
        hint="the issuer signed with an algorithm its key is not meant for",
    )


class StaticJwks:
    """Keys held in-process; ``keys`` is asked on every lookup, so rotation shows at once."""

    def __init__(self, keys: Callable[[], KeySet]) -> None:
        self._keys = keys

    def key_for(self, kid: str, alg: str) -> Key:
        return _pick([key for key in self._keys().keys if key.kid == kid], kid, alg)


def _parse_jwks(body: bytes) -> dict[str, list[Key]]:
    """Signature keys by kid; keys without kid, for encryption or unreadable are skipped."""
    document = json.loads(body)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWK Set (no 'keys' list)")
    by_kid: dict[str, list[Key]] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            with warnings.catch_warnings():  # small RSA keys warn; key_fits refuses them
                warnings.simplefilter("ignore", SecurityWarning)
                key = JWKRegistry.import_key(entry)
        except (JoseError, ValueError, TypeError):
            continue
        by_kid.setdefault(entry["kid"], []).append(key)
    return by_kid


def _get_limited(client: httpx.Client, url: str, timeout: float) -> bytes:
    """GET ``url`` and read at most :data:`MAX_JWKS_BYTES`, so a hostile server cannot
    exhaust memory."""
    with client.stream("GET", url, timeout=timeout, headers={"Accept": "application/json"}) as r:
        if r.status_code != 200:
            raise ValueError(f"HTTP {r.status_code}")
        chunks: list[bytes] = []
        size = 0
        for chunk in r.iter_bytes():
            size += len(chunk)
            if size > MAX_JWKS_BYTES:
                raise ValueError(f"body larger than {MAX_JWKS_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def _fetch(client: httpx.Client | None, url: str, timeout: float) -> bytes:
    if client is not None:
        return _get_limited(client, url, timeout)
    with httpx.Client(follow_redirects=False) as own:
        return _get_limited(own, url, timeout)


def discover_jwks_uri(
    issuer: str, *, timeout: float = 5.0, client: httpx.Client | None = None
) -> str:
    """``jwks_uri`` from the issuer's OpenID configuration; the document must name exactly
    ``issuer``, or tokens could be checked with another issuer's keys."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    hint = f"check the issuer URL {issuer!r} and that {url} answers"
    try:
        document: Any = json.loads(_fetch(client, url, timeout))
    except (httpx.HTTPError, ValueError) as exc:
        raise ConfigError(f"OpenID discovery failed for {issuer!r}: {exc}", hint=hint) from exc
    if not isinstance(document, dict):
        raise ConfigError(f"OpenID configuration at {url} is not a JSON object", hint=hint)
    if document.get("issuer") != issuer:
        raise ConfigError(
            f"OpenID configuration at {url} names issuer {document.get('issuer')!r}, "
            f"not {issuer!r}",
            hint="configure the issuer exactly as the provider spells it (trailing slash!)",
        )
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
        raise ConfigError(f"OpenID configuration at {url} has no usable jwks_uri", hint=hint)
    return jwks_uri


class RemoteJwks:
    """An issuer's ``jwks_uri``, cached and refreshed when a token names an unknown kid
    (key rotation), at most once per ``min_refresh_seconds`` so that tokens with made-up
    kids cannot turn the verifier into a request amplifier against the issuer. The set is
    also refetched once it is ``max_age_seconds`` old, so a key the issuer withdrew stops
    being trusted within that time even when no token names an unknown kid.

    Given an ``issuer`` instead of a ``url``, the JWKS location is discovered on the first
    token, not when the platform opens: commands that verify no token never wait on, or
    fail because of, the identity provider.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        issuer: str | None = None,
        min_refresh_seconds: float = 30.0,
        max_age_seconds: float = 3600.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        client: httpx.Client | None = None,
    ) -> None:
        if (url is None) == (issuer is None):
            raise ValueError("give either the JWKS url or the issuer to discover it from")
        self.url = url
        self._issuer = issuer
        self._min_refresh = min_refresh_seconds
        self._max_age = max(max_age_seconds, min_refresh_seconds)
        self._timeout = timeout
        self._clock = clock
        self._client = client
        self._keys: dict[str, list[Key]] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_discovery(
        cls,
        issuer: str,
        *,
        min_refresh_seconds: float = 30.0,
        max_age_seconds: float = 3600.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        client: httpx.Client | None = None,
    ) -> RemoteJwks:
        """Discover now: a misconfigured issuer is a ConfigError here, not a refusal later."""
        return cls(
            discover_jwks_uri(issuer, timeout=timeout, client=client),
            min_refresh_seconds=min_refresh_seconds,
            max_age_seconds=max_age_seconds,
            timeout=timeout,
            clock=clock,
            client=client,
        )

    def key_for(self, kid: str, alg: str) -> Key:
        if kid not in self._keys or self._older_than(self._max_age):
            with self._lock:  # one refresh at a time; waiters then see its result
                if (
                    self._fetched_at is None
                    or self._older_than(self._max_age)
                    or (kid not in self._keys and self._older_than(self._min_refresh))
                ):
                    self._refresh()
        return _pick(self._keys.get(kid, []), kid, alg)

    def _older_than(self, seconds: float) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at >= seconds

    def _refresh(self) -> None:
        """Replace the cache with the published set; on failure keep the old one."""
        self._fetched_at = self._clock()
        try:
            if self.url is None:
                assert self._issuer is not None
                self.url = discover_jwks_uri(
                    self._issuer, timeout=self._timeout, client=self._client
                )
            self._keys = _parse_jwks(_fetch(self._client, self.url, self._timeout))
        except ConfigError as exc:
            _log.warning("oidc_discovery_failed", issuer=self._issuer, reason=exc.message)
        except (httpx.HTTPError, ValueError, RecursionError) as exc:
            _log.warning("jwks_fetch_failed", url=self.url, reason=str(exc))


__all__ = [
    "MAX_JWKS_BYTES",
    "KeySource",
    "RemoteJwks",
    "StaticJwks",
    "discover_jwks_uri",
    "key_fits",
]
