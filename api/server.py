"""uvicorn's httptools protocol with bounds against slow and oversized clients.

uvicorn itself bounds none of these: with httptools any header size is accepted, a connection that never finishes
its headers is kept forever (the keep-alive timer is cancelled by every byte), and idle connections are not counted.
``bounded_protocol(...)`` returns a protocol class (passed to ``uvicorn.run(http=...)``) that

* closes a connection whose request line and headers are not complete ``header_timeout`` seconds after the
  connection (or the request) started, with a 408;
* answers 431 and closes when the request line and headers exceed ``max_header_bytes``;
* closes a new connection at once, with a 503, while ``max_connections`` are open.

Request bodies are bounded in time by api.security.ReceiveTimeout and in size by api.handlers.BodyLimit.
A reverse proxy in front (README, "Security") should bound the same things; these bounds hold without one too.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _plain_response(status: str, text: str) -> bytes:
    body = text.encode("ascii")
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode("ascii") + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with header size, header time and connection count bounds (class attributes)."""

    max_header_bytes = 16 * 1024
    header_timeout = 10.0
    max_connections = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._in_headers = False
        self._refused = False

    # connection
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self._refuse("503 Service Unavailable", "too many connections\n")
            return
        self._start_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._in_headers and (self.cycle is None or self.cycle.response_complete) and not self.pipeline:
            self._start_headers()  # the first bytes of the next request on a kept-alive connection
        counted = self._in_headers
        super().data_received(data)
        if counted and self._in_headers and not self._refused:
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self._refuse("431 Request Header Fields Too Large", "request headers too large\n")

    # parser callbacks
    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._in_headers = False
        self._stop_header_timer()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_header_bytes:
            self._refuse("431 Request Header Fields Too Large", "request headers too large\n")
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    # helpers
    def _start_headers(self) -> None:
        self._in_headers = True
        self._header_bytes = 0
        self._stop_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._in_headers and not self.transport.is_closing():
            self._refuse("408 Request Timeout", "request headers not received in time\n")

    def _refuse(self, status: str, text: str) -> None:
        self._refused = True
        self._in_headers = False
        self._stop_header_timer()
        if not self.transport.is_closing():
            self.transport.write(_plain_response(status, text))
            self.transport.close()


def bounded_protocol(*, max_header_bytes: int, header_timeout: float, max_connections: int) -> type[HttpToolsProtocol]:
    """A BoundedHttpToolsProtocol subclass with these limits, for ``uvicorn.run(http=...)``."""
    return type(
        "ConfiguredHttpToolsProtocol",
        (BoundedHttpToolsProtocol,),
        {"max_header_bytes": max_header_bytes, "header_timeout": header_timeout, "max_connections": max_connections},
    )
