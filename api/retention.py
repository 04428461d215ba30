"""Retention: conversations are deleted from Rasa's tracker store ``BK_RETENTION_DAYS`` after their last event.

Rasa's SQL tracker store (SQLite ``var/tracker.db`` under `make run`, PostgreSQL in docker-compose.yml) keeps every
event of every conversation in one table ``events`` (``sender_id``, ``timestamp`` in Unix seconds, …) and never
deletes. ``retention_job`` runs in the API's lifespan and, every ``BK_RETENTION_INTERVAL`` seconds (first at start),
deletes all events of the conversations whose newest event is older than the retention period, through
api.tracker_store (the SQLite file, or PostgreSQL with ``BK_TRACKER_URL``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio.to_thread

from api.settings import Settings
from api.tracker_store import delete_expired

logger = logging.getLogger(__name__)

DAY = 86400.0

def expire_conversations(settings: Settings, now: float | None = None) -> int:
    """One retention pass over the configured tracker store; the event rows deleted."""
    cutoff = (time.time() if now is None else now) - settings.retention_days * DAY
    return delete_expired(cutoff, db=settings.tracker_db, url=settings.tracker_url.get_secret_value())


async def _run(settings: Settings) -> None:
    while True:
        try:
            deleted = await anyio.to_thread.run_sync(expire_conversations, settings)
        except Exception as exc:  # a failed pass is logged and tried again at the next interval
            logger.error("retention: could not delete expired conversations: %s", type(exc).__name__)
        else:
            if deleted:
                logger.info("retention: deleted %d events of conversations older than %d days", deleted,
                            settings.retention_days)
        await asyncio.sleep(settings.retention_interval)


@asynccontextmanager
async def retention_job(settings: Settings) -> AsyncIterator[None]:
    """Run the periodic retention pass while the app runs (only when a tracker store is configured)."""
    if not settings.tracker_url.get_secret_value() and settings.tracker_db is None:
        yield
        return
    task = asyncio.create_task(_run(settings), name="retention")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
