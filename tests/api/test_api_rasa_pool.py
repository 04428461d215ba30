"""RasaPool against fake replicas: spreading, failover, and a turn that was saved before its replica died."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from bk_api_testkit import TOKEN, Recorded, StartServer, rasa_routes

from api.errors import RasaTimeoutError
from api.rasa_client import RasaClient, replay_turn
from api.rasa_pool import RasaPool

pytestmark = pytest.mark.asyncio

ANSWER = [{"recipient_id": "abcdefgh", "text": "Hallo"}]


def _pool(http: httpx.AsyncClient, *urls: str) -> RasaPool:
    return RasaPool([RasaClient(http, url, TOKEN) for url in urls], backoff=30.0)


def _saved_tracker(message_id: str) -> dict[str, Any]:
    """A tracker as a replica saved it: the user message with its id, then the bot's answer."""
    return {
        "sender_id": "abcdefgh",
        "events": [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "Hi", "metadata": {"message_id": message_id}},
            {"event": "bot", "text": "Erster Teil\n\nZweiter Teil", "data": {}},
            {"event": "bot", "text": "Wählen Sie", "data": {"buttons": [{"title": "Ja", "payload": "/affirm"}]}},
            {"event": "bot", "data": {"custom": {"beratungskompass": {"service_ids": ["blindengeld"]}}}},
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "Next", "metadata": {"message_id": "later"}},
            {"event": "bot", "text": "Not this turn", "data": {}},
        ],
    }


async def test_turns_are_spread_over_the_replicas(fake_server: StartServer) -> None:
    a, b = fake_server(routes=rasa_routes((200, ANSWER))), fake_server(routes=rasa_routes((200, ANSWER)))
    async with httpx.AsyncClient() as http:
        pool = _pool(http, a.url, b.url)
        for _ in range(4):
            assert await pool.send("abcdefgh", "Hi") == ANSWER
    assert len(a.requests) == len(b.requests) == 2


async def test_a_dead_replica_is_marked_down_and_the_turn_goes_to_another(
    fake_server: StartServer, closed_port: int
) -> None:
    live = fake_server(routes=rasa_routes((200, ANSWER)))
    async with httpx.AsyncClient() as http:
        pool = _pool(http, f"http://127.0.0.1:{closed_port}", live.url)
        assert await pool.send("abcdefgh", "Hi") == ANSWER
        dead = pool.replicas[0]
        assert dead.state == "down" and dead.reason and "not reachable" in dead.reason
        assert await pool.send("abcdefgh", "Hi again") == ANSWER
    # connection refused: the request never reached Rasa, so no tracker read before the re-send
    assert [r.path for r in live.requests] == ["/webhooks/tokenrest/webhook"] * 2


async def test_a_turn_saved_before_its_replica_died_is_answered_from_the_tracker(fake_server: StartServer) -> None:
    """The first replica saves the turn and then fails (HTTP 500 stands for the lost answer); the other replica is
    asked for the tracker and must not process the message a second time."""
    saved: dict[str, str] = {}

    def save_then_die(request: Recorded) -> tuple[int, Any]:
        saved["id"] = request.body["metadata"]["message_id"]
        return 500, {"error": "died"}

    first = fake_server(routes=rasa_routes(save_then_die))
    second = fake_server(routes={
        **rasa_routes((200, [{"recipient_id": "abcdefgh", "text": "processed twice"}])),
        "GET /conversations/*": lambda _: (200, _saved_tracker(saved["id"])),
    })  # fmt: skip
    async with httpx.AsyncClient() as http:
        answer = await _pool(http, first.url, second.url).send("abcdefgh", "Hi")
    assert [m.get("text") for m in answer] == ["Erster Teil", "Zweiter Teil", "Wählen Sie", None]
    assert answer[2]["buttons"] == [{"title": "Ja", "payload": "/affirm"}]
    assert answer[3]["custom"] == {"beratungskompass": {"service_ids": ["blindengeld"]}}
    assert [r.method for r in second.requests] == ["GET"]  # read, never sent again


async def test_a_turn_not_saved_is_sent_again_with_the_same_message_id(fake_server: StartServer) -> None:
    first = fake_server(routes=rasa_routes((502, {"error": "bad gateway"})))
    second = fake_server(routes={
        **rasa_routes((200, ANSWER)),
        "GET /conversations/*": (200, {"sender_id": "abcdefgh", "events": []}),
    })  # fmt: skip
    async with httpx.AsyncClient() as http:
        assert await _pool(http, first.url, second.url).send("abcdefgh", "Hi") == ANSWER
    get, post = second.requests
    assert (get.method, post.method) == ("GET", "POST")
    assert post.body["metadata"]["message_id"] == first.requests[0].body["metadata"]["message_id"]


async def test_after_a_timeout_an_unsaved_turn_is_not_sent_again(fake_server: StartServer) -> None:
    slow = fake_server(routes=rasa_routes((200, ANSWER)), delay=1.0)
    other = fake_server(routes={
        **rasa_routes((200, ANSWER)),
        "GET /conversations/*": (200, {"sender_id": "abcdefgh", "events": []}),
    })  # fmt: skip
    async with httpx.AsyncClient(timeout=0.3) as http:
        pool = _pool(http, slow.url, other.url)
        with pytest.raises(RasaTimeoutError):
            await pool.send("abcdefgh", "Hi")
    assert [r.method for r in other.requests] == ["GET"]


async def test_all_down_fails_at_once_and_the_prober_takes_a_replica_back(fake_server: StartServer) -> None:
    status: dict[str, int] = {"code": 500}
    rasa = fake_server(routes={
        **rasa_routes((200, ANSWER)),
        "GET /status": lambda _: (status["code"], {}),
    })  # fmt: skip
    async with httpx.AsyncClient() as http:
        pool = RasaPool([RasaClient(http, rasa.url, TOKEN)], backoff=0.01)
        await pool.probe_all()
        assert pool.replicas[0].state == "down"
        with pytest.raises(Exception, match="no Rasa replica is up"):
            await pool.send("abcdefgh", "Hi")
        status["code"] = 200
        async with pool.running(interval=0.02):
            for _ in range(100):
                if pool.replicas[0].state == "up":
                    break
                await asyncio.sleep(0.02)
        assert pool.replicas[0].state == "up" and pool.replicas[0].last_failure is not None
        assert await pool.send("abcdefgh", "Hi") == ANSWER


async def test_replay_finds_nothing_for_an_unknown_message_id() -> None:
    assert replay_turn(_saved_tracker("abc"), "other") is None
    assert replay_turn({"events": "broken"}, "abc") is None
