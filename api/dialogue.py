"""One chat turn: the Rasa answer turned into the public reply, or an answer from the search alone.

``from_rasa`` keeps the visible messages (plain text, buttons) and merges the ``beratungskompass`` custom payloads
of the turn into the metadata (later keys win). ``from_search`` answers when Rasa is unavailable or the chat backend
is ``none``: the top services for the message, and for button payloads (``/choose_service{…}``, ``/ask_documents{…}``)
the service or section asked for, so the buttons keep working without the dialogue assistant.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from actions import presenter
from actions.responsibility import office_name, responsibility_text
from actions.texts import Voice
from api.case_state import StoredCase
from api.rasa_client import RasaMessage
from api.schemas import Button, ChatMessage, Handoff, TurnMetadata
from api.text import clean_line, clean_text
from contract.chat import (
    AUTHORITIES,
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    PAYLOAD_KEY,
    PREFILL_FIELDS,
    SECTION_INTENTS,
    Authority,
    Language,
    Prefill,
    PrefillField,
    parse_payload,
)
from knowledge.catalogue import Catalogue
from knowledge.errors import QueryError
from knowledge.schema import Service
from knowledge.search import MAX_QUERY_CHARS, Retriever

logger = logging.getLogger(__name__)

FALLBACK_TOP = 3

#: The texts of the answers without the dialogue assistant, per language (contract.chat.Language); German first.
TEXTS: dict[str, dict[str, str]] = {
    "de": {},  # filled below from the German constants
    "en": {
        "unavailable_notice": "The dialogue assistant is not available right now. So I am showing you services "
        "from the LVR-Beratungskompass that might match your message:",
        "search_only_intro": "These services from the LVR-Beratungskompass match your message:",
        "unavailable_short": "The dialogue assistant is not available right now.",
        "no_hits": "I found no matching service for your message. Please describe your concern in other words, "
        "for example: “My child needs help at nursery school”.",
        "payload_without_dialogue": "I cannot process this choice right now. Please describe your concern in your "
        "own words.",
        "apology": "Sorry, that did not work. Please try again in a few minutes.",
        "store_unavailable_notice": "The dialogue assistant is not available right now, and I cannot read the "
        "earlier part of our conversation either. So I am showing you services that might match your last message:",
    },
}

UNAVAILABLE_NOTICE = (
    "Der Dialog-Assistent ist gerade nicht erreichbar. Ich zeige Ihnen deshalb Leistungen aus dem "
    "LVR-Beratungskompass, die zu Ihrer Nachricht passen könnten:"
)
SEARCH_ONLY_INTRO = "Diese Leistungen aus dem LVR-Beratungskompass passen zu Ihrer Nachricht:"
UNAVAILABLE_SHORT = "Der Dialog-Assistent ist gerade nicht erreichbar."
STORE_UNAVAILABLE_NOTICE = (
    "Der Dialog-Assistent ist gerade nicht erreichbar, und auf den bisherigen Verlauf unseres Gesprächs kann ich "
    "im Moment auch nicht zugreifen. Ich zeige Ihnen deshalb Leistungen, die zu Ihrer letzten Nachricht passen "
    "könnten:"
)
NO_HITS = (
    "Zu Ihrer Nachricht habe ich keine passende Leistung gefunden. Bitte beschreiben Sie Ihr Anliegen mit anderen "
    "Worten, zum Beispiel: „Mein Kind braucht Hilfe in der Kita“."
)
PAYLOAD_WITHOUT_DIALOGUE = (
    "Diese Auswahl kann ich gerade nicht verarbeiten. Bitte beschreiben Sie Ihr Anliegen in eigenen Worten."
)
APOLOGY = "Das hat leider nicht geklappt. Bitte versuchen Sie es in einigen Minuten noch einmal."
TEXTS["de"] = {
    "unavailable_notice": UNAVAILABLE_NOTICE,
    "search_only_intro": SEARCH_ONLY_INTRO,
    "unavailable_short": UNAVAILABLE_SHORT,
    "no_hits": NO_HITS,
    "payload_without_dialogue": PAYLOAD_WITHOUT_DIALOGUE,
    "apology": APOLOGY,
    "store_unavailable_notice": STORE_UNAVAILABLE_NOTICE,
}


def say(key: str, language: str) -> str:
    """A text of the answers without the dialogue assistant in `language` (German where it has none)."""
    return TEXTS.get(language, {}).get(key) or TEXTS[DEFAULT_LANGUAGE][key]


# --- Rasa answer ----------------------------------------------------------------------------------------------


def _buttons(raw: object) -> list[Button]:
    buttons: list[Button] = []
    if not isinstance(raw, list):
        return buttons
    for item in raw:
        if not isinstance(item, dict):
            continue
        title, payload = item.get("title"), item.get("payload")
        if isinstance(title, str) and isinstance(payload, str) and clean_line(title) and clean_line(payload):
            buttons.append(Button(title=clean_line(title), payload=clean_line(payload)))
    return buttons


def _merge_metadata(parts: Iterable[Mapping[str, Any]], catalogue: Catalogue, language: Language) -> TurnMetadata:
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    ids: list[str] = []
    raw_ids = merged.get("service_ids")
    if isinstance(raw_ids, list):
        for value in raw_ids:
            if isinstance(value, str) and value in catalogue and value not in ids:
                ids.append(value)
            elif value not in ids:
                logger.warning("metadata: dropped service id %r (not in the catalogue)", value)
    authority = merged.get("authority")
    if authority not in AUTHORITIES:
        if authority is not None:
            logger.warning("metadata: dropped unknown authority %r", authority)
        authority = None
    return TurnMetadata(
        service_ids=ids,
        authority=cast(Authority | None, authority),
        handoff=_handoff(merged.get("handoff"), catalogue),
        fallback=merged.get("fallback") is True,
        language=cast(Language, merged["language"]) if merged.get("language") in LANGUAGE_CODES else language,
    )


def _prefill(raw: object) -> Prefill | None:
    if not isinstance(raw, dict):
        return None
    fields: dict[PrefillField, str] = {
        cast(PrefillField, key): clean_text(value)[:200]
        for key, value in raw.items()
        if key in PREFILL_FIELDS and isinstance(value, str) and value.strip()
    }
    return cast(Prefill, fields)


def _handoff(raw: object, catalogue: Catalogue) -> Handoff | None:
    if not isinstance(raw, dict):
        return None
    service_id, url, office = raw.get("service_id"), raw.get("url"), raw.get("office")
    if not isinstance(service_id, str) or service_id not in catalogue:
        logger.warning("metadata: dropped handoff to unknown service %r", service_id)
        return None
    if not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        url = None  # only web addresses reach the widget (no javascript: or data: URLs)
    office = clean_line(office)[:200] or None if isinstance(office, str) else None
    prefill = _prefill(raw.get("prefill"))
    return Handoff(service_id=service_id, url=url, office=office, prefill=prefill, data=prefill or Prefill())


def from_rasa(
    answer: Sequence[RasaMessage], catalogue: Catalogue, language: Language = DEFAULT_LANGUAGE
) -> tuple[list[ChatMessage], TurnMetadata] | None:
    """The reply of a Rasa turn; None when it has nothing to show (treated like an unavailable assistant).
    `language` is the reply's language when the actions did not say it (metadata.language)."""
    messages: list[ChatMessage] = []
    parts: list[Mapping[str, Any]] = []
    for raw in answer:
        custom = raw.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get(PAYLOAD_KEY), dict):
            parts.append(custom[PAYLOAD_KEY])
        text = raw.get("text")
        text = clean_text(text) if isinstance(text, str) else ""
        buttons = _buttons(raw.get("buttons"))
        if text or buttons:
            messages.append(ChatMessage(text=text, buttons=buttons))
    if not messages:
        return None
    return messages, _merge_metadata(parts, catalogue, language)


