"""Fallback (twice → contact), human contact, out of scope, Leichte Sprache switch, and what every action shares."""

from __future__ import annotations

import re
from typing import Any

import pytest
from action_harness import run, snapshot

from actions import texts
from actions.talk import (
    ActionDefaultFallback,
    ActionExplainSection,
    ActionHandoffConsent,
    ActionHandoffDecline,
    ActionHumanContact,
    ActionOfferHandoff,
    ActionOutOfScope,
    ActionSearchServices,
    ActionSetLeichteSprache,
    ActionShowService,
    ActionTellResponsibility,
)

FALLBACK = ActionDefaultFallback()
HUMAN = ActionHumanContact()
KOELN = {"place": "Köln", "ags": "05315000", "landschaftsverband": "LVR"}
REVERT = {"event": "rewind", "timestamp": None}


def user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def failed_slot(value: float) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": "failed_turns", "value": value}


ONE_FAILURE_BEFORE = [user("blub", "nlu_fallback"), action("action_default_fallback"), REVERT, failed_slot(1.0),
                      action("action_listen"), user("blabla", "nlu_fallback")]  # fmt: skip
UNDERSTOOD_IN_BETWEEN = [user("blub", "nlu_fallback"), action("action_default_fallback"), REVERT, failed_slot(1.0),
                         action("action_listen"), user("Hallo", "greet"), action("utter_greet"),
                         action("action_listen"), user("blabla", "nlu_fallback")]  # fmt: skip


@pytest.mark.parametrize(
    ("slots", "events", "says", "failed"),
    [
        ({}, [user("blub", "nlu_fallback")], texts.FALLBACK_FIRST(texts.STANDARD), 1.0),
        ({"failed_turns": 1.0}, ONE_FAILURE_BEFORE, texts.FALLBACK_SECOND(texts.STANDARD), 0.0),
        ({"failed_turns": 1.0}, UNDERSTOOD_IN_BETWEEN, texts.FALLBACK_FIRST(texts.STANDARD), 1.0),
        ({"failed_turns": 1.0}, [], texts.FALLBACK_SECOND(texts.STANDARD), 0.0),  # no events: the slot decides
    ],
)
def test_fallback_counts_failed_turns(slots: dict[str, Any], events: list[dict[str, Any]], says: str,
                                      failed: float) -> None:  # fmt: skip
    out = run(FALLBACK, snapshot("blabla", intent="nlu_fallback", slots=slots, events=events))
    assert out.text.startswith(says)
    assert out.events == [REVERT, failed_slot(failed)]
    assert out.metadata is not None and out.metadata["fallback"] is True


@pytest.mark.parametrize(
    ("slots", "contact"),
    [
        ({}, "LVR – Landschaftsverband Rheinland\nInternet: https://www.lvr.de"),
        ({"service_id": "blindengeld", **KOELN}, "LVR-Dezernat Soziales\nInternet: https://www.lvr.de"),
        ({"landschaftsverband": "LWL", "place": "Dortmund", "ags": "05913000"},
         "LWL – Landschaftsverband Westfalen-Lippe\nInternet: https://www.lwl.org"),
        ({"service_id": "eutb"}, "Internet: https://www.teilhabeberatung.de"),
        ({"service_id": "blindengeld"}, "Wenn Sie in Westfalen-Lippe wohnen: LWL – Landschaftsverband Westfalen-Lippe"),
        ({"service_id": "schwerbehindertenausweis"}, "Zuständig ist die Kreis- oder Stadtverwaltung Ihres Wohnorts."),
    ],
)  # fmt: skip
def test_second_failure_gives_the_contact_from_the_catalogue(slots: dict[str, Any], contact: str) -> None:
    out = run(FALLBACK, snapshot("blabla", intent="nlu_fallback", slots={**slots, "failed_turns": 1.0}))
    assert contact in out.text
    assert "Wo wohnen Sie?" not in out.text, "a contact answer does not ask back"
    assert not re.search(r"\d{3,}[ /-]?\d{3,}", out.text), "no phone numbers that the catalogue does not hold"


