"""The one seam between the actions and knowledge/: cached factories for the catalogue and the retriever.

Nothing is loaded at import time. The action server calls `warm_up()` once at start; tests replace the factories
with `monkeypatch.setattr(deps, "get_retriever", ...)` (every action module calls them as `deps.get_…()`).

    get_catalogue()  -> Catalogue   the validated catalogue (knowledge.load_catalogue)
    get_retriever()  -> Retriever   hybrid retriever; lexical-only when the index or model cannot be used
    find_place(text) -> PlaceMatch | None
    responsibility(service, place) -> Responsibility
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from knowledge.places import PlaceMatch, Responsibility
    from knowledge.schema import Service
    from knowledge.search import Retriever

logger = logging.getLogger(__name__)


@cache
def get_catalogue() -> Catalogue:
    """The service catalogue, loaded once."""
    from knowledge.catalogue import load_catalogue

    catalogue = load_catalogue()
    logger.info("catalogue loaded: %d services", len(catalogue))
    return catalogue


@cache
def get_retriever() -> Retriever:
    """The hybrid retriever, loaded once; falls back to the lexical-only retriever when the index is unusable."""
    from knowledge.errors import IndexError_, ModelLoadError
    from knowledge.search import Retriever

    catalogue = get_catalogue()
    try:
        retriever = Retriever.load(catalogue=catalogue)  # the index folder: BK_INDEX_DIR, else knowledge/build/index
    except (IndexError_, ModelLoadError) as exc:
        logger.warning("search index not usable (%s: %s); falling back to lexical-only search", type(exc).__name__, exc)
        return Retriever.lexical_only(catalogue)
    logger.info("hybrid retriever loaded")
    return retriever


def find_place(text: str) -> PlaceMatch | None:
    """The town, Kreis or postal code named anywhere in `text` (knowledge.find_place)."""
    from knowledge.places import find_place as _find_place

    return _find_place(text)


def responsibility(service: Service | None, place: PlaceMatch | None) -> Responsibility:
    """Who is responsible for `service` at `place` (knowledge.responsibility)."""
    from knowledge.places import responsibility as _responsibility

    return _responsibility(service, place)


def warm_up() -> None:
    """Load the catalogue, the retriever and the place table now, so that the first request is fast."""
    get_catalogue()
    retriever = get_retriever()
    retriever.search("Blindengeld", top=1)
    find_place("Köln")


def reset() -> None:
    """Forget the cached catalogue and retriever (tests)."""
    get_catalogue.cache_clear()
    get_retriever.cache_clear()
