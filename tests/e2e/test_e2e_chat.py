"""End-to-end: conversations through POST /api/v1/chat with the real processes (API → Rasa → action server).

The stack is started once per test session by scripts/run.py, exactly as `make run` starts it (tests/e2e/conftest.py).
The last test stops Rasa on purpose, checks that the API still answers, and waits until the supervisor has brought
Rasa back, so that the modules after it find the whole stack again.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from knowledge import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import Stack, _children, running  # noqa: E402
from bk_e2e_kit import Conversation  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def test_vague_situation_gets_a_clarifying_question_then_a_service(stack: Stack, client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Ich brauche Hilfe")
    assert "?" in chat.text
    assert len(chat.buttons) >= 2, chat.last
    assert chat.metadata["handoff"] is None
    # Follow the offered choices (a Lebenslage, then a service) until the answer is about one service.
    catalogue = load_catalogue()
    for _ in range(3):
        choices = [b["payload"] for b in chat.buttons if b["payload"].startswith("/choose_service")] or [
            chat.buttons[0]["payload"]
        ]
        chat.say(choices[0])
        if len(chat.metadata["service_ids"]) == 1 and chat.metadata["service_ids"][0] in catalogue:
            break
    [service_id] = chat.metadata["service_ids"]
    assert catalogue[service_id].teaser[:40] in chat.text or catalogue[service_id].title in chat.text


@pytest.mark.parametrize(
    ("answer", "authority", "says"),
    [
        ("Ich wohne in Bielefeld", "LWL", ["LWL", "Bielefeld"]),  # Westfalen-Lippe: sent to the LWL
        ("Wir wohnen in 47798 Krefeld", "LVR", ["LVR"]),  # Rheinland: stays with the LVR
    ],
)
def test_the_town_decides_between_lvr_and_lwl(
    stack: Stack, client: httpx.Client, answer: str, authority: str, says: list[str]
) -> None:
    chat = Conversation(client)
    chat.say("Ich bin seit meiner Geburt blind und möchte Blindengeld beantragen")
    chat.choose("blindengeld")
    chat.say(answer)
    assert chat.metadata["authority"] == authority
    for word in says:
        assert word in chat.text


def test_schwerbehindertenausweis_goes_to_the_kreis(stack: Stack, client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Wo beantrage ich einen Schwerbehindertenausweis?")
    chat.choose("schwerbehindertenausweis")
    chat.say("Ich lebe in Bergheim")
    assert chat.metadata["authority"] == "Kreis/kreisfreie Stadt"
    assert "Rhein-Erft-Kreis" in chat.text
    assert chat.metadata["service_ids"] == ["schwerbehindertenausweis"]


def test_asking_to_apply_hands_off_at_once_and_passes_data_only_with_consent(
    stack: Stack, client: httpx.Client
) -> None:
    catalogue = load_catalogue()
    service = catalogue["eingliederungshilfe-antrag"]
    chat = Conversation(client)
    chat.say("Ich bin erwachsen, habe eine Behinderung und möchte Eingliederungshilfe beantragen")
    chat.choose(service.id)
    chat.say("Ich wohne in Köln")
    chat.say("Kann ich den Antrag online stellen?")
    handoff = chat.metadata["handoff"]
    assert handoff is not None and handoff["service_id"] == service.id, chat.last  # at once, without a "Ja"
    # The URL is the catalogue's form address; none is confirmed yet, and the bot never invents one.
    assert handoff["url"] == service.online_service.form_url
    assert handoff["office"] and "LVR" in handoff["office"]
    assert handoff["prefill"] is None and handoff["data"] == {}, "nothing passed on before the consent"
    assert any(b["payload"] == "/affirm" for b in chat.buttons), chat.buttons
    chat.say("/affirm")
    handoff = chat.metadata["handoff"]
    assert handoff is not None and handoff["prefill"]["place"] == "Köln" and handoff["prefill"]["ags"] == "05315000"
    assert "Köln" in chat.text  # what is passed on (town) is listed after consent


def test_declining_the_prefill_passes_nothing(stack: Stack, client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Ich bin erwachsen, habe eine Behinderung und möchte Eingliederungshilfe beantragen")
    chat.choose("eingliederungshilfe-antrag")
    chat.say("Ich wohne in Bonn")
    chat.say("Kann ich das online beantragen?")
    assert chat.metadata["handoff"] is not None and chat.metadata["handoff"]["prefill"] is None
    assert any(b["payload"] == "/deny" for b in chat.buttons), chat.buttons
    chat.say("/deny")
    assert chat.metadata["handoff"] is None
    assert "Bonn" not in chat.text


def test_out_of_scope_gets_a_polite_fallback_with_a_contact(stack: Stack, client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Ich brauche einen neuen Reisepass, wo bekomme ich den?")
    assert chat.metadata["fallback"] is True
    assert chat.metadata["service_ids"] == []
    assert "https://www.lvr.de" in chat.text, "the general contact"


def test_two_failed_understandings_in_a_row_give_a_contact(stack: Stack, client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("asdf qwertz jklö")
    assert chat.metadata["fallback"] is True and "https://" not in chat.text, "first: asks to rephrase"
    chat.say("xkcd blubb zzz")
    assert chat.metadata["fallback"] is True
    assert "https://www.lvr.de" in chat.text, "second: the contact instead of asking again"


def test_with_rasa_stopped_the_chat_still_answers_from_the_search(stack: Stack, client: httpx.Client) -> None:
    health = client.get("/health")
    assert health.status_code == 200, health.text
    before = Conversation(client)
    before.say("Ich bin seit meiner Geburt blind und wohne in Köln. Bekomme ich Blindengeld?")
    assert before.metadata["service_ids"][0] == "blindengeld" and before.metadata["authority"] == "LVR"
    rasa_pid = stack.pids()["rasa"]
    os.killpg(os.getpgid(rasa_pid), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and client.get("/health").status_code == 200:
        time.sleep(0.2)
    chat = Conversation(client)
    reply = chat.say("Ich bin blind und brauche finanzielle Unterstützung")
    assert reply["metadata"]["fallback"] is True
    assert "blindengeld" in reply["metadata"]["service_ids"]
    assert reply["messages"], "an answer, not an empty list"
    # a follow-up of the conversation from before is answered for its service and place, from the tracker store
    follow_up = before.say("Welche Unterlagen brauche ich?")
    assert follow_up["metadata"]["fallback"] is True
    assert follow_up["metadata"]["service_ids"] == ["blindengeld"] and follow_up["metadata"]["authority"] == "LVR"
    health = client.get("/health/details")  # loopback caller: the operator's view
    assert health.status_code == 503
    assert health.json()["components"]["rasa"]["status"] != "up"
    # the supervisor restarts Rasa: the stack is whole again for the tests after this one
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and client.get("/health").status_code != 200:
        time.sleep(1.0)
    assert client.get("/health").status_code == 200, "Rasa was not restarted"


def test_rasa_s_main_process_killed_leaves_no_sanic_worker_behind(stack: Stack, client: httpx.Client) -> None:
    """Only the main process is killed (SIGKILL): its Sanic workers would live on, holding the port with the old
    token. The supervisor kills the rest of the group and starts Rasa again; the chat is whole afterwards."""
    assert client.get("/health").status_code == 200
    main = stack.pids()["rasa"]
    workers = _children(main)
    assert len(workers) >= 2, "the default stack runs Rasa with two Sanic workers"
    os.kill(main, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(running(pid) for pid in workers):
        time.sleep(0.5)
    assert not any(running(pid) for pid in workers), "the orphaned workers were not stopped"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and client.get("/health").status_code != 200:
        time.sleep(1.0)
    assert client.get("/health").status_code == 200, "Rasa was not restarted"
    assert stack.pids()["rasa"] != main
    chat = Conversation(client)
    chat.say("Ich bin seit meiner Geburt blind und wohne in Köln. Bekomme ich Blindengeld?")
    assert chat.metadata["fallback"] is False and chat.metadata["service_ids"][0] == "blindengeld"
