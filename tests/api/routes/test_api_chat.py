"""The chat gateway against a fake Rasa server on a loopback port: forwarding, metadata, fallback, deletion."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bk_api_testkit import TOKEN, FakeServer, MakeClient, Recorded, StartServer, rasa_routes
from fastapi.testclient import TestClient

from api import dialogue
from api.schemas import MESSAGE_MAX
from contract.chat import build_payload
from knowledge.catalogue import Catalogue
from knowledge.search import Retriever

CHAT = "/api/v1/chat"


def _rasa_client(make_client: MakeClient, rasa: FakeServer, **overrides: Any) -> TestClient:
    return make_client(chat_backend="rasa", rasa_url=rasa.url, **overrides)


def _query_for(catalogue: Catalogue) -> tuple[str, str]:
    service = next(iter(catalogue))
    return service.id, service.title


# --- Rasa answers ---------------------------------------------------------------------------------------------


def test_forwards_the_turn_and_returns_messages_and_merged_metadata(
    make_client: MakeClient, fake_server: StartServer, catalogue: Catalogue
) -> None:
    first, second = catalogue.ids[0], catalogue.ids[1]

    def answer(request: Recorded) -> tuple[int, Any]:
        sender = request.body["sender"]
        return 200, [
            {
                "recipient_id": sender,
                "text": "Erste Antwort",
                "buttons": [{"title": "Mehr", "payload": f'/choose_service{{"service_id":"{first}"}}'}],
            },
            {
                "recipient_id": sender,
                "custom": {
                    "beratungskompass": {"service_ids": [first], "authority": "LVR", "handoff": None, "fallback": False}
                },
            },
            {"recipient_id": sender, "text": "Zweite Antwort"},
            {
                "recipient_id": sender,
                "custom": {
                    "beratungskompass": {
                        "service_ids": [second, first],
                        "handoff": {
                            "service_id": second,
                            "url": "https://example.org/antrag",
                            "office": "LVR-Inklusionsamt",
                            "prefill": {"place": "Köln", "ags": "05315000", "iban": "DE00 1234", "age": 45},
                        },
                    }
                },
            },
        ]

    rasa = fake_server(routes=rasa_routes(answer))
    client = _rasa_client(make_client, rasa)
    response = client.post(CHAT, json={"session_id": None, "message": "Ich brauche Hilfe"})
    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", body["session_id"])
    assert body["messages"] == [
        {
            "text": "Erste Antwort",
            "buttons": [{"title": "Mehr", "payload": f'/choose_service{{"service_id":"{first}"}}'}],
        },
        {"text": "Zweite Antwort", "buttons": []},
    ]
    assert body["metadata"] == {
        "service_ids": [second, first],  # later keys win
        "authority": "LVR",  # kept from the first payload
        # Only the documented once-only fields, as text, pass; anything else the backend sends is dropped.
        "handoff": {"service_id": second, "url": "https://example.org/antrag", "office": "LVR-Inklusionsamt",
                    "prefill": {"place": "Köln", "ags": "05315000"}, "data": {"place": "Köln", "ags": "05315000"}},
        "fallback": False,
        "language": "de",  # the actions did not say it: the detected language
    }
    [sent] = [r for r in rasa.requests if r.method == "POST"]
    assert sent.path == "/webhooks/tokenrest/webhook"
    assert sent.query == {"token": [TOKEN]}
    assert (sent.body["sender"], sent.body["message"]) == (body["session_id"], "Ich brauche Hilfe")
    assert len(sent.body["metadata"]["message_id"]) == 32  # every turn carries its id (api.rasa_pool)
    assert (sent.body["metadata"]["language"], sent.body["metadata"]["language_hint"]) == ("de", None)


def test_a_given_session_id_is_kept(make_client: MakeClient, fake_server: StartServer) -> None:
    rasa = fake_server(routes=rasa_routes((200, [{"recipient_id": "x", "text": "Hallo!"}])))
    client = _rasa_client(make_client, rasa)
    body = client.post(CHAT, json={"session_id": "Abc_def-1234", "message": "Hallo"}).json()
    assert body["session_id"] == "Abc_def-1234"
    assert rasa.requests[-1].body["sender"] == "Abc_def-1234"


def test_invalid_metadata_values_are_dropped(
    make_client: MakeClient, fake_server: StartServer, catalogue: Catalogue
) -> None:
    known = catalogue.ids[0]
    custom = {
        "beratungskompass": {
            "service_ids": ["gibt-es-nicht", known, 7, known],
            "authority": "Bundesamt",
            "handoff": {"service_id": known, "url": "javascript:alert(1)", "data": "place=Köln"},
            "fallback": "yes",
            "language": "fr",
            "unknown_key": 1,
        }
    }
    rasa = fake_server(routes=rasa_routes((200, [{"text": "Text"}, {"custom": custom}])))
    body = _rasa_client(make_client, rasa).post(CHAT, json={"message": "Hallo"}).json()
    assert body["metadata"] == {
        "service_ids": [known],
        "authority": None,
        "handoff": {"service_id": known, "url": None, "office": None, "prefill": None, "data": {}},
        "fallback": False,
        "language": "de",  # "fr" is not a language of the bot; "Hallo" is too short: the default
    }


def test_bot_text_is_plain_text_not_escaped_and_without_control_characters(
    make_client: MakeClient, fake_server: StartServer
) -> None:
    text = "<b>Hallo</b> & willkommen\x00\x1b[31m\u202e!\nZweite Zeile"
    rasa = fake_server(
        routes=rasa_routes((200, [{"text": text, "buttons": [{"title": "<i>Ja</i>\x07", "payload": "/affirm"}]}]))
    )
    body = _rasa_client(make_client, rasa).post(CHAT, json={"message": "Hallo"}).json()
    [message] = body["messages"]
    assert message["text"] == "<b>Hallo</b> & willkommen[31m!\nZweite Zeile"
    assert message["buttons"] == [{"title": "<i>Ja</i>", "payload": "/affirm"}]


def test_user_message_is_cleaned_before_forwarding(make_client: MakeClient, fake_server: StartServer) -> None:
    rasa = fake_server(routes=rasa_routes((200, [{"text": "ok"}])))
    _rasa_client(make_client, rasa).post(CHAT, json={"message": "  <script>x</script>\x00 Hilfe\u202e\t bitte "})
    assert rasa.requests[-1].body["message"] == "<script>x</script> Hilfe bitte"


# --- Rasa unavailable: still 200, answered from the search ----------------------------------------------------


def _assert_search_fallback(body: dict[str, Any], catalogue: Catalogue, expected_id: str, *, notice: bool) -> None:
    assert body["metadata"]["fallback"] is True
    assert expected_id in body["metadata"]["service_ids"]
    assert 1 <= len(body["metadata"]["service_ids"]) <= dialogue.FALLBACK_TOP
    texts = [m["text"] for m in body["messages"]]
    assert (texts[0] == dialogue.UNAVAILABLE_NOTICE) is notice
    for service_id, message in zip(body["metadata"]["service_ids"], body["messages"][1:], strict=True):
        service = catalogue[service_id]
        assert service.teaser in message["text"]
        assert message["buttons"] == [
            {"title": service.button_title, "payload": build_payload("choose_service", service_id=service_id)}
        ]


@pytest.mark.parametrize(
    "failure",
    [
        "connection refused",
        "HTTP 500",
        "HTTP 503",
        "empty answer",
        "only metadata",
        "not JSON",
        "not a list",
        "timeout",
    ],
)
def test_rasa_failure_answers_from_the_search(
    make_client: MakeClient, fake_server: StartServer, closed_port: int, catalogue: Catalogue, failure: str
) -> None:
    replies: dict[str, tuple[int, Any]] = {
        "HTTP 500": (500, {"error": "boom"}),
        "HTTP 503": (503, "Service Unavailable"),
        "empty answer": (200, []),
        "only metadata": (200, [{"custom": {"beratungskompass": {"service_ids": []}}}]),
        "not JSON": (200, "<html>proxy error</html>"),
        "not a list": (200, {"text": "hm"}),
        "timeout": (200, [{"text": "too late"}]),
    }
    if failure == "connection refused":
        url = f"http://127.0.0.1:{closed_port}"
    else:
        rasa = fake_server(routes=rasa_routes(replies[failure]), delay=1.0 if failure == "timeout" else 0.0)
        url = rasa.url
    client = make_client(chat_backend="rasa", rasa_url=url, rasa_read_timeout=0.3)
    service_id, query = _query_for(catalogue)
    response = client.post(CHAT, json={"session_id": None, "message": query})
    assert response.status_code == 200
    _assert_search_fallback(response.json(), catalogue, service_id, notice=True)


def test_search_only_mode_answers_from_the_search_without_the_notice(client: TestClient, catalogue: Catalogue) -> None:
    service_id, query = _query_for(catalogue)
    body = client.post(CHAT, json={"message": query}).json()
    _assert_search_fallback(body, catalogue, service_id, notice=False)
    assert body["messages"][0]["text"] == dialogue.SEARCH_ONLY_INTRO


def test_fallback_buttons_keep_working_without_the_dialogue(client: TestClient, catalogue: Catalogue) -> None:
    service = next(s for s in catalogue if s.documents)
    choose = build_payload("choose_service", service_id=service.id)
    body = client.post(CHAT, json={"message": choose}).json()
    assert body["metadata"] == {
        "service_ids": [service.id], "authority": None, "handoff": None, "fallback": True, "language": "de"
    }
    assert service.teaser in body["messages"][-1]["text"]
    documents = next(b for b in body["messages"][-1]["buttons"] if b["payload"].startswith("/ask_documents"))
    body = client.post(CHAT, json={"message": documents["payload"]}).json()
    assert all(item in body["messages"][-1]["text"] for item in service.documents)


@pytest.mark.parametrize("message", ["/choose_service{kaputt", "/x{}", '/choose_service{"service_id":"../../etc"}'])
def test_slash_text_outside_the_payload_grammar_is_searched_as_text(
    client: TestClient, retriever: Retriever, message: str
) -> None:
    body = client.post(CHAT, json={"message": message}).json()
    hits = retriever.search(message, dialogue.FALLBACK_TOP)
    assert body["metadata"]["service_ids"] == [h.id for h in hits] and body["metadata"]["fallback"] is True


@pytest.mark.parametrize("message", ["/affirm", "/deny", '/choose_service{"service_id":"gibt-es-nicht"}'])
def test_fallback_for_payloads_it_cannot_serve(client: TestClient, message: str) -> None:
    response = client.post(CHAT, json={"message": message})
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"] == {
        "service_ids": [], "authority": None, "handoff": None, "fallback": True, "language": "de"
    }
    assert [m["text"] for m in body["messages"]] == [dialogue.PAYLOAD_WITHOUT_DIALOGUE]


@pytest.mark.parametrize("message", ["qqqxxyzzz", "Hallo", "?!", "42"])
def test_fallback_answer_agrees_with_the_search(client: TestClient, retriever: Retriever, message: str) -> None:
    hits = retriever.search(message, dialogue.FALLBACK_TOP)
    body = client.post(CHAT, json={"message": message}).json()
    assert body["metadata"]["fallback"] is True
    assert body["metadata"]["service_ids"] == [h.id for h in hits]
    if not hits:
        assert [m["text"] for m in body["messages"]] == [dialogue.NO_HITS]


# --- bad input ------------------------------------------------------------------------------------------------

BAD_TURNS: list[tuple[Any, str]] = [
    ({"message": ""}, "message"),
    ({"message": "   \n\t "}, "message"),
    ({"message": "\x00\x01\x02"}, "message"),
    ({"message": "x" * (MESSAGE_MAX + 1)}, "message"),
    ({"message": 42}, "message"),
    ({}, "message"),
    ({"session_id": "short", "message": "Hallo"}, "session_id"),
    ({"session_id": "a" * 65, "message": "Hallo"}, "session_id"),
    ({"session_id": "../../etc/passwd", "message": "Hallo"}, "session_id"),
    ({"session_id": "abcdefgh; DROP TABLE events", "message": "Hallo"}, "session_id"),
    ({"session_id": 12345678, "message": "Hallo"}, "session_id"),
]


@pytest.mark.parametrize(("payload", "parameter"), BAD_TURNS)
def test_bad_chat_input_is_422_with_a_reason(client: TestClient, payload: Any, parameter: str) -> None:
    response = client.post(CHAT, json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post(CHAT, content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post(CHAT, json={"message": "x" * 200_000})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body is streamed
        yield b'{"message": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    streamed = client.post(CHAT, content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "too_large"


def test_message_of_exactly_the_limit_is_accepted(client: TestClient) -> None:
    assert client.post(CHAT, json={"message": "Hilfe " * (MESSAGE_MAX // 6)}).status_code == 200


# --- deleting a conversation ----------------------------------------------------------------------------------


def _tracker_db(path: Path, rows: list[tuple[str, str]]) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT)")
        connection.executemany("INSERT INTO events (sender_id, type_name) VALUES (?, ?)", rows)
    connection.close()
    return path


def _senders(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT sender_id FROM events ORDER BY id")]
    finally:
        connection.close()


def test_delete_empties_the_tracker_and_its_stored_rows(
    make_client: MakeClient, fake_server: StartServer, tmp_path: Path
) -> None:
    db = _tracker_db(
        tmp_path / "tracker.db", [("session-one", "user"), ("session-two", "user"), ("session-one", "bot")]
    )
    rasa = fake_server(routes=rasa_routes((200, [])))
    client = _rasa_client(make_client, rasa, tracker_db=db)
    response = client.delete(f"{CHAT}/session-one")
    assert response.status_code == 204
    assert response.content == b""
    [put] = [r for r in rasa.requests if r.method == "PUT"]
    assert put.path == "/conversations/session-one/tracker/events"
    assert put.query == {"token": [TOKEN]}
    assert put.body == []
    assert _senders(db) == ["session-two"]


def test_delete_without_a_tracker_db_file(make_client: MakeClient, fake_server: StartServer, tmp_path: Path) -> None:
    rasa = fake_server(routes=rasa_routes((200, [])))
    client = _rasa_client(make_client, rasa, tracker_db=tmp_path / "missing.db")
    assert client.delete(f"{CHAT}/session-one").status_code == 204


@pytest.mark.parametrize("failure", ["down", "HTTP 500", "HTTP 409"])
def test_delete_while_rasa_is_unavailable_is_503(
    make_client: MakeClient, fake_server: StartServer, closed_port: int, tmp_path: Path, failure: str
) -> None:
    db = _tracker_db(tmp_path / "tracker.db", [("session-one", "user")])
    if failure == "down":
        url = f"http://127.0.0.1:{closed_port}"
    else:
        status = int(failure.split()[1])
        url = fake_server(routes={"PUT /conversations/*": (status, {"message": "no"})}).url
    client = make_client(chat_backend="rasa", rasa_url=url, tracker_db=db)
    response = client.delete(f"{CHAT}/session-one")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "dialogue_unavailable"
    assert TOKEN not in response.text
    assert _senders(db) == ["session-one"]


def test_delete_in_search_only_mode_is_204(client: TestClient) -> None:
    assert client.delete(f"{CHAT}/session-one").status_code == 204


@pytest.mark.parametrize("session_id", ["short", "a" * 65, "bad%20id!", "..%2F..%2Fx"])
def test_delete_with_an_invalid_session_id(client: TestClient, session_id: str) -> None:
    response = client.delete(f"{CHAT}/{session_id}")
    assert response.status_code in (404, 422)
    assert response.json()["error"] in ("invalid_request", "not_found")


def test_rasa_and_tracker_store_down_says_so_plainly(make_client: MakeClient, closed_port: int) -> None:
    client = make_client(chat_backend="rasa", rasa_url=f"http://127.0.0.1:{closed_port}",
                         tracker_url=f"postgresql://bk@127.0.0.1:{closed_port}/postgres")  # fmt: skip
    response = client.post("/api/v1/chat", json={"session_id": None, "message": "Welche Unterlagen brauche ich?"})
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"]["fallback"] is True
    assert body["messages"][0]["text"].startswith("Der Dialog-Assistent ist gerade nicht erreichbar, und auf den")
    assert "Traceback" not in response.text and str(closed_port) not in response.text
