"""When the bot cannot help, the language level and the language.

    not_understood   a failed turn (low NLU confidence, nonsense, or a search that finds nothing): ask to rephrase;
                     on the second failure in a row, the contact of the office responsible for the case's service
                     (or the Landschaftsverband's general contact) instead of asking again
    out_of_scope     what the bot can help with instead, and the general contact
    leichte          switch Leichte Sprache on or off (the case's service is shown again in the new level)
    switch_language  the conversation goes on in another language (the case's service is shown again in it)

The failures are counted in the slot `failed_turns`. Contacts come from the catalogue only (no invented numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata, texts
from actions.presenter import Button, local, service_buttons, service_summary
from actions.responsibility import authority, contact_block
from actions.texts import Voice
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
    voice, service, place = turn.voice, turn.case.focus, turn.case.place_match
    failed = turn.failed + 1
    if failed >= CONTACT_AFTER_FAILURES:
        block, auth = contact_block(service, place, voice)
        dispatcher.utter_message(text=texts.FALLBACK_SECOND(voice) + "\n" + block)
        failed = 0
    else:
        dispatcher.utter_message(text=first_text, buttons=buttons or [])
        auth = authority(service, place)
    metadata.emit(dispatcher, [service.id] if service else [], authority=auth, fallback=True)
    return [SlotSet(SLOT_FAILED, float(failed))]


def out_of_scope(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """What the bot can help with instead, and the Landschaftsverband's general contact."""
    voice = turn.voice
    block, _ = contact_block(None, turn.case.place_match, voice)
    dispatcher.utter_message(
        text="\n".join([texts.OUT_OF_SCOPE(voice), texts.OUT_OF_SCOPE_CONTACT(voice), block])
    )
    metadata.emit(dispatcher, fallback=True)
    return []


def leichte(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """leichte_sprache_on / _off: the language level for the rest of the conversation."""
    on = turn.intent != "leichte_sprache_off"
    service = turn.case.focus
    voice = Voice.of(turn.voice.language, on)  # Leichte Sprache is German: in English it is stored, and explained
    if on:
        dispatcher.utter_message(text=texts.LEICHTE_SPRACHE_ON(voice))
        if service is not None and voice.leicht:
            dispatcher.utter_message(
                text=texts.SHOW_SERVICE(voice, title=service.button_title, text=service_summary(service, voice))
            )
    else:
        dispatcher.utter_message(text=texts.LEICHTE_SPRACHE_OFF(voice))
    metadata.emit(dispatcher, [service.id] if service else [], authority=authority(service, turn.case.place_match))
    return [SlotSet(SLOT_LEICHT, on)]


def switch_language(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """switch_language: confirm in the new language (the turn's voice is already it, actions.language) and show
    the case's service again in it. The slot itself is kept by the base action."""
    voice, service = turn.voice, turn.case.focus
    dispatcher.utter_message(text=texts.LANGUAGE_SWITCHED(voice))
    if service is not None:
        shown = local(service, voice)
        title = shown.button_title if voice.leicht else shown.title
        dispatcher.utter_message(
            text=texts.SHOW_SERVICE(voice, title=title, text=service_summary(service, voice)),
            buttons=service_buttons(service, voice),
        )
    metadata.emit(dispatcher, [service.id] if service else [], authority=authority(service, turn.case.place_match))
    return []