@pytest.mark.parametrize(
    ("slots", "contains", "authority"),
    [
        ({}, "LVR – Landschaftsverband Rheinland", None),
        ({"service_id": "blindengeld", **KOELN}, "LVR-Dezernat Soziales", "LVR"),
        ({"service_id": "schwerbehindertenausweis", "place": "Troisdorf", "ags": "05382068",
          "landschaftsverband": "LVR"}, "Rhein-Sieg-Kreis", "Kreis/kreisfreie Stadt"),
        ({"service_id": "pflegegrad-beantragen"}, "Pflegekasse", "other"),
    ],
)  # fmt: skip
def test_human_contact(slots: dict[str, Any], contains: str, authority: str | None) -> None:
    out = run(HUMAN, snapshot("Ich möchte mit einem Menschen sprechen", intent="request_human", slots=slots))
    assert contains in out.text
    assert out.metadata is not None and out.metadata["authority"] == authority
    assert out.metadata["fallback"] is False


@pytest.mark.parametrize("text", ["Wie bekomme ich einen Reisepass?", "Wie hoch ist die Hundesteuer?",
                                  "Wie wird das Wetter morgen?"])  # fmt: skip
def test_out_of_scope(text: str) -> None:
    out = run(ActionOutOfScope(), snapshot(text, intent="out_of_scope"))
    assert out.text.startswith(texts.OUT_OF_SCOPE(texts.STANDARD))
    assert "https://www.lvr.de" in out.text, "the general contact of the Landschaftsverband"
    assert out.metadata == {"service_ids": [], "authority": None, "handoff": None, "fallback": True, "language": "de"}


def test_out_of_scope_gives_the_lwl_contact_in_westfalen() -> None:
    slots = {"landschaftsverband": "LWL", "place": "Dortmund", "ags": "05913000"}
    out = run(ActionOutOfScope(), snapshot("Wie wird das Wetter?", intent="out_of_scope", slots=slots))
    assert "https://www.lwl.org" in out.text and "lvr.de" not in out.text


@pytest.mark.parametrize(
    ("intent", "slots", "value", "shows_leichte_text"),
    [
        ("leichte_sprache_on", {"service_id": "blindengeld"}, True, True),
        ("leichte_sprache_on", {}, True, False),
        ("leichte_sprache_off", {"leichte_sprache": True}, False, False),
    ],
)
def test_set_leichte_sprache(catalogue: Any, intent: str, slots: dict[str, Any], value: bool,
                             shows_leichte_text: bool) -> None:  # fmt: skip
    out = run(ActionSetLeichteSprache(), snapshot("", intent=intent, slots=slots))
    assert out.slots["leichte_sprache"] is value
    assert (catalogue["blindengeld"].leichte_sprache in out.text) is shows_leichte_text


def test_leichte_sprache_in_fallback_and_out_of_scope() -> None:
    slots = {"leichte_sprache": True}
    assert run(FALLBACK, snapshot("x", intent="nlu_fallback", slots=slots)).text == texts.FALLBACK_FIRST(texts.LEICHT)
    out_of_scope = run(ActionOutOfScope(), snapshot("x", intent="out_of_scope", slots=slots)).text
    assert out_of_scope.startswith(texts.OUT_OF_SCOPE(texts.LEICHT))
    assert texts.OUT_OF_SCOPE_CONTACT(texts.LEICHT) in out_of_scope