# --- answer from the search -----------------------------------------------------------------------------------


def _buttons_of(raw: Iterable[presenter.Button]) -> list[Button]:
    return [Button(title=b["title"], payload=b["payload"]) for b in raw]


def _service_reply(intent: str, service: Service, voice: Voice) -> ChatMessage:
    """A button's answer without the dialogue assistant, worded by the same presenter as the actions."""
    section = SECTION_INTENTS.get(intent)
    if section is None:
        text = f"{presenter.local(service, voice).title}\n{presenter.service_summary(service, voice)}"
        return ChatMessage(text=text, buttons=_buttons_of(presenter.service_buttons(service, voice)[:3]))
    text = presenter.section_text(service, section, voice, office_name(service))
    buttons = [b for b in presenter.follow_up_buttons(service, section, voice) if "apply_online" not in b["payload"]]
    return ChatMessage(text=text, buttons=_buttons_of(buttons))


def _follow_up(
    message: str, case: StoredCase, catalogue: Catalogue, language: Language = DEFAULT_LANGUAGE
) -> tuple[ChatMessage, TurnMetadata] | None:
    """A follow-up without content of its own ("Welche Unterlagen brauche ich?") answered for the stored case's
    service at its place, as the action server would; None when the message has content of its own."""
    from actions.understanding import PLACE_WORDS, QUESTION_WORDS, content_words, cue, place_ignore
    from knowledge.places import find_place, responsibility

    service = catalogue.get(case.focus) if case.focus else None
    said = clean_line(message)
    if service is None or len(content_words(said, ignore=QUESTION_WORDS | PLACE_WORDS | place_ignore(said))) > 1:
        return None
    voice = Voice(language)
    place = find_place(said) or (find_place(case.place) if case.place else None)
    resp = responsibility(service, place)
    kind, section = cue(said)
    if kind == "section" and section:
        reply = ChatMessage(
            text=presenter.section_text(service, section, voice, office_name(service, resp)),
            buttons=_buttons_of(presenter.follow_up_buttons(service, section, voice)[:2]),
        )
    else:
        reply = _service_reply("choose_service", service, voice)
    reply = ChatMessage(text=f"{reply.text}\n{responsibility_text(resp, place, voice)}", buttons=reply.buttons)
    metadata = TurnMetadata(service_ids=[service.id], authority=resp.authority, fallback=True, language=language)
    return reply, metadata


