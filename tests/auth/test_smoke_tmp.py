from fastapi.testclient import TestClient

from intelgraph.platform import Platform
from tests.auth.conftest import Admin, bearer, login


def test_login_me_logout(platform: Platform, admin: Admin, client: TestClient) -> None:
    platform.admin.add_user(
        admin.request,
        "ann",
        tenant="default",
        clearance="SECRET",
        purposes=["aml"],
        password="a long enough password",
    )
    tokens = login(client, "ann", "a long enough password")
    me = client.get("/auth/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["clearance"] == 2
    assert me.json()["purpose"] == "aml"
    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    again = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401 and again.json()["code"] == "refresh_invalid"
    gone = client.get("/auth/me", headers=bearer(refreshed.json()["access_token"]))
    assert gone.status_code == 401 and gone.json()["code"] == "token_revoked", gone.text
    assert client.get("/.well-known/jwks.json").json()["keys"]