# --- what every action shares ---------------------------------------------------------------------------------------
EVERY_ACTION = [
    (ActionSearchServices(), "Ich bin blind und wohne in Köln", "describe_situation"),
    (ActionShowService(), '/choose_service{"service_id":"blindengeld"}', "choose_service"),
    (ActionExplainSection(), '/ask_documents{"service_id":"blindengeld"}', "ask_documents"),
    (ActionTellResponsibility(), "Wer ist zuständig?", "ask_responsible"),
    (ActionOfferHandoff(), '/apply_online{"service_id":"eingliederungshilfe-antrag"}', "apply_online"),
    (ActionHandoffConsent(), "Ja", "affirm"),
    (ActionHandoffDecline(), "Nein", "deny"),
    (ActionHumanContact(), "Mensch bitte", "request_human"),
    (ActionDefaultFallback(), "blub", "nlu_fallback"),
    (ActionOutOfScope(), "Reisepass", "out_of_scope"),
    (ActionSetLeichteSprache(), "Leichte Sprache bitte", "leichte_sprache_on"),
]


@pytest.mark.parametrize("leicht", [False, True])
@pytest.mark.parametrize(("action_", "text", "intent"), EVERY_ACTION, ids=[a.name() for a, _, _ in EVERY_ACTION])
def test_every_action_ends_with_metadata_and_speaks_plain_german(action_: Any, text: str, intent: str,
                                                                 leicht: bool) -> None:  # fmt: skip
    state = snapshot(text, intent=intent, slots={"service_id": "blindengeld", "handoff_offered": True,
                                                 "failed_turns": 1.0, "leichte_sprache": leicht})  # fmt: skip
    out = run(action_, state)
    assert out.last_is_metadata
    assert set(out.metadata or {}) == {"service_ids", "authority", "handoff", "fallback", "language"}
    assert out.visible and all(m["text"] for m in out.visible)
    assert not re.search(r"<[a-zA-Z/][^>]*>", out.text), "no HTML"
    assert " du " not in f" {out.text.lower()} ", "Sie form"
    if action_.name() != "action_default_fallback":
        assert out.slots.get("failed_turns") == 0.0, "an understood turn resets the failure count"


def test_action_names_are_the_contract() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    names = {a.name for a in executor.list_actions()}
    assert names == {
        "action_search_services", "action_show_service", "action_explain_section",
        "action_tell_responsibility", "action_offer_handoff", "action_handoff_consent", "action_handoff_decline",
        "action_human_contact", "action_default_fallback", "action_out_of_scope", "action_set_leichte_sprache",
        "action_switch_language", "action_session_start",
    }  # fmt: skip


def test_a_place_read_as_nonsense_is_understood_after_all() -> None:
    """A follow-up like "ok, und in 53721?" classified as nonsense names a place: answer it instead of failing."""
    slots = {"service_id": "blindengeld", "failed_turns": 1.0}
    out = run(FALLBACK, snapshot("ok, und in 53721?", intent="nonsense", entities={"plz": "53721"}, slots=slots))
    assert out.slots["place"] == "Siegburg" and out.slots["failed_turns"] == 0.0
    assert out.metadata is not None and out.metadata["authority"] == "LVR" and out.metadata["fallback"] is False
    assert all(e["event"] != "rewind" for e in out.events), "the message is not forgotten"


NOTHING_FOUND_BEFORE = [user("qwe rtz uio", "describe_situation"), action("action_search_services"), failed_slot(1.0),
                        action("action_listen"), user("xkcd blubb zzz", "describe_situation")]  # fmt: skip


def test_a_search_that_finds_nothing_counts_as_a_failed_understanding() -> None:
    """First time: "nothing found" and the counter; second time in a row: the contact instead."""
    search = ActionSearchServices()
    first = run(search, snapshot("xkcd blubb zzz", events=[user("xkcd blubb zzz", "describe_situation")]))
    assert first.text == texts.NOTHING_FOUND(texts.STANDARD) and first.slots["failed_turns"] == 1.0
    second = run(search, snapshot("xkcd blubb zzz", slots={"failed_turns": 1.0}, events=NOTHING_FOUND_BEFORE))
    assert second.text.startswith(texts.FALLBACK_SECOND(texts.STANDARD)) and "https://www.lvr.de" in second.text
    assert second.slots["failed_turns"] == 0.0
    assert second.metadata is not None and second.metadata["fallback"] is True


