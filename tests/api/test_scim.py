"""SCIM 2.0 provisioning (RFC 7643/7644) through the real app: the protocol's own flows,
the policy decisions behind them, and the SCIM error format."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intelgraph.auth.users import new_user
from intelgraph.ledger.leaves import decode
from intelgraph.platform import Platform
from intelgraph.store.identity import UserRow
from tests.auth import conftest as auth
from tests.auth.conftest import Admin, bearer, login

# The real platform, its admin and an HTTP client on the app (tests/auth/conftest.py).
platform = auth.platform
admin = auth.admin
client = auth.client

EXT = "urn:ietf:params:scim:schemas:extension:intelgraph:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = "application/scim+json"


# -- helpers ---------------------------------------------------------------------------------


def scim_token(platform: Platform, admin: Admin, scopes: Iterable[str] = ("scim",)) -> str:
    """An API token of the admin, as an operator creates it for the IdP's bridge."""
    return platform.admin.create_token(admin.request, "admin", "scim-bridge", list(scopes)).token


def owner_token(
    platform: Platform,
    name: str,
    *,
    clearance: str = "SECRET",
    compartments: Iterable[str] = (),
    is_admin: bool = False,
    tenant: str = "default",
) -> str:
    """A ``scim`` token of a user with the given rights (set up in the store directly:
    the fixture's admin holds no compartments, so it could not create this owner)."""
    row = platform.store.identity.add_user(
        new_user(
            name,
            tenant=tenant,
            clearance=clearance,
            compartments=compartments,
            admin=is_admin,
        )
    )
    return platform.identity.create_api_token(row.id, f"{name}-scim", ["scim"]).token


def hdrs(token: str, **extra: str) -> dict[str, str]:
    return {**bearer(token), "Content-Type": SCIM_JSON, **extra}


def user_body(name: str, **extension: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [USER_SCHEMA], "userName": name}
    if extension:
        body["schemas"].append(EXT)
        body[EXT] = extension
    return body


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


