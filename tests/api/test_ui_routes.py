"""Serving the web UI: the page, hashed assets (no way out of their folder), the SPA
fallback next to the API's JSON 404s, the security headers and ``/ui/config.json``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intelgraph import __version__
from intelgraph.api import create_app
from intelgraph.api.ui_routes import IMMUTABLE, content_security_policy, ui_config
from intelgraph.config import load_settings
from intelgraph.platform import Platform

BUILT = (
    "<!doctype html><title>IntelGraph UI</title><script type=module src=/assets/index-B1x2.js>"
    "</script>"
)
PLACEHOLDER = "<!doctype html><title>IntelGraph</title><p>placeholder</p>"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def web_root(base: Path, *, built: bool = True) -> Path:
    root = base / "web"
    (root / "secret").mkdir(parents=True)
    (root / "index.html").write_text(PLACEHOLDER)
    (root / "secret" / "keys.txt").write_text("do not serve")
    if built:
        assets = root / "app" / "assets"
        assets.mkdir(parents=True)
        (root / "app" / "index.html").write_text(BUILT)
        (root / "app" / "robots.txt").write_text("User-agent: *\n")
        files = {
            "index-B1x2.js": "console.log(1)",
            "index-C3y4.css": "body{}",
            "logo-D5z6.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "font-E7.woff2": "wOF2",
            "data-F8.bin": "??",
        }
        for name, body in files.items():
            (assets / name).write_text(body)
        (assets / "escape.txt").symlink_to(root / "secret" / "keys.txt")
    return root


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    data = tmp_path_factory.mktemp("ui") / "data"
    with Platform.open(load_settings(data_dir=data), upgrade=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(platform, web_root=web_root(tmp_path_factory.mktemp("w"))))


def assert_secured(response: Any) -> None:
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_built_page_is_served_at_the_root(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.text == BUILT
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    assert_secured(page)


def test_without_a_build_the_placeholder_is_served(platform: Platform, tmp_path: Path) -> None:
    bare = TestClient(create_app(platform, web_root=web_root(tmp_path, built=False)))
    page = bare.get("/")
    assert page.text == PLACEHOLDER
    assert_secured(page)
    assert bare.get("/assets/index-B1x2.js").status_code == 404
    assert bare.get("/investigations/1", headers=HTML).text == PLACEHOLDER


def test_the_packaged_page_is_served_by_default(platform: Platform) -> None:
    page = TestClient(create_app(platform)).get("/")
    assert page.status_code == 200
    assert "<title>IntelGraph</title>" in page.text
    assert_secured(page)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("index-B1x2.js", "text/javascript; charset=utf-8"),
        ("index-C3y4.css", "text/css; charset=utf-8"),
        ("logo-D5z6.svg", "image/svg+xml"),
        ("font-E7.woff2", "font/woff2"),
        ("data-F8.bin", "application/octet-stream"),
    ],
)
def test_assets_are_served_immutable_with_their_type(
    client: TestClient, name: str, media_type: str
) -> None:
    response = client.get(f"/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/assets/missing-A1.js",
        "/assets/",
        "/assets/%2e%2e/index.html",
        "/assets/%2E%2E/%2E%2E/secret/keys.txt",
        "/assets/..%2F..%2Fsecret%2Fkeys.txt",
        "/assets/sub/..%2F..%2Findex.html",
        "/assets/..%5C..%5Csecret%5Ckeys.txt",
        "/assets/.hidden",
        "/assets/escape.txt",  # a symbolic link out of the folder
        "/assets/index-B1x2.js%00.png",
        "/assets/" + "a/" * 9 + "x.js",
    ],
)
def test_asset_paths_cannot_leave_the_assets_folder(client: TestClient, path: str) -> None:
    for headers in ({}, HTML):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["code"] == "not_found"
        assert "do not serve" not in response.text


def test_browser_navigation_gets_the_page_and_api_paths_keep_json_404s(client: TestClient) -> None:
    for path in ("/investigations/inv-1", "/search", "/entity/6c7d2d04", "/a/b/c.html"):
        page = client.get(path, headers=HTML)
        assert (page.status_code, page.text) == (200, BUILT), path
        assert_secured(page)
        missing = client.get(path)  # no HTML asked for: a script or a typo
        assert missing.status_code == 404
        assert missing.json() == {
            "code": "not_found",
            "message": f"no such page: {path}",
            "hint": "see /docs for the API",
        }
    api = ("/auth/nope", "/exports", "/ui/nope", "/ledger/nope", "/graphql/x", "/graphiql")
    for path in api:
        response = client.get(path, headers=HTML)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found", path
    assert client.get("/healthz", headers=HTML).json()["status"] == "ok"


def test_top_level_files_of_the_build_are_served(client: TestClient) -> None:
    robots = client.get("/robots.txt")
    assert (robots.status_code, robots.text) == (200, "User-agent: *\n")
    assert robots.headers["content-type"] == "text/plain; charset=utf-8"
    assert robots.headers["cache-control"] == "no-cache"
    assert client.get("/index.html").status_code == 404  # only at /
    assert client.get("/secret").status_code == 404


def test_ui_config_without_a_provider(client: TestClient) -> None:
    response = client.get("/ui/config.json")  # no credential needed
    assert response.status_code == 200
    assert response.json() == {
        "version": __version__,
        "oidc": None,
        "embeddedLogin": True,
        "persistedQueries": "allow",
    }


def test_ui_config_and_policy_with_a_provider(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path / "data",
        oidc_issuer="https://sso.example.org:8443/realms/intel",
        oidc_client_id="intelgraph-ui",
        graphql_persisted="enforce",
    )
    with Platform.open(settings, upgrade=True) as platform:
        client = TestClient(create_app(platform, web_root=web_root(tmp_path)))
        config = client.get("/ui/config.json").json()
        page = client.get("/")
    assert config["oidc"] == {
        "issuer": "https://sso.example.org:8443/realms/intel",
        "clientId": "intelgraph-ui",
        "scopes": "openid profile",
        "redirectPath": "/",
    }
    assert config["persistedQueries"] == "enforce"
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self' ws: wss: https://sso.example.org:8443;" in policy
    assert policy.endswith("form-action 'self' https://sso.example.org:8443")


def test_the_provider_appears_only_with_issuer_and_client_id(tmp_path: Path) -> None:
    only_issuer = load_settings(data_dir=tmp_path, oidc_issuer="https://sso.example.org/x")
    assert content_security_policy(only_issuer) == CSP
    both = load_settings(
        data_dir=tmp_path,
        oidc_issuer="https://sso.example.org/x",
        oidc_client_id="ui",
        oidc_scopes="openid profile email",
    )
    assert "https://sso.example.org;" in content_security_policy(both)
    assert ui_config(only_issuer)["oidc"] is None
    assert ui_config(both)["oidc"] == {
        "issuer": "https://sso.example.org/x",
        "clientId": "ui",
        "scopes": "openid profile email",
        "redirectPath": "/",
    }
