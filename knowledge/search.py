"""The Retriever: hybrid search over the catalogue (dense FAISS index fused with the lexical BM25F ranker).

    Retriever.load(index_dir=None, catalogue=None, model=None)   IndexMissingError, IndexMismatchError, ModelLoadError
    Retriever.lexical_only(catalogue)                           the degraded mode: no model, no index
    retriever.search(query, top=5, *, lebenslage=None, provider=None, mode="hybrid") -> list[SearchHit]

Scores are in [0, 1], sorted descending, ties broken by service id. Filters apply before the top-k cut.
Hybrid fusion is a convex combination (``LEXICAL_WEIGHT``, equal weights) of the lexical and the dense scores, each
divided by its best score for the query, so both halves span [0, 1] and 0 still means "no evidence"; a half without
any evidence for the query (no known word, empty vector) drops out. See docs/retrieval.md for the alternatives
measured (min-max, z-score, reciprocal rank fusion).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.errors import IndexMismatchError, QueryError
from knowledge.lexical import LexicalIndex
from knowledge.schema import Service
from knowledge.text import words
from knowledge.vocab import LEBENSLAGEN, PROVIDERS

if TYPE_CHECKING:
    from knowledge.embedding import Encoder
    from knowledge.index import Manifest

MAX_QUERY_CHARS = 1000
Mode = Literal["hybrid", "lexical", "dense"]
MODES: tuple[str, ...] = get_args(Mode)
#: Weight of the lexical half in hybrid fusion (the dense half gets 1 - LEXICAL_WEIGHT).
LEXICAL_WEIGHT = 0.5


@dataclass(frozen=True)
class SearchHit:
    """One search result."""

    id: str
    score: float
    service: Service


def _by_best(scores: np.ndarray) -> np.ndarray | None:
    """Non-negative scores divided by the best one (the best gets 1); None when there is no evidence at all."""
    scores = np.clip(scores, 0.0, None)
    high = float(scores.max()) if scores.size else 0.0
    return scores / high if high > 0 else None


def fuse(lexical: np.ndarray, dense: np.ndarray, lexical_weight: float = LEXICAL_WEIGHT) -> np.ndarray:
    """Convex combination of the best-normalised lexical and dense scores; a half without evidence drops out."""
    lex = _by_best(lexical)
    den = _by_best(dense)
    if lex is None and den is None:
        return np.zeros_like(lexical)
    if lex is None:
        assert den is not None
        return den
    if den is None:
        return lex
    return lexical_weight * lex + (1.0 - lexical_weight) * den


class _Dense:
    """The dense half: the encoder and the FAISS index, with the record → service mapping."""

    def __init__(self, encoder: Encoder, index: Any, record_service: np.ndarray, services: int) -> None:
        self.encoder = encoder
        self.index = index
        self.record_service = record_service  # FAISS id (row) → position of the service in the catalogue
        self.services = services

    def scores(self, text: str) -> np.ndarray:
        """Cosine similarity of the query with every service (best record of each service), clipped to [0, 1]."""
        vector = self.encoder.encode([text])
        out = np.zeros(self.services, dtype=np.float32)
        if not np.any(vector):
            return out
        sims, rows = self.index.search(np.ascontiguousarray(vector, dtype=np.float32), self.index.ntotal)
        positions = self.record_service[rows[0]]
        np.maximum.at(out, positions, np.clip(sims[0], 0.0, 1.0))
        return out


class Retriever:
    """Search over the catalogue; load once, search many times (thread-safe for reading)."""

    def __init__(
        self, catalogue: Catalogue, lexical: LexicalIndex, dense: _Dense | None, manifest: Manifest | None
    ) -> None:
        self.catalogue = catalogue
        self.lexical = lexical
        self.dense = dense
        self.manifest = manifest
        self._services: list[Service] = list(catalogue)
        self._lebenslage_masks = {
            key: np.array([key in s.lebenslagen for s in self._services], dtype=bool) for key in LEBENSLAGEN
        }
        self._provider_masks = {
            key: np.array([s.responsible.provider == key for s in self._services], dtype=bool) for key in PROVIDERS
        }

    @classmethod
    def load(
        cls,
        index_dir: str | Path | None = None,
        catalogue: Catalogue | None = None,
        model: str | Path | None = None,
    ) -> Retriever:
        """Load the index folder and the model it was built with; refuses an index that does not match."""
        from knowledge.embedding import load_encoder, model_spec
        from knowledge.index import check_catalogue, check_model, read_index, read_manifest
        from knowledge.index import index_dir as resolve_dir

        catalogue = catalogue if catalogue is not None else load_catalogue()
        directory = resolve_dir(index_dir)
        manifest = read_manifest(directory)
        check_catalogue(manifest, catalogue, directory)
        spec = model_spec(model)
        check_model(manifest, spec, None, directory)
        encoder = load_encoder(spec)
        check_model(manifest, spec, encoder.fingerprint(), directory)
        index, records, manifest = read_index(directory)
        _single_thread_faiss()
        positions = {service_id: i for i, service_id in enumerate(catalogue.ids)}
        unknown = sorted({r["id"] for r in records} - positions.keys())
        if unknown:
            raise IndexMismatchError(f"the index in {directory} refers to unknown services {unknown}")
        record_service = np.zeros(len(records), dtype=np.int64)
        for record in records:
            record_service[record["row"]] = positions[record["id"]]
        dense = _Dense(encoder, index, record_service, len(catalogue))
        return cls(catalogue, LexicalIndex.build(list(catalogue)), dense, manifest)

    @classmethod
    def lexical_only(cls, catalogue: Catalogue) -> Retriever:
        """A retriever without model and index (the degraded mode): every mode searches lexically."""
        return cls(catalogue, LexicalIndex.build(list(catalogue)), None, None)

    @property
    def has_dense(self) -> bool:
        """Whether the dense half (model and index) is loaded."""
        return self.dense is not None

    def scores(self, query: str, mode: Mode = "hybrid") -> np.ndarray:
        """The score of every service (catalogue order) for a checked query; see search()."""
        if mode not in MODES:
            raise QueryError(f"unknown search mode {mode!r}; allowed: {', '.join(MODES)}")
        tokens = words(query)
        if self.dense is None:
            if mode == "dense":
                raise QueryError("dense search is not available: no model and index loaded (lexical-only mode)")
            return self._lexical(query, tokens)
        if mode == "lexical":
            return self._lexical(query, tokens)
        dense = self.dense.scores(self.lexical.analyzer.expand_query(query, tokens))
        if mode == "dense":
            return dense
        return fuse(self.lexical.scores(query, tokens), dense)

    def _lexical(self, query: str, tokens: Sequence[str]) -> np.ndarray:
        """Lexical scores divided by the best one (the best service gets 1)."""
        raw = self.lexical.scores(query, tokens)
        scaled = _by_best(raw)
        return raw if scaled is None else scaled

    def search(
        self,
        query: str,
        top: int = 5,
        *,
        lebenslage: str | None = None,
        provider: str | None = None,
        mode: Mode = "hybrid",
    ) -> list[SearchHit]:
        """The best services for a query; raises QueryError for an unusable query or unknown filter values."""
        text = _check_query(query)
        if top < 1:
            raise QueryError("top must be at least 1")
        mask = np.ones(len(self._services), dtype=bool)
        if lebenslage is not None:
            if lebenslage not in self._lebenslage_masks:
                raise QueryError(f"unknown Lebenslage {lebenslage!r}; allowed: {', '.join(LEBENSLAGEN)}")
            mask &= self._lebenslage_masks[lebenslage]
        if provider is not None:
            if provider not in self._provider_masks:
                raise QueryError(f"unknown provider {provider!r}; allowed: {', '.join(PROVIDERS)}")
            mask &= self._provider_masks[provider]
        scores = np.where(mask, np.round(np.clip(self.scores(text, mode), 0.0, 1.0), 6), 0.0)
        order = np.argsort(-scores, kind="stable")  # ties keep catalogue order, which is by id
        hits: list[SearchHit] = []
        for position in order[:top]:
            score = float(scores[position])
            if score <= 0.0:
                break
            service = self._services[position]
            hits.append(SearchHit(service.id, score, service))
        return hits

    def timed_search(self, query: str, top: int = 5, mode: Mode = "hybrid") -> tuple[list[SearchHit], float]:
        """search() and its duration in seconds."""
        started = time.perf_counter()
        hits = self.search(query, top, mode=mode)
        return hits, time.perf_counter() - started


def _single_thread_faiss() -> None:
    """Exact search over a few hundred vectors is fastest on one thread; OpenMP start-up costs more than it saves."""
    import faiss

    faiss.omp_set_num_threads(1)


def _check_query(query: str) -> str:
    """The stripped query; raises QueryError when it is not a non-empty string of at most MAX_QUERY_CHARS."""
    if not isinstance(query, str):
        raise QueryError("the query must be a string")
    text = query.strip()
    if not text:
        raise QueryError("the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query has {len(text)} characters, at most {MAX_QUERY_CHARS} allowed")
    return text
