"""Helpers of the end-to-end tests: one chat conversation through POST /api/v1/chat."""

from __future__ import annotations

from typing import Any

import httpx


class Conversation:
    """One chat session: sends messages, remembers the last answer."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.session_id: str | None = None
        self.last: dict[str, Any] = {}

    def say(self, message: str) -> dict[str, Any]:
        response = self.client.post("/api/v1/chat", json={"session_id": self.session_id, "message": message})
        assert response.status_code == 200, response.text
        self.last = response.json()
        self.session_id = self.last["session_id"]
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last["messages"])

    @property
    def messages_present(self) -> bool:
        """True when the last answer has at least one message with text."""
        return any(m.get("text") for m in self.last.get("messages", []))

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.last["messages"] for b in m.get("buttons", [])]

    @property
    def metadata(self) -> dict[str, Any]:
        return self.last["metadata"]

    def choose(self, service_id: str) -> dict[str, Any]:
        """Press the button of a service when offered; the service must be offered."""
        payloads = [b["payload"] for b in self.buttons if f'"{service_id}"' in b["payload"]]
        if self.metadata["service_ids"] == [service_id] and not payloads:
            return self.last  # already the one service the answer is about
        assert payloads, f"{service_id} not offered; buttons: {self.buttons}; text: {self.text}"
        return self.say(payloads[0])

    @property
    def ids(self) -> list[str]:
        """The service ids of the last answer."""
        return list(self.metadata["service_ids"])