def create_user(client: TestClient, token: str, name: str, **extension: Any) -> dict[str, Any]:
    response = client.post("/scim/v2/Users", json=user_body(name, **extension), headers=hdrs(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def create_group(
    client: TestClient, token: str, name: str, members: Iterable[str] = ()
) -> dict[str, Any]:
    payload = {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": member} for member in members],
    }
    response = client.post("/scim/v2/Groups", json=payload, headers=hdrs(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_scim_error(response: Any, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]


def provision_leaves(platform: Platform) -> list[dict[str, Any]]:
    leaves = [decode(body) for _, kind, body in platform.store.ledger.leaves()]
    return [leaf for leaf in leaves if leaf["type"] == "policy-change"]


def stored(platform: Platform, name: str) -> UserRow:
    return platform.store.identity.user_by_name(name)


@pytest.fixture
def token(platform: Platform, admin: Admin) -> str:
    return scim_token(platform, admin)


# -- users -----------------------------------------------------------------------------------


def test_create_user_with_extension_then_get_it(platform: Platform, client: TestClient) -> None:
    bridge = owner_token(platform, "fin-owner", clearance="TOP_SECRET", compartments=["FIN"])
    payload = {
        **user_body(
            "a.analyst",
            tenant="default",
            clearance="SECRET",
            compartments=["FIN"],
            purposes=["aml"],
            admin=False,
        ),
        "externalId": "5b1c-idp",
        "active": True,
        "displayName": "A. Analyst",
        "emails": [{"value": "a.analyst@example.org", "primary": True, "type": "work"}],
    }
    created = client.post("/scim/v2/Users", json=payload, headers=hdrs(bridge))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM_JSON)
    body = created.json()
    user_id = body["id"]
    assert created.headers["Location"] == f"http://testserver/scim/v2/Users/{user_id}"
    assert created.headers["ETag"] == 'W/"1"'
    assert body["meta"]["resourceType"] == "User"
    assert body["meta"]["location"] == created.headers["Location"]
    assert body["meta"]["version"] == 'W/"1"'
    assert body["meta"]["created"]
    assert body["meta"]["lastModified"]
    assert body["userName"] == "a.analyst"
    assert body["externalId"] == "5b1c-idp"
    assert body["displayName"] == "A. Analyst"
    assert body["emails"] == [{"value": "a.analyst@example.org", "primary": True}]
    assert body[EXT] == {
        "tenant": "default",
        "clearance": "SECRET",
        "compartments": ["FIN"],
        "purposes": ["aml"],
        "admin": False,
    }
    assert EXT in body["schemas"]

    fetched = client.get(f"/scim/v2/Users/{user_id}", headers=hdrs(bridge))
    assert fetched.status_code == 200
    assert fetched.json() == body

    row = stored(platform, "a.analyst")
    assert (row.clearance, row.compartments, row.purposes) == (2, frozenset({"FIN"}), ("aml",))
    assert row.external_id == "5b1c-idp"
    assert row.email == "a.analyst@example.org"
    assert row.password_hash is None  # logs in through the IdP


def test_create_defaults_to_the_token_tenant_and_numeric_clearance(
    platform: Platform, client: TestClient, token: str
) -> None:
    body = create_user(client, token, "numeric", clearance=1)
    assert body[EXT]["tenant"] == "default"
    assert body[EXT]["clearance"] == "CONFIDENTIAL"
    row = stored(platform, "numeric")
    assert (row.tenant, row.clearance, row.active) == ("default", 1, True)
    named = create_user(client, token, "by-name", clearance="top secret")
    assert named[EXT]["clearance"] == "TOP_SECRET"
    plain = create_user(client, token, "plain")
    assert plain[EXT]["clearance"] == "UNCLASSIFIED"


def test_duplicate_user_name_is_409_uniqueness(client: TestClient, token: str) -> None:
    create_user(client, token, "dup")
    again = client.post("/scim/v2/Users", json=user_body("dup"), headers=hdrs(token))
    assert_scim_error(again, 409, "uniqueness")


def test_list_filters_by_user_name_and_external_id(client: TestClient, token: str) -> None:
    for name in ("ann", "bob", "cyd"):
        body = {**user_body(name), "externalId": f"ext-{name}"}
        assert client.post("/scim/v2/Users", json=body, headers=hdrs(token)).status_code == 201
    found = client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "bob"'}, headers=hdrs(token)
    )
    assert found.status_code == 200
    assert found.headers["content-type"].startswith(SCIM_JSON)
    listing = found.json()
    assert listing["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert listing["totalResults"] == 1
    assert [user["userName"] for user in listing["Resources"]] == ["bob"]
    by_external = client.get(
        "/scim/v2/Users",
        params={"filter": 'externalId eq "ext-cyd" and userName eq "cyd"'},
        headers=hdrs(token),
    ).json()
    assert [user["userName"] for user in by_external["Resources"]] == ["cyd"]
    none = client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "nobody"'}, headers=hdrs(token)
    ).json()
    assert (none["totalResults"], none["Resources"]) == (0, [])
    contradiction = client.get(
        "/scim/v2/Users",
        params={"filter": 'userName eq "ann" and USERNAME eq "bob"'},
        headers=hdrs(token),
    ).json()
    assert contradiction["totalResults"] == 0
    qualified = client.get(
        "/scim/v2/Users",
        params={"filter": f'{USER_SCHEMA}:userName eq "ann"'},
        headers=hdrs(token),
    ).json()
    assert [user["userName"] for user in qualified["Resources"]] == ["ann"]


def test_list_pages_with_start_index_and_count(client: TestClient, token: str) -> None:
    names = [f"user{index:02d}" for index in range(7)]
    for name in names:
        create_user(client, token, name)
    everyone = sorted([*names, "admin"])
    first = client.get(
        "/scim/v2/Users", params={"startIndex": 1, "count": 3}, headers=hdrs(token)
    ).json()
    assert (first["totalResults"], first["startIndex"], first["itemsPerPage"]) == (8, 1, 3)
    assert [user["userName"] for user in first["Resources"]] == everyone[:3]
    last = client.get(
        "/scim/v2/Users", params={"startIndex": 7, "count": 3}, headers=hdrs(token)
    ).json()
    assert [user["userName"] for user in last["Resources"]] == everyone[6:]
    assert last["itemsPerPage"] == 2
    counted = client.get("/scim/v2/Users", params={"count": 0}, headers=hdrs(token)).json()
    assert (counted["totalResults"], counted["Resources"]) == (8, [])
    capped = client.get(
        "/scim/v2/Users", params={"count": 5000, "startIndex": -4}, headers=hdrs(token)
    ).json()
    assert capped["startIndex"] == 1
    assert capped["itemsPerPage"] == 8
    bad = client.get("/scim/v2/Users", params={"count": "many"}, headers=hdrs(token))
    assert_scim_error(bad, 400, "invalidValue")


def test_active_filter_combines_with_and(client: TestClient, token: str) -> None:
    create_user(client, token, "on")
    off = create_user(client, token, "off")
    client.patch(
        f"/scim/v2/Users/{off['id']}",
        json=patch_body({"op": "replace", "path": "active", "value": False}),
        headers=hdrs(token),
    )
    inactive = client.get(
        "/scim/v2/Users", params={"filter": "active eq false"}, headers=hdrs(token)
    ).json()
    assert [user["userName"] for user in inactive["Resources"]] == ["off"]
    both = client.get(
        "/scim/v2/Users",
        params={"filter": 'userName eq "on" and active eq true'},
        headers=hdrs(token),
    ).json()
    assert [user["userName"] for user in both["Resources"]] == ["on"]


@pytest.mark.parametrize(
    "expression",
    [
        'userName co "a"',
        'userName eq "a" or userName eq "b"',
        'title eq "x"',
        'userName eq "a" and (displayName eq "b")',
        "userName eq",
        'active eq "true"',
        "userName eq 3",
        'emails[type eq "work"]',
        'userName eq "nul\u0000"',
        "not (active eq true)",
    ],
)
def test_unsupported_filters_are_invalid_filter(
    client: TestClient, token: str, expression: str
) -> None:
    response = client.get("/scim/v2/Users", params={"filter": expression}, headers=hdrs(token))
    assert_scim_error(response, 400, "invalidFilter")


def test_patch_replaces_display_name_and_active(
    platform: Platform, client: TestClient, token: str
) -> None:
    user = create_user(client, token, "patchy")
    response = client.patch(
        f"/scim/v2/Users/{user['id']}",
        json=patch_body(
            {"op": "replace", "path": "displayName", "value": "Patchy P."},
            {"op": "Replace", "path": "active", "value": False},
        ),
        headers=hdrs(token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["displayName"], body["active"]) == ("Patchy P.", False)
    assert response.headers["ETag"] == body["meta"]["version"] == 'W/"2"'
    row = stored(platform, "patchy")
    assert (row.display_name, row.active, row.version) == ("Patchy P.", False, 2)


def test_patch_as_identity_providers_send_it(
    platform: Platform, client: TestClient, token: str
) -> None:
    """Entra ID: no path with a value object, a filtered e-mail path, extension paths."""
    user = create_user(client, token, "entra", clearance="CONFIDENTIAL")
    response = client.patch(
        f"/scim/v2/Users/{user['id']}",
        json=patch_body(
            {"op": "Replace", "value": {"displayName": "Entra User", "externalId": "oid-1"}},
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "e@example.org"},
            {"op": "replace", "path": f"{EXT}:clearance", "value": "SECRET"},
            {"op": "add", "path": f"{EXT}:purposes", "value": ["aml", "ctf"]},
            {"op": "replace", "path": "name.formatted", "value": "ignored: displayName wins"},
        ),
        headers=hdrs(token),
    )
    assert response.status_code == 200, response.text
    row = stored(platform, "entra")
    assert (row.display_name, row.external_id, row.email) == (
        "Entra User",
        "oid-1",
        "e@example.org",
    )
    assert (row.clearance, row.purposes) == (2, ("aml", "ctf"))
    removed = client.patch(
        f"/scim/v2/Users/{user['id']}",
        json=patch_body(
            {"op": "remove", "path": "displayName"}, {"op": "remove", "path": "emails"}
        ),
        headers=hdrs(token),
    )
    assert removed.status_code == 200, removed.text
    row = stored(platform, "entra")
    assert (row.display_name, row.email) == (None, None)


def test_patch_errors_use_scim_types(platform: Platform, client: TestClient, token: str) -> None:
    user = create_user(client, token, "target")
    create_user(client, token, "taken")
    url = f"/scim/v2/Users/{user['id']}"
    cases = [
        (patch_body({"op": "replace", "path": "groups", "value": [{"value": "g"}]}), "mutability"),
        (patch_body({"op": "replace", "path": "noSuchThing", "value": 1}), "invalidPath"),
        (patch_body({"op": "remove", "path": "userName"}), "mutability"),
        (patch_body({"op": "move", "path": "displayName"}), "invalidValue"),
        (patch_body({"op": "replace", "path": "active", "value": "maybe"}), "invalidValue"),
        (patch_body({"op": "replace", "path": "userName", "value": "has space"}), "invalidValue"),
        (patch_body(), "invalidValue"),
    ]
    for payload, scim_type in cases:
        assert_scim_error(client.patch(url, json=payload, headers=hdrs(token)), 400, scim_type)
    renamed = client.patch(
        url,
        json=patch_body({"op": "replace", "path": "userName", "value": "taken"}),
        headers=hdrs(token),
    )
    assert_scim_error(renamed, 409, "uniqueness")
    assert stored(platform, "target").version == 1  # nothing of the refused patches landed


def test_deactivation_revokes_sessions_and_blocks_login(
    platform: Platform, admin: Admin, client: TestClient, token: str
) -> None:
    user = create_user(client, token, "leaver")
    platform.admin.set_password(admin.request, "leaver", "a long enough password")
    tokens = login(client, "leaver", "a long enough password")
    assert client.get("/auth/me", headers=bearer(tokens["access_token"])).status_code == 200

    response = client.patch(
        f"/scim/v2/Users/{user['id']}",
        json=patch_body({"op": "replace", "value": {"active": False}}),
        headers=hdrs(token),
    )
    assert response.status_code == 200, response.text

    me = client.get("/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401
    assert me.json()["code"] in ("token_revoked", "user_disabled")
    again = client.post(
        "/auth/login", json={"username": "leaver", "password": "a long enough password"}
    )
    assert again.status_code == 401
    assert again.json()["code"] == "user_disabled"
    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


def test_put_replaces_the_user(platform: Platform, client: TestClient, token: str) -> None:
    user = create_user(client, token, "putter", clearance="SECRET", purposes=["aml"])
    replacement = {
        **user_body("putter2", clearance="CONFIDENTIAL"),
        "externalId": "put-ext",
        "name": {"formatted": "Put Ter"},
        "active": False,
    }
    response = client.put(f"/scim/v2/Users/{user['id']}", json=replacement, headers=hdrs(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["userName"] == "putter2"
    assert body["displayName"] == "Put Ter"
    assert body[EXT]["clearance"] == "CONFIDENTIAL"
    assert "purposes" not in body[EXT]  # replaced: absent attributes are cleared
    row = platform.store.identity.user(user["id"])
    assert (row.name, row.clearance, row.purposes, row.active) == ("putter2", 1, (), False)
    assert row.external_id == "put-ext"


def test_delete_user_then_404(platform: Platform, client: TestClient, token: str) -> None:
    user = create_user(client, token, "gone")
    deleted = client.delete(f"/scim/v2/Users/{user['id']}", headers=hdrs(token))
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_scim_error(client.get(f"/scim/v2/Users/{user['id']}", headers=hdrs(token)), 404)
    assert_scim_error(client.delete(f"/scim/v2/Users/{user['id']}", headers=hdrs(token)), 404)
    assert platform.store.identity.find_user("gone") is None


def test_password_is_refused(client: TestClient, token: str) -> None:
    body = {**user_body("pw"), "password": "s3cret-from-the-idp"}
    response = client.post("/scim/v2/Users", json=body, headers=hdrs(token))
    assert_scim_error(response, 400, "invalidValue")


# -- groups ------------------------------------------------------------------------------------


def test_group_with_members_shows_on_the_user(client: TestClient, token: str) -> None:
    ann = create_user(client, token, "g-ann")
    bob = create_user(client, token, "g-bob")
    group = create_group(client, token, "Analysts", [ann["id"], bob["id"]])
    assert group["displayName"] == "Analysts"
    assert group["meta"]["resourceType"] == "Group"
    assert {(m["value"], m["display"]) for m in group["members"]} == {
        (ann["id"], "g-ann"),
        (bob["id"], "g-bob"),
    }
    fetched = client.get(f"/scim/v2/Groups/{group['id']}", headers=hdrs(token))
    assert fetched.status_code == 200
    assert fetched.json() == group
    shown = client.get(f"/scim/v2/Users/{ann['id']}", headers=hdrs(token)).json()
    assert [(g["value"], g["display"]) for g in shown["groups"]] == [(group["id"], "Analysts")]
    listed = client.get(
        "/scim/v2/Users", params={"filter": 'userName eq "g-bob"'}, headers=hdrs(token)
    ).json()
    assert listed["Resources"][0]["groups"][0]["value"] == group["id"]


def test_group_patch_adds_and_removes_members(
    platform: Platform, client: TestClient, token: str
) -> None:
    ids = [create_user(client, token, f"m{index}")["id"] for index in range(4)]
    group = create_group(client, token, "Team", ids[:1])
    url = f"/scim/v2/Groups/{group['id']}"

    def members() -> set[str]:
        return set(platform.store.identity.group(group["id"]).members)

    added = client.patch(
        url,
        json=patch_body(
            {"op": "add", "path": "members", "value": [{"value": ids[1]}, {"value": ids[2]}]}
        ),
        headers=hdrs(token),
    )
    assert added.status_code == 200, added.text
    assert members() == set(ids[:3])
    removed = client.patch(
        url,
        json=patch_body({"op": "remove", "path": f'members[value eq "{ids[0]}"]'}),
        headers=hdrs(token),
    )
    assert removed.status_code == 200, removed.text
    assert members() == {ids[1], ids[2]}
    entra = client.patch(  # Entra ID removes with a value instead of a path filter
        url,
        json=patch_body({"op": "Remove", "path": "members", "value": [{"value": ids[1]}]}),
        headers=hdrs(token),
    )
    assert entra.status_code == 200, entra.text
    assert members() == {ids[2]}
    renamed = client.patch(
        url,
        json=patch_body(
            {"op": "replace", "value": {"displayName": "Team B"}},
            {"op": "replace", "path": "members", "value": [{"value": ids[3]}]},
        ),
        headers=hdrs(token),
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["displayName"] == "Team B"
    assert members() == {ids[3]}
    assert stored(platform, "m3").groups == frozenset({"Team B"})


def test_group_filter_put_and_delete(platform: Platform, client: TestClient, token: str) -> None:
    user = create_user(client, token, "grouped")
    create_group(client, token, "Red")
    blue = create_group(client, token, "Blue")
    found = client.get(
        "/scim/v2/Groups", params={"filter": 'displayName eq "Blue"'}, headers=hdrs(token)
    ).json()
    assert found["totalResults"] == 1
    assert [group["id"] for group in found["Resources"]] == [blue["id"]]
    every = client.get("/scim/v2/Groups", headers=hdrs(token)).json()
    assert [group["displayName"] for group in every["Resources"]] == ["Blue", "Red"]
    assert_scim_error(
        client.get("/scim/v2/Groups", params={"filter": 'displayName sw "B"'}, headers=hdrs(token)),
        400,
        "invalidFilter",
    )
    duplicate = client.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP_SCHEMA], "displayName": "Red"},
        headers=hdrs(token),
    )
    assert_scim_error(duplicate, 409, "uniqueness")
    clash = client.patch(
        f"/scim/v2/Groups/{blue['id']}",
        json=patch_body({"op": "replace", "path": "displayName", "value": "Red"}),
        headers=hdrs(token),
    )
    assert_scim_error(clash, 409, "uniqueness")

    replaced = client.put(
        f"/scim/v2/Groups/{blue['id']}",
        json={
            "schemas": [GROUP_SCHEMA],
            "displayName": "Navy",
            "externalId": "grp-1",
            "members": [{"value": user["id"]}],
        },
        headers=hdrs(token),
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["displayName"] == "Navy"
    assert replaced.json()["externalId"] == "grp-1"
    assert replaced.headers["ETag"] == 'W/"2"'
    assert stored(platform, "grouped").groups == frozenset({"Navy"})

    deleted = client.delete(f"/scim/v2/Groups/{blue['id']}", headers=hdrs(token))
    assert deleted.status_code == 204
    assert_scim_error(client.get(f"/scim/v2/Groups/{blue['id']}", headers=hdrs(token)), 404)
    assert stored(platform, "grouped").groups == frozenset()


def test_group_members_must_be_users_of_the_tenant(
    platform: Platform, client: TestClient, token: str
) -> None:
    foreign = platform.store.identity.add_user(new_user("foreigner", tenant="other"))
    for members, scim_type in (
        ([{"value": "no-such-user"}], "invalidValue"),
        ([{"value": foreign.id}], "invalidValue"),
        ([{"value": "x", "type": "Group"}], "invalidValue"),
    ):
        response = client.post(
            "/scim/v2/Groups",
            json={"schemas": [GROUP_SCHEMA], "displayName": "Mixed", "members": members},
            headers=hdrs(token),
        )
        assert_scim_error(response, 400, scim_type)
    bad_name = client.post(
        "/scim/v2/Groups",
        json={"schemas": [GROUP_SCHEMA], "displayName": "a,b"},
        headers=hdrs(token),
    )
    assert_scim_error(bad_name, 400, "invalidValue")
    assert platform.store.identity.groups(tenant="default") == []


# -- authentication and policy ---------------------------------------------------------------


def test_no_or_bad_token_is_401(client: TestClient) -> None:
    missing = client.get("/scim/v2/Users")
    assert_scim_error(missing, 401)
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.post("/scim/v2/Users", json=user_body("x"), headers=hdrs("igt_not-a-real-token"))
    assert_scim_error(wrong, 401)
    assert "api_token_invalid" in wrong.headers["WWW-Authenticate"]
    assert_scim_error(client.get("/scim/v2/ServiceProviderConfig"), 401)


def test_token_without_scim_scope_is_403(
    platform: Platform, admin: Admin, client: TestClient
) -> None:
    reader = scim_token(platform, admin, scopes=["read", "ingest"])
    assert_scim_error(client.get("/scim/v2/Users", headers=hdrs(reader)), 403)
    created = client.post("/scim/v2/Users", json=user_body("nope"), headers=hdrs(reader))
    assert_scim_error(created, 403)
    assert platform.store.identity.find_user("nope") is None
    assert_scim_error(client.get("/scim/v2/Groups", headers=hdrs(reader)), 403)


def test_an_admins_login_token_cannot_provision(admin: Admin, client: TestClient) -> None:
    """Provisioning is for API tokens with the scim scope, not for people."""
    session = login(client, admin.name, admin.password)
    response = client.post(
        "/scim/v2/Users", json=user_body("by-hand"), headers=hdrs(session["access_token"])
    )
    assert_scim_error(response, 403)


def test_user_in_another_tenant_is_403(platform: Platform, client: TestClient, token: str) -> None:
    response = client.post(
        "/scim/v2/Users", json=user_body("elsewhere", tenant="acme"), headers=hdrs(token)
    )
    assert_scim_error(response, 403)
    assert platform.store.identity.find_user("elsewhere") is None
    foreign = platform.store.identity.add_user(new_user("acme-user", tenant="acme"))
    assert_scim_error(client.get(f"/scim/v2/Users/{foreign.id}", headers=hdrs(token)), 403)
    listing = client.get("/scim/v2/Users", headers=hdrs(token)).json()
    assert "acme-user" not in {user["userName"] for user in listing["Resources"]}
    user = create_user(client, token, "mover")
    moved = client.patch(
        f"/scim/v2/Users/{user['id']}",
        json=patch_body({"op": "replace", "path": f"{EXT}:tenant", "value": "acme"}),
        headers=hdrs(token),
    )
    assert_scim_error(moved, 403)
    assert stored(platform, "mover").tenant == "default"


def test_admin_needs_an_admin_owner(platform: Platform, client: TestClient, token: str) -> None:
    bridge = owner_token(platform, "plain-owner", clearance="TOP_SECRET")
    refused = client.post(
        "/scim/v2/Users", json=user_body("boss", admin=True), headers=hdrs(bridge)
    )
    assert_scim_error(refused, 403)
    assert platform.store.identity.find_user("boss") is None
    user = create_user(client, bridge, "climber")
    raised = client.patch(
        f"/scim/v2/Users/{user['id']}",
        json=patch_body({"op": "replace", "path": f"{EXT}:admin", "value": True}),
        headers=hdrs(bridge),
    )
    assert_scim_error(raised, 403)
    assert stored(platform, "climber").admin is False
    # The admin's own token may make admins.
    assert create_user(client, token, "boss", admin=True)[EXT]["admin"] is True


def test_clearance_and_compartments_above_the_owner_are_403(
    platform: Platform, client: TestClient
) -> None:
    bridge = owner_token(platform, "secret-owner", clearance="SECRET", compartments=["FIN"])
    too_high = client.post(
        "/scim/v2/Users", json=user_body("ts", clearance="TOP_SECRET"), headers=hdrs(bridge)
    )
    assert_scim_error(too_high, 403)
    outside = client.post(
        "/scim/v2/Users", json=user_body("hum", compartments=["HUMINT"]), headers=hdrs(bridge)
    )
    assert_scim_error(outside, 403)
    assert platform.store.identity.find_user("ts") is None
    user = create_user(client, bridge, "fin", clearance="SECRET", compartments=["FIN"])
    raised = client.patch(
        f"/scim/v2/Users/{user['id']}",
        json=patch_body({"op": "replace", "path": f"{EXT}:clearance", "value": 3}),
        headers=hdrs(bridge),
    )
    assert_scim_error(raised, 403)
    assert stored(platform, "fin").clearance == 2


def test_users_above_the_owner_are_out_of_reach(
    platform: Platform, client: TestClient, token: str
) -> None:
    """A change is decided on the user before it too: a lower token can neither see,
    lower, rename nor delete a user above its owner."""
    high = create_user(client, token, "high", clearance="TOP_SECRET")
    bridge = owner_token(platform, "low-owner", clearance="CONFIDENTIAL")
    url = f"/scim/v2/Users/{high['id']}"
    assert_scim_error(client.get(url, headers=hdrs(bridge)), 403)
    lowered = client.patch(
        url,
        json=patch_body({"op": "replace", "path": f"{EXT}:clearance", "value": 0}),
        headers=hdrs(bridge),
    )
    assert_scim_error(lowered, 403)
    assert_scim_error(client.put(url, json=user_body("high"), headers=hdrs(bridge)), 403)
    assert_scim_error(client.delete(url, headers=hdrs(bridge)), 403)
    assert stored(platform, "high").clearance == 3
    listing = client.get("/scim/v2/Users", headers=hdrs(bridge)).json()
    names = {user["userName"] for user in listing["Resources"]}
    assert "high" not in names
    assert "admin" not in names
    assert listing["totalResults"] == len(names)
    group = create_group(client, token, "With high")
    joined = client.patch(
        f"/scim/v2/Groups/{group['id']}",
        json=patch_body({"op": "add", "path": "members", "value": [{"value": high["id"]}]}),
        headers=hdrs(bridge),
    )
    assert_scim_error(joined, 403)
    assert platform.store.identity.group(group["id"]).members == ()


def test_every_provision_decision_is_in_the_ledger(
    platform: Platform, admin: Admin, client: TestClient, token: str
) -> None:
    before = len(provision_leaves(platform))
    user = create_user(client, token, "audited")
    client.get(f"/scim/v2/Users/{user['id']}", headers=hdrs(token))
    client.post("/scim/v2/Users", json=user_body("far", tenant="acme"), headers=hdrs(token))
    leaves = provision_leaves(platform)[before:]
    assert len(leaves) == 3
    assert all(leaf["action"] == "provision" for leaf in leaves)
    assert [leaf["decision"] for leaf in leaves] == ["allow", "allow", "deny"]
    assert [leaf["change"]["op"] for leaf in leaves] == [
        "scim-create-user",
        "scim-read-user",
        "scim-create-user",
    ]
    assert leaves[0]["change"]["user"] == "audited"
    assert leaves[0]["target"] == f"User:target:user:{user['id']}"
    assert "scim-provisioning" in leaves[0]["policies"]
    assert "tenant-isolation" in leaves[2]["policies"]
    assert all(leaf["principal"].startswith("token:") for leaf in leaves)
    grown = len(provision_leaves(platform))
    create_group(client, token, "Audited", [user["id"]])
    assert len(provision_leaves(platform)) == grown + 2  # the group and its new member


# -- protocol errors -----------------------------------------------------------------------------


def test_malformed_json_is_invalid_syntax(client: TestClient, token: str) -> None:
    for raw in (b'{"userName": ', b"\xff\xfe", b"[1, 2]", b'"text"'):
        response = client.post("/scim/v2/Users", content=raw, headers=hdrs(token))
        assert_scim_error(response, 400, "invalidSyntax")
    deep = b"[" * 100_000 + b"]" * 100_000
    assert_scim_error(
        client.post("/scim/v2/Users", content=deep, headers=hdrs(token)), 400, "invalidSyntax"
    )


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        (user_body("x", clearance="ULTRA"), "invalidValue"),
        (user_body("x", clearance=-1), "invalidValue"),
        (user_body("x", clearance=True), "invalidValue"),
        (user_body("x", clearance=2.5), "invalidValue"),
        (user_body("x", compartments="FIN"), "invalidValue"),
        (user_body("x", compartments=["A,B"]), "invalidValue"),
        (user_body("x", admin="sometimes"), "invalidValue"),
        ({**user_body("x"), "active": "maybe"}, "invalidValue"),
        ({**user_body("x"), "emails": [{"value": "not-an-address"}]}, "invalidValue"),
        (user_body("has space"), "invalidValue"),
        (user_body(""), "invalidValue"),
        ({"schemas": [USER_SCHEMA]}, "invalidValue"),
        ({**user_body("x"), "displayName": "nul\u0000byte"}, "invalidValue"),
        ({**user_body("x"), "favouriteColour": "red"}, "invalidSyntax"),
        ({"schemas": [GROUP_SCHEMA], "userName": "x"}, "invalidSyntax"),
    ],
)
def test_invalid_users_are_refused(
    platform: Platform, client: TestClient, token: str, body: dict[str, Any], scim_type: str
) -> None:
    response = client.post("/scim/v2/Users", json=body, headers=hdrs(token))
    assert_scim_error(response, 400, scim_type)
    assert [row.name for row in platform.store.identity.users()] == ["admin"]


def test_stale_if_match_is_412(platform: Platform, client: TestClient, token: str) -> None:
    user = create_user(client, token, "versioned")
    url = f"/scim/v2/Users/{user['id']}"
    change = patch_body({"op": "replace", "path": "displayName", "value": "V"})
    ok = client.patch(url, json=change, headers=hdrs(token, **{"If-Match": 'W/"1"'}))
    assert ok.status_code == 200
    assert ok.headers["ETag"] == 'W/"2"'
    stale = client.patch(url, json=change, headers=hdrs(token, **{"If-Match": 'W/"1"'}))
    assert_scim_error(stale, 412)
    assert_scim_error(
        client.put(url, json=user_body("versioned"), headers=hdrs(token, **{"If-Match": '"1"'})),
        412,
    )
    assert_scim_error(client.delete(url, headers=hdrs(token, **{"If-Match": 'W/"1"'})), 412)
    assert stored(platform, "versioned").version == 2
    anything = client.patch(url, json=change, headers=hdrs(token, **{"If-Match": "*"}))
    assert anything.status_code == 200
    group = create_group(client, token, "Versioned")
    assert_scim_error(
        client.patch(
            f"/scim/v2/Groups/{group['id']}",
            json=patch_body({"op": "replace", "path": "displayName", "value": "W"}),
            headers=hdrs(token, **{"If-Match": 'W/"7"'}),
        ),
        412,
    )


def test_body_over_one_mebibyte_is_413(client: TestClient, token: str) -> None:
    body = json.dumps({**user_body("big"), "displayName": "x" * (1 << 20)})
    response = client.post("/scim/v2/Users", content=body, headers=hdrs(token))
    assert_scim_error(response, 413)


def test_media_types(client: TestClient, token: str) -> None:
    plain = client.post(
        "/scim/v2/Users",
        content=json.dumps(user_body("plain-json")),
        headers={**bearer(token), "Content-Type": "application/json; charset=utf-8"},
    )
    assert plain.status_code == 201
    form = client.post(
        "/scim/v2/Users",
        content="userName=x",
        headers={**bearer(token), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_scim_error(form, 415)


def test_unknown_ids_and_endpoints_are_404(client: TestClient, token: str) -> None:
    assert_scim_error(client.get("/scim/v2/Users/nope", headers=hdrs(token)), 404)
    assert_scim_error(client.get("/scim/v2/Groups/nope", headers=hdrs(token)), 404)
    missing = client.patch(
        "/scim/v2/Users/nope",
        json=patch_body({"op": "replace", "path": "active", "value": False}),
        headers=hdrs(token),
    )
    assert_scim_error(missing, 404)
    assert_scim_error(client.get("/scim/v2/Bulk", headers=hdrs(token)), 404)


# -- discovery -------------------------------------------------------------------------------------


def test_service_provider_config_advertises_patch_and_filter(
    client: TestClient, token: str
) -> None:
    response = client.get("/scim/v2/ServiceProviderConfig", headers=hdrs(token))
    assert response.status_code == 200
    config = response.json()
    assert config["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert config["patch"]["supported"] is True
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["etag"]["supported"] is True
    assert config["bulk"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_schemas_and_resource_types(client: TestClient, token: str) -> None:
    found = client.get("/scim/v2/Schemas", headers=hdrs(token)).json()
    ids = {schema["id"] for schema in found["Resources"]}
    assert ids == {USER_SCHEMA, GROUP_SCHEMA, EXT}
    extension = client.get(f"/scim/v2/Schemas/{EXT}", headers=hdrs(token)).json()
    attributes = {item["name"]: item for item in extension["attributes"]}
    assert set(attributes) == {"tenant", "clearance", "compartments", "purposes", "admin"}
    assert attributes["compartments"]["multiValued"] is True
    assert attributes["admin"]["type"] == "boolean"
    kinds = client.get("/scim/v2/ResourceTypes", headers=hdrs(token)).json()
    by_id = {kind["id"]: kind for kind in kinds["Resources"]}
    assert by_id["User"]["endpoint"] == "/Users"
    assert by_id["User"]["schemaExtensions"] == [{"schema": EXT, "required": False}]
    assert by_id["Group"]["schema"] == GROUP_SCHEMA
    assert client.get("/scim/v2/ResourceTypes/Group", headers=hdrs(token)).status_code == 200
    assert_scim_error(client.get("/scim/v2/Schemas/urn:nope", headers=hdrs(token)), 404)


def test_a_users_version_changes_with_its_groups(client: TestClient, token: str) -> None:
    user = create_user(client, token, "member")
    create_group(client, token, "Joined", [user["id"]])
    after = client.get(f"/scim/v2/Users/{user['id']}", headers=hdrs(token))
    assert after.json()["groups"][0]["display"] == "Joined"
    assert after.headers["ETag"] != user["meta"]["version"]
