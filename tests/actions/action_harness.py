"""Test harness of the action tests: tracker snapshots and a runner that separates messages and metadata.

Trackers are built with `Tracker.from_dict` from JSON-like snapshots (what the Rasa server sends), actions run
with a `CollectingDispatcher`; tests look at the returned events and at what the bot said.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

#: Every slot of the dialogue contract with its initial value.
INITIAL_SLOTS: dict[str, Any] = {
    "service_id": None,
    "candidate_ids": None,
    "candidate_scores": None,
    "case_turns": None,
    "place": None,
    "ags": None,
    "landschaftsverband": None,
    "age": None,
    "gdb": None,
    "pflegegrad": None,
    "leichte_sprache": False,
    "language": None,
    "handoff_offered": False,
    "handoff_pending": None,
    "failed_turns": None,
}
PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


def snapshot(
    text: str = "",
    *,
    intent: str | None = None,
    entities: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A tracker state as the Rasa server sends it. A button payload ("/intent{…}") sets intent and entities."""
    found = PAYLOAD.match(text)
    if found:
        intent = intent or found["intent"]
        entities = {**json.loads(found["entities"] or "{}"), **(entities or {})}
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent or "describe_situation", "confidence": 1.0},
        "entities": [{"entity": k, "value": v, "start": 0, "end": 0} for k, v in (entities or {}).items()],
    }
    if metadata is not None:  # what the API sends with the message (contract.chat.MessageMetadata): Rasa keeps it
        # on the message's user event, not in latest_message
        events = [*(events or []), {"event": "user", "text": text, "parse_data": latest, "metadata": metadata}]
    return {
        "sender_id": "test-user",
        "slots": {**INITIAL_SLOTS, **(slots or {})},
        "latest_message": latest,
        "events": events or [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }


@dataclass
class Outcome:
    """What an action did: its events and its messages (the metadata payload separated)."""

    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    visible: list[dict[str, Any]] = field(init=False)
    metadata: dict[str, Any] | None = field(init=False)

    def __post_init__(self) -> None:
        self.visible = [m for m in self.messages if not m.get("custom")]
        custom = [m["custom"]["beratungskompass"] for m in self.messages if m.get("custom")]
        merged: dict[str, Any] = {}
        for part in custom:  # the API merges the payloads of a turn, later keys win
            merged.update(part)
        self.metadata = merged if custom else None

    @property
    def text(self) -> str:
        return "\n".join(m["text"] or "" for m in self.visible)

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.visible for b in m["buttons"]]

    @property
    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}

    @property
    def last_is_metadata(self) -> bool:
        return bool(self.messages) and bool(self.messages[-1].get("custom", {}).get("beratungskompass"))


def run(action: Action, state: dict[str, Any]) -> Outcome:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, Tracker.from_dict(state), {}))
    return Outcome(list(events), dispatcher.messages)


def run_turn(state: dict[str, Any], *actions: Action) -> Outcome:
    """Several actions in one turn, as the Rasa server runs them: slot events apply before the next action."""
    events: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for action in actions:
        out = run(action, state)
        events += out.events
        messages += out.messages
        slots = {**state["slots"], **out.slots}
        state = {**state, "slots": slots, "latest_action_name": action.name()}
    return Outcome(events, messages)


def choose(service_id: str) -> str:
    return '/choose_service{"service_id":"%s"}' % service_id  # noqa: UP031 - the exact Rasa payload


def chosen_ids(payloads: Sequence[str]) -> list[str]:
    """The service ids of the choose_service buttons."""
    prefix = "/choose_service"
    return [json.loads(p[len(prefix) :])["service_id"] for p in payloads if p.startswith(prefix + "{")]
