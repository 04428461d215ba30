"""How a service is shown: its chat-sized texts, its sections and the buttons under it. Pure: text in, text out.

Used by the replies of the action server and by the API's search-only answers (api/dialogue.py), so that a citizen
sees the same wording whether the dialogue assistant answers or the search does.

    service_summary(service, leicht)            teaser (or Leichte-Sprache text) with the "ohne Gewähr" note
    section_text(service, section, leicht, office)  one section, or an honest "no confirmed data" with the office
    service_buttons / section_button / apply_button / choose_buttons / lebenslage_buttons / human_button
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from actions import texts
from contract.chat import (
    INTENT_APPLY,
    INTENT_CHOOSE,
    INTENT_HUMAN,
    INTENT_OF_SECTION,
    INTENT_RESPONSIBLE,
    build_payload,
)

if TYPE_CHECKING:
    from knowledge.schema import Service

Button = dict[str, str]
#: The sections offered as buttons under a service.
BUTTON_SECTIONS = ("prerequisites", "documents", "procedure")


def button(title: str, intent_name: str, **entities: str) -> Button:
    """A button with a payload of the grammar (contract.chat)."""
    return {"title": title, "payload": build_payload(intent_name, **entities)}


def text_button(title: str, payload_text: str) -> Button:
    """A button whose payload is plain text (it runs through NLU like a typed message)."""
    return {"title": title, "payload": payload_text}


def section_labels() -> dict[str, str]:
    from knowledge.vocab import SECTIONS

    return SECTIONS


def section_label(section: str, is_leicht: bool) -> str:
    return texts.SECTION_LABELS_LEICHT[section] if is_leicht else section_labels()[section]


def section_button(service: Service, section: str, is_leicht: bool) -> Button:
    standard, simple = texts.SECTION_BUTTONS[section]
    entities = {"service_id": service.id}
    if section == "processing_time":
        entities["section"] = section
    return button(simple if is_leicht else standard, INTENT_OF_SECTION[section], **entities)


def apply_button(service: Service, is_leicht: bool) -> Button:
    title = texts.BUTTON_APPLY_ONLINE if service.online_service.available else texts.BUTTON_APPLY
    return button(title(is_leicht), INTENT_APPLY, service_id=service.id)


def human_button(is_leicht: bool) -> Button:
    return button(texts.BUTTON_HUMAN(is_leicht), INTENT_HUMAN)


def service_buttons(service: Service, is_leicht: bool) -> list[Button]:
    """The next steps offered under a service: three sections, applying, who is responsible."""
    return [
        *(section_button(service, s, is_leicht) for s in BUTTON_SECTIONS),
        apply_button(service, is_leicht),
        button(texts.BUTTON_RESPONSIBLE(is_leicht), INTENT_RESPONSIBLE, service_id=service.id),
    ]


def follow_up_buttons(service: Service, section: str, is_leicht: bool) -> list[Button]:
    """Under a section answer: two other sections and applying."""
    others = [s for s in BUTTON_SECTIONS if s != section][:2]
    return [section_button(service, s, is_leicht) for s in others] + [apply_button(service, is_leicht)]


def choose_buttons(services: Iterable[Service]) -> list[Button]:
    return [button(s.button_title, INTENT_CHOOSE, service_id=s.id) for s in services]


def lebenslage_buttons(is_leicht: bool) -> list[Button]:
    return [text_button(simple if is_leicht else title, payload) for title, simple, payload in texts.LEBENSLAGE_CHOICES]


def service_summary(service: Service, is_leicht: bool) -> str:
    """The chat-sized text of a service: the teaser, or the Leichte-Sprache text; with the "ohne Gewähr" note."""
    text = service.leichte_sprache if is_leicht else service.teaser
    if not service.verified:
        text += "\n" + texts.UNVERIFIED(is_leicht)
    return text


def service_lines(services: Iterable[Service], is_leicht: bool) -> str:
    """One bullet per service: its short title, and in standard language the first sentence of its teaser."""
    if is_leicht:
        return texts.bullet_lines(s.button_title for s in services)
    return texts.bullet_lines(f"{s.button_title} – {texts.first_sentence(s.teaser)}" for s in services)


def _labelled(section: str, value: str | None) -> str | None:
    return f"{section_labels()[section]}: {value}" if value else None


def section_body(service: Service, section: str) -> str | None:
    """The catalogue text of a section as chat text, or None when the catalogue has nothing confirmed."""
    if section == "legal_bases":
        items = [f"{b.citation} – {b.title}" if b.title else b.citation for b in service.legal_bases]
        return texts.bullet_lines(items) if items else None
    if section == "deadlines":
        parts = [p for p in (service.deadlines, _labelled("processing_time", service.processing_time)) if p]
        return "\n".join(parts) if parts else None
    value = getattr(service, section)
    if isinstance(value, list):
        return texts.bullet_lines(str(v) for v in value) if value else None
    return str(value) if value else None


def section_text(service: Service, section: str, is_leicht: bool, office: str, contact: str | None = None) -> str:
    """One section of a service; when the catalogue has nothing confirmed, says so and names the office to ask
    (with its confirmed contact details, if given)."""
    body = section_body(service, section)
    if body is None:
        text = texts.SECTION_EMPTY(
            is_leicht, label=section_labels()[section], title=service.button_title, office=office
        )
        return text + ("\n" + texts.CONTACT(is_leicht, details=contact) if contact else "")
    text = texts.SECTION(is_leicht, label=section_label(section, is_leicht), title=service.button_title, body=body)
    if not service.verified:
        text += "\n" + texts.UNVERIFIED(is_leicht)
    return text
