"""Secrets, Redis, retention and log hygiene of the whole stack, started once by scripts/run.py like `make run`.

* No secret (Rasa token, action-server token, Redis password) on the command line of any process of the stack.
* Redis answers nobody without the password.
* A conversation whose last event is older than the retention period is deleted by the API's periodic job.
* No message text, place or age in any log the stack wrote at the default log level.
"""

from __future__ import annotations

import re
import secrets
import socket
import sqlite3
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import Stack, _children  # noqa: E402
from run import LOG_DIR, port_plan  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

TRACKER_DB = ROOT / "var" / "tracker.db"
DAY = 86400.0
MARKER = f"Zebrafink{secrets.token_hex(4)}"  # in a message: must never reach a log
PLACE = "Hückeswagen"
AGE_PHRASE = "83 Jahre"


def _say(client: httpx.Client, session_id: str | None, message: str, *, by_rasa: bool = False) -> str:
    response = client.post("/api/v1/chat", json={"session_id": session_id, "message": message})
    assert response.status_code == 200, response.text
    if by_rasa:  # answered by the dialogue, not by the API's search fallback (which marks fallback: true)
        assert response.json()["metadata"]["fallback"] is False, response.text
    return str(response.json()["session_id"])


def _events(session_id: str) -> int:
    with sqlite3.connect(TRACKER_DB, timeout=5) as db:
        return int(db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (session_id,)).fetchone()[0])


def test_no_secret_on_any_command_line(stack: Stack, stack_secrets: dict[str, str]) -> None:
    pids = [stack.proc.pid, *_children(stack.proc.pid)]
    assert {"rasa", "actions", "api", "redis"} <= set(stack.pids()), stack.pids()
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        for name, value in stack_secrets.items():
            assert value not in cmdline, f"{name} on the command line of {pid}: {cmdline.replace(chr(0), ' ')}"


def _redis(port: int, *commands: bytes) -> list[bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        answers = []
        for command in commands:
            sock.sendall(command)
            answers.append(sock.recv(1024))
        return answers


def test_redis_answers_nobody_without_the_password(stack: Stack, stack_secrets: dict[str, str]) -> None:
    port = port_plan(stack.port)["redis"]
    [ping] = _redis(port, b"PING\r\n")
    assert ping.startswith(b"-NOAUTH"), ping
    [keys] = _redis(port, b"KEYS *\r\n")
    assert keys.startswith(b"-NOAUTH"), keys
    password = stack_secrets["BK_REDIS_PASSWORD"].encode()
    auth, pong = _redis(port, b"AUTH " + password + b"\r\n", b"PING\r\n")
    assert (auth, pong) == (b"+OK\r\n", b"+PONG\r\n")


def test_conversations_past_the_retention_period_are_deleted(stack: Stack) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        # two Sanic workers share the Redis lock store: this answer from Rasa shows that Rasa authenticates
        old = _say(client, None, "Ich bin blind und brauche Unterstützung", by_rasa=True)
        fresh = _say(client, None, "Ich brauche Hilfe")
    assert _events(old) > 0 and _events(fresh) > 0
    # Let the first conversation's events be 31 days old, as if it had ended a month ago.
    with sqlite3.connect(TRACKER_DB, timeout=5) as db:
        db.execute("UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?", (31 * DAY, old))
    deadline = time.monotonic() + 15  # the job runs every second here (default: every hour)
    while _events(old) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _events(old) == 0, "the expired conversation is still stored"
    assert _events(fresh) > 0, "a current conversation was deleted"


def test_no_message_text_place_or_age_in_any_log(
    stack: Stack, log_offsets: dict[Path, int], stack_secrets: dict[str, str]
) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        session = _say(client, None, f"Mein Vater ist {AGE_PHRASE} alt und braucht Pflege {MARKER}")
        _say(client, session, f"Wir wohnen in {PLACE}")
        _say(client, session, f"Ich bin {AGE_PHRASE} alt")
    with sqlite3.connect(TRACKER_DB, timeout=5) as db:  # the text did go through the stack (and is stored)
        stored = db.execute("SELECT COUNT(*) FROM events WHERE data LIKE ?", (f"%{MARKER}%",)).fetchone()[0]
    assert stored > 0
    time.sleep(1.0)  # let the processes flush
    written: dict[str, str] = {}
    for path in sorted(LOG_DIR.glob("*.log")):
        with path.open("rb") as handle:
            handle.seek(log_offsets.get(path, 0))
            written[path.name] = handle.read().decode(errors="replace")
    assert written.get("api.log") and written.get("rasa.log"), sorted(written)
    forbidden = [MARKER, PLACE, AGE_PHRASE, *stack_secrets.values()]
    for name, text in written.items():
        for word in forbidden:
            assert word not in text, f"{word!r} in var/log/{name}"
        assert not re.search(r"['\"]age['\"]\s*[:=]\s*83", text), f"the age slot in var/log/{name}"
