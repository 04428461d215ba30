"""Fixtures of the knowledge tests: the small fixture catalogue, a model and index built from it, the real set."""

from __future__ import annotations

import pytest
from bk_knowledge_testkit import SMALL_CATALOGUE, Built

from knowledge.catalogue import Catalogue, load_catalogue


@pytest.fixture(scope="session")
def small_catalogue() -> Catalogue:
    return load_catalogue(SMALL_CATALOGUE)


@pytest.fixture(scope="session")
def small_built(small_catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The builtin model trained on the fixture catalogue, and its index (built once per session)."""
    from knowledge.embedding import build_builtin_model, load_encoder
    from knowledge.index import build_index

    root = tmp_path_factory.mktemp("small")
    model_dir = build_builtin_model(small_catalogue, root / "model")
    encoder = load_encoder(str(model_dir))
    build_index(small_catalogue, root / "index", encoder)
    return Built(small_catalogue, encoder.spec, root / "index")


@pytest.fixture(scope="session")
def real_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real catalogue with its model and index: knowledge/build when it matches, else built into a tmp dir."""
    from knowledge.embedding import build_builtin_model, builtin_dir, builtin_is_current, load_encoder
    from knowledge.errors import IndexError_, ModelLoadError
    from knowledge.index import DEFAULT_INDEX_DIR, build_index
    from knowledge.search import Retriever

    catalogue = load_catalogue()
    model_dir = builtin_dir()
    if builtin_is_current(catalogue, model_dir):
        try:
            Retriever.load(DEFAULT_INDEX_DIR, catalogue, "builtin")
            return Built(catalogue, "builtin", DEFAULT_INDEX_DIR)
        except (IndexError_, ModelLoadError):
            pass
    root = tmp_path_factory.mktemp("real")
    model_dir = build_builtin_model(catalogue, root / "model")
    encoder = load_encoder(str(model_dir))
    build_index(catalogue, root / "index", encoder)
    return Built(catalogue, encoder.spec, root / "index")
