"""Reading the tracker (slots, latest message, entities) and the base class of every action of this package."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import deps

if TYPE_CHECKING:
    from knowledge.schema import Service

Button = dict[str, str]


def leicht(tracker: Tracker) -> bool:
    """True when the citizen asked for Leichte Sprache."""
    return bool(tracker.get_slot("leichte_sprache"))


def intent(tracker: Tracker) -> str | None:
    """The intent of the latest user message."""
    value = (tracker.latest_message.get("intent") or {}).get("name")
    return str(value) if value else None


def user_text(tracker: Tracker) -> str:
    """The text of the latest user message; empty for button payloads ("/intent{…}")."""
    text = str(tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def entity(tracker: Tracker, name: str) -> str | None:
    """The first value of an entity in the latest message."""
    value = next(tracker.get_latest_entity_values(name), None)
    if value is None or value == "":
        return None
    return str(value)


def slot_text(tracker: Tracker, name: str) -> str | None:
    value = tracker.get_slot(name)
    return str(value) if value not in (None, "") else None


def slot_number(tracker: Tracker, name: str) -> float | None:
    value = tracker.get_slot(name)
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def service_by_id(service_id: str | None) -> Service | None:
    """The catalogue entry of an id, or None for unknown ids."""
    if not service_id:
        return None
    return deps.get_catalogue().get(service_id)


def current_service(tracker: Tracker) -> Service | None:
    """The service the turn is about: a `service_id` entity of the latest message (button), else the slot."""
    return service_by_id(entity(tracker, "service_id")) or service_by_id(slot_text(tracker, "service_id"))


def candidates(tracker: Tracker) -> list[Service]:
    """The services of the slot `candidate_ids` that exist in the catalogue."""
    ids = tracker.get_slot("candidate_ids") or []
    found = [service_by_id(str(i)) for i in ids if isinstance(i, str)]
    return [s for s in found if s is not None]


def button(title: str, intent_name: str, **entities: str) -> Button:
    """A Rasa button with the payload `/intent{"entity":"value"}`."""
    payload = "/" + intent_name
    if entities:
        payload += json.dumps(entities, ensure_ascii=False, separators=(",", ":"))
    return {"title": title, "payload": payload}


def text_button(title: str, payload_text: str) -> Button:
    """A button whose payload is plain text (it runs through NLU like a typed message)."""
    return {"title": title, "payload": payload_text}


def choose_buttons(services: list[Service]) -> list[Button]:
    return [button(s.button_title, "choose_service", service_id=s.id) for s in services]


class BeratungsAction(Action, ABC):
    """Base of the actions: runs `respond` and resets the counter of failed turns after an understood turn (a turn
    whose events do not set the counter themselves, as a failed one does: actions.fallback.not_understood)."""

    @abstractmethod
    def name(self) -> str:
        """The action name of docs/architecture.md."""

    @abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Say what is to be said (metadata payload last) and return the events."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        events = self.respond(dispatcher, tracker)
        counted = any(e.get("event") == "slot" and e.get("name") == "failed_turns" for e in events)
        if not counted and (slot_number(tracker, "failed_turns") or 0) > 0:
            events.append(SlotSet("failed_turns", 0.0))
        return events
