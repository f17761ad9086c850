"""A real platform (SQLite in a temp dir) with an admin, and an HTTP client on its app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from intelgraph.api import create_app
from intelgraph.auth.bootstrap import ensure_admin
from intelgraph.auth.users import principal_of
from intelgraph.config import load_settings
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest

ADMIN_PASSWORD = "correct horse battery staple"


@dataclass
class Admin:
    name: str
    password: str
    request: AccessRequest  # a freshly logged-in admin's request, for Administration calls


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    settings = load_settings(data_dir=tmp_path / "ig", auth_issuer="http://testserver")
    with Platform.open(settings, upgrade=True) as opened:
        yield opened


@pytest.fixture
def admin(platform: Platform) -> Admin:
    row, _ = ensure_admin(
        platform.store,
        platform.ledger,
        tenant="default",
        password=ADMIN_PASSWORD,
        purposes=["investigation"],
    )
    principal = principal_of(row, auth_time=int(time.time()))
    return Admin(row.name, ADMIN_PASSWORD, platform.access.request(principal))


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def login(client: TestClient, name: str, password: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"username": name, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
