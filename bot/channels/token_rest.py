"""TokenRestInput: Rasa's REST channel behind a shared secret, for the API gateway on the same machine.

Registered in credentials.yml under its module path; its URL name is "tokenrest":

    POST /webhooks/tokenrest/webhook?token=<BK_RASA_TOKEN>      {"sender": "...", "message": "...", "metadata": {}}
    POST /webhooks/tokenrest/webhook   Authorization: Bearer <BK_RASA_TOKEN>

Every route of the channel (the webhook and its health check GET /webhooks/tokenrest/) answers 401 without the
right token. Requests whose body is not a JSON object with a string `sender` and `message` get 400 instead of the
REST channel's 500. The token comes from credentials.yml (`token: ${BK_RASA_TOKEN}`); an empty token is refused at
start-up, so the channel can never run open.

A turn that fails inside Rasa (the tracker store is down, an action cannot be run, ...) is answered with HTTP 500
and ``{"error": "turn_failed"}``. Rasa's own REST channel answers 200 with whatever messages were collected, often
none, and logs the user's message with the exception; here the caller (the API, which then answers from the search
and may try another replica) learns that the turn failed, and the log gets the exception's class, never the text.
Streaming (``?stream=true``) is not offered: the API does not use it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


class TokenRestInput(RestInput):
    """The REST channel, answering only requests that carry the shared token."""

    @classmethod
    def name(cls) -> str:
        return "tokenrest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> TokenRestInput:
        token = str((credentials or {}).get("token") or "").strip()
        if not token:
            raise ValueError("credentials.yml: the tokenrest channel needs a non-empty `token` (BK_RASA_TOKEN)")
        return cls(token)

    def __init__(self, token: str) -> None:
        self._token = token

    def request_token(self, request: Request) -> Optional[str]:
        """The token of a request: query parameter `token`, else an `Authorization: Bearer` header."""
        token = request.args.get("token")
        if token:
            return str(token)
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None

    def is_authorized(self, request: Request) -> bool:
        given = self.request_token(request)
        return given is not None and hmac.compare_digest(given.encode(), self._token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        channel = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @channel.on_request
        async def check_request(request: Request) -> Optional[HTTPResponse]:
            if not self.is_authorized(request):
                logger.warning("tokenrest: refused a request without the right token (%s %s)", request.method,
                               request.path)  # fmt: skip
                return response.json({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})
            if request.method == "POST":
                problem = _body_problem(request)
                if problem:
                    return response.json({"error": problem}, status=400)
            return None

        @channel.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @channel.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json
            collector = CollectingOutputChannel()
            message = UserMessage(
                body["message"],
                collector,
                body["sender"],
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
            )
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("tokenrest: a turn was cancelled (timeout)")
                return response.json({"error": "turn_cancelled"}, status=503)
            except Exception as exc:  # noqa: BLE001 - any failure of the turn is reported to the caller
                logger.error("tokenrest: a turn failed (%s)", exception_names(exc))
                return response.json({"error": "turn_failed"}, status=500)
            return response.json(collector.messages)

        return channel


def exception_names(exc: BaseException) -> str:
    """The classes of an exception and of its causes ("OperationalError <- ..."): no message, which may quote the
    user's text or a database URL."""
    names = []
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen and len(names) < 5:
        seen.add(id(current))
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return " <- ".join(names)


def _body_problem(request: Request) -> Optional[str]:
    try:
        body = request.json
    except Exception:  # sanic raises InvalidUsage for malformed JSON
        return "the body must be JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if not isinstance(body.get("sender"), str) or not body["sender"]:
        return "`sender` must be a non-empty string"
    if not isinstance(body.get("message"), str):
        return "`message` must be a string"
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return "`metadata` must be an object"
    return None
