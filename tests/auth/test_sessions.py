"""Login sessions over HTTP: login, throttling, refresh rotation and reuse, logout,
revocation by disabling a user or changing a password, the published issuer
metadata, and what is (not) kept of a password."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from intelgraph.auth.throttle import FAILURE_WINDOW_SECONDS, MAX_FAILURES, LoginThrottle
from intelgraph.errors import InvalidInput
from intelgraph.platform import Platform
from tests.auth.conftest import Admin, bearer, login

ALICE = "alice"
ALICE_PASSWORD = "alice's long passphrase"
BOB = "bob"
BOB_PASSWORD = "bob's other long passphrase"


@pytest.fixture
def alice(platform: Platform, admin: Admin) -> str:
    platform.admin.add_user(
        admin.request, ALICE, tenant="default", clearance=1, password=ALICE_PASSWORD
    )
    return ALICE


def try_login(client: TestClient, name: str, password: str) -> Response:
    response: Response = client.post("/auth/login", json={"username": name, "password": password})
    return response


def me(client: TestClient, token: str) -> Response:
    response: Response = client.get("/auth/me", headers=bearer(token))
    return response


def refresh(client: TestClient, token: str) -> Response:
    response: Response = client.post("/auth/refresh", json={"refresh_token": token})
    return response


def code(response: Response, status: int = 401) -> str:
    assert response.status_code == status, response.text
    value: str = response.json()["code"]
    return value


def jose_part(token: str, index: int) -> dict[str, Any]:
    segment = token.split(".")[index]
    value: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return value


def stored_bytes(platform: Platform) -> bytes:
    """Every file of the data directory: the database, its WAL, keys."""
    files = sorted(p for p in Path(platform.settings.data_dir).rglob("*") if p.is_file())
    assert any(p.name.startswith("intelgraph.db") for p in files)
    return b"".join(p.read_bytes() for p in files)


# -- login ------------------------------------------------------------------------------


def test_login_returns_a_token_pair(platform: Platform, client: TestClient, alice: str) -> None:
    response = try_login(client, alice, ALICE_PASSWORD)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    pair = response.json()
    assert set(pair) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "refresh_expires_in",
    }
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == platform.settings.access_token_minutes * 60
    assert pair["refresh_expires_in"] == platform.settings.refresh_token_hours * 3600
    assert pair["refresh_token"].startswith("igr_")
    body = me(client, pair["access_token"]).json()
    assert (body["name"], body["tenant"], body["clearance"], body["kind"]) == (
        ALICE,
        "default",
        1,
        "user",
    )
    assert body["admin"] is False


def test_wrong_password_and_unknown_user_answer_alike(client: TestClient, alice: str) -> None:
    wrong = try_login(client, alice, "not alice's password")
    unknown = try_login(client, "nobody-here", ALICE_PASSWORD)
    assert code(wrong) == code(unknown) == "credentials_invalid"
    assert wrong.json() == unknown.json()
    assert ALICE_PASSWORD not in unknown.text


def test_disabled_user_cannot_log_in(
    platform: Platform, admin: Admin, client: TestClient, alice: str
) -> None:
    platform.admin.set_active(admin.request, alice, False)
    assert code(try_login(client, alice, ALICE_PASSWORD)) == "user_disabled"
    assert code(try_login(client, alice, "a wrong passphrase!")) == "credentials_invalid"
    platform.admin.set_active(admin.request, alice, True)
    assert try_login(client, alice, ALICE_PASSWORD).status_code == 200


def test_throttle_after_five_failures(client: TestClient, alice: str, admin: Admin) -> None:
    for _ in range(MAX_FAILURES):
        assert code(try_login(client, alice, "a wrong passphrase!")) == "credentials_invalid"
    throttled = try_login(client, alice, ALICE_PASSWORD)  # even the right password waits
    assert code(throttled, 429) == "rate_limited"
    wait = int(throttled.headers["retry-after"])
    assert 0 < wait <= FAILURE_WINDOW_SECONDS + 1
    assert str(wait) in throttled.json()["hint"]
    assert ALICE_PASSWORD not in throttled.text
    assert code(try_login(client, alice.upper(), ALICE_PASSWORD), 429) == "rate_limited"
    login(client, admin.name, admin.password)  # other users are not affected


def test_success_resets_the_failure_count(client: TestClient, alice: str) -> None:
    for _ in range(MAX_FAILURES - 1):
        try_login(client, alice, "a wrong passphrase!")
    login(client, alice, ALICE_PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        assert code(try_login(client, alice, "a wrong passphrase!")) == "credentials_invalid"
    login(client, alice, ALICE_PASSWORD)


def test_throttle_ends_after_its_window(client: TestClient, alice: str) -> None:
    now = [1000.0]
    app = client.app
    assert isinstance(app, FastAPI)
    app.state.login_throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(MAX_FAILURES):
        try_login(client, alice, "a wrong passphrase!")
    now[0] += FAILURE_WINDOW_SECONDS
    assert try_login(client, alice, ALICE_PASSWORD).status_code == 429
    now[0] += 1
    login(client, alice, ALICE_PASSWORD)


# -- refresh and logout -----------------------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_session(client: TestClient, alice: str) -> None:
    first = login(client, alice, ALICE_PASSWORD)
    response = refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert me(client, second["access_token"]).status_code == 200
    third = refresh(client, second["refresh_token"]).json()
    assert me(client, third["access_token"]).status_code == 200
    # The spent refresh token again: refused, and the whole session is revoked.
    assert code(refresh(client, first["refresh_token"])) == "refresh_invalid"
    for pair in (first, second, third):
        assert code(me(client, pair["access_token"])) == "token_revoked"
    assert code(refresh(client, third["refresh_token"])) == "refresh_invalid"
    login(client, alice, ALICE_PASSWORD)  # a new login opens a new session


@pytest.mark.parametrize(
    "token", ["igr_made-up", "not-a-refresh-token", "igt_" + "x" * 43, "x" * 512]
)
def test_unknown_refresh_tokens_are_refused(client: TestClient, token: str) -> None:
    assert code(refresh(client, token)) == "refresh_invalid"


def test_refresh_keeps_the_login_time(platform: Platform, client: TestClient, alice: str) -> None:
    logged_in = int(time.time()) - 300  # log in "five minutes ago": token still valid
    platform.identity._clock = lambda: float(logged_in)
    first = login(client, alice, ALICE_PASSWORD)
    platform.identity._clock = time.time
    assert me(client, first["access_token"]).json()["auth_time"] == logged_in
    second = refresh(client, first["refresh_token"]).json()
    claims = jose_part(second["access_token"], 1)
    assert claims["iat"] > logged_in  # the new token is new...
    assert claims["auth_time"] == logged_in  # ...but the login is not
    assert me(client, second["access_token"]).json()["auth_time"] == logged_in


def test_logout_ends_the_session(client: TestClient, alice: str) -> None:
    pair = login(client, alice, ALICE_PASSWORD)
    other = login(client, alice, ALICE_PASSWORD)  # a second session is not affected
    response = client.post("/auth/logout", headers=bearer(pair["access_token"]))
    assert response.status_code == 204
    assert response.content == b""
    assert code(me(client, pair["access_token"])) == "token_revoked"
    assert code(refresh(client, pair["refresh_token"])) == "refresh_invalid"
    assert me(client, other["access_token"]).status_code == 200
    assert code(client.post("/auth/logout")) == "token_missing"


def test_disabling_a_user_revokes_all_sessions(
    platform: Platform, admin: Admin, client: TestClient, alice: str
) -> None:
    pairs = [login(client, alice, ALICE_PASSWORD) for _ in range(2)]
    platform.admin.set_active(admin.request, alice, False)
    for pair in pairs:
        assert code(me(client, pair["access_token"])) == "user_disabled"
        assert code(refresh(client, pair["refresh_token"])) == "refresh_invalid"
    platform.admin.set_active(admin.request, alice, True)
    for pair in pairs:  # enabling again does not revive the old sessions
        assert code(me(client, pair["access_token"])) == "token_revoked"
        assert code(refresh(client, pair["refresh_token"])) == "refresh_invalid"
    assert me(client, login(client, alice, ALICE_PASSWORD)["access_token"]).status_code == 200


def test_changing_the_password_revokes_sessions(
    platform: Platform, admin: Admin, client: TestClient, alice: str
) -> None:
    pair = login(client, alice, ALICE_PASSWORD)
    platform.admin.set_password(admin.request, alice, "a brand new passphrase")
    assert code(me(client, pair["access_token"])) == "token_revoked"
    assert code(refresh(client, pair["refresh_token"])) == "refresh_invalid"
    assert code(try_login(client, alice, ALICE_PASSWORD)) == "credentials_invalid"
    assert me(client, login(client, alice, "a brand new passphrase")["access_token"]).is_success


# -- published metadata ---------------------------------------------------------------------


def test_discovery_names_the_issuer_and_a_working_jwks_uri(
    platform: Platform, client: TestClient, alice: str
) -> None:
    discovery = client.get("/.well-known/openid-configuration")
    assert discovery.status_code == 200
    document = discovery.json()
    assert document["issuer"] == platform.settings.issuer_url == "http://testserver"
    jwks = client.get(document["jwks_uri"])
    assert jwks.status_code == 200
    token = login(client, alice, ALICE_PASSWORD)["access_token"]
    assert jose_part(token, 0)["kid"] in {key["kid"] for key in jwks.json()["keys"]}
    assert jose_part(token, 1)["iss"] == document["issuer"]


def test_jwks_holds_only_public_members(platform: Platform, client: TestClient) -> None:
    platform.identity.issuer.active_key()
    platform.identity.issuer.rotate()  # two keys: the old one stays published
    response = client.get("/.well-known/jwks.json")
    keys = response.json()["keys"]
    assert len(keys) == 2
    for key in keys:
        assert "d" not in key
        assert set(key) <= {"kty", "crv", "x", "kid", "alg", "use"}
        assert (key["kty"], key["crv"]) == ("OKP", "Ed25519")
    private = platform.identity.issuer.active_key().as_dict(private=True)["d"]
    assert private not in response.text


def test_access_token_header(client: TestClient, alice: str) -> None:
    token = login(client, alice, ALICE_PASSWORD)["access_token"]
    header = jose_part(token, 0)
    assert header["alg"] == "Ed25519"
    assert header["typ"] == "at+jwt"
    assert set(header) == {"alg", "typ", "kid"}
    claims = jose_part(token, 1)
    assert claims["sub"].startswith("user:")
    assert claims["exp"] - claims["iat"] == 15 * 60


# -- what is stored ---------------------------------------------------------------------


def test_passwords_are_stored_only_as_argon2id(
    platform: Platform, client: TestClient, alice: str
) -> None:
    pair = login(client, alice, ALICE_PASSWORD)
    stored = platform.store.identity.user_by_name(alice).password_hash
    assert stored is not None
    assert stored.startswith("$argon2id$")
    everything = stored_bytes(platform)
    assert ALICE_PASSWORD.encode() not in everything
    assert pair["refresh_token"].encode() not in everything  # only its hash is kept
    assert hashlib.sha256(pair["refresh_token"].encode()).hexdigest().encode() in everything


@pytest.mark.parametrize("password", ["short", "eleven char", " " * 3, "x" * 1025])
def test_weak_or_huge_passwords_are_refused(
    platform: Platform, admin: Admin, alice: str, password: str
) -> None:
    with pytest.raises(InvalidInput):
        platform.admin.add_user(admin.request, "carol", tenant="default", password=password)
    assert platform.store.identity.find_user("carol") is None
    with pytest.raises(InvalidInput):
        platform.admin.set_password(admin.request, alice, password)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": ALICE},
        {"password": ALICE_PASSWORD},
        {"username": "", "password": ALICE_PASSWORD},
        {"username": ALICE, "password": ""},
        {"username": ALICE, "password": "x" * 1025},
        {"username": "u" * 201, "password": ALICE_PASSWORD},
        {"username": ALICE, "password": 12345678901234},
        {"username": [ALICE], "password": ALICE_PASSWORD},
    ],
    ids=[
        "empty",
        "no-password",
        "no-username",
        "blank-username",
        "blank-password",
        "long-password",
        "long-username",
        "number-password",
        "list-username",
    ],
)
def test_login_body_is_validated(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/auth/login", json=body)
    assert response.status_code == 422, response.text
    assert "Traceback" not in response.text


def test_login_without_json_is_refused(client: TestClient) -> None:
    response = client.post(
        "/auth/login", content=b"username=a", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 422


def test_refused_login_body_uses_the_error_model_and_hides_the_password(
    client: TestClient,
) -> None:
    secret = "my real password is this one " * 40  # over the 1,024-character limit
    response = client.post("/auth/login", json={"username": ALICE, "password": secret})
    assert response.status_code == 422
    assert set(response.json()) <= {"code", "message", "hint", "details"}
    assert "my real password" not in response.text
