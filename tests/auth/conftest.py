"""A real platform (SQLite in a temp dir) with an admin, and an HTTP client on its app."""

from __future__ import annotations

import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from intelgraph.access.bootstrap import ensure_admin
from intelgraph.api import create_app
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


PROVIDER = Path(__file__).with_name("oidc_provider.py")


@contextmanager
def oidc_provider(state_dir: Path) -> Iterator[str]:
    """The test OpenID provider as a separate process on 127.0.0.1; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, str(PROVIDER), "--port", "0", "--state-dir", str(state_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            process.kill()
            _, err = process.communicate(timeout=10)
            pytest.fail(f"OIDC provider did not start: {line!r} {err}")
        yield line.split()[1]
    finally:
        process.kill()
        process.communicate(timeout=10)


def login(client: TestClient, name: str, password: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"username": name, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
