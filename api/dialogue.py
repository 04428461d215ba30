"""One chat turn: the Rasa answer turned into the public reply, or an answer from the search alone.

``from_rasa`` keeps the visible messages (plain text, buttons) and merges the ``beratungskompass`` custom payloads
of the turn into the metadata (later keys win). ``from_search`` answers when Rasa is unavailable or the chat backend
is ``none``: the top services for the message, and for button payloads (``/choose_service{…}``, ``/ask_documents{…}``)
the service or section asked for, so the buttons keep working without the dialogue assistant.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast, get_args

from api.rasa_client import RasaMessage
from api.schemas import Authority, Button, ChatMessage, Handoff, HandoffField, TurnMetadata
from api.text import clean_line, clean_text
from knowledge.catalogue import Catalogue
from knowledge.errors import QueryError
from knowledge.schema import Service
from knowledge.search import Retriever
from knowledge.vocab import INTENT_OF_SECTION, SECTION_INTENTS, SECTIONS

logger = logging.getLogger(__name__)

FALLBACK_TOP = 3
METADATA_KEY = "beratungskompass"

UNAVAILABLE_NOTICE = (
    "Der Dialog-Assistent ist gerade nicht erreichbar. Ich zeige Ihnen deshalb Leistungen aus dem "
    "LVR-Beratungskompass, die zu Ihrer Nachricht passen könnten:"
)
SEARCH_ONLY_INTRO = "Diese Leistungen aus dem LVR-Beratungskompass passen zu Ihrer Nachricht:"
UNAVAILABLE_SHORT = "Der Dialog-Assistent ist gerade nicht erreichbar."
NO_HITS = (
    "Zu Ihrer Nachricht habe ich keine passende Leistung gefunden. Bitte beschreiben Sie Ihr Anliegen mit anderen "
    "Worten, zum Beispiel: „Mein Kind braucht Hilfe in der Kita“."
)
PAYLOAD_WITHOUT_DIALOGUE = (
    "Diese Auswahl kann ich gerade nicht verarbeiten. Bitte beschreiben Sie Ihr Anliegen in eigenen Worten."
)
APOLOGY = "Das hat leider nicht geklappt. Bitte versuchen Sie es in einigen Minuten noch einmal."
NOT_CONFIRMED = "Dazu liegen im LVR-Beratungskompass keine bestätigten Angaben vor."

#: Intents of button payloads that ask for one section of a service (docs/architecture.md, dialogue contract).
_SECTION_BUTTONS = ("prerequisites", "documents", "procedure")
_PAYLOAD = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)(\{.*)?$", re.DOTALL)
_AUTHORITIES: tuple[str, ...] = get_args(Authority)


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


def _merge_metadata(parts: Iterable[Mapping[str, Any]], catalogue: Catalogue) -> TurnMetadata:
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
    if authority not in _AUTHORITIES:
        if authority is not None:
            logger.warning("metadata: dropped unknown authority %r", authority)
        authority = None
    return TurnMetadata(
        service_ids=ids,
        authority=cast(Authority | None, authority),
        handoff=_handoff(merged.get("handoff"), catalogue),
        fallback=merged.get("fallback") is True,
    )


HANDOFF_FIELDS = frozenset(get_args(HandoffField))


def _handoff(raw: object, catalogue: Catalogue) -> Handoff | None:
    if not isinstance(raw, dict):
        return None
    service_id, url = raw.get("service_id"), raw.get("url")
    if not isinstance(service_id, str) or service_id not in catalogue:
        logger.warning("metadata: dropped handoff to unknown service %r", service_id)
        return None
    if not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        url = None  # only web addresses reach the widget (no javascript: or data: URLs)
    raw_data = raw.get("data")
    data = {
        key: clean_text(value)[:200]
        for key, value in (raw_data.items() if isinstance(raw_data, dict) else [])
        if key in HANDOFF_FIELDS and isinstance(value, str) and value.strip()
    }
    return Handoff(service_id=service_id, url=url, data=data)


def from_rasa(answer: Sequence[RasaMessage], catalogue: Catalogue) -> tuple[list[ChatMessage], TurnMetadata] | None:
    """The reply of a Rasa turn; None when it has nothing to show (treated like an unavailable assistant)."""
    messages: list[ChatMessage] = []
    parts: list[Mapping[str, Any]] = []
    for raw in answer:
        custom = raw.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get(METADATA_KEY), dict):
            parts.append(custom[METADATA_KEY])
        text = raw.get("text")
        text = clean_text(text) if isinstance(text, str) else ""
        buttons = _buttons(raw.get("buttons"))
        if text or buttons:
            messages.append(ChatMessage(text=text, buttons=buttons))
    if not messages:
        return None
    return messages, _merge_metadata(parts, catalogue)


# --- answer from the search -----------------------------------------------------------------------------------


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload, e.g. ``/choose_service{"service_id":"blindengeld"}``."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def _parse_payload(message: str) -> tuple[str, dict[str, Any]] | None:
    """Intent and entities of a button payload (``/intent`` or ``/intent{json}``); None for other text."""
    match = _PAYLOAD.match(message.strip())
    if match is None:
        return None
    entities: dict[str, Any] = {}
    if match.group(2):
        try:
            loaded = json.loads(match.group(2))
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            entities = loaded
    return match.group(1), entities


def _section_text(service: Service, section: str) -> str:
    value = getattr(service, section)
    if section == "legal_bases":
        lines = [f"• {b.citation}" + (f" – {b.title}" if b.title else "") for b in service.legal_bases]
    elif isinstance(value, list):
        lines = [f"• {item}" for item in value]
    else:
        lines = [value] if value else []
    body = "\n".join(lines) if lines else NOT_CONFIRMED
    return f"{SECTIONS[section]} – {service.title}:\n{body}"


def _section_buttons(service: Service, exclude: str | None = None) -> list[Button]:
    buttons = []
    for section in _SECTION_BUTTONS:
        if section != exclude and getattr(service, section):
            buttons.append(
                Button(title=SECTIONS[section], payload=payload(INTENT_OF_SECTION[section], service_id=service.id))
            )
    return buttons


def _service_reply(intent: str, service: Service) -> ChatMessage:
    section = SECTION_INTENTS.get(intent)
    text = f"{service.title}\n\n{service.teaser}" if section is None else _section_text(service, section)
    return ChatMessage(text=text, buttons=_section_buttons(service, exclude=section))


def from_search(
    message: str, retriever: Retriever, catalogue: Catalogue, *, unavailable: bool
) -> tuple[list[ChatMessage], TurnMetadata]:
    """An answer without the dialogue assistant: the best services for the message (or the one asked for)."""
    notice: list[ChatMessage] = [ChatMessage(text=UNAVAILABLE_SHORT)] if unavailable else []
    parsed = _parse_payload(message)
    if parsed is not None:
        intent, entities = parsed
        service_id = entities.get("service_id")
        service = catalogue.get(service_id) if isinstance(service_id, str) else None
        if service is None:
            return [*notice, ChatMessage(text=PAYLOAD_WITHOUT_DIALOGUE)], TurnMetadata(fallback=True)
        return [*notice, _service_reply(intent, service)], TurnMetadata(service_ids=[service.id], fallback=True)

    try:
        hits = retriever.search(clean_line(message), FALLBACK_TOP)
    except QueryError:
        hits = []
    if not hits:
        return [*notice, ChatMessage(text=NO_HITS)], TurnMetadata(fallback=True)
    intro = UNAVAILABLE_NOTICE if unavailable else SEARCH_ONLY_INTRO
    messages = [ChatMessage(text=intro)]
    for hit in hits:
        service = hit.service
        messages.append(
            ChatMessage(
                text=f"{service.title}\n{service.teaser}",
                buttons=[Button(title=service.button_title, payload=payload("choose_service", service_id=service.id))],
            )
        )
    return messages, TurnMetadata(service_ids=[hit.id for hit in hits], fallback=True)


def apology() -> list[ChatMessage]:
    """The reply when not even the search could answer."""
    return [ChatMessage(text=APOLOGY)]
