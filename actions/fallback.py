"""When the bot cannot help: action_default_fallback, action_human_contact, action_out_of_scope,
and the language level: action_set_leichte_sprache.

Failed turns (the fallback: low NLU confidence or nonsense; and a search that finds nothing) are counted in the slot
`failed_turns` by `not_understood`; on the second failure in a row it gives the contact of the office responsible
for the current service (or the Landschaftsverband's general contact) instead of asking again. Contacts come from
the catalogue only — no invented phone numbers.
"""

from __future__ import annotations

from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata, texts
from actions.context import BeratungsAction, Button, current_service, intent, leicht, slot_number
from actions.responsibility import ActionTellResponsibility, authority, contact_block, place_from_slots
from actions.service_info import service_summary

#: The failure on which the bot gives a contact instead of asking to rephrase.
CONTACT_AFTER_FAILURES: Final = 2
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
        or (e.get("event") == "slot" and e.get("name") == "failed_turns" and (e.get("value") or 0) > 0)
        for e in events[start:end]
    )


def not_understood(
    dispatcher: CollectingDispatcher, tracker: Tracker, first_text: str, buttons: list[Button] | None = None
) -> list[EventType]:
    """A failed turn: `first_text` (ask to rephrase), or on the second failure in a row the contact of the office
    responsible for the current service instead. Returns the event that stores the counter."""
    is_leicht = leicht(tracker)
    failed = int(slot_number(tracker, "failed_turns") or 0)
    if previous_turn_failed(tracker.events) is False:
        failed = 0  # an understood turn came in between
    failed += 1
    service = current_service(tracker)
    place = place_from_slots(tracker)
    if failed >= CONTACT_AFTER_FAILURES:
        block, auth = contact_block(service, place, is_leicht)
        dispatcher.utter_message(text=texts.FALLBACK_SECOND(is_leicht) + "\n" + block)
        failed = 0
    else:
        dispatcher.utter_message(text=first_text, buttons=buttons or [])
        auth = authority(service, place)
    metadata.emit(dispatcher, [service.id] if service else [], authority=auth, fallback=True)
    return [SlotSet("failed_turns", float(failed))]


class ActionDefaultFallback(BeratungsAction):
    """nlu_fallback / low confidence / nonsense: ask to rephrase; on the second failure in a row, give a contact."""

    def name(self) -> str:
        return FALLBACK_ACTION

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        from actions.search import only_a_place

        if only_a_place(tracker) is not None:  # "ok, und in 53721?" is understood after all: a place
            return ActionTellResponsibility().respond(dispatcher, tracker)  # understood: the counter is reset
        # Like Rasa's own default fallback: forget the misunderstood message, keep the counter.
        counter = not_understood(dispatcher, tracker, texts.FALLBACK_FIRST(leicht(tracker)))
        return [UserUtteranceReverted(), *counter]


class ActionHumanContact(BeratungsAction):
    """request_human: the contact of the office responsible for the current service, else the general contact."""

    def name(self) -> str:
        return "action_human_contact"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        is_leicht = leicht(tracker)
        service = current_service(tracker)
        place = place_from_slots(tracker)
        about = texts.HUMAN_ABOUT(is_leicht, title=service.button_title) if service else ""
        block, auth = contact_block(service, place, is_leicht)
        dispatcher.utter_message(text=texts.HUMAN_CONTACT(is_leicht, about=about) + "\n" + block)
        metadata.emit(dispatcher, [service.id] if service else [], authority=auth)
        return []


class ActionOutOfScope(BeratungsAction):
    """out_of_scope: what the bot can help with instead, and the Landschaftsverband's general contact."""

    def name(self) -> str:
        return "action_out_of_scope"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        is_leicht = leicht(tracker)
        block, _ = contact_block(None, place_from_slots(tracker), is_leicht)
        dispatcher.utter_message(
            text="\n".join([texts.OUT_OF_SCOPE(is_leicht), texts.OUT_OF_SCOPE_CONTACT(is_leicht), block])
        )
        metadata.emit(dispatcher, fallback=True)
        return []


class ActionSetLeichteSprache(BeratungsAction):
    """leichte_sprache_on / _off: switch the language level for the rest of the conversation."""

    def name(self) -> str:
        return "action_set_leichte_sprache"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        on = intent(tracker) != "leichte_sprache_off"
        service = current_service(tracker)
        if on:
            dispatcher.utter_message(text=texts.LEICHTE_SPRACHE_ON(True))
            if service is not None:
                dispatcher.utter_message(
                    text=texts.SHOW_SERVICE(True, title=service.button_title, text=service_summary(service, True))
                )
        else:
            dispatcher.utter_message(text=texts.LEICHTE_SPRACHE_OFF(False))
        place = place_from_slots(tracker)
        metadata.emit(dispatcher, [service.id] if service else [], authority=authority(service, place))
        return [SlotSet("leichte_sprache", on)]
