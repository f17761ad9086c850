"""Settings: one validated object, secrets hidden when printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelgraph.config import Settings, load_settings, mask_url
from intelgraph.errors import ConfigError


def test_defaults_point_at_the_embedded_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IG_DATABASE_URL", raising=False)
    monkeypatch.delenv("IG_DATA_DIR", raising=False)
    settings = load_settings()
    assert settings.data_dir == Path(".intelgraph")
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith(".intelgraph/intelgraph.db")


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IG_PORT", "9001")
    settings = load_settings()
    assert settings.data_dir == tmp_path
    assert settings.port == 9001


def test_arguments_override_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IG_PORT", "9001")
    assert load_settings(port=9002).port == 9002


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("port", 70000, "port"),
        ("database_url", "mysql://x", "database_url"),
        ("mode", "chaos", "mode"),
        ("sqlite_cache_mb", 1, "sqlite_cache_mb"),
    ],
)
def test_invalid_settings_name_the_field(field: str, value: object, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(**{field: value})
    assert fragment in info.value.message
    assert info.value.hint


def test_unknown_environment_variables_do_not_break_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IG_NOT_A_SETTING", "x")
    assert isinstance(load_settings(), Settings)


def test_passwords_are_hidden_when_printed() -> None:
    settings = load_settings(database_url="postgresql://ig:hunter2@db.example:5432/ig")
    shown = settings.redacted()
    assert "hunter2" not in str(shown)
    assert shown["database_url"] == "postgresql://ig:***@db.example:5432/ig"
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings)


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://u:p@h/db", "postgresql://u:***@h/db"),
        ("not a url", "not a url"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked
