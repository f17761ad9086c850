"""Verification against an external OpenID Connect issuer running as its own process:
discovery, every algorithm, key rotation, the refresh rate limit and JWKS failures.

The provider is ``tests/auth/oidc_provider.py``; the JWKS refresh clock is injected,
so no test sleeps.
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from intelgraph.auth.errors import AuthError
from intelgraph.auth.jwks import RemoteJwks
from intelgraph.auth.jwt import IssuerConfig, TokenVerifier
from intelgraph.errors import ConfigError
from tests.auth.conftest import oidc_provider

NOW = 1_800_000_000.0
AUD = "intelgraph"
REFRESH = 30.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Provider:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def token(self, alg: str = "Ed25519", **extra: Any) -> str:
        claims = {"iss": self.url, "aud": AUD, "sub": "alice", "iat": NOW, "exp": NOW + 300}
        claims.update(extra.pop("claims", {}))
        response = self.http.post("/token", json={"claims": claims, "alg": alg, **extra})
        response.raise_for_status()
        return str(response.json()["token"])

    def rotate(self, alg: str = "Ed25519", *, drop_old: bool = False) -> None:
        params = {"alg": alg, "drop_old": "1" if drop_old else "0"}
        self.http.post("/rotate", params=params).raise_for_status()

    def jwks_mode(self, mode: str = "ok", extra_keys: list[dict[str, Any]] | None = None) -> None:
        body: dict[str, Any] = {"mode": mode}
        if extra_keys is not None:
            body["extra_keys"] = extra_keys
        self.http.post("/jwks-mode", json=body).raise_for_status()

    def fetches(self) -> int:
        return int(self.http.get("/stats").json()["jwks_fetches"])


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    with oidc_provider(tmp_path / "idp") as url:
        served = Provider(url)
        yield served
        served.http.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def verifier_for(provider: Provider, clock: Clock) -> TokenVerifier:
    keys = RemoteJwks.from_discovery(provider.url, min_refresh_seconds=REFRESH, clock=clock)
    return TokenVerifier([IssuerConfig(provider.url, AUD, keys)], clock=lambda: NOW)


def code_of(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    return caught.value.code


def kid_of(token: str) -> str:
    return str(json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"])


def test_tokens_of_every_algorithm_verify_with_one_jwks_fetch(
    provider: Provider, clock: Clock
) -> None:
    verifier = verifier_for(provider, clock)
    assert provider.fetches() == 0  # discovery only; the JWKS is fetched on first use
    for alg in ("Ed25519", "EdDSA", "ES256", "RS256"):
        verified = verifier.verify(provider.token(alg))
        assert verified.header["alg"] == alg
        assert verified.claims["sub"] == "alice"
        assert verified.issuer.issuer == provider.url
    assert provider.fetches() == 1


def test_provider_claims_are_checked_like_any_other(provider: Provider, clock: Clock) -> None:
    verifier = verifier_for(provider, clock)
    assert code_of(verifier, provider.token(claims={"aud": "other"})) == "token_audience_mismatch"
    assert code_of(verifier, provider.token(claims={"exp": NOW - 31})) == "token_expired"
    assert code_of(verifier, provider.token(headers={"typ": "JWT"})) == "token_type_refused"
    jku = {"jku": f"{provider.url}/jwks.json"}
    assert code_of(verifier, provider.token(headers=jku)) == "token_header_refused"
    assert code_of(verifier, provider.token(kid_override=None)) == "token_key_unknown"


def test_rotated_key_is_fetched_on_unknown_kid(provider: Provider, clock: Clock) -> None:
    verifier = verifier_for(provider, clock)
    old = provider.token()
    verifier.verify(old)
    provider.rotate("Ed25519")
    new = provider.token()
    assert kid_of(new) != kid_of(old)
    # Within the refresh interval the unknown kid is not fetched...
    assert code_of(verifier, new) == "token_key_unknown"
    assert provider.fetches() == 1
    # ...after it, the unknown kid triggers one refresh and the new key verifies.
    clock.now += REFRESH
    assert verifier.verify(new).header["kid"] == kid_of(new)
    assert provider.fetches() == 2
    assert verifier.verify(old).claims["sub"] == "alice"  # kept in the JWKS, still valid
    assert provider.fetches() == 2


def test_dropped_key_is_refused_after_the_refresh(provider: Provider, clock: Clock) -> None:
    verifier = verifier_for(provider, clock)
    old = provider.token()
    verifier.verify(old)
    provider.rotate("Ed25519", drop_old=True)
    clock.now += REFRESH
    verifier.verify(provider.token())  # unknown kid: refresh replaces the cached set
    assert code_of(verifier, old) == "token_key_unknown"
    assert provider.fetches() == 2


def test_a_withdrawn_key_stops_verifying_once_the_cache_is_old(
    provider: Provider, clock: Clock
) -> None:
    jwks = RemoteJwks.from_discovery(
        provider.url, min_refresh_seconds=REFRESH, max_age_seconds=600, clock=clock
    )
    verifier = TokenVerifier([IssuerConfig(provider.url, AUD, jwks)], clock=lambda: NOW)
    old = provider.token()
    verifier.verify(old)
    provider.rotate("Ed25519", drop_old=True)  # the issuer withdraws the old key
    clock.now += 599
    assert verifier.verify(old).claims["sub"] == "alice"  # cached, still young
    assert provider.fetches() == 1
    clock.now += 1
    assert code_of(verifier, old) == "token_key_unknown"  # refetched at max age
    assert provider.fetches() == 2


def test_a_flood_of_unknown_kids_fetches_at_most_once_per_interval(
    provider: Provider, clock: Clock
) -> None:
    verifier = verifier_for(provider, clock)
    flood = [provider.token(kid_override=secrets.token_urlsafe(12)) for _ in range(40)]
    for token in flood:
        assert code_of(verifier, token) == "token_key_unknown"
    assert provider.fetches() == 1  # the first unknown kid, before any cache existed
    clock.now += REFRESH - 0.001
    for token in flood:
        assert code_of(verifier, token) == "token_key_unknown"
    assert provider.fetches() == 1
    clock.now += 0.001
    with ThreadPoolExecutor(max_workers=8) as pool:  # concurrent callers share one refresh
        codes = list(pool.map(lambda t: code_of(verifier, t), flood))
    assert set(codes) == {"token_key_unknown"}
    assert provider.fetches() == 2
    assert verifier.verify(provider.token()).claims["sub"] == "alice"  # known kid: no fetch
    assert provider.fetches() == 2


@pytest.mark.parametrize("mode", ["status500", "badjson", "notaset", "huge"])
def test_failed_refresh_keeps_the_cached_keys(provider: Provider, clock: Clock, mode: str) -> None:
    verifier = verifier_for(provider, clock)
    old = provider.token()
    verifier.verify(old)
    provider.rotate("Ed25519")
    new = provider.token()
    provider.jwks_mode(mode)
    clock.now += REFRESH
    assert code_of(verifier, new) == "token_key_unknown"
    assert provider.fetches() == 2
    assert verifier.verify(old).claims["sub"] == "alice"
    provider.jwks_mode("ok")
    assert code_of(verifier, new) == "token_key_unknown"  # a failure also waits its interval
    clock.now += REFRESH
    assert verifier.verify(new).claims["sub"] == "alice"
    assert provider.fetches() == 3


def _sign(alg: str, key: Any, kid: str, issuer: str, sign_alg: str | None = None) -> str:
    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"iss": issuer, "aud": AUD, "sub": "alice", "iat": NOW, "exp": NOW + 300}
    signing_input = f"{part({'alg': alg, 'kid': kid, 'typ': 'at+jwt'})}.{part(claims)}"
    signature = JWSRegistry.algorithms[sign_alg or alg].sign(signing_input.encode(), key)
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_only_usable_signature_keys_are_taken_from_the_jwks(
    provider: Provider, clock: Clock
) -> None:
    enc = OKPKey.generate_key("Ed25519")
    no_kid = ECKey.generate_key("P-256")
    with pytest.warns(UserWarning, match="2048"):  # joserfc warns about the weak key
        small = RSAKey.generate_key(1024)
    p384 = ECKey.generate_key("P-384")
    published: list[Any] = [
        enc.as_dict(private=False, kid="enc-1", use="enc"),
        no_kid.as_dict(private=False),
        small.as_dict(private=False, kid="small"),
        p384.as_dict(private=False, kid="p384"),
        OctKey.generate_key(256).as_dict(kid="hmac"),
        {"kty": "EC", "crv": "P-256", "x": "zz", "kid": "broken"},
        {"kty": "XYZ", "kid": "alien"},
        "not a key",
    ]
    provider.jwks_mode("ok", extra_keys=published)
    verifier = verifier_for(provider, clock)
    assert verifier.verify(provider.token("ES256")).claims["sub"] == "alice"
    url = provider.url
    assert code_of(verifier, _sign("Ed25519", enc, "enc-1", url)) == "token_key_unknown"
    assert code_of(verifier, _sign("RS256", small, "small", url)) == "token_algorithm_refused"
    assert (
        code_of(verifier, _sign("ES256", p384, "p384", url, "ES384")) == "token_algorithm_refused"
    )
    assert code_of(verifier, _sign("ES256", no_kid, "broken", url)) == "token_key_unknown"
    hmac_as_rsa = _sign("RS256", small, "hmac", url)
    assert code_of(verifier, hmac_as_rsa) == "token_algorithm_refused"
    assert provider.fetches() == 1


def test_unreachable_jwks_refuses_without_crashing(clock: Clock) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    issuer = "http://127.0.0.1:9/issuer"
    keys = RemoteJwks(f"http://127.0.0.1:{port}/jwks.json", timeout=2, clock=clock)
    verifier = TokenVerifier([IssuerConfig(issuer, AUD, keys)], clock=lambda: NOW)
    token = _sign("Ed25519", OKPKey.generate_key("Ed25519"), "k", issuer)
    started = time.monotonic()
    assert code_of(verifier, token) == "token_key_unknown"
    assert code_of(verifier, token) == "token_key_unknown"  # rate-limited: no second connect
    assert time.monotonic() - started < 10


def test_discovery_must_name_the_configured_issuer(provider: Provider) -> None:
    with pytest.raises(ConfigError) as caught:
        RemoteJwks.from_discovery(provider.url + "/")
    assert caught.value.hint is not None
    assert "trailing slash" in caught.value.hint
    with pytest.raises(ConfigError) as caught:
        RemoteJwks.from_discovery(provider.url + "/elsewhere")
    assert "HTTP 404" in caught.value.message
    assert caught.value.hint is not None


def test_discovery_of_an_unreachable_issuer_is_a_config_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConfigError) as caught:
        RemoteJwks.from_discovery(f"http://127.0.0.1:{port}", timeout=2)
    assert caught.value.code == "config_invalid"
    assert caught.value.hint is not None
    assert "answers" in caught.value.hint
