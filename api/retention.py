"""Retention: conversations are deleted from Rasa's tracker store ``BK_RETENTION_DAYS`` after their last event.

Rasa's SQL tracker store (SQLite ``var/tracker.db`` under `make run`, PostgreSQL in docker-compose.yml) keeps every
event of every conversation in one table ``events`` (``sender_id``, ``timestamp`` in Unix seconds, …) and never
deletes. ``retention_job`` runs in the API's lifespan and, every ``BK_RETENTION_INTERVAL`` seconds (first at start),
deletes all events of the conversations whose newest event is older than the retention period. The statement is
plain SQL that SQLite and PostgreSQL both run; SQLite goes through the standard library, PostgreSQL through psycopg
(the ``postgres`` extra of pyproject.toml, installed in the docker image), with ``BK_TRACKER_URL``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import anyio.to_thread

from api.settings import Settings

logger = logging.getLogger(__name__)

DAY = 86400.0

#: {p} is the driver's placeholder: "?" for sqlite3, "%s" for psycopg.
EXPIRE_SQL = (
    "DELETE FROM events WHERE sender_id IN "
    "(SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < {p})"
)


def _expire(connection: Any, placeholder: str, cutoff: float) -> int:
    cursor = connection.cursor()
    try:
        cursor.execute(EXPIRE_SQL.format(p=placeholder), (cutoff,))
        deleted = int(cursor.rowcount)
    finally:
        cursor.close()
    connection.commit()
    return max(deleted, 0)


def expire_sqlite(db: Path, cutoff: float) -> int:
    """Delete the events of conversations whose last event is before ``cutoff`` (Unix seconds); the rows deleted."""
    if not db.is_file():
        return 0
    connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=rw", uri=True, timeout=5.0)
    try:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone():
            return 0
        return _expire(connection, "?", cutoff)
    finally:
        connection.close()


def expire_postgresql(url: str, cutoff: float) -> int:
    """The same for a PostgreSQL tracker store (``postgresql://user:password@host:port/db``)."""
    import psycopg  # the "postgres" extra; only needed where the tracker store is PostgreSQL

    with psycopg.connect(url, connect_timeout=10) as connection:
        return _expire(connection, "%s", cutoff)


def expire_conversations(settings: Settings, now: float | None = None) -> int:
    """One retention pass over the configured tracker store; the event rows deleted."""
    cutoff = (time.time() if now is None else now) - settings.retention_days * DAY
    url = settings.tracker_url.get_secret_value()
    if url:
        return expire_postgresql(url, cutoff)
    if settings.tracker_db is not None:
        return expire_sqlite(settings.tracker_db, cutoff)
    return 0


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
