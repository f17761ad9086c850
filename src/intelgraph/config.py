"""One configuration object: every option declared once, with default and help.

Values come from arguments, then ``IG_``-prefixed environment variables, then the
defaults below. Library code receives a ``Settings`` instance; it never reads
the environment itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from intelgraph.errors import ConfigError


class Settings(BaseSettings):
    """IntelGraph settings (environment prefix ``IG_``)."""

    model_config = SettingsConfigDict(env_prefix="IG_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=Path(".intelgraph"),
        description="Directory holding the embedded store, keys and exports.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="sqlite:///path or postgresql://user:pass@host/db; "
        "default: the SQLite file in data_dir.",
    )
    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Server processes (each serves the API; 2 uses both cores of a small "
        "machine). Subscriptions see every process's writes through the change feed.",
    )
    mode: Literal["development", "production"] = Field(
        default="development", description="production hides developer tooling."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info")
    default_tenant: str = Field(default="default", min_length=1)
    sqlite_cache_mb: int = Field(
        default=256, ge=8, le=65536, description="SQLite page cache per connection, MiB."
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint (MinIO, …); default: AWS."
    )
    nats_url: str = Field(
        default="nats://127.0.0.1:4222", description="NATS server for streaming ingest."
    )
    ingest_batch_size: int = Field(
        default=2000, ge=1, le=100_000, description="Records per ingest transaction."
    )
    push_queue_batches: int = Field(
        default=64, ge=1, le=100_000, description="Push-ingest batches queued before 429."
    )
    push_max_body_mb: int = Field(
        default=8, ge=1, le=1024, description="Largest push-ingest request body, MiB."
    )
    push_max_records: int = Field(
        default=10_000, ge=1, le=1_000_000, description="Most records in one push request."
    )

    ledger_origin: str | None = Field(
        default=None,
        description="Origin line of this deployment's ledger checkpoints, fixed on first use "
        "(default intelgraph.local/<random id>).",
    )
    ledger_signing_key: SecretStr | None = Field(
        default=None,
        description="Ledger signing key (PRIVATE+KEY+… form); default: a key kept in the data "
        "directory.",
    )
    ledger_checkpoint_seconds: float = Field(
        default=300,
        ge=1,
        le=86_400,
        description="During a long ingest run (push, NATS, folder watch), sign a ledger "
        "checkpoint at least this often.",
    )
    ledger_signing_key_file: Path | None = Field(
        default=None, description="File holding the ledger signing key (instead of the variable)."
    )

    auth_issuer: str | None = Field(
        default=None,
        description="URL of the embedded token issuer (the iss of the tokens this server "
        "signs); default http://HOST:PORT of this server. Set it to the public HTTPS URL.",
    )
    auth_audience: str = Field(
        default="intelgraph", min_length=1, description="Audience (aud) access tokens must name."
    )
    auth_leeway_seconds: int = Field(
        default=30, ge=0, le=600, description="Clock leeway for exp, nbf and iat checks."
    )
    access_token_minutes: int = Field(
        default=15, ge=1, le=1440, description="Lifetime of an access token, minutes."
    )
    refresh_token_hours: int = Field(
        default=12, ge=1, le=24 * 90, description="Lifetime of a login session, hours."
    )
    fresh_auth_minutes: int = Field(
        default=10,
        ge=1,
        le=1440,
        description="Admin actions need a login (auth_time) at most this many minutes old.",
    )
    admin_password: SecretStr | None = Field(
        default=None,
        description="Password `intelgraph init` gives the admin user (default: random).",
    )
    oidc_issuer: str | None = Field(
        default=None, description="External OpenID Connect issuer URL whose tokens are accepted."
    )
    oidc_audience: str | None = Field(
        default=None, description="Audience the external issuer's tokens must name."
    )
    oidc_jwks_url: str | None = Field(
        default=None, description="JWKS URL of the external issuer (default: from discovery)."
    )
    oidc_token_types: str = Field(
        default="at+jwt",
        description="Accepted typ headers of external tokens, comma-separated; empty: unchecked.",
    )
    oidc_claims: str | None = Field(
        default=None,
        description="JSON claim mapping for external tokens, e.g. "
        '{"tenant": "org", "groups": "realm_access.roles"}.',
    )
    oidc_jwks_min_refresh_seconds: float = Field(
        default=30, ge=0, le=86_400, description="Fetch an issuer's JWKS at most this often."
    )
    oidc_client_id: str | None = Field(
        default=None,
        description="Client id of the web UI at the external issuer; with oidc_issuer set, the "
        "UI offers a login there (authorization code with PKCE, redirect URI <server>/).",
    )
    oidc_scopes: str = Field(
        default="openid profile",
        min_length=1,
        description="Scopes the web UI asks the external issuer for, space-separated.",
    )
    policy_dir: Path | None = Field(
        default=None, description="Folder of extra Cedar policies (*.cedar) for this deployment."
    )
    graphql_persisted: Literal["off", "allow", "enforce"] = Field(
        default="allow",
        description="Persisted queries: off; allow (APQ-compatible, any document runs); "
        "enforce (only registered documents run).",
    )
    graphql_persisted_files: str = Field(
        default="",
        description="Comma-separated JSON registries of documents (hash → text, or an "
        "Apollo persisted-query manifest), added to the web UI's own.",
    )
    graphql_max_batch: int = Field(
        default=5, ge=1, le=100, description="Most operations in one batched HTTP request."
    )
    graphql_max_body_kb: int = Field(
        default=3072,
        ge=4,
        le=65536,
        description="Largest GraphQL request body (JSON), KiB; the default fits an "
        "investigation's state of up to 2 MiB (saveInvestigation).",
    )
    graphql_max_cost: int = Field(
        default=100_000, ge=100, description="Most cost units one operation may have (users)."
    )
    graphql_max_depth: int = Field(default=12, ge=2, le=64, description="Deepest nesting.")
    graphql_max_aliases: int = Field(default=30, ge=0, description="Most aliases per operation.")
    graphql_admin_cost_factor: int = Field(
        default=2,
        ge=1,
        le=100,
        description="Admins may run operations this many times costlier (keep the result "
        "under IG_RATE_LIMIT_PRINCIPAL, or such operations can never be admitted).",
    )
    rate_limit_window_seconds: int = Field(
        default=60, ge=1, le=86_400, description="Window of the request budgets below."
    )
    rate_limit_principal: int = Field(
        default=300_000,
        ge=0,
        description="Cost units one principal may spend per window (0: no limit).",
    )
    rate_limit_tenant: int = Field(
        default=3_000_000,
        ge=0,
        description="Cost units one tenant may spend per window (0: no limit).",
    )
    tracing_exporter: Literal["none", "console"] = Field(
        default="none", description="Where OpenTelemetry spans go (none: not recorded)."
    )

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        url = value.get_secret_value()
        if not url.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(
                "database_url must start with sqlite:// or postgresql:// "
                "(e.g. sqlite:///.intelgraph/intelgraph.db)"
            )
        return value

    @property
    def issuer_url(self) -> str:
        """The embedded issuer's URL: configured, else this server's own address."""
        return self.auth_issuer or f"http://{self.host}:{self.port}"

    def signing_key(self) -> str | None:
        """The configured ledger signing key text, if any (variable first, then file)."""
        if self.ledger_signing_key is not None:
            return self.ledger_signing_key.get_secret_value()
        if self.ledger_signing_key_file is not None:
            try:
                return self.ledger_signing_key_file.read_text()
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the ledger signing key file {self.ledger_signing_key_file}: "
                    f"{exc.strerror or exc}",
                    hint="check IG_LEDGER_SIGNING_KEY_FILE and the file's permissions",
                ) from None
        return None

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use, with the embedded default filled in."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'intelgraph.db').resolve()}"

    def redacted(self) -> dict[str, object]:
        """Settings as a dict safe to print: passwords in URLs are masked."""
        out: dict[str, object] = self.model_dump()
        url = self.resolved_database_url
        out["database_url"] = mask_url(url)
        out["data_dir"] = str(self.data_dir)
        return out


def to_environment(settings: Settings) -> str:
    """The settings as JSON for child processes (server workers), secrets included:
    it travels only in the environment of processes this one starts."""
    values: dict[str, object] = {}
    for name in settings.model_fields_set | {"data_dir"}:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, Path):
            value = str(value)
        values[name] = value
    return json.dumps(values)


def from_environment(text: str) -> Settings:
    return load_settings(**json.loads(text))


def mask_url(url: str) -> str:
    """Hide the password of ``scheme://user:password@host``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user, has_pw, _ = creds.partition(":")
    return f"{scheme}://{user}{':***' if has_pw else ''}@{host}"


def unknown_environment(environ: Mapping[str, str]) -> list[str]:
    """``IG_*`` variables that name no setting (likely typos), for a warning."""
    known = {f"IG_{name.upper()}" for name in Settings.model_fields}
    allowed_prefixes = ("IG_TEST_",)  # the test suite's own variables
    return sorted(
        key
        for key in environ
        if key.startswith("IG_") and key not in known and not key.startswith(allowed_prefixes)
    )


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation failures into a clear ConfigError."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]  # values validated by pydantic
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(
            f"invalid configuration: {problems}",
            hint="check the IG_* environment variables and command-line options",
        ) from None


__all__ = [
    "Settings",
    "from_environment",
    "load_settings",
    "mask_url",
    "to_environment",
    "unknown_environment",
]
