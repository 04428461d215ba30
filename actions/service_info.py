"""One service: action_show_service (choose_service) and action_explain_section (ask_documents, ask_costs, …).

An empty section is answered honestly ("keine bestätigten Angaben", with the office to ask); entries with
`verified: false` carry a short "ohne Gewähr" note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata, texts
from actions.context import (
    BeratungsAction,
    Button,
    button,
    candidates,
    current_service,
    entity,
    intent,
    leicht,
    slot_text,
)
from actions.responsibility import contact_details, current_place, office_name, resolve, responsibility_text
from knowledge.vocab import INTENT_OF_SECTION
from knowledge.vocab import SECTION_INTENTS as INTENT_SECTIONS  # intent → section; a `section` entity wins

if TYPE_CHECKING:
    from knowledge.places import PlaceMatch
    from knowledge.schema import Service


def section_labels() -> dict[str, str]:
    from knowledge.vocab import SECTIONS

    return SECTIONS


def section_button(service: Service, section: str, is_leicht: bool) -> Button:
    standard, simple = texts.SECTION_BUTTONS[section]
    entities = {"service_id": service.id}
    if section == "processing_time":
        entities["section"] = section
    return button(simple if is_leicht else standard, INTENT_OF_SECTION[section], **entities)


def apply_button(service: Service, is_leicht: bool) -> Button:
    title = texts.BUTTON_APPLY_ONLINE if service.online_service.available else texts.BUTTON_APPLY
    return button(title(is_leicht), "apply_online", service_id=service.id)


def service_buttons(service: Service, is_leicht: bool) -> list[Button]:
    """The next steps offered under a service: three sections, applying, who is responsible."""
    return [
        section_button(service, "prerequisites", is_leicht),
        section_button(service, "documents", is_leicht),
        section_button(service, "procedure", is_leicht),
        apply_button(service, is_leicht),
        button(texts.BUTTON_RESPONSIBLE(is_leicht), "ask_responsible", service_id=service.id),
    ]


def service_summary(service: Service, is_leicht: bool) -> str:
    """The chat-sized text of a service: the teaser, or the Leichte-Sprache text; with the "ohne Gewähr" note."""
    text = service.leichte_sprache if is_leicht else service.teaser
    if not service.verified:
        text += "\n" + texts.UNVERIFIED(is_leicht)
    return text


def present_service(
    dispatcher: CollectingDispatcher,
    service: Service,
    place: PlaceMatch | None,
    is_leicht: bool,
    *,
    found: bool = False,
) -> metadata.Authority | None:
    """Show a service (summary and next-step buttons) and who is responsible, or ask for the place.

    The responsibility message comes last, so that a place question is the last thing the citizen reads.
    Returns the metadata authority.
    """
    template = texts.FOUND_ONE if found else texts.SHOW_SERVICE
    title = service.button_title if is_leicht else service.title
    dispatcher.utter_message(
        text=template(is_leicht, title=title, text=service_summary(service, is_leicht)),
        buttons=service_buttons(service, is_leicht),
    )
    return tell_responsibility_briefly(dispatcher, service, place, is_leicht)


def tell_responsibility_briefly(
    dispatcher: CollectingDispatcher, service: Service, place: PlaceMatch | None, is_leicht: bool
) -> metadata.Authority | None:
    """One message: who is responsible (with confirmed contact details), or the question for the place."""
    resp = resolve(service, place)
    text = responsibility_text(resp, place, is_leicht)
    details = None if resp.needs_place else contact_details(resp.contact)
    if details:
        text += "\n" + texts.CONTACT(is_leicht, details=details)
    dispatcher.utter_message(text=text)
    return resp.authority


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


def _labelled(section: str, value: str | None) -> str | None:
    return f"{section_labels()[section]}: {value}" if value else None


class ActionShowService(BeratungsAction):
    """choose_service: the chosen service in short, with next steps; asks for the place if it matters."""

    def name(self) -> str:
        return "action_show_service"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        is_leicht = leicht(tracker)
        service = current_service(tracker)
        place, events = current_place(tracker)
        if service is None:
            return ask_which_service(dispatcher, tracker, "choose_service") + events
        authority = present_service(dispatcher, service, place, is_leicht)
        metadata.emit(dispatcher, [service.id], authority=authority)
        if slot_text(tracker, "service_id") != service.id:
            events.append(SlotSet("service_id", service.id))
        if tracker.get_slot("situation"):
            events.append(SlotSet("situation", None))
        if tracker.get_slot("handoff_offered"):
            events.append(SlotSet("handoff_offered", False))
        return events


class ActionExplainSection(BeratungsAction):
    """ask_<section>: one section of the current service; honest when the catalogue has nothing confirmed."""

    def name(self) -> str:
        return "action_explain_section"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        from actions.search import service_named_in

        is_leicht = leicht(tracker)
        section = requested_section(tracker)
        service = service_named_in(tracker) or current_service(tracker)
        place, events = current_place(tracker)
        if service is None:
            return ask_which_service(dispatcher, tracker, INTENT_OF_SECTION[section], section) + events
        if slot_text(tracker, "service_id") != service.id:
            events.append(SlotSet("service_id", service.id))
        resp = resolve(service, place)
        body = section_body(service, section)
        if body is None:
            label = section_labels()[section]
            text = texts.SECTION_EMPTY(
                is_leicht, label=label, title=service.button_title, office=office_name(service, resp)
            )
            details = contact_details(resp.contact if resp.contact else service.responsible.contact)
            if details and resp.authority != "Kreis/kreisfreie Stadt":
                text += "\n" + texts.CONTACT(is_leicht, details=details)
        else:
            label = texts.SECTION_LABELS_LEICHT[section] if is_leicht else section_labels()[section]
            text = texts.SECTION(is_leicht, label=label, title=service.button_title, body=body)
            if not service.verified:
                text += "\n" + texts.UNVERIFIED(is_leicht)
        follow_up = [s for s in ("prerequisites", "documents", "procedure") if s != section][:2]
        buttons = [section_button(service, s, is_leicht) for s in follow_up] + [apply_button(service, is_leicht)]
        dispatcher.utter_message(text=text, buttons=buttons)
        metadata.emit(dispatcher, [service.id], authority=resp.authority)
        return events


def requested_section(tracker: Tracker) -> str:
    """The section of the latest message: `section` entity, else by intent (documents when unclear)."""
    named = entity(tracker, "section")
    if named and named in section_labels():
        return named
    return INTENT_SECTIONS.get(intent(tracker) or "", "documents")


def ask_which_service(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent_name: str, section: str | None = None
) -> list[EventType]:
    """No current service: offer the candidates of the last search as buttons, or ask to describe the situation."""
    is_leicht = leicht(tracker)
    options = candidates(tracker)
    if options:
        extra = {"section": section} if section == "processing_time" else {}
        buttons = [button(s.button_title, intent_name, service_id=s.id, **extra) for s in options]
        dispatcher.utter_message(text=texts.ASK_WHICH_SERVICE(is_leicht), buttons=buttons)
    else:
        dispatcher.utter_message(text=texts.ASK_WHICH_SERVICE_FREE(is_leicht))
    metadata.emit(dispatcher, [s.id for s in options])
    return []
