"""Fixtures of the action tests: the real catalogue and the real retriever behind actions.deps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actions import deps


@pytest.fixture(scope="session")
def catalogue() -> Any:
    from knowledge.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="session")
def lexical_retriever(catalogue: Any) -> Any:
    from knowledge.search import Retriever

    return Retriever.lexical_only(catalogue)


@pytest.fixture(autouse=True)
def knowledge_base(monkeypatch: pytest.MonkeyPatch, catalogue: Any, lexical_retriever: Any) -> Iterator[None]:
    """The real catalogue and the lexical-only retriever behind actions.deps (fast: no model, no index)."""
    monkeypatch.setattr(deps, "get_catalogue", lambda: catalogue)
    monkeypatch.setattr(deps, "get_retriever", lambda: lexical_retriever)
    yield
