"""When the bot cannot help, and the language level.

    not_understood   a failed turn (low NLU confidence, nonsense, or a search that finds nothing): ask to rephrase;
                     on the second failure in a row, the contact of the office responsible for the case's service
                     (or the Landschaftsverband's general contact) instead of asking again
    out_of_scope     what the bot can help with instead, and the general contact
    leichte          switch Leichte Sprache on or off (the case's service is shown again in the new level)

The failures are counted in the slot `failed_turns`. Contacts come from the catalogue only (no invented numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata, texts
from actions.presenter import Button, service_summary
from actions.responsibility import authority, contact_block
from contract.chat import SLOT_FAILED, SLOT_LEICHT

if TYPE_CHECKING:
    from actions.understanding import Turn

#: The failure on which the bot gives a contact instead of asking to rephrase.
CONTACT_AFTER_FAILURES: Final = 2


def not_understood(
    dispatcher: CollectingDispatcher, turn: Turn, first_text: str, buttons: list[Button] | None = None
) -> list[EventType]:
    """A failed turn: `first_text` (ask to rephrase), or on the second failure in a row the contact of the office
    responsible for the case's service instead. Returns the event that stores the counter."""
    is_leicht, service, place = turn.leicht, turn.case.focus, turn.case.place_match
    failed = turn.failed + 1
    if failed >= CONTACT_AFTER_FAILURES:
        block, auth = contact_block(service, place, is_leicht)
        dispatcher.utter_message(text=texts.FALLBACK_SECOND(is_leicht) + "\n" + block)
        failed = 0
    else:
        dispatcher.utter_message(text=first_text, buttons=buttons or [])
        auth = authority(service, place)
    metadata.emit(dispatcher, [service.id] if service else [], authority=auth, fallback=True)
    return [SlotSet(SLOT_FAILED, float(failed))]


def out_of_scope(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """What the bot can help with instead, and the Landschaftsverband's general contact."""
    is_leicht = turn.leicht
    block, _ = contact_block(None, turn.case.place_match, is_leicht)
    dispatcher.utter_message(
        text="\n".join([texts.OUT_OF_SCOPE(is_leicht), texts.OUT_OF_SCOPE_CONTACT(is_leicht), block])
    )
    metadata.emit(dispatcher, fallback=True)
    return []


def leichte(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """leichte_sprache_on / _off: the language level for the rest of the conversation."""
    on = turn.intent != "leichte_sprache_off"
    service = turn.case.focus
    if on:
        dispatcher.utter_message(text=texts.LEICHTE_SPRACHE_ON(True))
        if service is not None:
            dispatcher.utter_message(
                text=texts.SHOW_SERVICE(True, title=service.button_title, text=service_summary(service, True))
            )
    else:
        dispatcher.utter_message(text=texts.LEICHTE_SPRACHE_OFF(False))
    metadata.emit(dispatcher, [service.id] if service else [], authority=authority(service, turn.case.place_match))
    return [SlotSet(SLOT_LEICHT, on)]
