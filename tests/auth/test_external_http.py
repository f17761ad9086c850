"""An external OpenID Connect provider's tokens through HTTP.

The provider is ``tests/auth/oidc_provider.py`` in its own process; the platform is
configured for it as an operator would (``IG_OIDC_*``), with a Keycloak-like claim
mapping, and ``GET /auth/me`` shows the principal IntelGraph derives. The JWKS
refresh interval is 0, so a rotated key is picked up without waiting.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from joserfc.jws import JWSRegistry

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api import create_app
from intelgraph.auth.passwords import hash_password
from intelgraph.auth.users import new_user
from intelgraph.config import load_settings
from intelgraph.platform import Platform
from intelgraph.store.identity import UserChanges
from tests.auth.conftest import ADMIN_PASSWORD, bearer, login, oidc_provider

AUDIENCE = "intelgraph-api"
SUB = "5b1c0a7e-4c1d-4e8f-9a0b-0000000000aa"
NAME = "e.external"
CLAIM_MAP = {
    "tenant": "org",
    "groups": "realm_access.roles",
    "clearance": "ig_clearance",
    "compartments": "ig_compartments",
    "purposes": "ig_purposes",
    "admin": "ig_admin",
}
DROP = object()
ENABLE = UserChanges(active=True)
LOCAL_HASH = hash_password("a local account's passphrase")


class Idp:
    """The provider's test endpoints; tokens carry the real time, as the server checks it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def claims(self, **over: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": SUB,
            "iat": now,
            "exp": now + 300,
            "auth_time": now - 5,
            "preferred_username": NAME,
            "org": "acme",
            "ig_clearance": "SECRET",
            "ig_compartments": ["HUMINT", "FIN"],
            "ig_purposes": ["aml", "investigation"],
            "realm_access": {"roles": ["fin-team", "analysts"]},
        }
        claims.update(over)
        return {name: value for name, value in claims.items() if value is not DROP}

    def token(
        self, alg: str = "Ed25519", headers: dict[str, Any] | None = None, **over: Any
    ) -> str:
        return self.sign(self.claims(**over), alg, headers)

    def sign(
        self, claims: dict[str, Any], alg: str = "Ed25519", headers: dict[str, Any] | None = None
    ) -> str:
        """Exactly these claims, signed with the provider's current key for ``alg``."""
        request = {"claims": claims, "alg": alg, "headers": headers or {}}
        response = self.http.post("/token", json=request)
        response.raise_for_status()
        return str(response.json()["token"])

    def rotate(self, *, drop_old: bool = False) -> None:
        params = {"alg": "Ed25519", "drop_old": "1" if drop_old else "0"}
        self.http.post("/rotate", params=params).raise_for_status()


@pytest.fixture
def idp(tmp_path: Path) -> Iterator[Idp]:
    with oidc_provider(tmp_path / "idp") as url:
        served = Idp(url)
        yield served
        served.http.close()


@pytest.fixture
def ext(tmp_path: Path, idp: Idp) -> Iterator[Platform]:
    settings = load_settings(
        data_dir=tmp_path / "ig",
        auth_issuer="http://testserver",
        oidc_issuer=idp.url,
        oidc_audience=AUDIENCE,
        oidc_token_types="at+jwt",
        oidc_claims=json.dumps(CLAIM_MAP),
        oidc_jwks_min_refresh_seconds=0,
    )
    with Platform.open(settings, upgrade=True) as platform:
        yield platform


@pytest.fixture
def http(ext: Platform) -> Iterator[TestClient]:
    """Server errors become responses, as a client would see them (500, not a raise)."""
    with TestClient(create_app(ext), raise_server_exceptions=False) as client:
        yield client


def me(http: TestClient, token: str, **headers: str) -> Response:
    response: Response = http.get("/auth/me", headers={**bearer(token), **headers})
    return response


def refused(response: Response) -> str:
    assert response.status_code == 401, response.text
    code: str = response.json()["code"]
    assert f'error_description="{code}"' in response.headers["www-authenticate"]
    return code


