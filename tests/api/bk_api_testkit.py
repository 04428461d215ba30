"""Helpers of the API tests: a fake HTTP server (stands in for Rasa and the action server), the test token."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from api.settings import Settings

TOKEN = "test-token-123"


@dataclass
class Recorded:
    """A request the fake server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any


Reply = tuple[int, Any]  # status, JSON body (a str is sent as is)


@dataclass
class FakeServer:
    """A real HTTP server on a free loopback port; ``routes`` maps "METHOD /path" to a reply or a callable."""

    routes: dict[str, Reply | Callable[[Recorded], Reply]] = field(default_factory=dict)
    delay: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, method: str, path: str) -> Reply | Callable[[Recorded], Reply] | None:
        """The route for a request: an exact "METHOD /path" key, or a "METHOD /prefix*" key."""
        exact = self.routes.get(f"{method} {path}")
        if exact is not None:
            return exact
        for key, route in self.routes.items():
            key_method, _, key_path = key.partition(" ")
            if key_method == method and key_path.endswith("*") and path.startswith(key_path[:-1]):
                return route
        return None


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            recorded = Recorded(self.command, parts.path, parse_qs(parts.query), body)
            fake.requests.append(recorded)
            route = fake.route(self.command, parts.path)
            if fake.delay:
                time.sleep(fake.delay)
            status, payload = (
                (404, {"error": "no route"}) if route is None else (route(recorded) if callable(route) else route)
            )
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - names required by BaseHTTPRequestHandler

    return Handler


def rasa_routes(answer: Reply | Callable[[Recorded], Reply]) -> dict[str, Reply | Callable[[Recorded], Reply]]:
    """Routes of a fake Rasa server whose REST channel gives ``answer``."""
    return {
        "POST /webhooks/tokenrest/webhook": answer,
        "GET /status": (200, {"model_file": "models/test.tar.gz", "num_active_training_jobs": 0}),
        "PUT /conversations/*": (200, {"sender_id": "x", "events": []}),
    }


@contextmanager
def serving(fake: FakeServer) -> Iterator[FakeServer]:
    """Run ``fake`` on a free loopback port until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


MakeSettings = Callable[..., Settings]  # fixture make_settings(**overrides)
MakeClient = Callable[..., TestClient]  # fixture make_client(**settings overrides)
StartServer = Callable[..., FakeServer]  # fixture fake_server(routes=..., delay=...)