def from_search(
    message: str,
    retriever: Retriever,
    catalogue: Catalogue,
    *,
    unavailable: bool,
    case: StoredCase | None = None,
    store_down: bool = False,
    language: Language = DEFAULT_LANGUAGE,
) -> tuple[list[ChatMessage], TurnMetadata]:
    """An answer without the dialogue assistant, in `language`: for a follow-up, the stored case's service; else the
    best services for the message (or the one a button asked for). ``store_down``: the conversation could not be
    read either, which the answer says plainly."""
    short = say("store_unavailable_notice" if store_down else "unavailable_short", language)
    notice: list[ChatMessage] = [ChatMessage(text=short)] if unavailable else []
    if case is not None and (answer := _follow_up(message, case, catalogue, language)) is not None:
        return [*notice, answer[0]], answer[1]
    parsed = parse_payload(message)
    if parsed is not None:
        service = catalogue.get(parsed.service_id) if parsed.service_id else None
        if service is None:
            reply = ChatMessage(text=say("payload_without_dialogue", language))
            return [*notice, reply], TurnMetadata(fallback=True, language=language)
        reply = _service_reply(parsed.intent, service, Voice(language))
        return [*notice, reply], TurnMetadata(service_ids=[service.id], fallback=True, language=language)

    try:
        hits = retriever.search(clean_line(message)[:MAX_QUERY_CHARS], FALLBACK_TOP)  # a long story: its start
    except QueryError:
        hits = []
    if not hits:
        return [*notice, ChatMessage(text=say("no_hits", language))], TurnMetadata(fallback=True, language=language)
    if unavailable:
        intro = say("store_unavailable_notice" if store_down else "unavailable_notice", language)
    else:
        intro = say("search_only_intro", language)
    messages = [ChatMessage(text=intro)]
    voice = Voice(language)
    for hit in hits:
        service = presenter.local(hit.service, voice)
        messages.append(
            ChatMessage(
                text=f"{service.title}\n{service.teaser}",
                buttons=_buttons_of(presenter.choose_buttons([service], voice)),
            )
        )
    return messages, TurnMetadata(service_ids=[hit.id for hit in hits], fallback=True, language=language)


def apology(language: Language = DEFAULT_LANGUAGE) -> list[ChatMessage]:
    """The reply when not even the search could answer."""
    return [ChatMessage(text=say("apology", language))]
