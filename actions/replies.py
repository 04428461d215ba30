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
    local,
    section_text,
    service_buttons,
    service_lines,
    service_summary,
)
from actions.responsibility import contact_block, contact_details, office_name, resolve, responsibility_text

if TYPE_CHECKING:
    from actions.texts import Voice
    from actions.understanding import Turn
    from contract.chat import Authority
    from knowledge.places import PlaceMatch
    from knowledge.schema import Service


def tell_responsibility(
    dispatcher: CollectingDispatcher, service: Service, place: PlaceMatch | None, voice: Voice
) -> Authority | None:
    """One message: who is responsible (with confirmed contact details), or the question for the place."""
    resp = resolve(service, place)
    text = responsibility_text(resp, place, voice)
    details = None if resp.needs_place else contact_details(resp.contact, voice)
    if details:
        text += "\n" + texts.CONTACT(voice, details=details)
    dispatcher.utter_message(text=text)
    return resp.authority


def present(
    dispatcher: CollectingDispatcher, service: Service, place: PlaceMatch | None, voice: Voice
) -> Authority | None:
    """A service (summary and next-step buttons), then who is responsible or the question for the place: the place
    question is the last thing the citizen reads. Returns the metadata authority."""
    title = local(service, voice).button_title if voice.leicht else local(service, voice).title
    dispatcher.utter_message(
        text=texts.SHOW_SERVICE(voice, title=title, text=service_summary(service, voice)),
        buttons=service_buttons(service, voice),
    )
    return tell_responsibility(dispatcher, service, place, voice)


def _authority(service: Service | None, place: PlaceMatch | None) -> Authority | None:
    return resolve(service, place).authority if service is not None else None


