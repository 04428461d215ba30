"""The replies: one function per kind of understood turn (actions.understanding.Turn), each writing the messages and
the turn metadata (last) to the dispatcher and returning the events beyond the case's own slots.

    search          a content turn: the best service, a question between close ones, a guided choice, or nothing
    show            one service (picked by button, by "das zweite", or asked about without a question)
    section         one section of the service the question is about
    responsibility  who is responsible for the case's service(s) at the place
    human           the office of the case's service at the place (the general contact only without a service)

Hand-off and fallback replies are in actions.handoff and actions.fallback; actions.talk routes turns to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import metadata, texts
from actions.fallback import not_understood
from actions.handoff import pending_handoff
from actions.presenter import (
    choose_buttons,
    follow_up_buttons,
    human_button,
    lebenslage_buttons,
    section_text,
    service_buttons,
    service_lines,
    service_summary,
)
from actions.responsibility import contact_block, contact_details, office_name, resolve, responsibility_text

if TYPE_CHECKING:
    from actions.understanding import Turn
    from contract.chat import Authority
    from knowledge.places import PlaceMatch
    from knowledge.schema import Service



def tell_responsibility(
    dispatcher: CollectingDispatcher, service: Service, place: PlaceMatch | None, is_leicht: bool
) -> Authority | None:
    """One message: who is responsible (with confirmed contact details), or the question for the place."""
    resp = resolve(service, place)
    text = responsibility_text(resp, place, is_leicht)
    details = None if resp.needs_place else contact_details(resp.contact)
    if details:
        text += "\n" + texts.CONTACT(is_leicht, details=details)
    dispatcher.utter_message(text=text)
    return resp.authority


def present(
    dispatcher: CollectingDispatcher, service: Service, place: PlaceMatch | None, is_leicht: bool
) -> Authority | None:
    """A service (summary and next-step buttons), then who is responsible or the question for the place: the place
    question is the last thing the citizen reads. Returns the metadata authority."""
    title = service.button_title if is_leicht else service.title
    dispatcher.utter_message(
        text=texts.SHOW_SERVICE(is_leicht, title=title, text=service_summary(service, is_leicht)),
        buttons=service_buttons(service, is_leicht),
    )
    return tell_responsibility(dispatcher, service, place, is_leicht)


def _authority(service: Service | None, place: PlaceMatch | None) -> Authority | None:
    return resolve(service, place).authority if service is not None else None


def search(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """The answer to a content turn, by the search decision."""
    decision, is_leicht, place = turn.decision, turn.leicht, turn.case.place_match
    assert decision is not None
    shown = [h.service for h in decision.hits]
    if decision.kind == "clear":
        best = shown[0]
        title = best.button_title if is_leicht else best.title
        dispatcher.utter_message(
            text=texts.FOUND_ONE(is_leicht, title=title, text=service_summary(best, is_leicht)),
            buttons=service_buttons(best, is_leicht),
        )
        if shown[1:]:
            dispatcher.utter_message(
                text=texts.ALSO_POSSIBLE(is_leicht, lines=service_lines(shown[1:], is_leicht)),
                buttons=choose_buttons(shown[1:]),
            )
        authority = tell_responsibility(dispatcher, best, place, is_leicht)  # a place question comes last
        metadata.emit(dispatcher, [s.id for s in shown], authority=authority)
        return []
    if decision.kind in ("close", "options"):
        lines = service_lines(shown, is_leicht)
        if decision.kind == "close":
            options = texts.join_or([s.button_title for s in shown])
            text = texts.CLOSE_QUESTION(is_leicht, options=options, lines=lines)
        else:
            text = texts.OPTIONS_AFTER_CLARIFY(is_leicht, lines=lines)
        dispatcher.utter_message(text=text, buttons=choose_buttons(shown))
        metadata.emit(dispatcher, [s.id for s in shown], authority=_authority(shown[0], place))
        return []
    if decision.kind == "vague":  # a guided choice: the Lebenslagen, and what was found (or the most asked)
        dispatcher.utter_message(
            text=texts.VAGUE_QUESTION(is_leicht), buttons=lebenslage_buttons(is_leicht) + choose_buttons(shown)
        )
        metadata.emit(dispatcher, [s.id for s in shown])
        return []
    # nothing the catalogue knows is a failed understanding too: the second in a row gives a contact
    return not_understood(dispatcher, turn, texts.NOTHING_FOUND(is_leicht), [human_button(is_leicht)])


def show(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """One service in short, with next steps; asks for the place if it matters."""
    service = turn.service
    if service is None:
        return ask_which_service(dispatcher, turn)
    authority = present(dispatcher, service, turn.case.place_match, turn.leicht)
    metadata.emit(dispatcher, [service.id], authority=authority)
    return []


def section(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """One section of the service; honest when the catalogue has nothing confirmed."""
    service, is_leicht, place = turn.service, turn.leicht, turn.case.place_match
    name = turn.section or "procedure"
    if service is None:
        return ask_which_service(dispatcher, turn)
    resp = resolve(service, place)
    contact = contact_details(resp.contact if resp.contact else service.responsible.contact)
    if resp.authority == "Kreis/kreisfreie Stadt":
        contact = None
    text = section_text(service, name, is_leicht, office_name(service, resp), contact)
    if turn.moved or (turn.place is not None and not resp.needs_place):
        text += "\n" + responsibility_text(resp, place, is_leicht)
    dispatcher.utter_message(text=text, buttons=follow_up_buttons(service, name, is_leicht))
    metadata.emit(dispatcher, [service.id], authority=resp.authority)
    return []


def responsibility(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """Who is responsible at the citizen's place: for the chosen service, or briefly for each candidate."""
    is_leicht, place = turn.leicht, turn.case.place_match
    if turn.intent == "inform_place" and turn.place is None:  # "Ich wohne in Xyzdorf"
        dispatcher.utter_message(text=texts.PLACE_UNKNOWN(is_leicht))
        focus = turn.case.focus
        metadata.emit(dispatcher, [focus.id] if focus else [], authority=_authority(focus, place))
        return []
    services = turn.case.about()  # the chosen service with the others shown with it (none after a pick)
    if turn.service is not None and turn.service not in services:
        services = [turn.service]
    if not services:
        if place is None:
            dispatcher.utter_message(text=texts.RESPONSIBLE_WHAT_AND_WHERE(is_leicht))
            metadata.emit(dispatcher)
            return []
        text = responsibility_text(resolve(None, place), place, is_leicht)
        dispatcher.utter_message(text=text + " " + texts.ASK_WHAT_ABOUT(is_leicht))
        metadata.emit(dispatcher)
        return []
    first = services[0]
    resp = resolve(first, place)
    text = responsibility_text(resp, place, is_leicht)
    if len(services) > 1:
        text = texts.RESPONSIBLE_FOR(is_leicht, title=first.button_title, text=text)
        for other in services[1:]:
            other_resp = resolve(other, place)
            if not other_resp.needs_place or not resp.needs_place:
                text += "\n" + texts.RESPONSIBLE_FOR(
                    is_leicht, title=other.button_title, text=responsibility_text(other_resp, place, is_leicht)
                )
    details = None if resp.needs_place else contact_details(resp.contact)
    if details:
        text += "\n" + texts.CONTACT(is_leicht, details=details)
    buttons = [] if resp.needs_place else follow_up_buttons(first, "prerequisites", is_leicht)
    if len(services) > 1:
        buttons = choose_buttons(services)
    dispatcher.utter_message(text=text, buttons=buttons)
    handoff, events = pending_handoff(turn, first, resp)
    metadata.emit(dispatcher, [s.id for s in services], authority=resp.authority, handoff=handoff)
    return events


def human(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """The contact of the office responsible for the case's service at the place, else the general contact."""
    service, is_leicht = turn.service, turn.leicht
    about = texts.HUMAN_ABOUT(is_leicht, title=service.button_title) if service else ""
    block, authority = contact_block(service, turn.case.place_match, is_leicht)
    dispatcher.utter_message(text=texts.HUMAN_CONTACT(is_leicht, about=about) + "\n" + block)
    metadata.emit(dispatcher, [service.id] if service else [], authority=authority)
    return []


def ask_which_service(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """No service to answer about: ask to describe the situation (the case has no candidates either)."""
    dispatcher.utter_message(text=texts.ASK_WHICH_SERVICE_FREE(turn.leicht))
    metadata.emit(dispatcher)
    return []
