"""Fixtures of the API tests: settings without the environment, apps over the real catalogue, fake servers.

The catalogue is the real one (knowledge/catalogue, or BK_CATALOGUE_DIR when set) and search is
Retriever.lexical_only unless a test asks otherwise, so the tests are fast and need no index or model.
Rasa and the action server are tiny real HTTP servers on free loopback ports (bk_api_testkit.FakeServer).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from bk_api_testkit import TOKEN, FakeServer, MakeClient, MakeSettings, StartServer, serving
from fastapi.testclient import TestClient

import api.main
from api.knowledge_state import KnowledgeState, load_knowledge
from api.main import create_app
from api.settings import Settings
from knowledge.catalogue import DEFAULT_CATALOGUE_DIR, Catalogue
from knowledge.search import Retriever

CATALOGUE_DIR = Path(os.environ.get("BK_CATALOGUE_DIR") or DEFAULT_CATALOGUE_DIR)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BK_* or PORT variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("BK_") or name == "PORT":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def _lexical_knowledge() -> KnowledgeState:
    return load_knowledge(Settings(catalogue_dir=CATALOGUE_DIR, search_mode="lexical"))


@pytest.fixture(scope="session")
def catalogue(_lexical_knowledge: KnowledgeState) -> Catalogue:
    """The real catalogue, as the apps of the tests serve it."""
    return _lexical_knowledge.catalogue


@pytest.fixture(scope="session")
def retriever(_lexical_knowledge: KnowledgeState) -> Retriever:
    """Retriever.lexical_only over the real catalogue, as the apps of the tests use it."""
    return _lexical_knowledge.retriever


@pytest.fixture(autouse=True)
def _reuse_knowledge(monkeypatch: pytest.MonkeyPatch, _lexical_knowledge: KnowledgeState) -> None:
    """Parse the catalogue once per session: apps with lexical search over the real catalogue share it."""

    def load(settings: Settings) -> KnowledgeState:
        if settings.search_mode == "lexical" and settings.catalogue_dir == CATALOGUE_DIR:
            return _lexical_knowledge
        return load_knowledge(settings)

    monkeypatch.setattr(api.main, "load_knowledge", load)


@pytest.fixture
def make_settings(tmp_path: Path) -> MakeSettings:
    """Settings for a test: search-only chat, lexical search, no static files, no tracker db; override any field."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "catalogue_dir": CATALOGUE_DIR,
            "search_mode": "lexical",
            "chat_backend": "none",
            "static_dir": tmp_path / "static",
            "tracker_db": None,
            "index_dir": tmp_path / "no-index",
            "rasa_token": TOKEN,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def make_client(make_settings: MakeSettings) -> Iterator[MakeClient]:
    """Start an app (lifespan included) for some settings; every client is closed at the end of the test."""
    with ExitStack() as stack:

        def make(**overrides: Any) -> TestClient:
            return stack.enter_context(TestClient(create_app(make_settings(**overrides))))

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """Search-only app over the real catalogue."""
    return make_client()


@pytest.fixture
def fake_server() -> Iterator[StartServer]:
    """Start fake HTTP servers on loopback; all stop at the end of the test."""
    with ExitStack() as stack:

        def start(**kwargs: Any) -> FakeServer:
            return stack.enter_context(serving(FakeServer(**kwargs)))

        yield start


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
