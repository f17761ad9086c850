"""Forged and stale access tokens against ``GET /auth/me``, as a client sees them.

Each forged token starts from a real one (a login of a non-admin analyst) and
changes one thing. Most are signed with the server's own issuer key, so the
change is the only possible reason for the refusal. A refusal must be a 401 with
the exact code in the body and in the ``WWW-Authenticate`` challenge, and must
not echo the token or a stack trace. The time boundaries run against a verifier
whose clock is pinned to the login's ``iat``, so they hold to the second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from httpx import Response
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api import create_app
from intelgraph.auth.jwt import TokenVerifier
from intelgraph.auth.users import principal_of
from intelgraph.config import load_settings
from intelgraph.platform import Platform
from tests.auth.conftest import ADMIN_PASSWORD, Admin, bearer, login

ANALYST = "analyst"
ANALYST_PASSWORD = "a long analyst passphrase"
DROP = object()  # a header parameter or claim to leave out

ATTACKER = OKPKey.generate_key("Ed25519", {"kid": "attacker"})
FOREIGN_EC = ECKey.generate_key("P-256")
FOREIGN_RSA = RSAKey.generate_key(2048)
HMAC_DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64(json.dumps(value).encode())


def unb64json(segment: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return value


def sign(signing_input: str, alg: str, key: Key) -> str:
    with warnings.catch_warnings():  # "EdDSA" is deprecated in joserfc; still an attack
        warnings.simplefilter("ignore", SecurityWarning)
        return b64(JWSRegistry.algorithms[alg].sign(signing_input.encode("ascii"), key))


def merged(base: dict[str, Any], over: dict[str, Any] | None) -> dict[str, Any]:
    out = {**base, **(over or {})}
    return {name: value for name, value in out.items() if value is not DROP}


@dataclass
class Ctx:
    """A logged-in analyst's real token, its parts, and the server's signing key."""

    client: TestClient
    platform: Platform
    admin: Admin
    token: str
    refresh: str
    header: dict[str, Any]
    claims: dict[str, Any]
    key: OKPKey
    leeway: int

    @property
    def now(self) -> int:
        return int(self.claims["iat"])

    def forge(
        self,
        hdr: dict[str, Any] | None = None,
        claims: dict[str, Any] | None = None,
        *,
        key: Key | None = None,
        sign_alg: str | None = None,
    ) -> str:
        header = merged(self.header, hdr)
        signing_input = f"{b64json(header)}.{b64json(merged(self.claims, claims))}"
        signature = sign(signing_input, sign_alg or header["alg"], key or self.key)
        return f"Bearer {signing_input}.{signature}"

    def with_segments(self, header: str | None = None, payload: str | None = None) -> str:
        """The real token with a segment replaced, properly signed by the server's key."""
        head, body, _ = self.token.split(".")
        signing_input = f"{header or head}.{payload or body}"
        return f"Bearer {signing_input}.{sign(signing_input, 'Ed25519', self.key)}"

    def tampered(self, **claims: Any) -> str:
        """New claims, the original signature kept."""
        head, _, signature = self.token.split(".")
        return f"Bearer {head}.{b64json({**self.claims, **claims})}.{signature}"

    def with_signature(self, signature: str) -> str:
        head, body, _ = self.token.split(".")
        return f"Bearer {head}.{body}.{signature}"


def make_ctx(platform: Platform, admin: Admin, client: TestClient) -> Ctx:
    platform.admin.add_user(
        admin.request,
        ANALYST,
        tenant="default",
        clearance=1,
        purposes=["investigation"],
        password=ANALYST_PASSWORD,
    )
    pair = login(client, ANALYST, ANALYST_PASSWORD)
    token = pair["access_token"]
    head, body, _ = token.split(".")
    return Ctx(
        client=client,
        platform=platform,
        admin=admin,
        token=token,
        refresh=pair["refresh_token"],
        header=unb64json(head),
        claims=unb64json(body),
        key=platform.identity.issuer.active_key(),
        leeway=platform.settings.auth_leeway_seconds,
    )