def test_provider_token_maps_to_the_principal(idp: Idp, http: TestClient) -> None:
    claims = idp.claims()
    token = idp.sign(claims)
    response = me(http, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "id": f"oidc:{idp.url}#{SUB}",
        "name": NAME,
        "kind": "user",
        "tenant": "acme",
        "clearance": 2,
        "compartments": ["FIN", "HUMINT"],
        "purposes": ["aml", "investigation"],
        "groups": ["analysts", "fin-team"],
        "admin": False,
        "scopes": [],
        "auth_time": claims["auth_time"],
        "purpose": "aml",
        "authority": None,
    }
    chosen = me(http, token, **{"X-IG-Purpose": "investigation"})
    assert chosen.json()["purpose"] == "investigation"
    not_held = me(http, token, **{"X-IG-Purpose": "marketing"})
    assert not_held.status_code == 403
    assert not_held.json()["code"] == "purpose_not_held"


def test_string_forms_and_absent_optional_claims(idp: Idp, http: TestClient) -> None:
    token = idp.token(
        ig_clearance=3,
        ig_compartments=DROP,
        ig_purposes="aml, investigation",
        ig_admin="true",
        realm_access={"other": 1},
        preferred_username=DROP,
    )
    body = me(http, token).json()
    assert body["name"] == SUB  # falls back to sub
    assert (body["clearance"], body["admin"]) == (3, True)
    assert (body["compartments"], body["groups"]) == ([], [])
    assert body["purposes"] == ["aml", "investigation"]
    bare = me(http, idp.token(ig_clearance=DROP, ig_purposes=DROP, ig_admin=False)).json()
    assert (bare["clearance"], bare["purposes"], bare["purpose"]) == (0, [], None)


@pytest.mark.parametrize("alg", ["Ed25519", "EdDSA", "ES256", "RS256"])
def test_every_pinned_algorithm_of_the_provider(idp: Idp, http: TestClient, alg: str) -> None:
    assert me(http, idp.token(alg)).status_code == 200


def test_key_rotation_at_the_provider_is_picked_up(idp: Idp, http: TestClient) -> None:
    old = idp.token()
    assert me(http, old).status_code == 200
    idp.rotate()
    new = idp.token()
    assert new.split(".")[0] != old.split(".")[0]  # another kid
    assert me(http, new).status_code == 200
    assert me(http, old).status_code == 200  # still published
    idp.rotate(drop_old=True)  # the key of "new" is withdrawn
    newest = idp.token()
    assert me(http, newest).status_code == 200
    assert refused(me(http, new)) == "token_key_unknown"
    assert me(http, old).status_code == 200


BAD_CLAIMS = [
    pytest.param({"org": DROP}, id="no-tenant"),
    pytest.param({"org": ""}, id="empty-tenant"),
    pytest.param({"org": 42}, id="tenant-number"),
    pytest.param({"ig_clearance": "ULTRA"}, id="clearance-unknown-name"),
    pytest.param({"ig_clearance": -1}, id="clearance-negative"),
    pytest.param({"ig_compartments": [1, 2]}, id="compartments-numbers"),
    pytest.param({"ig_compartments": ["A,B"]}, id="compartment-with-comma"),
    pytest.param({"realm_access": {"roles": 7}}, id="groups-number"),
    pytest.param({"ig_purposes": {"aml": True}}, id="purposes-object"),
    pytest.param({"ig_admin": "yes"}, id="admin-yes"),
    pytest.param({"preferred_username": ["a"]}, id="name-list"),
    pytest.param({"sub": DROP}, id="no-sub"),
    pytest.param({"sub": 12}, id="sub-number"),
]
BAD_CLEARANCE = [
    pytest.param({"ig_clearance": True}, id="clearance-true"),
    pytest.param({"ig_clearance": 2.5}, id="clearance-float"),
    pytest.param({"ig_clearance": [2]}, id="clearance-list"),
    pytest.param({"ig_clearance": {"level": 2}}, id="clearance-object"),
]


@pytest.mark.parametrize("claims", BAD_CLAIMS + BAD_CLEARANCE)
def test_claims_that_do_not_fit_are_refused(
    idp: Idp, http: TestClient, claims: dict[str, Any]
) -> None:
    response = me(http, idp.token(**claims))
    assert refused(response) == "token_claims_invalid"


