"""Retention (api.retention): whole conversations are deleted once their newest event is older than the period.

The periodic job through the real processes (Rasa writing var/tracker.db) is in tests/e2e/test_e2e_hardening.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from bk_api_testkit import MakeClient

from api.retention import DAY, expire_conversations, retention_job
from api.settings import Settings

# The columns Rasa 3.6's SQLTrackerStore creates (rasa/core/tracker_store.py, SQLEvent).
EVENTS = """CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255)
NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def _db(path: Path, rows: list[tuple[str, float]]) -> Path:
    with sqlite3.connect(path) as db:
        db.execute(EVENTS)
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')", rows)
    return path


def _senders(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id").fetchall())


def test_conversations_whose_last_event_is_older_than_the_period_are_deleted_whole(tmp_path: Path) -> None:
    now = time.time()
    db = _db(
        tmp_path / "tracker.db",
        [
            ("old", now - 40 * DAY), ("old", now - 31 * DAY),  # last event 31 days ago: gone
            ("mixed", now - 45 * DAY), ("mixed", now - 2 * DAY),  # an old start but recent activity: kept whole
            ("fresh", now - 60),
        ],
    )
    settings = Settings(tracker_db=db, retention_days=30)
    assert expire_conversations(settings, now=now) == 2
    assert _senders(db) == {"mixed": 2, "fresh": 1}
    assert expire_conversations(Settings(tracker_db=db, retention_days=1), now=now) == 2
    assert _senders(db) == {"fresh": 1}


def test_no_database_yet_is_not_an_error(tmp_path: Path) -> None:
    assert expire_conversations(Settings(tracker_db=tmp_path / "missing.db")) == 0


def test_the_job_runs_at_start_and_then_every_interval(tmp_path: Path) -> None:
    db = _db(tmp_path / "tracker.db", [("old", time.time() - 31 * DAY)])
    settings = Settings(tracker_db=db, retention_days=30, retention_interval=0.1)

    async def run() -> None:
        async with retention_job(settings):
            await asyncio.sleep(0.3)
            assert _senders(db) == {}
            with sqlite3.connect(db) as connection:  # a conversation that expires while the job runs
                connection.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp) VALUES ('later', 'user', ?)",
                    (time.time() - 31 * DAY,),
                )
            await asyncio.sleep(0.5)
            assert _senders(db) == {}

    asyncio.run(run())


def test_the_privacy_endpoint_names_the_configured_period(make_client: MakeClient) -> None:
    response = make_client(retention_days=14).get("/api/v1/privacy")
    assert response.status_code == 200
    assert response.json() == {"retention_days": 14}
