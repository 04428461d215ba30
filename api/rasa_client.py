"""Async client of the Rasa server: the token-protected REST channel, the tracker HTTP API and /status.

One ``httpx.AsyncClient`` is shared (created in the lifespan). Problems are raised as api.errors.RasaError
subclasses; the token never appears in an exception message or log line.

Wire format of the REST channel (a list, one entry per bot message)::

    [{"recipient_id": "abc", "text": "…", "buttons": [{"title": "…", "payload": "/affirm"}]},
     {"recipient_id": "abc", "custom": {"beratungskompass": {"service_ids": ["blindengeld"], …}}}]
"""

from __future__ import annotations

import logging
from typing import Any, TypedDict, cast

import httpx

from api.errors import RasaResponseError, RasaUnavailableError
from contract.chat import MessageMetadata

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
        except httpx.TimeoutException as exc:
            raise RasaUnavailableError(f"Rasa did not answer in time ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise RasaUnavailableError(f"Rasa is not reachable ({type(exc).__name__})") from None
        if response.status_code >= 400:
            raise RasaResponseError(
                f"Rasa answered HTTP {response.status_code} to {method} {path}", response.status_code
            )
        return response

    async def send(self, sender: str, message: str, metadata: MessageMetadata | None = None) -> list[RasaMessage]:
        """Send one user message (with its metadata: detected language, hint) through the REST channel; the bot
        messages of the turn."""
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

    async def reset(self, sender: str) -> None:
        """Replace the conversation's events with none (Rasa HTTP API ``PUT …/tracker/events``)."""
        await self._request("PUT", f"/conversations/{sender}/tracker/events", json=[])

    async def status(self) -> None:
        """Succeed when the server is up, accepts the token and has a model loaded (``GET /status``)."""
        await self._request("GET", "/status", timeout=self._status_timeout)
