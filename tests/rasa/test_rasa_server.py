"""The fixes scripts/rasa_server.py applies to Rasa 3.6, and the channel's answer to a failed turn, checked against
Rasa's real classes in the Rasa environment (tests/rasa/check_rasa_server.py prints what happened).

* A tracker store that fails makes the turn fail (no silent fall-back to an empty in-memory tracker), and the log
  names the error's class, never its text (which may quote a user's message).
* Connections to PostgreSQL are checked before use (pool_pre_ping).
* An action call whose connection broke is sent again, at most three attempts in all.
* The channel answers a failed turn with HTTP 500 ``turn_failed``, not with 200 and no messages.

Through the real processes these are exercised by tests/production (PostgreSQL stopped, an action server killed).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("BK_RASA_VENV", ROOT / ".venv-rasa"))
PYTHON = VENV / "bin" / "python"

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.skipif(not PYTHON.exists(), reason=f"no Rasa environment at {VENV} (run scripts/setup_rasa.sh)"),
]


@pytest.fixture(scope="module")
def checked() -> tuple[dict[str, Any], str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(
        [str(PYTHON), str(ROOT / "tests" / "rasa" / "check_rasa_server.py")],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_a_failing_tracker_store_fails_the_turn_and_logs_no_message(checked: tuple[dict[str, Any], str]) -> None:
    found, log = checked
    store = found["tracker_store"]
    for operation, verb in (("retrieve", "read"), ("save", "write")):
        assert store[operation] == {
            "raised": "TrackerStoreUnavailableError", "message": f"tracker store {verb} failed (RuntimeError)"
        }
    assert "tracker store read failed (RuntimeError)" in log
    assert found["secret"] not in log


def test_postgresql_connections_are_checked_before_use(checked: tuple[dict[str, Any], str]) -> None:
    store = checked[0]["tracker_store"]
    assert store["pool_pre_ping"] is True
    assert store["postgresql_kwargs"] == ["max_overflow", "pool_pre_ping", "pool_size"]  # Rasa's own kept
    assert store["sqlite_kwargs"] == []


def test_an_action_call_whose_connection_broke_is_sent_again(checked: tuple[dict[str, Any], str]) -> None:
    once = checked[0]["one_broken_connection"]
    assert once == {
        "answer": {"events": [], "responses": []}, "raised": None, "connections": 2,
        "endpoint_class": "RetryingEndpointConfig", "original_untouched": "EndpointConfig",
    }  # fmt: skip
    always = checked[0]["always_broken"]
    assert (always["raised"], always["connections"]) == ("ServerDisconnectedError", 3)


def test_the_channel_answers_a_failed_turn_with_500_and_no_text(checked: tuple[dict[str, Any], str]) -> None:
    found, log = checked
    assert found["channel"]["works"] == {"status": 200, "body": [{"recipient_id": "s1", "text": "Antwort an s1"}]}
    assert found["channel"]["fails"] == {"status": 500, "body": {"error": "turn_failed"}}
    assert "tokenrest: a turn failed (RuntimeError)" in log
    assert found["secret"] not in log
