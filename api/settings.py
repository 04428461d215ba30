"""Settings of the API: one pydantic-settings class, read from the environment (prefix ``BK_``, plus ``PORT``).

``get_settings()`` is cached; ``create_app(settings)`` takes an explicit instance, which is how tests override it.
Loopback ports derive from ``PORT`` as in docs/architecture.md.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.catalogue import DEFAULT_CATALOGUE_DIR

ROOT = Path(__file__).resolve().parent.parent

#: The command that rebuilds the search index (shown by /health when the index is missing or stale).
REBUILD_COMMAND = "make index"


class Settings(BaseSettings):
    """Everything the API reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="BK_", extra="ignore", validate_default=True)

    port: int = Field(default=8000, ge=1, le=65535, validation_alias=AliasChoices("PORT", "BK_PORT"))  # public API port
    host: str = "127.0.0.1"  # bind address of `python -m api`
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"

    # Chat backend: "rasa" forwards to the Rasa REST channel; "none" answers from the search only.
    chat_backend: Literal["rasa", "none"] = "rasa"
    rasa_url: str = ""  # empty: http://127.0.0.1:{PORT+10000}
    # Several Rasa replicas sharing one tracker and lock store (comma separated base URLs); empty: rasa_url alone.
    rasa_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rasa_backoff: float = Field(default=1.0, gt=0)  # seconds a failed replica rests; doubles while down
    rasa_backoff_max: float = Field(default=15.0, gt=0)  # the longest back-off
    rasa_token: SecretStr = SecretStr("")  # token of the Rasa REST channel and HTTP API
    actions_port: int = Field(default=0, ge=0, le=65535)  # 0: PORT+20000
    actions_url: str = ""  # empty: http://127.0.0.1:{actions_port}; another host in docker-compose
    rasa_connect_timeout: float = Field(default=1.0, gt=0)  # seconds
    rasa_read_timeout: float = Field(default=10.0, gt=0)  # seconds; a chat turn may run several actions
    health_timeout: float = Field(default=1.5, gt=0)  # seconds per component probe of /health
    # SQLite tracker store of Rasa; DELETE /api/v1/chat/{id} removes the conversation's rows there. Empty: skip.
    tracker_db: Path | None = ROOT / "var" / "tracker.db"

    # Knowledge
    catalogue_dir: Path = DEFAULT_CATALOGUE_DIR
    index_dir: Path = ROOT / "knowledge" / "build" / "index"
    embedding_model: str = "builtin"  # "builtin" = knowledge/build/model; else a sentence-transformers name/path
    search_mode: Literal["hybrid", "lexical"] = "hybrid"  # "lexical" skips index and model (tests, small hosts)

    # Partner / widget support
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)  # comma separated in the env
    chat_rate_limit: int = Field(default=30, ge=0)  # requests per window and client IP on /api/v1/chat; 0 = off
    search_rate_limit: int = Field(default=120, ge=0)  # the same for /api/v1/services and /api/v1/vocab; 0 = off
    rate_limit_window: float = Field(default=10.0, gt=0)  # seconds
    static_dir: Path = ROOT / "api" / "static"

    # Security (README, "Security")
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto headers are believed (comma separated
    # IPs or networks). Empty: no proxy headers are read at all, the client is the TCP peer.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    operator_token: SecretStr = SecretStr("")  # Bearer token for /health/details from other hosts; empty: loopback only
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)  # request line + headers of one request
    header_timeout: float = Field(default=10.0, gt=0)  # seconds from the connection (or request) start to the headers
    body_timeout: float = Field(default=10.0, gt=0)  # seconds the API waits for the next piece of a request body
    max_connections: int = Field(default=1000, ge=1)  # open connections; more are closed at once
    # Conversations (Rasa's tracker store) are deleted this many days after their last event, checked every
    # retention_interval seconds by the API. tracker_url (SQLAlchemy-style postgresql://… URL) wins over tracker_db.
    retention_days: int = Field(default=30, ge=1)
    retention_interval: float = Field(default=3600.0, gt=0)
    tracker_url: SecretStr = SecretStr("")

    @field_validator("allowed_origins", "trusted_proxies", "rasa_urls", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _exact_origins(cls, values: list[str]) -> list[str]:
        cleaned: list[str] = []
        for origin in values:
            if origin == "*":
                raise ValueError("list the allowed origins explicitly; '*' is not accepted")
            if not origin.startswith(("http://", "https://")):
                raise ValueError(f"origin {origin!r} must start with http:// or https://")
            cleaned.append(origin.rstrip("/"))
        return cleaned

    @field_validator("tracker_db", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("catalogue_dir", "index_dir", "static_dir", "tracker_db")
    @classmethod
    def _relative_to_root(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_absolute():
            return ROOT / value
        return value

    @model_validator(mode="after")
    def _derived_ports(self) -> Settings:
        if not self.rasa_url:
            self.rasa_url = f"http://127.0.0.1:{self.port + 10000}"
        self.rasa_url = self.rasa_url.rstrip("/")
        urls = [url.rstrip("/") for url in self.rasa_urls] or [self.rasa_url]
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"Rasa URL {url!r} must start with http:// or https://")
        if len(set(urls)) != len(urls):
            raise ValueError("BK_RASA_URLS lists a replica twice")
        self.rasa_urls = urls
        if not self.actions_port:
            self.actions_port = self.port + 20000
        if not self.actions_url:
            self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        self.actions_url = self.actions_url.rstrip("/")
        return self

    @property
    def actions_health_url(self) -> str:
        """Health endpoint of the rasa-sdk action server."""
        return f"{self.actions_url}/health"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once."""
    return Settings()
