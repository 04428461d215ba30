"""Run in the Rasa environment (.venv-rasa) by tests/rasa/test_rasa_server.py: exercise the fixes of
scripts/rasa_server.py against Rasa's real classes and print what happened as one JSON object."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import rasa_server

SECRET = "Mein Sohn ist 4 und spricht noch nicht"  # stands for a user's message inside a database error


class BrokenStore:
    """A tracker store whose every operation fails with an error that quotes a user's message."""

    domain = None
    event_broker = None

    async def retrieve(self, sender_id: str) -> Any:
        raise RuntimeError(f"connection refused while reading '{SECRET}'")

    async def save(self, tracker: Any) -> None:
        raise RuntimeError(f"connection refused while writing '{SECRET}'")


async def tracker_store() -> dict[str, Any]:
    from rasa.core.tracker_store import FailSafeTrackerStore, create_engine_kwargs
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    store = FailSafeTrackerStore.__new__(FailSafeTrackerStore)
    store._tracker_store = BrokenStore()
    store._fallback_tracker_store = None
    store._on_tracker_store_error = None
    found: dict[str, Any] = {}
    for name, call in (
        ("retrieve", lambda: store.retrieve("abc")),
        ("save", lambda: store.save(DialogueStateTracker("abc", Domain.empty().slots))),
    ):
        try:
            result = await call()
            found[name] = {"raised": None, "result": repr(result)}
        except Exception as exc:
            found[name] = {"raised": type(exc).__name__, "message": str(exc)}
    found["postgresql_kwargs"] = sorted(create_engine_kwargs("postgresql://u:p@127.0.0.1:1/bk"))
    found["pool_pre_ping"] = create_engine_kwargs("postgresql://u:p@127.0.0.1:1/bk").get("pool_pre_ping")
    found["sqlite_kwargs"] = sorted(create_engine_kwargs("sqlite:///x.db"))
    return found


async def action_calls(drop_first: int) -> dict[str, Any]:
    """A server that closes the first ``drop_first`` connections without an answer, then answers; an action call
    through a RemoteAction's endpoint."""
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        if connections <= drop_first:
            writer.transport.abort()  # RST: as a dead action server's queued connection
            return
        body = json.dumps({"events": [], "responses": []}).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)  # fmt: skip
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    remote = RemoteAction("action_example", endpoint)
    try:
        answer = await remote.action_endpoint.request(json={"next_action": "action_example"}, method="post")
        outcome = {"answer": answer, "raised": None}
    except Exception as exc:
        outcome = {"answer": None, "raised": type(exc).__name__}
    server.close()
    await server.wait_closed()
    return {**outcome, "connections": connections, "endpoint_class": type(remote.action_endpoint).__name__,
            "original_untouched": type(endpoint).__name__}  # fmt: skip


class FakeRequest:
    def __init__(self, body: dict[str, Any]) -> None:
        self.json = body


async def channel() -> dict[str, Any]:
    """The webhook of bot/channels/token_rest.py with a turn that works and one that fails inside Rasa."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bot.channels.token_rest import TokenRestInput

    async def answer(message: Any) -> None:
        await message.output_channel.send_text_message(message.sender_id, f"Antwort an {message.sender_id}")

    async def fail(message: Any) -> None:
        raise RuntimeError(f"the tracker store is down; message was '{message.text}'")

    found: dict[str, Any] = {}
    for name, handler in (("works", answer), ("fails", fail)):
        blueprint = TokenRestInput("token").blueprint(handler)
        [receive] = [r.handler for r in blueprint._future_routes if r.uri == "/webhook"]
        result = await receive(FakeRequest({"sender": "s1", "message": SECRET}))
        found[name] = {"status": result.status, "body": json.loads(result.body)}
    return found


async def main() -> None:
    rasa_server.patch_rasa()
    print(json.dumps({
        "channel": await channel(),
        "tracker_store": await tracker_store(),
        "one_broken_connection": await action_calls(drop_first=1),
        "always_broken": await action_calls(drop_first=10),
        "secret": SECRET,
    }))  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