@pytest.fixture
def ctx(platform: Platform, admin: Admin, client: TestClient) -> Ctx:
    """A platform of this test's own, for cases that change state."""
    return make_ctx(platform, admin, client)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    """One platform for the cases that change nothing (argon2 makes set-up slow)."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("shared") / "ig", auth_issuer="http://testserver"
    )
    with Platform.open(settings, upgrade=True) as platform:
        row, _ = ensure_admin(
            platform.store, platform.ledger, tenant="default", password=ADMIN_PASSWORD
        )
        request = platform.access.request(principal_of(row, auth_time=int(time.time())))
        with TestClient(create_app(platform)) as client:
            yield make_ctx(platform, Admin(row.name, ADMIN_PASSWORD, request), client)


@pytest.fixture
def pinned(ctx: Ctx) -> Ctx:
    """The same platform, its verifier's clock pinned to the login's ``iat``."""
    issuer = ctx.platform.identity.issuer
    ctx.platform.identity.verifier = TokenVerifier(
        [issuer.config(leeway_seconds=ctx.leeway)], clock=lambda: float(ctx.now)
    )
    return ctx


def me(ctx: Ctx, authorization: str | None) -> Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    response: Response = ctx.client.get("/auth/me", headers=headers)
    return response


def assert_refused(response: Response, code: str, authorization: str | None) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == code, body
    assert set(body) <= {"code", "message", "hint"}
    assert isinstance(body["message"], str)
    assert body["message"]
    challenge = response.headers["www-authenticate"]
    if code == "token_missing":
        assert challenge == 'Bearer realm="intelgraph"'
    else:
        assert challenge == (
            f'Bearer realm="intelgraph", error="invalid_token", error_description="{code}"'
        )
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    for leak in ("Traceback", 'File "', ".py", "intelgraph/"):
        assert leak not in text
    credential = (authorization or "").partition(" ")[2]
    for part in [credential, *credential.split(".")]:
        if len(part) >= 12:  # short parts (an alg name, "abc") may occur by chance
            assert part not in text


# -- the cases ---------------------------------------------------------------------------

Build = Callable[[Ctx], "str | None"]


def unsigned_none(alg: str, with_signature: bool) -> Build:
    def build(ctx: Ctx) -> str:
        signing_input = f"{b64json(merged(ctx.header, {'alg': alg}))}.{b64json(ctx.claims)}"
        signature = sign(signing_input, "Ed25519", ctx.key) if with_signature else ""
        return f"Bearer {signing_input}.{signature}"

    return build


def public_jwk_json(key: OKPKey) -> bytes:
    return json.dumps(key.as_dict(private=False)).encode()


def public_raw(key: OKPKey) -> bytes:
    return key.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(key: OKPKey) -> bytes:
    return key.as_bytes(private=False)


def hmac_confusion(alg: str, secret: Callable[[OKPKey], bytes]) -> Build:
    """HMAC keyed with the server's *public* key, as a naive verifier would check it."""

    def build(ctx: Ctx) -> str:
        signing_input = f"{b64json(merged(ctx.header, {'alg': alg}))}.{b64json(ctx.claims)}"
        digest = hmac.new(secret(ctx.key), signing_input.encode(), HMAC_DIGESTS[alg]).digest()
        return f"Bearer {signing_input}.{b64(digest)}"

    return build


def infinite_exp(ctx: Ctx) -> str:
    """``1e400`` is valid JSON that Python reads as infinity: it must not pass ``exp``."""
    text = json.dumps({**ctx.claims, "exp": 0}).replace('"exp": 0', '"exp": 1e400')
    assert "1e400" in text
    return b64(text.encode())


def flipped(ctx: Ctx) -> str:
    signature = bytearray(base64.urlsafe_b64decode(ctx.token.split(".")[2] + "=="))
    signature[10] ^= 0x01
    return ctx.with_signature(b64(bytes(signature)))


def disabled_user(ctx: Ctx) -> str:
    ctx.platform.admin.set_active(ctx.admin.request, ANALYST, False)
    return f"Bearer {ctx.token}"


def after_logout(ctx: Ctx) -> str:
    assert ctx.client.post("/auth/logout", headers=bearer(ctx.token)).status_code == 204
    return f"Bearer {ctx.token}"


def deleted_user(ctx: Ctx) -> str:
    ctx.platform.store.identity.delete_user(str(ctx.claims["sub"]).removeprefix("user:"))
    return f"Bearer {ctx.token}"


def refresh_reused(ctx: Ctx) -> str:
    """The newest access token of a session whose spent refresh token came back."""
    fresh = ctx.client.post("/auth/refresh", json={"refresh_token": ctx.refresh})
    assert fresh.status_code == 200, fresh.text
    again = ctx.client.post("/auth/refresh", json={"refresh_token": ctx.refresh})
    assert again.json()["code"] == "refresh_invalid"
    return f"Bearer {fresh.json()['access_token']}"


