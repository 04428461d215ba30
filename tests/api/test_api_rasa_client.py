"""The Rasa client against a fake server: wire format, errors as exceptions, no token in messages."""

from __future__ import annotations

import httpx
import pytest
from bk_api_testkit import TOKEN, StartServer, rasa_routes

from api.errors import RasaResponseError, RasaUnavailableError
from api.rasa_client import RasaClient

pytestmark = pytest.mark.asyncio


async def test_send_posts_to_the_token_rest_channel(fake_server: StartServer) -> None:
    rasa = fake_server(routes=rasa_routes((200, [{"recipient_id": "abcdefgh", "text": "Hallo"}, "junk"])))
    async with httpx.AsyncClient() as http:
        answer = await RasaClient(http, rasa.url, TOKEN).send("abcdefgh", "Hi")
    assert answer == [{"recipient_id": "abcdefgh", "text": "Hallo"}]
    request = rasa.requests[-1]
    assert (request.method, request.path, request.query) == ("POST", "/webhooks/tokenrest/webhook", {"token": [TOKEN]})
    assert request.body == {"sender": "abcdefgh", "message": "Hi"}


async def test_connection_refused_is_unavailable(closed_port: int) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(RasaUnavailableError) as info:
            await RasaClient(http, f"http://127.0.0.1:{closed_port}", TOKEN).send("abcdefgh", "Hi")
    assert TOKEN not in str(info.value)


async def test_timeout_is_unavailable(fake_server: StartServer) -> None:
    rasa = fake_server(routes=rasa_routes((200, [])), delay=1.0)
    async with httpx.AsyncClient(timeout=0.2) as http:
        with pytest.raises(RasaUnavailableError):
            await RasaClient(http, rasa.url, TOKEN).send("abcdefgh", "Hi")


@pytest.mark.parametrize(("status", "body"), [(500, {"e": 1}), (401, {"e": 1}), (200, "not json"), (200, {"a": 1})])
async def test_bad_answers_are_response_errors(fake_server: StartServer, status: int, body: object) -> None:
    rasa = fake_server(routes=rasa_routes((status, body)))
    async with httpx.AsyncClient() as http:
        with pytest.raises(RasaResponseError) as info:
            await RasaClient(http, rasa.url, TOKEN).send("abcdefgh", "Hi")
    assert TOKEN not in str(info.value)


async def test_reset_and_status(fake_server: StartServer) -> None:
    rasa = fake_server(routes=rasa_routes((200, [])))
    async with httpx.AsyncClient() as http:
        client = RasaClient(http, rasa.url, "")
        await client.reset("abcdefgh")
        await client.status()
    put, status = rasa.requests
    assert (put.method, put.path, put.body, put.query) == ("PUT", "/conversations/abcdefgh/tracker/events", [], {})
    assert (status.method, status.path) == ("GET", "/status")
