"""Exception handlers: every error answer is JSON ``{"error": code, "detail": reason, …}`` (api.schemas.ErrorBody)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError
from knowledge.errors import QueryError

logger = logging.getLogger(__name__)

_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media"}


def _where(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in ("query", "path", "body", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts)


async def api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


#: Plain reasons for constraints whose pydantic message shows a regular expression (api.schemas.HAS_TEXT_PATTERN).
_READABLE = {"string_pattern_mismatch": "must contain text, not only spaces or control characters"}


def _message(error: dict[str, Any]) -> str:
    loc = [str(p) for p in error.get("loc", ())]
    if error.get("type") == "string_pattern_mismatch" and loc[-1:] in (["q"], ["message"]):
        return _READABLE["string_pattern_mismatch"]
    return str(error.get("msg", ""))


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = [{**e, "msg": _message(e)} for e in exc.errors()]
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in raw
    ]
    detail = "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg', '')}" for e in raw) or "invalid request"
    body: dict[str, Any] = {"error": "invalid_request", "detail": detail, "errors": errors}
    if raw and raw[0].get("loc"):
        body["parameter"] = _where(raw[0]["loc"])
    return JSONResponse(body, status_code=422)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = {"error": _CODES.get(exc.status_code, "http_error"), "detail": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def query_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "invalid_query", "detail": str(exc), "parameter": "q"}, status_code=422)


async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error", exc_info=exc)
    return JSONResponse(
        {"error": "internal_error", "detail": "internal error; the log has the details"}, status_code=500
    )


class _BodyTooLarge(BaseException):
    """Raised inside BodyLimit when a streamed body passes the limit.

    A BaseException so that FastAPI's body parsing (which turns any Exception into a 400) lets it through.
    """


class BodyLimit:
    """ASGI middleware: a JSON 413 for request bodies over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is too large; at most {self.max_bytes} bytes are accepted"
        await JSONResponse({"error": "too_large", "detail": detail}, status_code=413)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(QueryError, query_error)
    app.add_exception_handler(Exception, internal_error)
