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
from actions.texts import Voice
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


def local(service: Service, voice: Voice) -> Service:
    """The service with its texts in the voice's language (German where the catalogue has no translation)."""
    return service.in_language(voice.language)


def section_label(section: str, voice: Voice) -> str:
    return texts.SECTION_LABELS[section](voice)


def section_button(service: Service, section: str, voice: Voice) -> Button:
    entities = {"service_id": service.id}
    if section == "processing_time":
        entities["section"] = section
    return button(texts.SECTION_BUTTONS[section](voice), INTENT_OF_SECTION[section], **entities)


def apply_button(service: Service, voice: Voice) -> Button:
    title = texts.BUTTON_APPLY_ONLINE if service.online_service.available else texts.BUTTON_APPLY
    return button(title(voice), INTENT_APPLY, service_id=service.id)


def human_button(voice: Voice) -> Button:
    return button(texts.BUTTON_HUMAN(voice), INTENT_HUMAN)


def service_buttons(service: Service, voice: Voice) -> list[Button]:
    """The next steps offered under a service: three sections, applying, who is responsible."""
    return [
        *(section_button(service, s, voice) for s in BUTTON_SECTIONS),
        apply_button(service, voice),
        button(texts.BUTTON_RESPONSIBLE(voice), INTENT_RESPONSIBLE, service_id=service.id),
    ]


def follow_up_buttons(service: Service, section: str, voice: Voice) -> list[Button]:
    """Under a section answer: two other sections and applying."""
    others = [s for s in BUTTON_SECTIONS if s != section][:2]
    return [section_button(service, s, voice) for s in others] + [apply_button(service, voice)]


def choose_buttons(services: Iterable[Service], voice: Voice) -> list[Button]:
    return [button(local(s, voice).button_title, INTENT_CHOOSE, service_id=s.id) for s in services]


def lebenslage_buttons(voice: Voice) -> list[Button]:
    return [text_button(title(voice), payload(voice)) for title, payload in texts.LEBENSLAGE_CHOICES]


def service_summary(service: Service, voice: Voice) -> str:
    """The chat-sized text of a service: the teaser, or the Leichte-Sprache text; with the "ohne Gewähr" note."""
    text = service.leichte_sprache if voice.leicht else local(service, voice).teaser
    if not service.verified:
        text += "\n" + texts.UNVERIFIED(voice)
    return text


def service_lines(services: Iterable[Service], voice: Voice) -> str:
    """One bullet per service: its short title, and in standard language the first sentence of its teaser."""
    shown = [local(s, voice) for s in services]
    if voice.leicht:
        return texts.bullet_lines(s.button_title for s in shown)
    return texts.bullet_lines(f"{s.button_title} – {texts.first_sentence(s.teaser)}" for s in shown)


def _labelled(section: str, value: str | None, voice: Voice) -> str | None:
    return f"{texts.SECTION_LABELS[section](voice)}: {value}" if value else None


def section_body(service: Service, section: str, voice: Voice) -> str | None:
    """The catalogue text of a section as chat text (in the voice's language where translated), or None when the
    catalogue has nothing confirmed."""
    service = local(service, voice)
    if section == "legal_bases":
        items = [f"{b.citation} – {b.title}" if b.title else b.citation for b in service.legal_bases]
        return texts.bullet_lines(items) if items else None
    if section == "deadlines":
        parts = [p for p in (service.deadlines, _labelled("processing_time", service.processing_time, voice)) if p]
        return "\n".join(parts) if parts else None
    value = getattr(service, section)
    if isinstance(value, list):
        return texts.bullet_lines(str(v) for v in value) if value else None
    return str(value) if value else None


def section_text(service: Service, section: str, voice: Voice, office: str, contact: str | None = None) -> str:
    """One section of a service; when the catalogue has nothing confirmed, says so and names the office to ask
    (with its confirmed contact details, if given)."""
    body = section_body(service, section, voice)
    title = local(service, voice).button_title
    if body is None:
        text = texts.SECTION_EMPTY(voice, label=texts.SECTION_LABELS[section](voice), title=title, office=office)
        return text + ("\n" + texts.CONTACT(voice, details=contact) if contact else "")
    text = texts.SECTION(voice, label=section_label(section, voice), title=title, body=body)
    if not service.verified:
        text += "\n" + texts.UNVERIFIED(voice)
    return text
