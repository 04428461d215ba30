"""Settings from the environment: prefix BK_, PORT, derived loopback ports, origins."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import ROOT, Settings, get_settings


def test_defaults_derive_from_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8100")
    settings = Settings()
    assert settings.port == 8100
    assert settings.rasa_url == "http://127.0.0.1:18100"
    assert settings.actions_port == 28100
    assert settings.actions_health_url == "http://127.0.0.1:28100/health"
    assert settings.chat_backend == "rasa"
    assert settings.index_dir == ROOT / "knowledge" / "build" / "index"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BK_RASA_URL", "http://127.0.0.1:5005/")
    monkeypatch.setenv("BK_RASA_TOKEN", "secret")
    monkeypatch.setenv("BK_ACTIONS_PORT", "5055")
    monkeypatch.setenv("BK_CHAT_BACKEND", "none")
    monkeypatch.setenv("BK_ALLOWED_ORIGINS", "https://a.example, https://b.example/ ,")
    monkeypatch.setenv("BK_INDEX_DIR", "var/index")
    monkeypatch.setenv("BK_TRACKER_DB", "")
    settings = Settings()
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.rasa_token.get_secret_value() == "secret"
    assert "secret" not in repr(settings)
    assert settings.actions_port == 5055
    assert settings.chat_backend == "none"
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.index_dir == ROOT / "var" / "index"
    assert settings.tracker_db is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BK_ALLOWED_ORIGINS", "*"),
        ("BK_ALLOWED_ORIGINS", "partner.example"),
        ("BK_CHAT_BACKEND", "dialogflow"),
        ("PORT", "abc"),
        ("BK_CHAT_RATE_LIMIT", "-1"),
    ],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_get_settings_is_cached() -> None:
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()
