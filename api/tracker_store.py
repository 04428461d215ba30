"""Direct reads and deletes in Rasa's SQL tracker store, SQLite (``BK_TRACKER_DB``) or PostgreSQL (``BK_TRACKER_URL``).

Rasa's SQLTrackerStore keeps every event of every conversation as one row of the table ``events`` (``id``,
``sender_id``, ``type_name``, ``timestamp``, ``data`` = the event as JSON), in both databases. The API reads the
case slots from it while no Rasa replica answers (api.case_state) and deletes a conversation's rows
(api.conversations). A URL wins over the file, as in api.retention. Every failure of the store is raised as
api.errors.TrackerStoreError, with the driver's error class only (never the URL, which may hold a password).

PostgreSQL goes through psycopg (the ``postgres`` extra of pyproject.toml), imported only when a URL is set.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from api.errors import TrackerStoreError

CONNECT_TIMEOUT = 2  # seconds; a degraded answer must not wait long for a store that is down

_SLOT_EVENTS = "SELECT data FROM events WHERE sender_id = {p} AND type_name = 'slot' ORDER BY id"
_DELETE = "DELETE FROM events WHERE sender_id = {p}"
_EXPIRE = (
    "DELETE FROM events WHERE sender_id IN "
    "(SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < {p})"
)


def libpq_url(url: str) -> str:
    """A SQLAlchemy-style URL (``postgresql+psycopg2://…``, as Rasa's endpoints take it) as libpq reads it."""
    return re.sub(r"^postgres(?:ql)?\+[a-z0-9_]+://", "postgresql://", url)


def _sqlite(db: Path, mode: str, timeout: float = CONNECT_TIMEOUT) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode={mode}", uri=True, timeout=timeout)


def _has_events_table(connection: sqlite3.Connection) -> bool:
    row = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone()
    return row is not None


def _postgresql(url: str) -> Any:
    try:
        import psycopg
    except ImportError as exc:  # the "postgres" extra is missing
        raise TrackerStoreError("psycopg is not installed (pip install '.[postgres]')") from exc
    try:
        return psycopg.connect(libpq_url(url), connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        raise TrackerStoreError(f"PostgreSQL tracker store not reachable ({type(exc).__name__})") from None


def _postgresql_run(url: str, statement: str, params: tuple[Any, ...], fetch: bool) -> tuple[list[Any], int]:
    import psycopg

    connection = _postgresql(url)
    try:
        with connection.cursor() as cursor:
            try:
                cursor.execute(statement.format(p="%s"), params)
            except psycopg.errors.UndefinedTable:
                return [], 0  # Rasa has not created its table yet: no conversation stored
            rows = cursor.fetchall() if fetch else []
            count = max(int(cursor.rowcount), 0)
        connection.commit()
        return rows, count
    except psycopg.Error as exc:
        raise TrackerStoreError(f"PostgreSQL tracker store failed ({type(exc).__name__})") from None
    finally:
        connection.close()


def _run(
    statement: str, params: tuple[Any, ...], *, db: Path | None, url: str, fetch: bool, timeout: float = CONNECT_TIMEOUT
) -> tuple[list[Any], int]:
    """Run one statement on the configured store (PostgreSQL when ``url`` is set, else the SQLite file ``db``): the
    rows when ``fetch``, and the rows affected. ([], 0) when there is no store or Rasa has not created its table."""
    if url:
        return _postgresql_run(url, statement, params, fetch)
    if db is None or not db.is_file():
        return [], 0
    try:
        connection = _sqlite(db, "ro" if fetch else "rw", timeout)
        try:
            if not _has_events_table(connection):
                return [], 0
            with connection:
                cursor = connection.execute(statement.format(p="?"), params)
                rows = cursor.fetchall() if fetch else []
            return rows, max(cursor.rowcount, 0)
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise TrackerStoreError(f"SQLite tracker store failed ({type(exc).__name__})") from None


def slot_events(session_id: str, *, db: Path | None = None, url: str = "") -> list[dict[str, Any]]:
    """The ``slot`` events of a conversation, oldest first; [] when there is no store or conversation."""
    rows, _ = _run(_SLOT_EVENTS, (session_id,), db=db, url=url, fetch=True)
    events: list[dict[str, Any]] = []
    for (data,) in rows:
        try:
            event = json.loads(data)
        except (TypeError, ValueError):
            raise TrackerStoreError("the tracker store holds an event that is not JSON") from None
        if isinstance(event, dict):
            events.append(event)
    return events


def delete_conversation(session_id: str, *, db: Path | None = None, url: str = "") -> int:
    """Delete the stored events of one conversation; the rows deleted (0 without a store)."""
    return _run(_DELETE, (session_id,), db=db, url=url, fetch=False)[1]


def delete_expired(cutoff: float, *, db: Path | None = None, url: str = "", timeout: float = 5.0) -> int:
    """Delete every event of the conversations whose newest event is before ``cutoff`` (Unix seconds); the rows
    deleted (0 without a store). ``timeout``: how long SQLite waits for Rasa's writes (a background job may wait)."""
    return _run(_EXPIRE, (cutoff,), db=db, url=url, fetch=False, timeout=timeout)[1]


def ping(*, db: Path | None = None, url: str = "") -> str:
    """Check the configured store now (health): PostgreSQL must accept a connection and a query, a SQLite file must be
    readable (a file Rasa has not created yet is no failure). The kind of store; TrackerStoreError when it fails."""
    if url:
        _postgresql_run(url, "SELECT 1", (), fetch=True)
        return "postgresql"
    if db is not None and db.is_file():
        try:
            connection = _sqlite(db, "ro")
            try:
                _has_events_table(connection)
            finally:
                connection.close()
        except sqlite3.Error as exc:
            raise TrackerStoreError(f"SQLite tracker store failed ({type(exc).__name__})") from None
    return "sqlite"