def retired_key(ctx: Ctx) -> str:
    issuer = ctx.platform.identity.issuer
    issuer.rotate()
    issuer.retire(ctx.header["kid"])
    return f"Bearer {ctx.token}"


ALG = "token_algorithm_refused"
HEADER = "token_header_refused"
KEY = "token_key_unknown"
SIG = "token_signature_invalid"
CLAIMS = "token_claims_invalid"
MALFORMED = "token_malformed"
TYPE = "token_type_refused"
ISSUER = "token_issuer_unknown"
AUDIENCE = "token_audience_mismatch"

NONE_CASES = [
    pytest.param(unsigned_none(alg, signed), ALG, id=f"alg-{alg}-{'signed' if signed else 'bare'}")
    for alg in ("none", "None", "NONE", "nOnE")
    for signed in (False, True)
]
HMAC_CASES = [
    pytest.param(hmac_confusion(alg, secret), ALG, id=f"{alg}-{secret.__name__}")
    for alg in HMAC_DIGESTS
    for secret in (public_jwk_json, public_raw)
] + [pytest.param(hmac_confusion("HS256", public_pem), ALG, id="HS256-public_pem")]

CASES = [
    *NONE_CASES,
    *HMAC_CASES,
    pytest.param(lambda c: c.forge({"alg": "PS256"}, key=FOREIGN_RSA), ALG, id="PS256"),
    pytest.param(lambda c: c.forge({"alg": "ES256"}, key=FOREIGN_EC), ALG, id="ES256-our-kid"),
    pytest.param(lambda c: c.forge({"alg": "RS256"}, key=FOREIGN_RSA), ALG, id="RS256-our-kid"),
    pytest.param(lambda c: c.forge({"alg": "EdDSA"}), ALG, id="EdDSA-not-pinned-for-us"),
    pytest.param(lambda c: c.forge({"alg": "Ed448"}), ALG, id="Ed448"),
    pytest.param(lambda c: c.forge(key=ATTACKER), SIG, id="foreign-Ed25519-our-kid"),
    pytest.param(lambda c: c.forge({"kid": "no-such-key"}), KEY, id="kid-unknown"),
    pytest.param(lambda c: c.forge({"kid": DROP}), KEY, id="kid-absent"),
    pytest.param(lambda c: c.forge({"kid": ""}), KEY, id="kid-empty"),
    pytest.param(lambda c: c.forge({"kid": 7}), KEY, id="kid-number"),
    pytest.param(lambda c: c.forge({"jku": "https://evil.example/jwks"}), HEADER, id="jku"),
    pytest.param(lambda c: c.forge({"x5u": "https://evil.example/cert"}), HEADER, id="x5u"),
    pytest.param(
        lambda c: c.forge(
            {"kid": "attacker", "jwk": ATTACKER.as_dict(private=False)}, key=ATTACKER
        ),
        HEADER,
        id="jwk-embedded-attacker-key",
    ),
    pytest.param(lambda c: c.forge({"x5c": [b64(b"\x30\x82" * 40)]}), HEADER, id="x5c"),
    pytest.param(lambda c: c.forge({"x5t#S256": b64(b"x" * 32)}), HEADER, id="x5t-S256"),
    pytest.param(lambda c: c.forge({"crit": ["exp"], "exp": 1}), HEADER, id="crit"),
    pytest.param(lambda c: c.forge({"b64": False}), HEADER, id="b64-false"),
    pytest.param(lambda c: c.forge(claims={"iss": "https://evil.example"}), ISSUER, id="iss-x"),
    pytest.param(lambda c: c.forge(claims={"iss": DROP}), ISSUER, id="iss-absent"),
    pytest.param(lambda c: c.forge(claims={"iss": "http://testserver/"}), ISSUER, id="iss-slash"),
    pytest.param(lambda c: c.forge(claims={"aud": "someone-else"}), AUDIENCE, id="aud-other"),
    pytest.param(lambda c: c.forge(claims={"aud": ["a", "b"]}), AUDIENCE, id="aud-list-not-ours"),
    pytest.param(lambda c: c.forge(claims={"aud": DROP}), CLAIMS, id="aud-absent"),
    pytest.param(lambda c: c.forge(claims={"aud": 7}), CLAIMS, id="aud-number"),
    pytest.param(lambda c: c.forge({"typ": "JWT"}), TYPE, id="typ-JWT"),
    pytest.param(lambda c: c.forge({"typ": "id_token"}), TYPE, id="typ-id_token"),
    pytest.param(lambda c: c.forge({"typ": "refresh+jwt"}), TYPE, id="typ-refresh+jwt"),
    pytest.param(lambda c: c.forge({"typ": DROP}), TYPE, id="typ-absent"),
    pytest.param(lambda c: c.forge(claims={"exp": "9999999999"}), CLAIMS, id="exp-string"),
    pytest.param(lambda c: c.forge(claims={"exp": True}), CLAIMS, id="exp-bool"),
    pytest.param(lambda c: c.forge(claims={"exp": None}), CLAIMS, id="exp-null"),
    pytest.param(lambda c: c.forge(claims={"exp": DROP}), CLAIMS, id="exp-absent"),
    pytest.param(lambda c: c.with_segments(payload=infinite_exp(c)), CLAIMS, id="exp-infinite"),
    pytest.param(lambda c: c.forge(claims={"sub": DROP}), CLAIMS, id="sub-absent"),
    pytest.param(lambda c: c.forge(claims={"sub": ""}), CLAIMS, id="sub-empty"),
    pytest.param(lambda c: c.forge(claims={"sub": "analyst"}), CLAIMS, id="sub-not-a-user-id"),
    pytest.param(lambda c: c.forge(claims={"sid": DROP}), CLAIMS, id="sid-absent"),
    pytest.param(
        lambda c: c.forge(claims={"sub": "user:0123456789abcdef"}),
        "user_unknown",
        id="sub-no-such-user",
    ),
    pytest.param(
        lambda c: c.forge(claims={"sid": "0123456789abcdef"}), "user_unknown", id="sid-made-up"
    ),
    pytest.param(lambda c: c.tampered(clearance=3), SIG, id="tampered-clearance"),
    pytest.param(lambda c: c.tampered(tenant="other"), SIG, id="tampered-tenant"),
    pytest.param(lambda c: c.tampered(admin=True), SIG, id="tampered-admin"),
    pytest.param(flipped, SIG, id="signature-bit-flipped"),
    pytest.param(lambda c: c.with_signature(c.token.split(".")[2][:-4]), SIG, id="sig-truncated"),
    pytest.param(lambda c: c.with_signature(""), SIG, id="signature-empty"),
    pytest.param(lambda c: c.with_signature(c.token.split(".")[2] + "=="), MALFORMED, id="sig-pad"),
    pytest.param(lambda c: "Bearer " + ".".join(c.token.split(".")[:2]), MALFORMED, id="2-parts"),
    pytest.param(lambda c: f"Bearer {c.token}.{c.token.split('.')[2]}", MALFORMED, id="4-parts"),
    pytest.param(lambda c: "Bearer not-a-token-at-all", MALFORMED, id="garbage"),
    pytest.param(lambda c: c.with_segments(header=b64(b"not json")), MALFORMED, id="hdr-not-json"),
    pytest.param(lambda c: c.with_segments(header=b64json(["alg"])), MALFORMED, id="hdr-array"),
    pytest.param(
        lambda c: c.with_segments(header=b64(b'{"alg":"none","alg":"Ed25519","kid":"k"}')),
        MALFORMED,
        id="hdr-duplicate-alg",
    ),
    pytest.param(lambda c: c.with_segments(payload=b64(b'{"exp":NaN}')), MALFORMED, id="NaN"),
    pytest.param(lambda c: f"Basic {b64(b'analyst:password')}", MALFORMED, id="Basic-scheme"),
    pytest.param(lambda c: "Bearer", MALFORMED, id="Bearer-nothing"),
    pytest.param(lambda c: None, "token_missing", id="no-header"),
    pytest.param(lambda c: "Bearer " + "A" * 16_385, MALFORMED, id="oversized"),
    pytest.param(lambda c: c.forge(claims={"pad": "x" * 16_384}), MALFORMED, id="oversized-signed"),
]
STATEFUL = [
    pytest.param(disabled_user, "user_disabled", id="user-disabled"),
    pytest.param(after_logout, "token_revoked", id="after-logout"),
    pytest.param(deleted_user, "user_unknown", id="user-deleted"),
    pytest.param(refresh_reused, "token_revoked", id="refresh-reused"),
    pytest.param(retired_key, KEY, id="retired-key"),
]


