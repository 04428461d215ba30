"""The knowledge package: the service catalogue, hybrid search over it, and places / responsibility.

    load_catalogue(directory=DEFAULT_CATALOGUE_DIR) -> Catalogue          raises CatalogueError
    Retriever.load(index_dir=None, catalogue=None, model=None) -> Retriever
    Retriever.lexical_only(catalogue) -> Retriever
    retriever.search(query, top=5, *, lebenslage=None, provider=None, mode="hybrid") -> list[SearchHit]
    find_place(text) -> PlaceMatch | None
    responsibility(service, place) -> Responsibility

Nothing is loaded at import time, and importing the package does not import torch, faiss or spaCy: the names
below are resolved on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.catalogue import DEFAULT_CATALOGUE_DIR, Catalogue, Problem, load_catalogue, validate_catalogue
    from knowledge.errors import (
        CatalogueError,
        IndexError_,
        IndexMismatchError,
        IndexMissingError,
        KnowledgeError,
        ModelLoadError,
        QueryError,
    )
    from knowledge.places import PlaceMatch, Responsibility, find_place, responsibility
    from knowledge.schema import Service
    from knowledge.search import MAX_QUERY_CHARS, Retriever, SearchHit

_EXPORTS: dict[str, str] = {
    "DEFAULT_CATALOGUE_DIR": "knowledge.catalogue",
    "Catalogue": "knowledge.catalogue",
    "Problem": "knowledge.catalogue",
    "load_catalogue": "knowledge.catalogue",
    "validate_catalogue": "knowledge.catalogue",
    "CatalogueError": "knowledge.errors",
    "IndexError_": "knowledge.errors",
    "IndexMismatchError": "knowledge.errors",
    "IndexMissingError": "knowledge.errors",
    "KnowledgeError": "knowledge.errors",
    "ModelLoadError": "knowledge.errors",
    "QueryError": "knowledge.errors",
    "PlaceMatch": "knowledge.places",
    "Responsibility": "knowledge.places",
    "find_place": "knowledge.places",
    "responsibility": "knowledge.places",
    "Service": "knowledge.schema",
    "MAX_QUERY_CHARS": "knowledge.search",
    "Retriever": "knowledge.search",
    "SearchHit": "knowledge.search",
}

__all__ = [
    "DEFAULT_CATALOGUE_DIR",
    "MAX_QUERY_CHARS",
    "Catalogue",
    "CatalogueError",
    "IndexError_",
    "IndexMismatchError",
    "IndexMissingError",
    "KnowledgeError",
    "ModelLoadError",
    "PlaceMatch",
    "Problem",
    "QueryError",
    "Responsibility",
    "Retriever",
    "SearchHit",
    "Service",
    "find_place",
    "load_catalogue",
    "responsibility",
    "validate_catalogue",
]


def __getattr__(name: str) -> Any:
    """Import the module of a public name on first access."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
