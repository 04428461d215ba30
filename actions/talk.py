"""The custom actions: thin. Each one understands the turn against the case (actions.understanding), lets the reply
of the turn's kind talk (actions.replies, actions.handoff, actions.fallback), and stores the updated case.

The action Rasa chose says what the citizen asked for; the message can make it another kind of turn (a place alone
is a question of responsibility, a follow-up without content is answered for the case's service, …).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import fallback, handoff, language, replies, texts
from actions.understanding import Turn, TurnKind, understand
from contract.chat import DEFAULT_LANGUAGE, SLOT_FAILED, SLOT_HANDOFF_OFFERED, SLOT_LANGUAGE, choose_language

Reply = Callable[[CollectingDispatcher, Turn], list[EventType]]
REPLIES: dict[str, Reply] = {
    "search": replies.search,
    "show": replies.show,
    "section": replies.section,
    "responsibility": replies.responsibility,
    "human": replies.human,
    "apply": handoff.apply,
    "out_of_scope": fallback.out_of_scope,
    "leichte": fallback.leichte,
    "language": fallback.switch_language,
}


def respond(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> list[EventType]:
    """The reply of the turn's kind, after the events that store the updated case."""
    if turn.kind == "fallback":  # like Rasa's own default fallback: forget the misunderstood message
        counter = fallback.not_understood(dispatcher, turn, texts.FALLBACK_FIRST(turn.voice))
        return [UserUtteranceReverted(), *counter]
    events = turn.case.events(tracker)
    if turn.kind in ("consent", "decline"):
        offered = bool(tracker.get_slot(SLOT_HANDOFF_OFFERED))
        reply = handoff.consent if turn.kind == "consent" else handoff.decline
        return events + reply(dispatcher, turn, offered)
    if turn.kind != "apply" and tracker.get_slot(SLOT_HANDOFF_OFFERED):
        events.append(SlotSet(SLOT_HANDOFF_OFFERED, False))  # the consent question is no longer open
    return events + REPLIES[turn.kind](dispatcher, turn)


class BeratungsAction(Action, ABC):
    """Base of the actions: understand, reply, store; reset the counter of failed turns after an understood one; keep
    the conversation's language (actions.language) and say it in the turn metadata."""

    asks: ClassVar[TurnKind]  # the kind of turn the action stands for

    @abstractmethod
    def name(self) -> str:
        """The action name of the domain (bot/domain/core.yml)."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        lang = language.resolve(tracker)
        events = respond(dispatcher, tracker, understand(tracker, self.asks, language=language.spoken(lang)))
        language.stamp(dispatcher, language.spoken(lang))
        events += language.keep(tracker, lang)
        counted = any(e.get("event") == "slot" and e.get("name") == SLOT_FAILED for e in events)
        if not counted and (tracker.get_slot(SLOT_FAILED) or 0) > 0:
            events.append(SlotSet(SLOT_FAILED, 0.0))
        return events


class ActionSearchServices(BeratungsAction):
    """describe_situation, inform_age: the case searched as a whole; answer, or ask back."""

    asks = "search"

    def name(self) -> str:
        return "action_search_services"


class ActionShowService(BeratungsAction):
    """choose_service: the chosen service in short, with next steps."""

    asks = "show"

    def name(self) -> str:
        return "action_show_service"


class ActionExplainSection(BeratungsAction):
    """ask_<section>: one section of the case's service."""

    asks = "section"

    def name(self) -> str:
        return "action_explain_section"


class ActionTellResponsibility(BeratungsAction):
    """ask_responsible, inform_place: who is responsible for the case's service(s) at the place."""

    asks = "responsibility"

    def name(self) -> str:
        return "action_tell_responsibility"


class ActionOfferHandoff(BeratungsAction):
    """apply_online: how and where to apply; the hand-off at once, the prefill question when there is data."""

    asks = "apply"

    def name(self) -> str:
        return "action_offer_handoff"


class ActionHandoffConsent(BeratungsAction):
    """affirm after the prefill question: the hand-off with the prefill."""

    asks = "consent"

    def name(self) -> str:
        return "action_handoff_consent"


class ActionHandoffDecline(BeratungsAction):
    """deny after the prefill question: nothing is passed on."""

    asks = "decline"

    def name(self) -> str:
        return "action_handoff_decline"


class ActionHumanContact(BeratungsAction):
    """request_human: the office of the case's service at the place, else the general contact."""

    asks = "human"

    def name(self) -> str:
        return "action_human_contact"


class ActionDefaultFallback(BeratungsAction):
    """nlu_fallback, low confidence, nonsense: ask to rephrase (second time: a contact) — unless the message is a
    place or a clear request after all."""

    asks = "fallback"

    def name(self) -> str:
        return "action_default_fallback"


class ActionOutOfScope(BeratungsAction):
    """out_of_scope: what the bot can help with instead, and the general contact."""

    asks = "out_of_scope"

    def name(self) -> str:
        return "action_out_of_scope"


class ActionSetLeichteSprache(BeratungsAction):
    """leichte_sprache_on / _off: switch the language level for the rest of the conversation."""

    asks = "leichte"

    def name(self) -> str:
        return "action_set_leichte_sprache"


class ActionSwitchLanguage(BeratungsAction):
    """switch_language (words or the button payload): the conversation goes on in the asked language."""

    asks = "language"

    def name(self) -> str:
        return "action_switch_language"


class ActionSessionStart(Action):
    """action_session_start: what Rasa's own does (SessionStarted, the slots carried over as the domain's
    session_config says, action_listen), and the conversation's language from the first message's metadata
    (Rasa passes it in the slot `session_started_metadata`). So a domain response of the first turn, such as the
    greeting, is already in the citizen's language; the actions resolve the language again on every turn."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SessionStarted()]
        carry_over = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True)
        if carry_over:
            events += [SlotSet(name, value) for name, value in tracker.slots.items()
                       if value is not None and name != "session_started_metadata"]  # fmt: skip
        metadata = tracker.get_slot("session_started_metadata") or {}
        slot = tracker.get_slot(SLOT_LANGUAGE) if carry_over else None
        chosen = choose_language(metadata.get("language"), slot, metadata.get("language_hint"))
        if chosen != (slot or DEFAULT_LANGUAGE):
            events.append(SlotSet(SLOT_LANGUAGE, chosen))
        events.append(ActionExecuted("action_listen"))
        return events
