"""A tiny OpenID Connect issuer for tests, run as its own process.

    python tests/auth/oidc_provider.py --port 0 --state-dir DIR

prints ``READY http://127.0.0.1:PORT`` once listening. It serves discovery and its
JWKS like a real IdP, and test-only endpoints that a real IdP would never offer:

- ``POST /token`` ``{"claims": {...}, "alg": "Ed25519", "kid_override": "...",
  "headers": {...}}`` signs exactly the given claims (no defaults added); ``headers``
  are merged into the protected header last (a ``null`` value removes a parameter);
  answers ``{"token": ..., "kid": ...}``.
- ``POST /rotate[?alg=ES256][&drop_old=1]`` makes a new signing key (for one
  algorithm family, default all), publishes it and signs with it from then on.
- ``POST /jwks-mode`` ``{"mode": "ok"|"status500"|"badjson"|"notaset"|"huge"}`` makes
  ``/jwks.json`` fail in the named way; ``{"extra_keys": [...]}`` publishes raw JWKs too.
- ``GET /stats`` ``{"jwks_fetches": N}``.

Keys live in ``DIR/keys.json`` (private JWKs), reused when the provider restarts.
Only the standard library and joserfc: the verifier under test must not share code
with the issuer that tests it.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, JWKRegistry, Key, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

FAMILIES = {"Ed25519": "okp", "EdDSA": "okp", "ES256": "ec", "RS256": "rsa"}
HUGE_BYTES = 1024 * 1024 + 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _new_key(family: str) -> Key:
    if family == "okp":
        return OKPKey.generate_key("Ed25519", auto_kid=True)
    if family == "ec":
        return ECKey.generate_key("P-256", {"alg": "ES256"}, auto_kid=True)
    return RSAKey.generate_key(2048, {"alg": "RS256"}, auto_kid=True)


class Provider:
    """Key state shared by the handler threads."""

    def __init__(self, state_dir: Path) -> None:
        self.lock = threading.Lock()
        self.path = state_dir / "keys.json"
        self.base_url = ""
        self.jwks_fetches = 0
        self.jwks_mode = "ok"
        self.extra_keys: list[dict[str, Any]] = []
        self.keys: list[Key] = []
        self.current: dict[str, str] = {}  # family -> kid signing now
        if self.path.exists():
            state = json.loads(self.path.read_text())
            self.keys = [JWKRegistry.import_key(k) for k in state["keys"]]
            self.current = state["current"]
        else:
            for family in ("okp", "ec", "rsa"):
                self._add(family)
            self._save()

    def _add(self, family: str) -> None:
        key = _new_key(family)
        self.keys.append(key)
        self.current[family] = str(key.kid)

    def _save(self) -> None:
        state = {"keys": [k.as_dict(private=True) for k in self.keys], "current": self.current}
        self.path.write_text(json.dumps(state))

    def rotate(self, alg: str | None, drop_old: bool) -> dict[str, str]:
        with self.lock:
            families = [FAMILIES[alg]] if alg else ["okp", "ec", "rsa"]
            for family in families:
                old = self.current[family]
                self._add(family)
                if drop_old:
                    self.keys = [k for k in self.keys if k.kid != old]
            self._save()
            return dict(self.current)

    def jwks(self) -> dict[str, Any]:
        with self.lock:
            keys = [k.as_dict(private=False, use="sig") for k in self.keys]
        return {"keys": keys + self.extra_keys}

    def sign(self, request: dict[str, Any]) -> dict[str, str]:
        alg = request.get("alg", "Ed25519")
        with self.lock:
            kid = self.current[FAMILIES[alg]]
            key = next(k for k in self.keys if k.kid == kid)
        header: dict[str, Any] = {"alg": alg, "kid": kid, "typ": "at+jwt"}
        if "kid_override" in request:
            header["kid"] = request["kid_override"]
        header.update(request.get("headers", {}))
        header = {name: value for name, value in header.items() if value is not None}
        payload = json.dumps(request.get("claims", {}), separators=(",", ":")).encode()
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(payload)}"
        with warnings.catch_warnings():  # EdDSA is deprecated; tests still need it
            warnings.simplefilter("ignore", SecurityWarning)
            model = JWSRegistry(algorithms=[alg]).get_alg(alg)
        signature = model.sign(signing_input.encode("ascii"), key)
        return {"token": f"{signing_input}.{_b64(signature)}", "kid": str(header.get("kid"))}


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: int = 200) -> None:
        self._send(status, json.dumps(value).encode())

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length) or b"{}")
        assert isinstance(data, dict)
        return data

    def do_GET(self) -> None:
        provider = self.server.provider
        path = urlsplit(self.path).path
        if path == "/.well-known/openid-configuration":
            base = provider.base_url
            self._json(
                {
                    "issuer": base,
                    "jwks_uri": f"{base}/jwks.json",
                    "token_endpoint": f"{base}/token",
                    "id_token_signing_alg_values_supported": ["Ed25519", "ES256", "RS256"],
                }
            )
        elif path == "/jwks.json":
            with provider.lock:
                provider.jwks_fetches += 1
                mode = provider.jwks_mode
            if mode == "status500":
                self._json({"error": "down"}, 500)
            elif mode == "badjson":
                self._send(200, b'{"keys": [')
            elif mode == "notaset":
                self._json(["not", "a", "set"])
            elif mode == "huge":
                self._send(200, b'{"keys": [], "pad": "' + b"x" * HUGE_BYTES + b'"}')
            else:
                self._json(provider.jwks())
        elif path == "/stats":
            self._json({"jwks_fetches": provider.jwks_fetches})
        else:
            self._json({"error": "not found"}, 404)

    def do_POST(self) -> None:
        provider = self.server.provider
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        try:
            body = self._body()
            if parts.path == "/token":
                self._json(provider.sign(body))
            elif parts.path == "/rotate":
                alg = query.get("alg", [None])[0]
                drop = query.get("drop_old", ["0"])[0] == "1"
                self._json({"current": provider.rotate(alg, drop)})
            elif parts.path == "/jwks-mode":
                with provider.lock:
                    provider.jwks_mode = body.get("mode", provider.jwks_mode)
                    provider.extra_keys = body.get("extra_keys", provider.extra_keys)
                self._json({"mode": provider.jwks_mode})
            else:
                self._json({"error": "not found"}, 404)
        except (ValueError, KeyError, AssertionError, StopIteration) as exc:
            self._json({"error": repr(exc)}, 400)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, provider: Provider) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.provider = provider


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    provider = Provider(args.state_dir)
    server = Server(args.port, provider)
    provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"READY {provider.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