@pytest.mark.parametrize(
    ("claims", "headers", "code"),
    [
        ({"aud": "intelgraph"}, {}, "token_audience_mismatch"),  # the embedded issuer's
        ({"iss": "https://elsewhere.example"}, {}, "token_issuer_unknown"),
        ({"iss": "http://testserver"}, {}, "token_key_unknown"),  # posing as the embedded
        ({}, {"typ": "JWT"}, "token_type_refused"),
        ({}, {"jku": "https://evil.example/jwks.json"}, "token_header_refused"),
        ({}, {"kid": "not-published"}, "token_key_unknown"),
    ],
    ids=["aud-embedded", "iss-unknown", "iss-embedded", "typ", "jku", "kid-unknown"],
)
def test_provider_tokens_are_checked_like_any_other(
    idp: Idp, http: TestClient, claims: dict[str, Any], headers: dict[str, Any], code: str
) -> None:
    assert refused(me(http, idp.token(headers=headers, **claims))) == code


def test_expired_provider_token_is_refused(idp: Idp, http: TestClient) -> None:
    now = int(time.time())  # two minutes past exp: far beyond the 30 s leeway
    token = idp.token(iat=now - 600, exp=now - 120, auth_time=now - 600)
    assert refused(me(http, token)) == "token_expired"


def test_embedded_key_cannot_sign_for_the_provider(
    ext: Platform, idp: Idp, http: TestClient
) -> None:
    key = ext.identity.issuer.active_key()

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'Ed25519', 'typ': 'at+jwt', 'kid': key.kid})}."
    signing_input += part(idp.claims())
    signature = JWSRegistry.algorithms["Ed25519"].sign(signing_input.encode(), key)
    token = f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    assert refused(me(http, token)) == "token_key_unknown"


def test_disabled_provisioned_user_is_refused(ext: Platform, idp: Idp, http: TestClient) -> None:
    row = new_user(NAME, tenant="acme", clearance=2, external_id=SUB, active=False)
    ext.store.identity.add_user(row)
    token = idp.token()
    assert refused(me(http, token)) == "user_disabled"
    ext.store.identity.update_user(ext.store.identity.user_by_name(NAME).id, ENABLE)
    body = me(http, token).json()
    assert (body["id"], body["groups"]) == (f"oidc:{idp.url}#{SUB}", ["analysts", "fin-team"])


def test_local_account_of_another_person_is_refused(
    ext: Platform, idp: Idp, http: TestClient
) -> None:
    row = new_user(NAME, tenant="acme", external_id="someone-else")
    ext.store.identity.add_user(replace(row, password_hash=LOCAL_HASH))
    assert refused(me(http, idp.token())) == "user_unknown"


def test_local_password_account_without_external_id_is_not_the_token_user(
    ext: Platform, idp: Idp, http: TestClient
) -> None:
    row = new_user(NAME, tenant="acme")
    ext.store.identity.add_user(replace(row, password_hash=LOCAL_HASH))
    assert refused(me(http, idp.token())) == "user_unknown"


def test_embedded_tokens_work_alongside(ext: Platform, idp: Idp, http: TestClient) -> None:
    ensure_admin(ext.store, ext.ledger, tenant="default", password=ADMIN_PASSWORD)
    local = login(http, "admin", ADMIN_PASSWORD)["access_token"]
    external = idp.token()
    for _ in range(2):  # interleaved, each verified against its own issuer's keys
        local_me = me(http, local).json()
        assert local_me["id"].startswith("user:")
        assert (local_me["name"], local_me["tenant"]) == ("admin", "default")
        assert me(http, external).json()["tenant"] == "acme"
    assert http.post("/auth/logout", headers=bearer(local)).status_code == 204
    assert refused(me(http, local)) == "token_revoked"
    assert me(http, external).status_code == 200


def test_an_unreachable_provider_does_not_stop_the_platform(tmp_path: Path, idp: Idp) -> None:
    """Discovery happens on the first external token, not when the platform opens: with
    the provider down, every command still works and external tokens are refused (401)."""
    token = idp.token()
    settings = load_settings(
        data_dir=tmp_path / "down",
        auth_issuer="http://testserver",
        oidc_issuer="http://127.0.0.1:9/unreachable",
        oidc_audience=AUDIENCE,
        oidc_claims=json.dumps(CLAIM_MAP),
    )
    with Platform.open(settings, upgrade=True) as platform:
        assert platform.store.identity.users() == []
        forged = token.split(".")
        payload = json.loads(base64.urlsafe_b64decode(forged[1] + "=="))
        payload["iss"] = "http://127.0.0.1:9/unreachable"
        body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
        with TestClient(create_app(platform), raise_server_exceptions=False) as client:
            response = me(client, ".".join([forged[0], body, forged[2]]))
        assert refused(response) == "token_key_unknown"