def search(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """The answer to a content turn, by the search decision."""
    decision, voice, place = turn.decision, turn.voice, turn.case.place_match
    assert decision is not None
    shown = [h.service for h in decision.hits]
    if decision.kind == "clear":
        best = shown[0]
        title = local(best, voice).button_title if voice.leicht else local(best, voice).title
        dispatcher.utter_message(
            text=texts.FOUND_ONE(voice, title=title, text=service_summary(best, voice)),
            buttons=service_buttons(best, voice),
        )
        if shown[1:]:
            dispatcher.utter_message(
                text=texts.ALSO_POSSIBLE(voice, lines=service_lines(shown[1:], voice)),
                buttons=choose_buttons(shown[1:], voice),
            )
        authority = tell_responsibility(dispatcher, best, place, voice)  # a place question comes last
        metadata.emit(dispatcher, [s.id for s in shown], authority=authority)
        return []
    if decision.kind in ("close", "options"):
        lines = service_lines(shown, voice)
        if decision.kind == "close":
            options = texts.join_or([local(s, voice).button_title for s in shown], voice)
            text = texts.CLOSE_QUESTION(voice, options=options, lines=lines)
        else:
            text = texts.OPTIONS_AFTER_CLARIFY(voice, lines=lines)
        dispatcher.utter_message(text=text, buttons=choose_buttons(shown, voice))
        metadata.emit(dispatcher, [s.id for s in shown], authority=_authority(shown[0], place))
        return []
    if decision.kind == "vague":  # a guided choice: the Lebenslagen, and what was found (or the most asked)
        dispatcher.utter_message(
            text=texts.VAGUE_QUESTION(voice), buttons=lebenslage_buttons(voice) + choose_buttons(shown, voice)
        )
        metadata.emit(dispatcher, [s.id for s in shown])
        return []
    # nothing the catalogue knows is a failed understanding too: the second in a row gives a contact
    return not_understood(dispatcher, turn, texts.NOTHING_FOUND(voice), [human_button(voice)])


def show(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """One service in short, with next steps; asks for the place if it matters."""
    service = turn.service
    if service is None:
        return ask_which_service(dispatcher, turn)
    authority = present(dispatcher, service, turn.case.place_match, turn.voice)
    metadata.emit(dispatcher, [service.id], authority=authority)
    return []


def section(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """One section of the service; honest when the catalogue has nothing confirmed."""
    service, voice, place = turn.service, turn.voice, turn.case.place_match
    name = turn.section or "procedure"
    if service is None:
        return ask_which_service(dispatcher, turn)
    resp = resolve(service, place)
    contact = contact_details(resp.contact if resp.contact else service.responsible.contact, voice)
    if resp.authority == "Kreis/kreisfreie Stadt":
        contact = None
    text = section_text(service, name, voice, office_name(service, resp), contact)
    if turn.moved or (turn.place is not None and not resp.needs_place):
        text += "\n" + responsibility_text(resp, place, voice)
    dispatcher.utter_message(text=text, buttons=follow_up_buttons(service, name, voice))
    metadata.emit(dispatcher, [service.id], authority=resp.authority)
    return []


def responsibility(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """Who is responsible at the citizen's place: for the chosen service, or briefly for each candidate."""
    voice, place = turn.voice, turn.case.place_match
    if turn.intent == "inform_place" and turn.place is None:  # "Ich wohne in Xyzdorf"
        dispatcher.utter_message(text=texts.PLACE_UNKNOWN(voice))
        focus = turn.case.focus
        metadata.emit(dispatcher, [focus.id] if focus else [], authority=_authority(focus, place))
        return []
    services = turn.case.about()  # the chosen service with the others shown with it (none after a pick)
    if turn.service is not None and turn.service not in services:
        services = [turn.service]
    if not services:
        if place is None:
            dispatcher.utter_message(text=texts.RESPONSIBLE_WHAT_AND_WHERE(voice))
            metadata.emit(dispatcher)
            return []
        text = responsibility_text(resolve(None, place), place, voice)
        dispatcher.utter_message(text=text + " " + texts.ASK_WHAT_ABOUT(voice))
        metadata.emit(dispatcher)
        return []
    first = services[0]
    resp = resolve(first, place)
    text = responsibility_text(resp, place, voice)
    if len(services) > 1:
        text = texts.RESPONSIBLE_FOR(voice, title=local(first, voice).button_title, text=text)
        for other in services[1:]:
            other_resp = resolve(other, place)
            if not other_resp.needs_place or not resp.needs_place:
                text += "\n" + texts.RESPONSIBLE_FOR(
                    voice, title=local(other, voice).button_title, text=responsibility_text(other_resp, place, voice)
                )
    details = None if resp.needs_place else contact_details(resp.contact, voice)
    if details:
        text += "\n" + texts.CONTACT(voice, details=details)
    buttons = [] if resp.needs_place else follow_up_buttons(first, "prerequisites", voice)
    if len(services) > 1:
        buttons = choose_buttons(services, voice)
    dispatcher.utter_message(text=text, buttons=buttons)
    handoff, events = pending_handoff(turn, first, resp)
    metadata.emit(dispatcher, [s.id for s in services], authority=resp.authority, handoff=handoff)
    return events


def human(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """The contact of the office responsible for the case's service at the place, else the general contact."""
    service, voice = turn.service, turn.voice
    about = texts.HUMAN_ABOUT(voice, title=local(service, voice).button_title) if service else ""
    block, authority = contact_block(service, turn.case.place_match, voice)
    dispatcher.utter_message(text=texts.HUMAN_CONTACT(voice, about=about) + "\n" + block)
    metadata.emit(dispatcher, [service.id] if service else [], authority=authority)
    return []


def ask_which_service(dispatcher: CollectingDispatcher, turn: Turn) -> list[EventType]:
    """No service to answer about: ask to describe the situation (the case has no candidates either)."""
    dispatcher.utter_message(text=texts.ASK_WHICH_SERVICE_FREE(turn.voice))
    metadata.emit(dispatcher)
    return []