def test_the_unchanged_forgery_is_accepted(shared: Ctx) -> None:
    """The forging helpers themselves make valid tokens: each refusal is the change's."""
    for authorization in (shared.forge(), shared.with_segments(), f"Bearer {shared.token}"):
        response = me(shared, authorization)
        assert response.status_code == 200, response.text
        assert response.json()["name"] == ANALYST
        assert response.json()["clearance"] == 1


@pytest.mark.parametrize(("build", "code"), CASES)
def test_refused(shared: Ctx, build: Build, code: str) -> None:
    authorization = build(shared)
    assert_refused(me(shared, authorization), code, authorization)


@pytest.mark.parametrize(("build", "code"), STATEFUL)
def test_refused_after_a_change(ctx: Ctx, build: Build, code: str) -> None:
    assert me(ctx, f"Bearer {ctx.token}").status_code == 200  # valid until the change
    authorization = build(ctx)
    assert_refused(me(ctx, authorization), code, authorization)


TIME_REFUSED = [
    pytest.param(lambda c: {"exp": c.now - c.leeway - 1}, "token_expired", id="exp-past-leeway"),
    pytest.param(lambda c: {"exp": c.now - c.leeway}, "token_expired", id="exp-at-leeway"),
    pytest.param(
        lambda c: {"nbf": c.now + c.leeway + 1}, "token_not_yet_valid", id="nbf-beyond-leeway"
    ),
    pytest.param(
        lambda c: {"iat": c.now + c.leeway + 1}, "token_not_yet_valid", id="iat-in-the-future"
    ),
]
TIME_ACCEPTED = [
    pytest.param(lambda c: {"exp": c.now - c.leeway + 1}, id="exp-within-leeway"),
    pytest.param(lambda c: {"nbf": c.now + c.leeway - 1}, id="nbf-within-leeway"),
    pytest.param(lambda c: {"iat": c.now + c.leeway - 1}, id="iat-within-leeway"),
]


