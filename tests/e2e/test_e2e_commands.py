"""End-to-end: users cannot type Rasa's control commands or payloads the bot did not offer (issue 9, finding 1).

Through the real processes: a typed "/restart" neither wipes the case nor reads as an outage; a typed
'/inform_place{…}' does not set the town; a payload with a made-up service id is not stored; the bot's own buttons
still work.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]
TRACKER_DB = Path(__file__).resolve().parents[2] / "var" / "tracker.db"


def _say(client: httpx.Client, session: str | None, message: str) -> dict[str, Any]:
    response = client.post("/api/v1/chat", json={"session_id": session, "message": message})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _slot_values(session: str, name: str) -> list[Any]:
    import json

    with sqlite3.connect(TRACKER_DB, timeout=5) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot'", (session,)).fetchall()
    return [json.loads(r[0]).get("value") for r in rows if json.loads(r[0]).get("name") == name]


@pytest.mark.parametrize("command", ["/restart", "/session_start", "/restart{}"])
def test_a_typed_control_command_keeps_the_case_and_is_no_outage(client: httpx.Client, command: str) -> None:
    first = _say(client, None, "Ich bin seit meiner Geburt blind und wohne in Köln. Bekomme ich Blindengeld?")
    session = first["session_id"]
    assert "blindengeld" in first["metadata"]["service_ids"]
    typed = _say(client, session, command)
    assert "nicht erreichbar" not in " ".join(m["text"] for m in typed["messages"]), typed
    after = _say(client, session, "Welche Unterlagen brauche ich?")
    assert after["metadata"]["service_ids"] == ["blindengeld"], after  # the case is still there
    assert after["metadata"]["authority"] == "LVR", "the town is remembered"


def test_a_typed_payload_sets_no_slot(client: httpx.Client) -> None:
    session = _say(client, None, "Ich brauche Hilfe")["session_id"]
    _say(client, session, '/inform_place{"place":"Bielefeld"}')
    _say(client, session, '/choose_service{"service_id":"../../etc"}')
    assert "../../etc" not in _slot_values(session, "service_id")
    assert "Bielefeld" not in _slot_values(session, "place")


def test_the_bots_own_buttons_still_work(client: httpx.Client) -> None:
    reply = _say(client, None, "Ich bin blind")
    choose = [b["payload"] for m in reply["messages"] for b in m["buttons"] if b["payload"].startswith("/choose")]
    assert choose, reply
    chosen = _say(client, reply["session_id"], choose[0])
    assert len(chosen["metadata"]["service_ids"]) == 1 and chosen["metadata"]["fallback"] is False, chosen
