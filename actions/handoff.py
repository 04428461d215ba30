"""Hand-off to the online form: action_offer_handoff, action_handoff_consent, action_handoff_decline.

Only with the citizen's explicit "Ja" is anything passed on; the offer lists exactly what would be passed (place,
age, service — once-only) and the consent turn sends the metadata `handoff` {"service_id", "url"}. A form address
is only ever given when the catalogue marks it as confirmed (`form_url_verified`); otherwise `url` is None and the
citizen is pointed to the LVR-Beratungskompass or the office.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata, texts
from actions.context import BeratungsAction, button, current_service, leicht, slot_number, slot_text
from actions.responsibility import (
    contact_details,
    current_place,
    office_name,
    place_from_slots,
    resolve,
    responsibility_text,
)
from actions.service_info import ask_which_service

if TYPE_CHECKING:
    from knowledge.schema import Service


def confirmed_form_url(service: Service) -> str | None:
    """The form address, only when the catalogue confirms it."""
    online = service.online_service
    return online.form_url if online.available and online.form_url and online.form_url_verified else None


def passable_data(tracker: Tracker, service: Service, is_leicht: bool) -> list[str]:
    """What the bot would pass to the form, as readable lines: place, age, service."""
    lines: list[str] = []
    place = slot_text(tracker, "place")
    if place:
        lines.append(texts.PASS_PLACE(is_leicht, value=place))
    age = slot_number(tracker, "age")
    if age is not None and age >= 0:
        lines.append(texts.PASS_AGE(is_leicht, value=f"{age:g}"))
    lines.append(texts.PASS_SERVICE(is_leicht, value=service.button_title))
    return lines


def handoff_data(tracker: Tracker, service: Service) -> metadata.HandoffData:
    """The data listed by `passable_data`, machine-readable, plus the keys derived from it (AGS, LeiKa)."""
    data = metadata.HandoffData()
    place = slot_text(tracker, "place")
    if place:
        data["place"] = place
        ags = slot_text(tracker, "ags")
        if ags:
            data["ags"] = ags
    age = slot_number(tracker, "age")
    if age is not None and age >= 0:
        data["age"] = f"{age:g}"
    if service.online_service.leika:
        data["leika"] = service.online_service.leika
    return data


class ActionOfferHandoff(BeratungsAction):
    """apply_online: the form link (if confirmed), what to have ready, and the consent question; else how to apply."""

    def name(self) -> str:
        return "action_offer_handoff"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        from actions.search import service_named_in

        is_leicht = leicht(tracker)
        service = service_named_in(tracker) or current_service(tracker)
        place, events = current_place(tracker)
        if service is None:
            return ask_which_service(dispatcher, tracker, "apply_online") + events
        if slot_text(tracker, "service_id") != service.id:
            events.append(SlotSet("service_id", service.id))
        resp = resolve(service, place)
        office = office_name(service, resp)
        other_region = service.responsible.provider == "LVR" and resp.authority in ("LWL", "other")

        if service.online_service.available and not other_region:
            url = confirmed_form_url(service)
            lines = [
                texts.ONLINE_WITH_URL(is_leicht, title=service.button_title, url=url)
                if url
                else texts.ONLINE_WITHOUT_URL(is_leicht, title=service.button_title, office=office)
            ]
            if service.online_service.login:
                lines.append(texts.ONLINE_LOGIN(is_leicht, login=service.online_service.login))
            if service.documents:
                lines.append(texts.DOCUMENTS_NEEDED(is_leicht, lines=texts.bullet_lines(service.documents)))
            else:
                lines.append(texts.DOCUMENTS_UNKNOWN(is_leicht, office=office))
            dispatcher.utter_message(text="\n".join(lines))
            dispatcher.utter_message(
                text=texts.CONSENT_QUESTION(
                    is_leicht, lines=texts.bullet_lines(passable_data(tracker, service, is_leicht))
                ),
                buttons=[
                    button(texts.BUTTON_YES(is_leicht), "affirm"),
                    button(texts.BUTTON_NO(is_leicht), "deny"),
                ],
            )
            metadata.emit(dispatcher, [service.id], authority=resp.authority)
            return [*events, SlotSet("handoff_offered", True)]

        if other_region:
            text = texts.APPLY_OTHER_REGION(is_leicht) + "\n" + responsibility_text(resp, place, is_leicht)
        elif service.procedure:
            text = texts.APPLY_OFFLINE(
                is_leicht, title=service.button_title, lines=texts.bullet_lines(service.procedure)
            )
            text += "\n" + responsibility_text(resp, place, is_leicht)
        else:
            text = texts.APPLY_OFFLINE_NO_STEPS(is_leicht, title=service.button_title, office=office)
            if resp.needs_place:
                text += "\n" + responsibility_text(resp, place, is_leicht)
        details = None if resp.needs_place else contact_details(resp.contact)
        if details:
            text += "\n" + texts.CONTACT(is_leicht, details=details)
        dispatcher.utter_message(text=text)
        metadata.emit(dispatcher, [service.id], authority=resp.authority)
        if tracker.get_slot("handoff_offered"):
            events.append(SlotSet("handoff_offered", False))
        return events


class ActionHandoffConsent(BeratungsAction):
    """affirm after the offer: pass the listed data on — the metadata `handoff` {"service_id", "url"}."""

    def name(self) -> str:
        return "action_handoff_consent"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        is_leicht = leicht(tracker)
        service = current_service(tracker)
        if not tracker.get_slot("handoff_offered") or service is None:
            dispatcher.utter_message(text=texts.NOTHING_TO_CONFIRM(is_leicht))
            metadata.emit(dispatcher, [service.id] if service else [])
            return []
        place = place_from_slots(tracker)
        resp = resolve(service, place)
        url = confirmed_form_url(service)
        text = texts.CONSENT_GIVEN(is_leicht, lines=texts.bullet_lines(passable_data(tracker, service, is_leicht)))
        if url:
            text += "\n" + texts.CONSENT_GIVEN_URL(is_leicht, url=url)
        else:
            text += "\n" + texts.CONSENT_GIVEN_NO_URL(is_leicht, office=office_name(service, resp))
        dispatcher.utter_message(text=text)
        metadata.emit(
            dispatcher,
            [service.id],
            authority=resp.authority,
            handoff=metadata.Handoff(service_id=service.id, url=url, data=handoff_data(tracker, service)),
        )
        return [SlotSet("handoff_offered", False)]


class ActionHandoffDecline(BeratungsAction):
    """deny after the offer: nothing is passed on."""

    def name(self) -> str:
        return "action_handoff_decline"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        is_leicht = leicht(tracker)
        service = current_service(tracker)
        offered = bool(tracker.get_slot("handoff_offered"))
        if offered and service is not None:
            text = texts.CONSENT_DECLINED(is_leicht)
            url = confirmed_form_url(service)
            if url:
                text += "\n" + texts.ONLINE_WITH_URL(is_leicht, title=service.button_title, url=url)
        else:
            text = texts.NOTHING_TO_CONFIRM(is_leicht)
        dispatcher.utter_message(text=text)
        authority = resolve(service, place_from_slots(tracker)).authority if service else None
        metadata.emit(dispatcher, [service.id] if service else [], authority=authority)
        return [SlotSet("handoff_offered", False)] if offered else []
