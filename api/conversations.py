"""Deleting a conversation server-side (DELETE /api/v1/chat/{session_id}).

Rasa 3.6's HTTP API has no delete endpoint. ``PUT /conversations/{id}/tracker/events`` with ``[]`` replaces the
tracker with an empty one, which is a deletion for the in-memory tracker store; the SQL tracker store only ever
appends on save, so its rows (table ``events`` in var/tracker.db or the PostgreSQL of BK_TRACKER_URL) are deleted
here directly as well (api.tracker_store).
"""

from __future__ import annotations

import logging
from pathlib import Path

import anyio.to_thread

from api import tracker_store
from api.errors import ApiError, RasaError, TrackerStoreError
from api.rasa_pool import RasaPool

logger = logging.getLogger(__name__)


async def forget_conversation(
    rasa: RasaPool, tracker_db: Path | None, session_id: str, *, tracker_url: str = ""
) -> None:
    """Empty the Rasa tracker of the conversation (through any up replica) and delete its stored rows; ApiError 503
    when impossible."""
    try:
        await rasa.reset(session_id)
    except RasaError as exc:
        raise ApiError(
            503,
            "dialogue_unavailable",
            f"the conversation could not be deleted because the dialogue assistant is unavailable: {exc}",
        ) from None
    if tracker_db is None and not tracker_url:
        return
    try:
        deleted = await anyio.to_thread.run_sync(
            lambda: tracker_store.delete_conversation(session_id, db=tracker_db, url=tracker_url)
        )
    except TrackerStoreError as exc:
        logger.error("could not delete conversation rows from the tracker store: %s", exc)
        raise ApiError(
            503, "tracker_store_unavailable", "the conversation could not be deleted from the tracker store"
        ) from None
    logger.info("deleted conversation (%d stored events)", deleted)
