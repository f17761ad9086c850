"""The identity flows end to end on PostgreSQL: login, refresh reuse, logout, disable,
API tokens and SCIM provisioning (the other suites run them on SQLite)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api import create_app
from intelgraph.auth.users import principal_of
from intelgraph.config import load_settings
from intelgraph.platform import Platform
from tests.auth.conftest import ADMIN_PASSWORD, bearer, login
from tests.conftest import _reset_postgres

SCIM = "application/scim+json"
EXTENSION = "urn:ietf:params:scim:schemas:extension:intelgraph:2.0:User"


@pytest.fixture
def pg_platform(postgres_url: str, tmp_path: Path) -> Iterator[Platform]:
    _reset_postgres(postgres_url)
    settings = load_settings(
        data_dir=tmp_path / "ig", database_url=postgres_url, auth_issuer="http://testserver"
    )
    with Platform.open(settings, upgrade=True) as opened:
        yield opened


def test_sessions_tokens_and_scim_on_postgres(pg_platform: Platform) -> None:
    row, _ = ensure_admin(
        pg_platform.store, pg_platform.ledger, tenant="default", password=ADMIN_PASSWORD
    )
    request = pg_platform.access.request(principal_of(row, auth_time=int(time.time())))
    pg_platform.admin.add_user(
        request, "ann", tenant="default", clearance="SECRET", password="a long enough password"
    )
    with TestClient(create_app(pg_platform)) as client:
        first = login(client, "ann", "a long enough password")
        second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200
        reused = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert reused.json()["code"] == "refresh_invalid"
        stolen = client.get("/auth/me", headers=bearer(second.json()["access_token"]))
        assert stolen.json()["code"] == "token_revoked"

        third = login(client, "ann", "a long enough password")
        assert client.get("/auth/me", headers=bearer(third["access_token"])).status_code == 200
        assert client.post("/auth/logout", headers=bearer(third["access_token"])).status_code == 204
        gone = client.get("/auth/me", headers=bearer(third["access_token"]))
        assert gone.json().get("code") == "token_revoked", (gone.status_code, gone.text)

        scim = pg_platform.admin.create_token(request, "admin", "bridge", ["scim"]).token
        headers = {**bearer(scim), "Content-Type": SCIM}
        created = client.post(
            "/scim/v2/Users",
            headers=headers,
            json={
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", EXTENSION],
                "userName": "bea",
                "externalId": "idp-bea",
                "active": True,
                EXTENSION: {"clearance": "CONFIDENTIAL", "purposes": ["aml"]},
            },
        )
        assert created.status_code == 201, created.text
        user_id = created.json()["id"]
        found = client.get(
            "/scim/v2/Users", headers=headers, params={"filter": 'userName eq "bea"'}
        )
        assert found.json()["totalResults"] == 1
        patched = client.patch(
            f"/scim/v2/Users/{user_id}",
            headers=headers,
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            },
        )
        assert patched.status_code == 200, patched.text
        assert pg_platform.store.identity.user_by_name("bea").active is False

        pg_platform.admin.set_active(request, "ann", False)
        refused = client.post(
            "/auth/login", json={"username": "ann", "password": "a long enough password"}
        )
        assert refused.json()["code"] == "user_disabled"