@pytest.mark.parametrize(("claims", "code"), TIME_REFUSED)
def test_time_refused(pinned: Ctx, claims: Callable[[Ctx], dict[str, Any]], code: str) -> None:
    authorization = pinned.forge(claims=claims(pinned))
    assert_refused(me(pinned, authorization), code, authorization)


@pytest.mark.parametrize("claims", TIME_ACCEPTED)
def test_time_within_leeway_accepted(pinned: Ctx, claims: Callable[[Ctx], dict[str, Any]]) -> None:
    response = me(pinned, pinned.forge(claims=claims(pinned)))
    assert response.status_code == 200, response.text
    assert response.json()["name"] == ANALYST


@pytest.mark.parametrize(
    "hdr",
    [{"typ": "application/at+jwt"}, {"typ": "AT+JWT"}],
    ids=["typ-media-type", "typ-upper-case"],
)
def test_equivalent_token_types_accepted(shared: Ctx, hdr: dict[str, Any]) -> None:
    assert me(shared, shared.forge(hdr)).status_code == 200


def test_audience_list_naming_us_is_accepted(shared: Ctx) -> None:
    response = me(shared, shared.forge(claims={"aud": ["other", shared.claims["aud"]]}))
    assert response.status_code == 200, response.text


def test_token_signed_before_a_rotation_works_until_its_key_is_retired(ctx: Ctx) -> None:
    issuer = ctx.platform.identity.issuer
    old_kid = ctx.header["kid"]
    new_kid = issuer.rotate()
    assert new_kid != old_kid
    assert me(ctx, f"Bearer {ctx.token}").status_code == 200  # old key still published
    newer = login(ctx.client, ANALYST, ANALYST_PASSWORD)["access_token"]
    assert unb64json(newer.split(".")[0])["kid"] == new_kid
    assert me(ctx, f"Bearer {newer}").status_code == 200
    issuer.retire(old_kid)
    assert_refused(me(ctx, f"Bearer {ctx.token}"), KEY, f"Bearer {ctx.token}")
    assert me(ctx, f"Bearer {newer}").status_code == 200


def test_attributes_come_from_the_stored_user_not_the_token(shared: Ctx) -> None:
    """Even a token signed with the real key cannot raise its holder's attributes: the
    principal is built from the stored user and session, not from the token's claims."""
    authorization = shared.forge(claims={"tenant": "other", "clearance": 3, "admin": True})
    response = me(shared, authorization)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["tenant"], body["clearance"], body["admin"]) == ("default", 1, False)
