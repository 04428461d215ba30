"""The conversation's language (issue 11): which language this turn's reply is in. Nothing here talks.

Order, per turn: the switch intent or its button payload (`/switch_language{"language":"en"}`) → that language;
else the language the API detected in this message (`metadata.language`); else the slot `language` (kept across
turns); else the widget's or partner's hint (`metadata.language_hint`); else German (DEFAULT_LANGUAGE).
"""

from __future__ import annotations

from typing import Any, cast

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata
from actions import tracker as read
from contract.chat import (
    DEFAULT_LANGUAGE,
    INTENT_SWITCH_LANGUAGE,
    PAYLOAD_KEY,
    SLOT_LANGUAGE,
    Language,
    MessageMetadata,
    choose_language,
)


def message_metadata(tracker: Tracker) -> MessageMetadata:
    """The metadata the API sent with the latest user message (empty when none). Rasa keeps it on the message's user
    event (latest_message does not carry it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return cast(MessageMetadata, metadata) if isinstance(metadata, dict) else MessageMetadata()
    return MessageMetadata()


def resolve(tracker: Tracker) -> Language:
    """The language of this turn's reply (see the module docstring for the order)."""
    switched = read.entity(tracker, "language") if read.intent(tracker) == INTENT_SWITCH_LANGUAGE else None
    metadata = message_metadata(tracker)
    return choose_language(
        switched, metadata.get("language"), tracker.get_slot(SLOT_LANGUAGE), metadata.get("language_hint")
    )


#: The languages the actions' texts (actions/texts.py, the domain responses) are written in. A reply says the
#: language it is really in, so that the widget's `lang` makes screen readers use the right voice; a conversation in
#: a language not listed here is kept in the slot but answered, and marked, in German.
REPLY_LANGUAGES: tuple[Language, ...] = ("de", "en")


def spoken(language: Language) -> Language:
    """The language a reply for a conversation in `language` is written in."""
    return language if language in REPLY_LANGUAGES else DEFAULT_LANGUAGE


def keep(tracker: Tracker, language: Language) -> list[EventType]:
    """The slot event that stores the language, when it changed. The default alone is not stored: while nothing
    told the language, a later hint may still set it."""
    slot = tracker.get_slot(SLOT_LANGUAGE)
    if slot == language or (slot is None and language == DEFAULT_LANGUAGE):
        return []
    return [SlotSet(SLOT_LANGUAGE, language)]


def stamp(dispatcher: CollectingDispatcher, language: Language) -> None:
    """Put the language into every turn-metadata payload the reply sent (TurnMetadata.language); a reply without
    one gets a payload that says only that (no services, no authority)."""
    stamped = False
    for message in dispatcher.messages:
        custom: Any = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get(PAYLOAD_KEY), dict):
            custom[PAYLOAD_KEY]["language"] = language
            stamped = True
    if not stamped:
        dispatcher.utter_message(json_message=metadata.build(language=language))
