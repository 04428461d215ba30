"""Where the citizen lives and who is responsible: action_resolve_place, action_tell_responsibility.

The rules live in knowledge.places (LVR in the Rheinland, LWL in Westfalen-Lippe, Kreis / kreisfreie Stadt for
their services, nobody of the two outside NRW); this module keeps the place in the slots and words the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import deps, metadata, texts
from actions.context import (
    BeratungsAction,
    Button,
    button,
    current_service,
    entity,
    intent,
    leicht,
    slot_text,
    user_text,
)
from actions.metadata import Authority

if TYPE_CHECKING:
    from knowledge.places import PlaceMatch, Responsibility
    from knowledge.schema import Contact, Service

#: The general contact when no service-specific office is known (no phone numbers: none is confirmed).
LVR_GENERAL_NAME = "LVR – Landschaftsverband Rheinland"
LVR_GENERAL_URL = "https://www.lvr.de"
LWL_GENERAL_NAME = "LWL – Landschaftsverband Westfalen-Lippe"
LWL_GENERAL_URL = "https://www.lwl.org"

OUTSIDE = "outside"


# --- the place ------------------------------------------------------------------------------------------------------
def place_in_message(tracker: Tracker) -> PlaceMatch | None:
    """The place named in the latest message: `plz` or `place` entity, else anywhere in the text."""
    for name in ("plz", "place"):
        value = entity(tracker, name)
        if value:
            match = deps.find_place(value)
            if match is not None:
                return match
    text = user_text(tracker)
    return deps.find_place(text) if text else None


def place_from_slots(tracker: Tracker) -> PlaceMatch | None:
    """The place stored in the slots `place` / `ags` / `landschaftsverband` (re-resolved by name)."""
    name = slot_text(tracker, "place")
    if not name:
        return None
    match = deps.find_place(name)
    ags = slot_text(tracker, "ags")
    if match is not None and (ags is None or match.ags in (None, ags)):
        return match
    if ags:
        from knowledge.places import PlaceMatch, gemeinden

        for g in gemeinden():
            if g.ags == ags:
                return PlaceMatch("gemeinde", g.name, (g.name,), g.kreis, g.kreis_ags, g.landschaftsverband, g.ags)
    if slot_text(tracker, "landschaftsverband") == OUTSIDE:
        from knowledge.places import PlaceMatch

        return PlaceMatch("outside_nrw", name)
    return match


def current_place(tracker: Tracker) -> tuple[PlaceMatch | None, list[EventType]]:
    """The place of the latest message (with the slot events that store it), else the stored place."""
    found = place_in_message(tracker)
    if found is not None:
        return found, place_events(found, tracker)
    return place_from_slots(tracker), []


def place_events(place: PlaceMatch, tracker: Tracker | None = None) -> list[EventType]:
    """SlotSet events for `place`, `ags`, `landschaftsverband` (only those that change when a tracker is given)."""
    verband = OUTSIDE if place.kind == "outside_nrw" else place.landschaftsverband
    values = {"place": place.name, "ags": place.ags, "landschaftsverband": verband}
    return [SlotSet(key, value) for key, value in values.items() if tracker is None or tracker.get_slot(key) != value]


# --- who is responsible ---------------------------------------------------------------------------------------------
def resolve(service: Service | None, place: PlaceMatch | None) -> Responsibility:
    return deps.responsibility(service, place)


def authority(service: Service | None, place: PlaceMatch | None) -> Authority | None:
    """The metadata `authority` for a service at a place (None when it depends on a missing place)."""
    if service is None:
        return None
    return resolve(service, place).authority


def office_name(service: Service, resp: Responsibility | None = None) -> str:
    """A name of the office to turn to, for texts that point there."""
    if resp is not None and resp.office:
        return resp.office
    responsible = service.responsible
    if responsible.unit:
        return responsible.unit
    if responsible.contact is not None:
        return responsible.contact.name
    return responsible.provider


def responsibility_text(resp: Responsibility, place: PlaceMatch | None, is_leicht: bool) -> str:
    """Who is responsible, in standard language (the sentence of knowledge.places) or in Leichte Sprache."""
    if not is_leicht:
        return resp.text
    if place is not None and place.kind == "outside_nrw":
        return texts.RESPONSIBLE_OUTSIDE(True, place=place.name)
    if resp.needs_place:
        return texts.PLACE_QUESTION(True)
    office = resp.office or "die Stelle in Ihrer Stadt"
    if resp.authority == "LWL":
        return texts.RESPONSIBLE_LWL(True, office=office, place=place.name if place else "")
    return texts.RESPONSIBLE_NO_PLACE(True, office=office)


def contact_details(contact: Contact | None) -> str | None:
    """The confirmed ways to reach an office, one per line; None when only a name is known."""
    if contact is None:
        return None
    lines = [contact.name]
    if contact.phone:
        lines.append(f"Telefon: {contact.phone}")
    if contact.email:
        lines.append(f"E-Mail: {contact.email}")
    if contact.url:
        lines.append(f"Internet: {contact.url}")
    if contact.address:
        lines.append(f"Adresse: {contact.address}")
    if contact.hours:
        lines.append(f"Erreichbar: {contact.hours}")
    return "\n".join(lines) if len(lines) > 1 else None


def general_contact(place: PlaceMatch | None) -> str:
    """The Landschaftsverband's general contact: LWL for Westfalen-Lippe, else LVR."""
    if place is not None and place.landschaftsverband == "LWL":
        return general_contact_lwl()
    return f"{LVR_GENERAL_NAME}\nInternet: {LVR_GENERAL_URL}"


