"""Retention (api.retention): whole conversations are deleted once their newest event is older than the period.

The periodic job through the real processes (Rasa writing var/tracker.db) is in tests/e2e/test_e2e_hardening.py.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bk_api_testkit import MakeClient

from api.retention import DAY, expire_conversations, retention_job
from api.settings import Settings

# The columns Rasa 3.6's SQLTrackerStore creates (rasa/core/tracker_store.py, SQLEvent).
EVENTS = """CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255)
NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


@pytest.fixture
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL server of the machine's binaries on a loopback port, as the ``postgres`` user.

    Skipped where psycopg (the ``postgres`` extra) or the server binaries are missing; this test never installs
    either. The server is stopped by its data directory, which only this fixture uses."""
    pytest.importorskip("psycopg")
    initdb, pg_ctl, runuser = shutil.which("initdb"), shutil.which("pg_ctl"), shutil.which("runuser")
    if not (initdb and pg_ctl):
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        if not runuser:
            pytest.skip("running as root without runuser to start PostgreSQL as another user")
        as_postgres = [runuser, "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="bk-pg-"))
    data = base / "data"
    if as_postgres:
        shutil.chown(base, "postgres")
    port = free_port()
    subprocess.run([*as_postgres, initdb, "-D", str(data), "-U", "bk", "--auth=trust"], check=True,
                   capture_output=True, timeout=120)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {base}"
    subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"],
                   check=True, capture_output=True, timeout=60)
    try:
        yield f"postgresql://bk@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True,
                       timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def test_the_same_statement_works_on_postgresql(postgres_url: str) -> None:
    import psycopg

    now = time.time()
    with psycopg.connect(postgres_url) as db:
        db.execute(EVENTS.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY").replace("FLOAT", "DOUBLE PRECISION"))
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (%s, 'user', %s, '{}')",
                [("old", now - 40 * DAY), ("old", now - 31 * DAY), ("mixed", now - 45 * DAY), ("mixed", now - 60)],
            )
    settings = Settings(tracker_db=None, tracker_url=postgres_url, retention_days=30)
    assert expire_conversations(settings, now=now) == 2
    with psycopg.connect(postgres_url) as db:
        rows = db.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id").fetchall()
    assert dict(rows) == {"mixed": 2}


def test_the_case_is_read_and_deleted_in_postgresql_and_a_stopped_store_is_an_error(postgres_url: str) -> None:
    """api.tracker_store on a real PostgreSQL: the case slots for the answers without Rasa, the deletion."""
    import json

    import psycopg

    from api.case_state import StoredCase, read_case
    from api.errors import TrackerStoreError
    from api.tracker_store import delete_conversation

    assert read_case(None, "a", url=postgres_url) is None  # Rasa has not created its table yet
    with psycopg.connect(postgres_url) as db:
        db.execute("CREATE TABLE events (id SERIAL PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
        for sender, name, value in [("a", "service_id", "kokobe"), ("b", "place", "Bonn"), ("a", "place", "Köln"),
                                    ("a", "service_id", "blindengeld")]:  # fmt: skip
            db.execute("INSERT INTO events (sender_id, type_name, data) VALUES (%s, 'slot', %s)",
                       (sender, json.dumps({"event": "slot", "name": name, "value": value})))  # fmt: skip
    assert read_case(None, "a", url=postgres_url) == StoredCase("blindengeld", [], "Köln")
    assert delete_conversation("a", url=postgres_url) == 3
    assert read_case(None, "a", url=postgres_url) is None
    assert read_case(None, "b", url=postgres_url) == StoredCase(None, [], "Bonn")
    closed = postgres_url.rsplit(":", 1)[0] + f":{free_port()}/postgres"
    with pytest.raises(TrackerStoreError) as info:
        read_case(None, "a", url=closed)
    assert "bk@" not in str(info.value)  # the URL (which may hold a password) is never in the message
