"""Async client of one Rasa server: the token-protected REST channel, the tracker HTTP API and /status.

One ``httpx.AsyncClient`` is shared (created in the lifespan). Problems are raised as api.errors.RasaError
subclasses that say whether the request may have reached Rasa (api.rasa_pool decides on that whether a turn may be
sent to another replica); the token never appears in an exception message or log line.

Wire format of the REST channel (a list, one entry per bot message)::

    [{"recipient_id": "abc", "text": "…", "buttons": [{"title": "…", "payload": "/affirm"}]},
     {"recipient_id": "abc", "custom": {"beratungskompass": {"service_ids": ["blindengeld"], …}}}]

The request may carry ``metadata`` (contract.chat.MessageMetadata); Rasa stores it on the conversation's
``UserUttered`` event, where ``replay_turn`` finds a turn again by its ``message_id``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypedDict, cast

import httpx

from api.errors import RasaResponseError, RasaTimeoutError, RasaUnavailableError, RasaUnreachableError

logger = logging.getLogger(__name__)


class RasaButton(TypedDict):
    """A button of a Rasa bot message."""

    title: str  # label
    payload: str  # intent payload, e.g. '/choose_service{"service_id":"blindengeld"}'


class RasaMessage(TypedDict, total=False):
    """One bot message as the REST channel returns it."""

    recipient_id: str  # the sender id of the conversation
    text: str  # plain text of an utterance
    buttons: list[RasaButton]  # quick replies
    custom: dict[str, Any]  # json_message payload; ours is {"beratungskompass": {...}}


class RasaClient:
    """Talks to one Rasa server over loopback."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str, *, status_timeout: float = 1.5) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._status_timeout = status_timeout

    @property
    def base_url(self) -> str:
        """The Rasa server address (without token)."""
        return self._base_url

    def _params(self) -> dict[str, str]:
        return {"token": self._token} if self._token else {}

    async def _request(
        self, method: str, path: str, *, json: Any = None, timeout: float | httpx.Timeout | None = None
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {"params": self._params(), "json": json}
        if timeout is not None:
            kwargs["timeout"] = timeout
        try:
            response = await self._http.request(method, f"{self._base_url}{path}", **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise RasaUnreachableError(f"Rasa is not reachable ({type(exc).__name__})") from None
        except httpx.TimeoutException as exc:
            raise RasaTimeoutError(f"Rasa did not answer in time ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise RasaUnavailableError(f"Rasa is not reachable ({type(exc).__name__})") from None
        if response.status_code >= 400:
            raise RasaResponseError(
                f"Rasa answered HTTP {response.status_code} to {method} {path}", response.status_code
            )
        return response

    async def send(self, sender: str, message: str, *, metadata: Mapping[str, Any] | None = None) -> list[RasaMessage]:
        """Send one user message through the REST channel (with ``metadata`` when given); the bot messages."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = dict(metadata)
        response = await self._request("POST", "/webhooks/tokenrest/webhook", json=body)
        try:
            data = response.json()
        except ValueError:
            raise RasaResponseError("Rasa answered with a body that is not JSON", response.status_code) from None
        if not isinstance(data, list):
            raise RasaResponseError("Rasa answered with JSON that is not a list of messages", response.status_code)
        return [cast(RasaMessage, m) for m in data if isinstance(m, dict)]

    async def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker as the tracker store holds it (``GET /conversations/{id}/tracker``; Rasa reads
        it without taking the conversation's lock and saves nothing)."""
        response = await self._request("GET", f"/conversations/{sender}/tracker")
        try:
            data = response.json()
        except ValueError:
            raise RasaResponseError("Rasa answered with a tracker that is not JSON", response.status_code) from None
        if not isinstance(data, dict) or not isinstance(data.get("events"), list):
            raise RasaResponseError("Rasa answered with a tracker without events", response.status_code)
        return data

    async def reset(self, sender: str) -> None:
        """Replace the conversation's events with none (Rasa HTTP API ``PUT …/tracker/events``)."""
        await self._request("PUT", f"/conversations/{sender}/tracker/events", json=[])

    async def status(self) -> None:
        """Succeed when the server is up, accepts the token and has a model loaded (``GET /status``)."""
        await self._request("GET", "/status", timeout=self._status_timeout)


def replay_turn(tracker: Mapping[str, Any], message_id: str) -> list[RasaMessage] | None:
    """The bot messages of the turn whose user message carried ``metadata.message_id``, rebuilt from the tracker's
    events as the REST channel's CollectingOutputChannel would have sent them; None when the tracker has no such
    user message (the turn was never processed, or not saved).

    Rasa saves a turn's events in one write at its end (rasa.core.processor.handle_message), so a saved user
    message is always followed by all the bot messages of its turn, up to the next user message.
    """
    events = tracker.get("events")
    if not isinstance(events, list):
        return None
    sender = str(tracker.get("sender_id") or "")
    found = False
    messages: list[RasaMessage] = []
    for event in events:
        if not isinstance(event, dict):
            continue
        if event.get("event") == "user":
            if found:
                break
            metadata = event.get("metadata")
            found = isinstance(metadata, dict) and metadata.get("message_id") == message_id
        elif found and event.get("event") == "bot":
            messages.extend(_bot_messages(sender, event))
    return messages if found else None


def _bot_messages(sender: str, event: Mapping[str, Any]) -> list[RasaMessage]:
    """One BotUttered event as REST-channel messages (rasa.core.channels.channel.OutputChannel.send_response):
    text with buttons as one message, text alone split at blank lines, then the custom payload."""
    raw = event.get("data")
    data: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    text = event.get("text")
    buttons = data.get("buttons")
    out: list[RasaMessage] = []
    if isinstance(buttons, list) and buttons:
        out.append(RasaMessage(recipient_id=sender, text=text if isinstance(text, str) else "", buttons=buttons))
    elif isinstance(text, str) and text:
        out.extend(RasaMessage(recipient_id=sender, text=part) for part in text.strip().split("\n\n"))
    custom = data.get("custom")
    if isinstance(custom, dict) and custom:
        out.append(RasaMessage(recipient_id=sender, custom=custom))
    return out
