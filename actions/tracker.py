"""Reading the tracker: the latest message (intent, text, entities) and slot values. Nothing here talks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rasa_sdk import Tracker

from actions import deps
from contract.chat import SLOT_FAILED, SLOT_LEICHT, parse_payload

if TYPE_CHECKING:
    from knowledge.schema import Service


def leicht(tracker: Tracker) -> bool:
    """True when the citizen asked for Leichte Sprache."""
    return bool(tracker.get_slot(SLOT_LEICHT))


def intent(tracker: Tracker) -> str | None:
    """The intent of the latest user message."""
    value = (tracker.latest_message.get("intent") or {}).get("name")
    return str(value) if value else None


def user_text(tracker: Tracker) -> str:
    """The text of the latest user message; empty for button payloads of the grammar (contract.chat)."""
    text = str(tracker.latest_message.get("text") or "").strip()
    return "" if parse_payload(text) is not None else text


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


def slot_list(tracker: Tracker, name: str) -> list[object]:
    value = tracker.get_slot(name)
    return list(value) if isinstance(value, list) else []


def service_by_id(service_id: str | None) -> Service | None:
    """The catalogue entry of an id, or None for unknown ids."""
    if not service_id:
        return None
    return deps.get_catalogue().get(service_id)


FALLBACK_ACTION = "action_default_fallback"


def previous_turn_failed(events: list[dict[str, Any]]) -> bool | None:
    """Whether the user turn before the current one was not understood.

    None when the events do not tell (no earlier user turn). Looks at the raw events, where a turn that the
    fallback reverted (UserUtteranceReverted) is still visible: a failed turn ran the fallback action or set the
    counter `failed_turns` (a search that found nothing).
    """
    user_turns = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(user_turns) < 2:
        return None
    start, end = user_turns[-2], user_turns[-1]
    return any(
        (e.get("event") == "action" and e.get("name") == FALLBACK_ACTION)
        or (e.get("event") == "slot" and e.get("name") == SLOT_FAILED and (e.get("value") or 0) > 0)
        for e in events[start:end]
    )


def failed_before(tracker: Tracker) -> int:
    """How many turns in a row were not understood right before this one."""
    failed = int(slot_number(tracker, SLOT_FAILED) or 0)
    return 0 if previous_turn_failed(tracker.events) is False else failed