@pytest.mark.parametrize(
    ("text", "understood"),
    [
        ("Ich habe eine Behinderung, was steht mir zu?", True),  # broad, but the catalogue knows its words
        ("asdf qwertz jklö", False),
        ("Wird es am Samstag in Xanten regnen?", False),  # the place aside, nothing the catalogue knows
    ],
)
def test_a_message_the_nlu_did_not_understand_is_searched_when_the_catalogue_knows_it(
    text: str, understood: bool
) -> None:
    out = run(FALLBACK, snapshot(text, intent="nlu_fallback"))
    assert out.metadata is not None
    if understood:
        assert out.metadata["fallback"] is False and out.metadata["service_ids"], "a guided choice"
        assert out.text == texts.VAGUE_QUESTION(texts.STANDARD)
        assert all(e["event"] != "rewind" for e in out.events)
    else:
        assert out.metadata["fallback"] is True and out.text == texts.FALLBACK_FIRST(texts.STANDARD)


MUENSTER_CARD = {"service_id": "schwerbehindertenausweis", "candidate_ids": ["schwerbehindertenausweis"],
                 "place": "Münster", "ags": "05515000", "landschaftsverband": "LWL"}  # fmt: skip


@pytest.mark.parametrize(
    ("action_", "text", "intent", "slots", "language"),
    [
        (FALLBACK, "One more thing: where do I renew my residence permit?", "nlu_fallback", MUENSTER_CARD, "en"),
        (FALLBACK, "where do I renew my residence permit?", "nlu_fallback", MUENSTER_CARD, "en"),
        (ActionSearchServices(), "Noch was anderes: wo verlängere ich meinen Aufenthaltstitel?", "describe_situation",
         MUENSTER_CARD, "de"),
        (ActionSearchServices(), "Wo beantrage ich Kindergeld für meine Tochter?", "describe_situation", {}, "de"),
        (ActionSearchServices(), "How do I register my car in Bonn?", "describe_situation", {}, "en"),
    ],
)  # fmt: skip
def test_a_matter_of_another_office_is_out_of_scope_whatever_the_nlu_read(
    action_: Any, text: str, intent: str, slots: dict[str, Any], language: str
) -> None:
    out = run(action_, snapshot(text, intent=intent, slots=slots, metadata={"language": language}))
    voice = texts.ENGLISH if language == "en" else texts.STANDARD
    assert out.text.startswith(texts.OUT_OF_SCOPE(voice)), out.text
    assert out.metadata is not None and out.metadata["fallback"] is True and out.metadata["service_ids"] == []


@pytest.mark.parametrize(
    ("action_", "text", "slots", "expected"),
    [
        # the same words beside something the catalogue knows: searched as usual
        (ActionSearchServices(), "Ich bin blind und brauche Geld, bekomme ich das auch mit einer Aufenthaltserlaubnis?",
         {}, "blindengeld"),
        # a driving licence is part of the Kraftfahrzeughilfe, not another office's matter
        (ActionSearchServices(), "Bezahlt mir jemand den Führerschein, ich sitze im Rollstuhl und brauche ein Auto",
         {}, "kraftfahrzeughilfe"),
        # a document asked about within a case stays a question about the case's service
        (ActionExplainSection(), "Brauche ich dafür meinen Personalausweis?", MUENSTER_CARD,
         "schwerbehindertenausweis"),
    ],
)  # fmt: skip
def test_the_same_words_in_a_case_the_catalogue_knows_are_not_out_of_scope(
    action_: Any, text: str, slots: dict[str, Any], expected: str
) -> None:
    intent = "ask_documents" if isinstance(action_, ActionExplainSection) else "describe_situation"
    out = run(action_, snapshot(text, intent=intent, slots=slots))
    assert out.metadata is not None and out.metadata["fallback"] is False, out.text
    assert expected in out.metadata["service_ids"][:3], (out.metadata, out.text)
