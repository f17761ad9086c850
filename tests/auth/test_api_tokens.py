"""API tokens (``igt_…``): created by an admin with a fresh login, shown once, kept
only as a SHA-256, authenticating as a scoped service principal until they expire,
are revoked or their owner is disabled, and never good for admin actions."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from intelgraph.auth.errors import AuthError, Forbidden
from intelgraph.auth.service import CreatedApiToken
from intelgraph.auth.users import principal_of
from intelgraph.errors import InvalidInput
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest
from tests.auth.conftest import Admin, bearer

ANALYST = "analyst"


@pytest.fixture
def analyst(platform: Platform, admin: Admin) -> str:
    platform.admin.add_user(
        admin.request, ANALYST, tenant="default", clearance=1, purposes=["investigation"]
    )
    return ANALYST


@pytest.fixture
def created(platform: Platform, admin: Admin, analyst: str) -> CreatedApiToken:
    return platform.admin.create_token(admin.request, analyst, "ingest-bot", ["read", "ingest"])


def me(client: TestClient, token: str) -> Response:
    response: Response = client.get("/auth/me", headers=bearer(token))
    return response


def refused(response: Response) -> str:
    assert response.status_code == 401, response.text
    assert "error_description" in response.headers["www-authenticate"]
    code: str = response.json()["code"]
    return code


def fresh_request(platform: Platform, name: str, *, age: int = 0) -> AccessRequest:
    """A request by the stored user ``name`` whose login was ``age`` seconds ago."""
    now = int(time.time())
    principal = principal_of(platform.store.identity.user_by_name(name), auth_time=now - age)
    return platform.access.request(principal, now=now)


def policy_leaves(platform: Platform, start: int) -> list[dict[str, Any]]:
    return [
        json.loads(body)
        for _, kind, body in platform.store.ledger.leaves(start)
        if kind == "policy-change"
    ]


def test_the_secret_is_returned_once_and_only_its_hash_is_kept(
    platform: Platform, created: CreatedApiToken, analyst: str
) -> None:
    secret = created.token
    assert secret.startswith("igt_")
    assert len(secret) >= 4 + 43  # 256 random bits, base64url
    row = created.row
    assert (row.name, row.scopes, row.revoked) == (
        "ingest-bot",
        frozenset({"read", "ingest"}),
        None,
    )
    assert row.user_id == platform.store.identity.user_by_name(analyst).id
    assert row.expires - row.created == 90 * 86_400
    listed = platform.store.identity.api_tokens(user_id=row.user_id)
    assert [t.id for t in listed] == [row.id]
    assert secret not in repr(listed)  # nothing can show it again
    files = [p for p in Path(platform.settings.data_dir).rglob("*") if p.is_file()]
    stored = b"".join(p.read_bytes() for p in files)
    assert secret.encode() not in stored
    assert secret.removeprefix("igt_").encode() not in stored
    assert hashlib.sha256(secret.encode()).hexdigest().encode() in stored


def test_each_token_is_new(platform: Platform, admin: Admin, analyst: str) -> None:
    first = platform.admin.create_token(admin.request, analyst, "one", ["read"])
    second = platform.admin.create_token(admin.request, analyst, "one", ["read"])
    assert first.token != second.token
    assert first.row.id != second.row.id


def test_token_authenticates_as_a_scoped_service(
    platform: Platform, client: TestClient, created: CreatedApiToken, analyst: str
) -> None:
    response = me(client, created.token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "service"
    assert body["scopes"] == ["ingest", "read"]
    assert body["id"] == f"token:{created.row.id}"
    assert (body["name"], body["tenant"], body["clearance"]) == (analyst, "default", 1)
    assert body["auth_time"] is None
    assert body["admin"] is False
    assert platform.store.identity.api_token(created.row.id).last_used is not None


def test_expired_token_is_refused(
    platform: Platform, admin: Admin, client: TestClient, analyst: str
) -> None:
    created = platform.admin.create_token(admin.request, analyst, "short", ["read"], days=1)
    expires = created.row.expires
    assert expires - created.row.created == 86_400
    platform.identity._clock = lambda: float(expires - 1)
    assert me(client, created.token).status_code == 200
    platform.identity._clock = lambda: float(expires)
    assert refused(me(client, created.token)) == "api_token_invalid"
    platform.identity._clock = lambda: float(expires + 86_400)
    assert refused(me(client, created.token)) == "api_token_invalid"


def test_revoked_token_is_refused_from_the_next_request(
    platform: Platform, admin: Admin, client: TestClient, created: CreatedApiToken
) -> None:
    assert me(client, created.token).status_code == 200
    assert platform.admin.revoke_token(admin.request, created.row.id) is True
    assert refused(me(client, created.token)) == "api_token_invalid"
    assert platform.admin.revoke_token(admin.request, created.row.id) is False


def test_disabled_owner_is_refused(
    platform: Platform, admin: Admin, client: TestClient, created: CreatedApiToken, analyst: str
) -> None:
    platform.admin.set_active(admin.request, analyst, False)
    assert refused(me(client, created.token)) == "user_disabled"


def test_deleted_owner_is_refused(
    platform: Platform, client: TestClient, created: CreatedApiToken
) -> None:
    platform.store.identity.delete_user(created.row.user_id)
    assert refused(me(client, created.token)) == "api_token_invalid"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("igt_", "api_token_invalid"),
        ("igt_made-up-token", "api_token_invalid"),
        ("igt_" + "A" * 43, "api_token_invalid"),
        ("IGT_" + "A" * 43, "token_malformed"),  # not the prefix: read as a (bad) JWT
    ],
    ids=["prefix-only", "made-up", "right-length", "upper-case-prefix"],
)
def test_unknown_tokens_are_refused(client: TestClient, token: str, code: str) -> None:
    response = me(client, token)
    assert refused(response) == code
    assert token not in response.text


def test_a_token_with_one_character_changed_is_refused(
    client: TestClient, created: CreatedApiToken
) -> None:
    last = created.token[-1]
    changed = created.token[:-1] + ("A" if last != "A" else "B")
    assert refused(me(client, changed)) == "api_token_invalid"


@pytest.mark.parametrize(
    ("scopes", "days"),
    [(["read", "admin"], 30), (["everything"], 30), ([], 30), (["read"], 0), (["read"], 367)],
    ids=["admin-scope", "unknown-scope", "no-scope", "zero-days", "over-a-year"],
)
def test_invalid_token_requests_are_refused(
    platform: Platform, admin: Admin, analyst: str, scopes: list[str], days: int
) -> None:
    with pytest.raises(InvalidInput):
        platform.admin.create_token(admin.request, analyst, "bad", scopes, days=days)
    user_id = platform.store.identity.user_by_name(analyst).id
    assert platform.store.identity.api_tokens(user_id=user_id) == []


def test_invalid_token_name_is_refused(platform: Platform, admin: Admin, analyst: str) -> None:
    with pytest.raises(InvalidInput):
        platform.admin.create_token(admin.request, analyst, "no spaces/allowed", ["read"])


def test_a_token_cannot_administer_even_an_admins(
    platform: Platform, admin: Admin, analyst: str
) -> None:
    created = platform.admin.create_token(admin.request, admin.name, "admin-bot", ["read", "scim"])
    principal = platform.identity.authenticate(f"Bearer {created.token}")
    assert principal.admin is True
    assert principal.kind == "service"
    # Even with a login time that would count as fresh, a token is never an admin.
    for acting in (principal, replace(principal, auth_time=int(time.time()))):
        request = platform.access.request(acting)
        with pytest.raises(Forbidden) as caught:
            platform.admin.add_user(request, "mallory", tenant="default", admin=True)
        assert "admin-not-by-token" in caught.value.details["policies"]
        with pytest.raises(Forbidden):
            platform.admin.create_token(request, analyst, "more", ["read"])
        with pytest.raises(Forbidden):
            platform.admin.set_active(request, analyst, False)
    assert platform.store.identity.find_user("mallory") is None
    assert platform.store.identity.user_by_name(analyst).active


@pytest.mark.parametrize("target", ["admin", "intern"])
def test_a_user_cannot_create_tokens_for_another_user(
    platform: Platform, admin: Admin, analyst: str, target: str
) -> None:
    """Neither for a user above its clearance (the admin) nor for one below (an intern)."""
    if target == "intern":
        platform.admin.add_user(admin.request, target, tenant="default", clearance=0)
    request = fresh_request(platform, analyst)
    start = platform.store.ledger.size()
    with pytest.raises(Forbidden) as caught:
        platform.admin.create_token(request, target, "stolen", ["read"])
    owner_id = platform.store.identity.user_by_name(target).id
    assert platform.store.identity.api_tokens(user_id=owner_id) == []
    leaves = policy_leaves(platform, start)
    assert len(leaves) == 1
    leaf = leaves[0]
    assert leaf["decision"] == "deny"
    assert leaf["principal"] == request.principal.id
    assert leaf["name"] == analyst
    assert leaf["action"] == "manageUsers"
    assert leaf["change"]["op"] == "create-token"
    assert leaf["change"]["user"] == target
    assert leaf["policies"] == sorted(caught.value.details["policies"])


def test_allowed_token_creation_is_audited_without_the_secret(
    platform: Platform, admin: Admin, analyst: str
) -> None:
    start = platform.store.ledger.size()
    created = platform.admin.create_token(admin.request, analyst, "audited", ["read"])
    leaves = policy_leaves(platform, start)
    assert [leaf["decision"] for leaf in leaves] == ["allow"]
    assert leaves[0]["change"]["op"] == "create-token"
    assert created.token not in json.dumps(leaves)


def test_admin_login_must_be_fresh(platform: Platform, analyst: str, admin: Admin) -> None:
    limit = platform.settings.fresh_auth_minutes * 60
    start = platform.store.ledger.size()
    stale = fresh_request(platform, admin.name, age=limit + 1)
    with pytest.raises(Forbidden) as caught:
        platform.admin.create_token(stale, analyst, "late", ["read"])
    assert caught.value.details["policies"] == ["fresh-authentication"]
    leaves = policy_leaves(platform, start)
    assert [(leaf["decision"], leaf["policies"]) for leaf in leaves] == [
        ("deny", ["fresh-authentication"])
    ]
    just_in_time = fresh_request(platform, admin.name, age=limit)
    assert platform.admin.create_token(just_in_time, analyst, "ok", ["read"]).token


def test_admin_without_a_login_time_is_refused(
    platform: Platform, analyst: str, admin: Admin
) -> None:
    principal = principal_of(platform.store.identity.user_by_name(admin.name))
    assert principal.auth_time is None
    with pytest.raises(Forbidden) as caught:
        platform.admin.create_token(platform.access.request(principal), analyst, "x", ["read"])
    assert "fresh-authentication" in caught.value.details["policies"]


def test_token_refusals_are_auth_errors_not_crashes(platform: Platform) -> None:
    with pytest.raises(AuthError) as caught:
        platform.identity.authenticate("Bearer igt_unknown")
    assert caught.value.code == "api_token_invalid"
    assert "igt_unknown" not in str(caught.value)