def general_contact_lwl() -> str:
    return f"{LWL_GENERAL_NAME}\nInternet: {LWL_GENERAL_URL}"


def contact_block(service: Service | None, place: PlaceMatch | None, is_leicht: bool) -> tuple[str, Authority | None]:
    """Whom to contact about `service` (or in general), with the metadata authority. Never asks back."""
    if service is None:
        return texts.CONTACT(is_leicht, details=general_contact(place)), None
    resp = resolve(service, place)
    if resp.needs_place:
        if service.responsible.kind == "kreis":
            return texts.KREIS_OFFICE_UNKNOWN(is_leicht), resp.authority
        rheinland = contact_details(service.responsible.contact) or general_contact(None)
        text = texts.CONTACT_BY_REGION(is_leicht, rheinland=rheinland, westfalen=general_contact_lwl())
        return text, resp.authority
    contact = resp.contact
    if contact is None and resp.authority == "LVR":
        contact = service.responsible.contact
    details = contact_details(contact)
    if details is not None:
        return texts.CONTACT(is_leicht, details=details), resp.authority
    parts = [responsibility_text(resp, place, is_leicht)]
    if resp.authority in ("LVR", "LWL"):
        parts.append(texts.CONTACT(is_leicht, details=general_contact(place)))
    return "\n".join(parts), resp.authority


def service_buttons_after_place(service: Service, is_leicht: bool) -> list[Button]:
    title = texts.BUTTON_APPLY_ONLINE if service.online_service.available else texts.BUTTON_APPLY
    return [
        button(title(is_leicht), "apply_online", service_id=service.id),
        button(texts.BUTTON_HUMAN(is_leicht), "request_human"),
    ]


# --- actions --------------------------------------------------------------------------------------------------------
class ActionResolvePlace(BeratungsAction):
    """inform_place: store the town / Kreis / postal code in the slots.

    It says nothing when the place is found: the dialogue runs action_tell_responsibility next (bot/data/rules),
    which names the responsible office. An unknown place is asked for again here.
    """

    def name(self) -> str:
        return "action_resolve_place"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        service = current_service(tracker)
        place = place_in_message(tracker)
        if place is None:
            dispatcher.utter_message(text=texts.PLACE_UNKNOWN(leicht(tracker)))
            metadata.emit(dispatcher, [service.id] if service else [], authority=authority(service, None))
            return []
        metadata.emit(dispatcher, [service.id] if service else [], authority=authority(service, place))
        return place_events(place)


class ActionTellResponsibility(BeratungsAction):
    """ask_responsible: who is responsible for the current service at the citizen's place."""

    def name(self) -> str:
        return "action_tell_responsibility"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        from actions.search import service_named_in

        is_leicht = leicht(tracker)
        place, events = current_place(tracker)
        service = service_named_in(tracker) or current_service(tracker)
        if intent(tracker) == "inform_place" and not events and place_in_message(tracker) is None:
            # action_resolve_place has just asked for the place again; do not answer twice
            metadata.emit(dispatcher, [service.id] if service else [], authority=authority(service, place))
            return events
        if service is not None and service.id != slot_text(tracker, "service_id"):
            events.append(SlotSet("service_id", service.id))
        if service is None and place is None:
            dispatcher.utter_message(text=texts.RESPONSIBLE_WHAT_AND_WHERE(is_leicht))
            metadata.emit(dispatcher)
            return events
        resp = resolve(service, place)
        text = responsibility_text(resp, place, is_leicht)
        if service is None and not resp.needs_place:
            follow_up = texts.ASK_WHAT_ABOUT if intent(tracker) == "inform_place" else texts.ASK_WHICH_SERVICE_FREE
            text += " " + follow_up(is_leicht)
        details = None if resp.needs_place or service is None else contact_details(resp.contact)
        if details:
            text += "\n" + texts.CONTACT(is_leicht, details=details)
        buttons = [] if service is None or resp.needs_place else service_buttons_after_place(service, is_leicht)
        dispatcher.utter_message(text=text, buttons=buttons)
        metadata.emit(dispatcher, [service.id] if service else [], authority=resp.authority if service else None)
        return events
