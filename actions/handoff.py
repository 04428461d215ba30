"""The hand-off to the application (contract.chat.Handoff): at once when asked, the prefill only with consent.

    apply     "Wo finde ich den Antrag?": the form (or the office where no form is confirmed) right away —
              metadata.handoff = {service_id, url, office, prefill: None}; the office is None while the place is
              unknown, and the reply asks for it. When the conversation holds data a form could take (place, age),
              the bot asks whether to pass it on.
    consent   "Ja" to that question: the hand-off again, now with `prefill` — exactly the listed data (once-only).
    decline   "Nein": nothing is passed on.
    pending_handoff   the place given after a hand-off that lacked it: the hand-off again, with the office.

A form address is only ever given when the catalogue marks it as confirmed (`form_url_verified`), and the LVR's
form only in the Rheinland.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata, texts
from actions.presenter import button, local
from actions.responsibility import contact_details, office_name, resolve, responsibility_text
from contract.chat import (
    INTENT_AFFIRM,
    INTENT_DENY,
    SLOT_HANDOFF_OFFERED,
    SLOT_HANDOFF_PENDING,
    Handoff,
    Prefill,
)

if TYPE_CHECKING:
    from actions.case import Case
    from actions.texts import Voice
    from actions.understanding import Turn
    from knowledge.places import Responsibility
    from knowledge.schema import Service


def confirmed_form_url(service: Service) -> str | None:
    """The form address, only when the catalogue confirms it."""
    online = service.online_service
    return online.form_url if online.available and online.form_url and online.form_url_verified else None


def other_region(service: Service, resp: Responsibility) -> bool:
    """An LVR service for someone the LVR is not responsible for (Westfalen-Lippe, outside NRW)."""
    return service.responsible.provider == "LVR" and resp.authority in ("LWL", "other")


def handoff(service: Service, resp: Responsibility, prefill: Prefill | None = None) -> Handoff:
    """The hand-off of a service: the confirmed form (not across regions) and the office, where the place is known."""
    url = None if other_region(service, resp) else confirmed_form_url(service)
    office = None if resp.needs_place else office_name(service, resp)
    return Handoff(service_id=service.id, url=url, office=office, prefill=prefill)


def prefill(case: Case, service: Service) -> Prefill:
    """What the conversation holds that a form could take: place (with its AGS), age, and the LeiKa key."""
    data = Prefill()
    if case.place:
        data["place"] = case.place
        if case.ags:
            data["ags"] = case.ags
    if case.age is not None and case.age >= 0:
        data["age"] = f"{case.age:g}"
    if service.online_service.leika:
        data["leika"] = service.online_service.leika
    return data


def passable_lines(case: Case, service: Service, voice: Voice) -> list[str]:
    """The prefill as readable lines: place, age, service."""
    lines: list[str] = []
    if case.place:
        lines.append(texts.PASS_PLACE(voice, value=case.place))
    if case.age is not None and case.age >= 0:
        lines.append(texts.PASS_AGE(voice, value=f"{case.age:g}"))
    lines.append(texts.PASS_SERVICE(voice, value=service.button_title))
    return lines


def apply(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """How and where to apply, with the hand-off in the metadata at once."""
    service, voice, case = turn.service, turn.voice, turn.case
    if service is not None:
        service = local(service, voice)  # the texts in the conversation's language; ids and facts are the same
    if service is None:
        dispatcher.utter_message(text=texts.ASK_WHICH_SERVICE_FREE(voice))
        metadata.emit(dispatcher)
        return []
    place = case.place_match
    resp = resolve(service, place)
    office = office_name(service, resp)
    given = handoff(service, resp)
    lines: list[str] = []
    if other_region(service, resp):
        lines += [texts.APPLY_OTHER_REGION(voice), responsibility_text(resp, place, voice)]
    elif service.online_service.available:
        url = given["url"]
        lines.append(
            texts.ONLINE_WITH_URL(voice, title=service.button_title, url=url)
            if url
            else texts.ONLINE_WITHOUT_URL(voice, title=service.button_title, office=office)
        )
        if service.online_service.login:
            lines.append(texts.ONLINE_LOGIN(voice, login=service.online_service.login))
        if service.documents:
            lines.append(texts.DOCUMENTS_NEEDED(voice, lines=texts.bullet_lines(service.documents)))
        else:
            lines.append(texts.DOCUMENTS_UNKNOWN(voice, office=office))
    elif service.procedure:
        lines.append(
            texts.APPLY_OFFLINE(voice, title=service.button_title, lines=texts.bullet_lines(service.procedure))
        )
    else:
        lines.append(texts.APPLY_OFFLINE_NO_STEPS(voice, title=service.button_title, office=office))
    if resp.needs_place:
        lines.append(responsibility_text(resp, place, voice))  # asks for the place
    elif not other_region(service, resp):
        details = contact_details(resp.contact, voice)
        lines.append(responsibility_text(resp, place, voice))
        if details:
            lines.append(texts.CONTACT(voice, details=details))
    dispatcher.utter_message(text="\n".join(lines))
    events: list[EventType] = []
    offered = (
        service.online_service.available
        and bool(case.place or case.age is not None)
        and not resp.needs_place
        and not other_region(service, resp)
    )
    if offered:
        dispatcher.utter_message(
            text=texts.CONSENT_QUESTION(voice, lines=texts.bullet_lines(passable_lines(case, service, voice))),
            buttons=[
                button(texts.BUTTON_YES(voice), INTENT_AFFIRM),
                button(texts.BUTTON_NO(voice), INTENT_DENY),
            ],
        )
    events.append(SlotSet(SLOT_HANDOFF_OFFERED, offered))
    events.append(SlotSet(SLOT_HANDOFF_PENDING, service.id if resp.needs_place else None))
    metadata.emit(dispatcher, [service.id], authority=resp.authority, handoff=given)
    return events


def pending_handoff(turn: Turn, service: Service, resp: Responsibility) -> tuple[Handoff | None, list[EventType]]:
    """After a hand-off that lacked the place: the hand-off again once the place is known (with its office)."""
    if turn.case.handoff_pending != service.id or resp.needs_place:
        return None, []
    return handoff(service, resp), [SlotSet(SLOT_HANDOFF_PENDING, None)]


def consent(dispatcher: CollectingDispatcher, turn: Turn, offered: bool) -> list[EventType]:
    """'Ja' after the prefill question: the hand-off with the listed data."""
    service, voice, case = turn.case.chosen, turn.voice, turn.case
    if service is not None:
        service = local(service, voice)
    if not offered or service is None:
        dispatcher.utter_message(text=texts.NOTHING_TO_CONFIRM(voice))
        metadata.emit(dispatcher, [service.id] if service else [])
        return []
    resp = resolve(service, case.place_match)
    given = handoff(service, resp, prefill(case, service))
    text = texts.CONSENT_GIVEN(voice, lines=texts.bullet_lines(passable_lines(case, service, voice)))
    if given["url"]:
        text += "\n" + texts.CONSENT_GIVEN_URL(voice, url=given["url"])
    else:
        text += "\n" + texts.CONSENT_GIVEN_NO_URL(voice, office=office_name(service, resp))
    dispatcher.utter_message(text=text)
    metadata.emit(dispatcher, [service.id], authority=resp.authority, handoff=given)
    return [SlotSet(SLOT_HANDOFF_OFFERED, False)]


def decline(dispatcher: CollectingDispatcher, turn: Turn, offered: bool) -> list[EventType]:
    """'Nein' after the prefill question: nothing is passed on."""
    service, voice = turn.case.chosen, turn.voice
    done = offered and service is not None
    dispatcher.utter_message(text=(texts.CONSENT_DECLINED if done else texts.NOTHING_TO_CONFIRM)(voice))
    authority = resolve(service, turn.case.place_match).authority if service else None
    metadata.emit(dispatcher, [service.id] if service else [], authority=authority)
    return [SlotSet(SLOT_HANDOFF_OFFERED, False)] if offered else []
