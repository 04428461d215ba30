"""The dense index folder: FAISS file, records and manifest.

    index_dir(path)                         the index folder: argument, else BK_INDEX_DIR, else knowledge/build/index
    build_index(catalogue, directory, encoder, build_seconds) -> Manifest
    read_manifest(directory) -> Manifest                          raises IndexMissingError
    read_index(directory) -> (faiss index, records, manifest)     raises IndexMissingError
    check_catalogue(manifest, catalogue, directory)               raises IndexMismatchError
    check_model(manifest, spec, fingerprint, directory)           raises IndexMismatchError
    outdated_reason(catalogue, directory, model) -> str | None    why the index must be rebuilt, None when current

Layout (txtai-style, no pickle):

    index.faiss      IndexIDMap(IndexFlatIP) over L2-normalised vectors (inner product = cosine)
    records.json     [{"row": 0, "id": "blindengeld", "kind": "passage"}, ...]; the FAISS id is "row"
    manifest.json    model (spec, path, hash), dimension, catalogue hash, build time, versions, build seconds
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from knowledge.errors import IndexMismatchError, IndexMissingError

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from knowledge.embedding import Encoder

INDEX_ENV = "BK_INDEX_DIR"
DEFAULT_INDEX_DIR = Path(__file__).resolve().parent / "build" / "index"
FAISS_FILE = "index.faiss"
RECORDS_FILE = "records.json"
MANIFEST_FILE = "manifest.json"
FORMAT = 1
REBUILD_HINT = "run: make index (or: python -m knowledge build)"


class Record(TypedDict):
    """One vector of the index."""

    row: int  # the FAISS id
    id: str  # the service id
    kind: str  # what was embedded: "passage"


@dataclass(frozen=True)
class Manifest:
    """What an index was built from."""

    model: str  # the model spec: "builtin", a folder or a hub name
    model_path: str | None  # the local folder of the model, when there is one
    model_hash: str  # SHA-256 over the model files (or weights for a hub model)
    dimension: int
    catalogue_hash: str
    services: int
    records: int
    built_at: str
    build_seconds: float
    versions: dict[str, str]
    format: int = FORMAT

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """Parse manifest.json."""
        return cls(
            model=data["model"]["spec"],
            model_path=data["model"].get("path"),
            model_hash=data["model"]["hash"],
            dimension=int(data["dimension"]),
            catalogue_hash=data["catalogue"]["content_hash"],
            services=int(data["catalogue"]["services"]),
            records=int(data["records"]),
            built_at=data["built_at"],
            build_seconds=float(data["build_seconds"]),
            versions=dict(data.get("versions", {})),
            format=int(data.get("format", 0)),
        )

    def to_json(self) -> dict[str, Any]:
        """The manifest.json content."""
        return {
            "format": self.format,
            "model": {"spec": self.model, "path": self.model_path, "hash": self.model_hash},
            "dimension": self.dimension,
            "catalogue": {"content_hash": self.catalogue_hash, "services": self.services},
            "records": self.records,
            "built_at": self.built_at,
            "build_seconds": self.build_seconds,
            "versions": self.versions,
        }


def index_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The index folder: the argument, else BK_INDEX_DIR, else knowledge/build/index."""
    if path is not None:
        return Path(path)
    configured = os.environ.get(INDEX_ENV, "").strip()
    return Path(configured) if configured else DEFAULT_INDEX_DIR


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape the index."""
    versions = {"python": platform.python_version()}
    for name in ("faiss-cpu", "sentence-transformers", "torch", "tokenizers", "spacy", "spacy-lookups-data", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def build_index(catalogue: Catalogue, directory: Path, encoder: Encoder, build_seconds: float = 0.0) -> Manifest:
    """Embed every service of the catalogue and write the index folder."""
    import time

    import faiss

    from knowledge.embedding import passage_text

    started = time.perf_counter()
    records: list[Record] = []
    texts: list[str] = []
    for service in catalogue:
        records.append({"row": len(records), "id": service.id, "kind": "passage"})
        texts.append(passage_text(service))
    vectors = np.ascontiguousarray(encoder.encode(texts), dtype=np.float32)
    index = faiss.IndexIDMap(faiss.IndexFlatIP(encoder.dimension))
    index.add_with_ids(vectors, np.array([r["row"] for r in records], dtype=np.int64))

    directory.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(directory / FAISS_FILE))
    (directory / RECORDS_FILE).write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    manifest = Manifest(
        model=encoder.spec,
        model_path=str(encoder.path) if encoder.path is not None else None,
        model_hash=encoder.fingerprint(),
        dimension=encoder.dimension,
        catalogue_hash=catalogue.content_hash(),
        services=len(catalogue),
        records=len(records),
        built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        build_seconds=round(build_seconds + time.perf_counter() - started, 2),
        versions=library_versions(),
    )
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n"
    (directory / MANIFEST_FILE).write_text(text, encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> Manifest:
    """The manifest of an index folder; raises IndexMissingError when it is absent or unreadable."""
    path = directory / MANIFEST_FILE
    if not path.is_file():
        raise IndexMissingError(f"no search index in {directory} (missing {MANIFEST_FILE}); {REBUILD_HINT}")
    try:
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexMismatchError(f"unreadable {path}: {exc}; {REBUILD_HINT}") from exc


def read_index(directory: Path) -> tuple[Any, list[Record], Manifest]:
    """The FAISS index, the records and the manifest of an index folder."""
    import faiss

    manifest = read_manifest(directory)
    for name in (FAISS_FILE, RECORDS_FILE):
        if not (directory / name).is_file():
            raise IndexMissingError(f"incomplete search index in {directory} (missing {name}); {REBUILD_HINT}")
    index = faiss.read_index(str(directory / FAISS_FILE))
    records: list[Record] = json.loads((directory / RECORDS_FILE).read_text(encoding="utf-8"))
    if index.ntotal != len(records) or len(records) != manifest.records or index.d != manifest.dimension:
        raise IndexMismatchError(f"the files of the index in {directory} do not fit together; {REBUILD_HINT}")
    return index, records, manifest


def check_catalogue(manifest: Manifest, catalogue: Catalogue, directory: Path) -> None:
    """Refuse an index built from another catalogue."""
    if manifest.format != FORMAT:
        raise IndexMismatchError(
            f"the index in {directory} has format {manifest.format}, expected {FORMAT}; {REBUILD_HINT}"
        )
    if manifest.catalogue_hash != catalogue.content_hash():
        raise IndexMismatchError(
            f"the index in {directory} was built from another catalogue version "
            f"({manifest.services} services, built {manifest.built_at}); {REBUILD_HINT}"
        )


def check_model(manifest: Manifest, spec: str, fingerprint: str | None, directory: Path) -> None:
    """Refuse an index built with another model (spec), or with other model files (fingerprint, when given)."""
    if manifest.model != spec:
        raise IndexMismatchError(
            f"the index in {directory} was built with the embedding model {manifest.model!r}, "
            f"but {spec!r} is configured (BK_EMBEDDING_MODEL); {REBUILD_HINT}"
        )
    if fingerprint is not None and fingerprint != manifest.model_hash:
        raise IndexMismatchError(
            f"the embedding model {spec!r} has changed since the index in {directory} was built; {REBUILD_HINT}"
        )


def outdated_reason(catalogue: Catalogue, directory: Path | None = None, model: str | None = None) -> str | None:
    """Why the index (or the builtin model behind it) must be rebuilt; None when it is up to date.

    Cheap: reads the manifest and hashes the model files, loads no model (used by `build --if-needed`).
    """
    from knowledge.embedding import BUILTIN, builtin_is_current, model_hash, model_path, model_spec

    spec = model_spec(model)
    directory = index_dir(directory)
    try:
        manifest = read_manifest(directory)
        check_catalogue(manifest, catalogue, directory)
        path = model_path(spec)
        check_model(manifest, spec, model_hash(path) if path is not None and path.is_dir() else None, directory)
    except (IndexMissingError, IndexMismatchError) as exc:
        return str(exc)
    if not (directory / FAISS_FILE).is_file() or not (directory / RECORDS_FILE).is_file():
        return f"the index in {directory} is incomplete"
    if spec == BUILTIN and not builtin_is_current(catalogue):
        return "the builtin model was trained on another catalogue or recipe"
    return None


@dataclass(frozen=True)
class BuildReport:
    """What `python -m knowledge build` did."""

    manifest: Manifest
    model_trained: bool
    model_seconds: float
    index_seconds: float


def build(
    catalogue: Catalogue, directory: Path | None = None, model: str | None = None, *, retrain: bool = False
) -> BuildReport:
    """Build the builtin model when it is configured and missing or outdated (or retrain), then the index."""
    import time

    from knowledge.embedding import BUILTIN, build_builtin_model, builtin_is_current, load_encoder, model_spec

    spec = model_spec(model)
    directory = index_dir(directory)
    started = time.perf_counter()
    trained = False
    if spec == BUILTIN and (retrain or not builtin_is_current(catalogue)):
        build_builtin_model(catalogue)
        trained = True
    model_seconds = time.perf_counter() - started
    encoder = load_encoder(spec)
    started = time.perf_counter()
    manifest = build_index(catalogue, directory, encoder, build_seconds=model_seconds)
    return BuildReport(manifest, trained, round(model_seconds, 2), round(time.perf_counter() - started, 2))
