"""The conversation's language through the chat gateway (issue 11): what goes to Rasa, metadata.language, and the
answers without the dialogue assistant in English."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from bk_api_testkit import FakeServer, MakeClient, StartServer, rasa_routes
from fastapi.testclient import TestClient

from api import dialogue
from contract.chat import SLOT_LANGUAGE, SLOT_SERVICE, build_payload
from knowledge.catalogue import Catalogue

CHAT = "/api/v1/chat"


def _rasa(make_client: MakeClient, rasa: FakeServer, **overrides: Any) -> TestClient:
    return make_client(chat_backend="rasa", rasa_url=rasa.url, **overrides)


@pytest.mark.parametrize(
    ("message", "hint", "sent"),
    [
        ("I need the Schwerbehindertenausweis", None, {"language": "en", "language_hint": None}),
        ("Ich bin blind und wohne in Köln", "en", {"language": "de", "language_hint": "en"}),
        ("Köln", "en", {"language": None, "language_hint": "en"}),
        ("ok", None, {"language": None, "language_hint": None}),
    ],
)
def test_every_message_goes_to_rasa_with_its_language_and_the_hint(
    make_client: MakeClient, fake_server: StartServer, message: str, hint: str | None, sent: dict[str, Any]
) -> None:
    rasa = fake_server(routes=rasa_routes((200, [{"text": "Hallo"}])))
    _rasa(make_client, rasa).post(CHAT, json={"message": message, "language": hint})
    [request] = [r for r in rasa.requests if r.method == "POST"]
    message_id = request.body["metadata"].pop("message_id")  # every turn's id (api.rasa_pool)
    assert len(message_id) == 32
    assert request.body["metadata"] == sent


def test_the_actions_say_the_replys_language(make_client: MakeClient, fake_server: StartServer) -> None:
    custom = {"beratungskompass": {"service_ids": [], "fallback": False, "language": "en"}}
    rasa = fake_server(routes=rasa_routes((200, [{"text": "Where do you live?"}, {"custom": custom}])))
    body = _rasa(make_client, rasa).post(CHAT, json={"message": "Ich bin blind und wohne in Köln"}).json()
    assert body["metadata"]["language"] == "en"  # the conversation's language kept by the actions wins


@pytest.mark.parametrize(
    ("message", "hint", "language"),
    [("Where do I apply for it?", None, "en"), ("ok", "en", "en"), ("ok", None, "de"), ("Wo wohnen Sie?", "en", "de")],
)
def test_without_the_actions_language_the_reply_has_detected_then_hint_then_german(
    make_client: MakeClient, fake_server: StartServer, message: str, hint: str | None, language: str
) -> None:
    rasa = fake_server(routes=rasa_routes((200, [{"text": "…"}])))
    body = _rasa(make_client, rasa).post(CHAT, json={"message": message, "language": hint}).json()
    assert body["metadata"]["language"] == language


def test_a_language_outside_the_bots_is_refused(client: TestClient) -> None:
    response = client.post(CHAT, json={"message": "Hello there", "language": "fr"})
    assert response.status_code == 422
    assert response.json()["parameter"] == "language"


def test_search_only_answer_in_english(client: TestClient, catalogue: Catalogue) -> None:
    service = next(s for s in catalogue if "en" in s.translations)
    english = service.in_language("en")
    body = client.post(CHAT, json={"message": f"I need help: {english.title}"}).json()
    assert body["metadata"]["language"] == "en"
    assert body["messages"][0]["text"] == dialogue.TEXTS["en"]["search_only_intro"]
    shown = {m["text"].split("\n")[0] for m in body["messages"][1:]}
    expected = {catalogue[i].in_language("en").title for i in body["metadata"]["service_ids"]}
    assert shown == expected and english.title in shown


def test_unavailable_assistant_answers_in_the_hinted_language(
    make_client: MakeClient, closed_port: int, catalogue: Catalogue
) -> None:
    service = next(s for s in catalogue if "en" in s.translations)
    client = make_client(chat_backend="rasa", rasa_url=f"http://127.0.0.1:{closed_port}")
    choose = build_payload("choose_service", service_id=service.id)
    body = client.post(CHAT, json={"message": choose, "language": "en"}).json()
    assert body["metadata"]["language"] == "en" and body["metadata"]["fallback"] is True
    assert body["messages"][0]["text"] == dialogue.TEXTS["en"]["unavailable_short"]
    assert body["messages"][1]["text"].startswith(service.in_language("en").title)


def test_english_texts_for_every_german_one() -> None:
    assert set(dialogue.TEXTS["en"]) == set(dialogue.TEXTS["de"])
    assert all(dialogue.TEXTS["en"][k] != dialogue.TEXTS["de"][k] for k in dialogue.TEXTS["de"])


def _tracker(path: Path, sender: str, slots: dict[str, Any]) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
    for name, value in slots.items():
        event = json.dumps({"event": "slot", "name": name, "value": value})
        connection.execute("INSERT INTO events (sender_id, type_name, data) VALUES (?, 'slot', ?)", (sender, event))
    connection.commit()
    connection.close()
    return path


def test_a_short_message_keeps_the_stored_conversations_language(
    make_client: MakeClient, closed_port: int, catalogue: Catalogue, tmp_path: Path
) -> None:
    sender = "a" * 32
    service = next(s for s in catalogue if "en" in s.translations)
    db = _tracker(tmp_path / "tracker.db", sender, {SLOT_SERVICE: service.id, SLOT_LANGUAGE: "en"})
    client = make_client(chat_backend="rasa", rasa_url=f"http://127.0.0.1:{closed_port}", tracker_db=db)
    body = client.post(CHAT, json={"session_id": sender, "message": "ok"}).json()
    assert body["metadata"]["language"] == "en"
    assert body["messages"][0]["text"] == dialogue.TEXTS["en"]["unavailable_short"]
