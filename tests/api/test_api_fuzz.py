"""Odd input never makes a 5xx: unicode, control characters, very long, SQL-ish, HTML, broken encodings."""

from __future__ import annotations

import json
import random
import string
from typing import Any
from urllib.parse import quote

import pytest
from bk_api_testkit import MakeClient, Recorded, StartServer, rasa_routes
from fastapi.testclient import TestClient

ODD = [
    "Blindengeld 🦮👩‍🦯",
    "ÄÖÜäöüß ẞ é é",  # composed and decomposed
    "مرحبا بالعالم",
    "\u202eeldnilB\u202c",
    "z̶̡̢a̷l̸g̵o̶" * 20,
    "\x00\x01\x02 Hilfe \x1b[31m \x7f\x85",
    "\ufeff\u200b\u200d\u2028\u2029",
    "' OR 1=1 --",
    "Robert'); DROP TABLE events;--",
    "\" ; SELECT * FROM users WHERE '1'='1",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt; &amp;",
    "{{7*7}} ${jndi:ldap://x} %s %n",
    "../../../../etc/passwd",
    '/choose_service{"service_id":"../../x"}',
    '/choose_service{"service_id":{"$ne":1}}',
    "/" * 500,
    "a" * 999,
    "a" * 1000,
    "a" * 1001,
    "Hilfe " * 5000,
    " ",
    "",
    "\n\n\n",
    "\ud800 lone surrogate",
    "NaN",
    "-1",
    "null",
]


def _random_strings(count: int) -> list[str]:
    rng = random.Random(20261123)
    alphabet = string.printable + "äöüß€\u0000\u0007\u202e😀中文\u0301<>&\"'%\\/"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 1200))) for _ in range(count)]


INPUTS = ODD + _random_strings(12)


def _no_5xx(response: Any) -> None:
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    response.json()


def _post(client: TestClient, payload: object) -> Any:
    """POST JSON as a client would send it (lone surrogates as \\u escapes)."""
    return client.post("/api/v1/chat", content=json.dumps(payload), headers={"Content-Type": "application/json"})


@pytest.fixture
def loose_client(make_client: MakeClient) -> TestClient:
    return make_client(chat_rate_limit=0, search_rate_limit=0)


def _q(text: str) -> str:
    """Percent-encoded, byte for byte (lone surrogates as their raw, invalid UTF-8 bytes)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")[:20_000]


@pytest.mark.parametrize("text", INPUTS)
def test_services_endpoints(loose_client: TestClient, text: str) -> None:
    search = "/api/v1/services/search"
    _no_5xx(loose_client.get(f"{search}?q={_q(text)}"))
    _no_5xx(loose_client.get(f"{search}?q=Hilfe&top={_q(text)}"))
    _no_5xx(loose_client.get(f"{search}?q=Hilfe&lebenslage={_q(text)}&provider={_q(text)}"))
    _no_5xx(loose_client.get(f"/api/v1/services?target_group={_q(text)}"))
    _no_5xx(loose_client.get(f"/api/v1/services/{_q(text)}"))


@pytest.mark.parametrize("text", INPUTS)
def test_chat_search_only(loose_client: TestClient, text: str) -> None:
    response = _post(loose_client, {"session_id": None, "message": text})
    _no_5xx(response)
    _no_5xx(_post(loose_client, {"session_id": text, "message": "Hallo"}))
    if response.status_code == 200:
        assert all("\x00" not in m["text"] for m in response.json()["messages"])


@pytest.mark.parametrize("text", ODD)
def test_chat_with_rasa_echoing_odd_text(make_client: MakeClient, fake_server: StartServer, text: str) -> None:
    def echo(request: Recorded) -> tuple[int, object]:
        message = request.body["message"]
        return 200, [
            {"text": message, "buttons": [{"title": message, "payload": message}]},
            {
                "custom": {
                    "beratungskompass": {
                        "service_ids": [message],
                        "authority": message,
                        "handoff": {"service_id": message, "url": message},
                    }
                }
            },
        ]

    rasa = fake_server(routes=rasa_routes(echo))
    client = make_client(chat_backend="rasa", rasa_url=rasa.url, chat_rate_limit=0)
    _no_5xx(_post(client, {"message": text}))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b"null",
        b'"text"',
        b'{"message": null}',
        b"\xff\xfe\x00garbage",
        b'{"message": "\\ud800"}',
        b'{"message": "x", "session_id": [1]}',
        b"{" * 10_000,
    ],
)
def test_chat_raw_bodies(loose_client: TestClient, raw: bytes) -> None:
    _no_5xx(loose_client.post("/api/v1/chat", content=raw, headers={"Content-Type": "application/json"}))


def test_raw_query_strings(loose_client: TestClient) -> None:
    for query in ["q=%00", "q=%FF%FE", "q=%ED%A0%80", "q=%", "q=a&q=b", "top=1&top=2&q=x", "q=" + "%41" * 3000]:
        _no_5xx(loose_client.get(f"/api/v1/services/search?{query}"))
