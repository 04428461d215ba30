"""Deleting a conversation server-side (DELETE /api/v1/chat/{session_id}).

Rasa 3.6's HTTP API has no delete endpoint. ``PUT /conversations/{id}/tracker/events`` with ``[]`` replaces the
tracker with an empty one, which is a deletion for the in-memory tracker store; the SQL tracker store only ever
appends on save, so its rows (var/tracker.db, table ``events``) are deleted here directly as well.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import anyio.to_thread

from api.errors import ApiError, RasaError
from api.rasa_client import RasaClient

logger = logging.getLogger(__name__)


def purge_tracker_rows(db: Path, sender_id: str) -> int:
    """Delete the stored events of one conversation from Rasa's SQLite tracker store; the rows deleted."""
    if not db.is_file():
        return 0
    connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=rw", uri=True, timeout=5.0)
    try:
        has_events = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        ).fetchone()
        if not has_events:
            return 0
        with connection:
            cursor = connection.execute("DELETE FROM events WHERE sender_id = ?", (sender_id,))
        return cursor.rowcount
    finally:
        connection.close()


async def forget_conversation(rasa: RasaClient, tracker_db: Path | None, session_id: str) -> None:
    """Empty the Rasa tracker of the conversation and delete its stored rows; ApiError 503 when impossible."""
    try:
        await rasa.reset(session_id)
    except RasaError as exc:
        raise ApiError(
            503,
            "dialogue_unavailable",
            f"the conversation could not be deleted because the dialogue assistant is unavailable: {exc}",
        ) from None
    if tracker_db is None:
        return
    try:
        deleted = await anyio.to_thread.run_sync(purge_tracker_rows, tracker_db, session_id)
    except sqlite3.Error as exc:
        logger.error("could not delete conversation rows from %s: %s", tracker_db, exc)
        raise ApiError(
            503, "tracker_store_unavailable", "the conversation could not be deleted from the tracker store"
        ) from None
    logger.info("deleted conversation (%d stored events)", deleted)
