"""The knowledge the API serves from: catalogue and retriever, loaded once in the lifespan.

When the index or model cannot be used, the API still starts with ``Retriever.lexical_only`` and reports the
retriever as degraded (with the reason and the rebuild command) in /health.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from api.schemas import ComponentHealth
from api.settings import REBUILD_COMMAND, Settings
from knowledge.catalogue import Catalogue, load_catalogue
from knowledge.errors import IndexMismatchError, IndexMissingError, ModelLoadError
from knowledge.search import Retriever

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnowledgeState:
    """Catalogue, retriever and the retriever's health, as loaded at start-up."""

    catalogue: Catalogue
    retriever: Retriever
    retriever_health: ComponentHealth

    @property
    def search_mode(self) -> str:
        """``hybrid`` or ``lexical-only``."""
        return self.retriever_health.mode or "lexical-only"


def _kind(exc: Exception) -> str:
    if isinstance(exc, IndexMissingError):
        return "index missing"
    if isinstance(exc, IndexMismatchError):
        return "index does not match the catalogue or model"
    return "embedding model cannot be loaded"


def load_knowledge(settings: Settings) -> KnowledgeState:
    """Load the catalogue (CatalogueError stops the start) and the best retriever available."""
    catalogue = load_catalogue(settings.catalogue_dir)
    if settings.search_mode == "lexical":
        health = ComponentHealth(status="up", mode="lexical-only", reason="BK_SEARCH_MODE=lexical")
        return KnowledgeState(catalogue, Retriever.lexical_only(catalogue), health)
    try:
        retriever = Retriever.load(settings.index_dir, catalogue, settings.embedding_model)
    except (IndexMissingError, IndexMismatchError, ModelLoadError) as exc:
        reason = f"{_kind(exc)}: {exc}"
        logger.warning("search runs lexical-only: %s; rebuild with `%s`", reason, REBUILD_COMMAND)
        health = ComponentHealth(status="degraded", mode="lexical-only", reason=reason, rebuild=REBUILD_COMMAND)
        return KnowledgeState(catalogue, Retriever.lexical_only(catalogue), health)
    return KnowledgeState(catalogue, retriever, ComponentHealth(status="up", mode="hybrid"))
