"""The index folder: build, load, search, refusal of a mismatching catalogue or model, determinism."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bk_knowledge_testkit import Built

from knowledge.catalogue import Catalogue
from knowledge.embedding import build_builtin_model, load_encoder, model_hash
from knowledge.errors import IndexMismatchError, IndexMissingError, ModelLoadError
from knowledge.index import FAISS_FILE, MANIFEST_FILE, RECORDS_FILE, build_index
from knowledge.search import Retriever


def test_index_folder_layout(small_built: Built) -> None:
    names = {p.name for p in small_built.index_dir.iterdir()}
    assert {FAISS_FILE, RECORDS_FILE, MANIFEST_FILE} <= names
    assert not any(name.endswith((".pkl", ".pickle")) for name in names)
    manifest = json.loads((small_built.index_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["catalogue"]["content_hash"] == small_built.catalogue.content_hash()
    assert manifest["model"]["spec"] == small_built.model
    assert len(manifest["model"]["hash"]) == 64
    assert manifest["dimension"] > 0
    assert manifest["build_seconds"] >= 0
    assert {"faiss-cpu", "sentence-transformers", "spacy"} <= manifest["versions"].keys()
    records = json.loads((small_built.index_dir / RECORDS_FILE).read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in records) == small_built.catalogue.ids


def test_round_trip_finds_the_right_service(small_built: Built) -> None:
    retriever = Retriever.load(small_built.index_dir, small_built.catalogue, small_built.model)
    for mode in ("hybrid", "dense", "lexical"):
        assert retriever.search("Ich bin blind und brauche Geld", mode=mode)[0].id == "blindengeld", mode
    assert retriever.search("Welche Museen gibt es?")[0].id == "lvr-museen"
    assert retriever.search("Kündigung eines schwerbehinderten Mitarbeiters")[0].id == "kuendigungsschutz-zustimmung"


def test_load_refuses_changed_catalogue(small_built: Built) -> None:
    services = list(small_built.catalogue)
    changed = Catalogue([services[0].model_copy(update={"teaser": "Ein anderer Text."}), *services[1:]])
    with pytest.raises(IndexMismatchError) as error:
        Retriever.load(small_built.index_dir, changed, small_built.model)
    assert "make index" in str(error.value)
    assert "python -m knowledge build" in str(error.value)


def test_load_refuses_another_model_name(small_built: Built) -> None:
    with pytest.raises(IndexMismatchError, match="make index"):
        Retriever.load(small_built.index_dir, small_built.catalogue, "sentence-transformers/all-MiniLM-L6-v2")


def test_load_refuses_changed_model_files(small_built: Built, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    shutil.copytree(Path(small_built.model), model_dir)
    index_dir = tmp_path / "index"
    build_index(small_built.catalogue, index_dir, load_encoder(str(model_dir)))
    Retriever.load(index_dir, small_built.catalogue, str(model_dir))  # matches
    (model_dir / "modules.json").write_text((model_dir / "modules.json").read_text() + "\n")
    with pytest.raises(IndexMismatchError, match="has changed"):
        Retriever.load(index_dir, small_built.catalogue, str(model_dir))


def test_missing_index(small_catalogue: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="make index"):
        Retriever.load(tmp_path / "nothing", small_catalogue)


def test_missing_index_file(small_built: Built, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(small_built.index_dir, index_dir)
    (index_dir / FAISS_FILE).unlink()
    with pytest.raises(IndexMissingError):
        Retriever.load(index_dir, small_built.catalogue, small_built.model)


def test_missing_builtin_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BK_MODEL_DIR", str(tmp_path / "no-model"))
    with pytest.raises(ModelLoadError, match="make index"):
        load_encoder("builtin")


def test_hub_model_offline_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", "/nonexistent-hf-home")
    with pytest.raises(ModelLoadError, match="not in the local Hugging Face cache"):
        load_encoder("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2")


def test_builtin_build_is_deterministic(small_built: Built, tmp_path: Path) -> None:
    again = build_builtin_model(small_built.catalogue, tmp_path / "again")
    assert model_hash(again) == model_hash(Path(small_built.model))


def test_static_fast_path_equals_sentence_transformers(small_built: Built) -> None:
    encoder = load_encoder(small_built.model)
    texts = ["Blindengeld beantragen", "Gehörlose Menschen", "zzzz"]
    fast = encoder.encode(texts)
    slow = encoder.model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    assert fast.shape == slow.shape
    assert abs(fast - slow).max() < 1e-5
