"""English conversations (issue 11): every text in English, the catalogue's English texts, responsibility with the
German names in brackets, the hand-off and its consent, English follow-ups read from their question words, and the
language switch."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
from action_harness import choose, run, snapshot

from actions import texts
from actions.talk import (
    ActionExplainSection,
    ActionHandoffConsent,
    ActionOfferHandoff,
    ActionSearchServices,
    ActionSessionStart,
    ActionSetLeichteSprache,
    ActionSwitchLanguage,
    ActionTellResponsibility,
)
from actions.understanding import NEW_CASE, cue, subject_age

SEARCH = ActionSearchServices()
EN = {"language": "en"}
BONN = {"place": "Bonn", "ags": "05314000", "landschaftsverband": "LVR"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _templates() -> list[tuple[str, texts.Template]]:
    found = [(name, value) for name, value in vars(texts).items() if isinstance(value, texts.Template)]
    for table in ("SECTION_LABELS", "SECTION_BUTTONS", "CONTACT_LABELS"):
        found += [(f"{table}[{key}]", value) for key, value in getattr(texts, table).items()]
    found += [(f"LEBENSLAGE_CHOICES[{i}]", t) for i, pair in enumerate(texts.LEBENSLAGE_CHOICES) for t in pair]
    return found


@pytest.mark.parametrize(("name", "template"), _templates(), ids=[name for name, _ in _templates()])
def test_every_text_has_an_english_version_with_the_same_fields(name: str, template: texts.Template) -> None:
    assert template.en.strip(), name
    assert _fields(template.en) == _fields(template.standard), name
    assert not re.search(r"\b(?:Sie|Ihr|Ihre|und|oder|nicht)\b", template.en), f"German words in {name}"


def test_an_english_situation_is_answered_in_english_with_the_english_catalogue_texts(catalogue: Any) -> None:
    out = run(SEARCH, snapshot("I am blind since birth and live in Cologne. Can I get the blind allowance?",
                               metadata=EN))  # fmt: skip
    assert out.metadata is not None and out.metadata["language"] == "en"
    assert out.metadata["service_ids"][0] == "blindengeld" and out.metadata["authority"] == "LVR"
    english = catalogue["blindengeld"].in_language("en")
    assert out.text.startswith(texts.FOUND_ONE(texts.ENGLISH, title=english.title, text=english.teaser).split("\n")[0])
    assert english.teaser in out.text and catalogue["blindengeld"].teaser not in out.text
    assert "Regional Association of Rhineland (LVR, Landschaftsverband Rheinland)" in out.text
    assert "Sie wohnen" not in out.text and "zuständig" not in out.text
    assert all(not b["title"].startswith(("Voraussetzungen", "Unterlagen")) for b in out.visible[0]["buttons"])


def test_an_english_follow_up_is_answered_for_the_case_s_service_in_english(catalogue: Any) -> None:
    deaf = "gehoerlosengeld"
    state = snapshot("What documents do I need?", intent="describe_situation", metadata=EN,
                     slots={"service_id": deaf, "candidate_ids": [deaf], **BONN})  # fmt: skip
    out = run(SEARCH, state)
    assert out.metadata is not None and out.metadata["service_ids"] == [deaf]
    english = catalogue[deaf].in_language("en")
    label = texts.SECTION_LABELS["documents"](texts.ENGLISH)
    assert out.text.startswith(f"{label} – {english.button_title}")
    assert english.documents[0] in out.text
    assert out.metadata["language"] == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can I do that online?", ("apply", None)),
        ("What does it cost?", ("section", "costs")),
        ("Which papers do I have to bring?", ("section", "documents")),
        ("Is there a deadline?", ("section", "deadlines")),
        ("Who is responsible for that?", ("responsibility", None)),
        ("Can I call someone?", ("human", None)),
    ],
)
def test_english_follow_ups_are_read_from_their_question_words(text: str, expected: tuple[str | None, ...]) -> None:
    assert cue(text) == expected


@pytest.mark.parametrize(
    ("turns", "age"),
    [(("My son is 4 and does not speak yet",), 4), (("We have a 3 year old daughter",), 3), (("I am 67",), 67)],
)
def test_the_age_of_the_person_is_read_in_english(turns: tuple[str, ...], age: int) -> None:
    assert subject_age(turns) == age


def test_responsibility_in_westphalia_names_the_lwl_in_english() -> None:
    state = snapshot("We live in Bielefeld", intent="inform_place", metadata=EN,
                     slots={"service_id": "blindengeld", "candidate_ids": ["blindengeld"]})  # fmt: skip
    out = run(ActionTellResponsibility(), state)
    assert out.metadata is not None and out.metadata["authority"] == "LWL"
    assert "Westphalia-Lippe" in out.text and "Landschaftsverband Westfalen-Lippe" in out.text
    assert "Sie wohnen" not in out.text


def test_the_english_hand_off_asks_consent_in_english_and_passes_the_data_after_yes(catalogue: Any) -> None:
    online = "eingliederungshilfe-antrag"
    slots = {"service_id": online, "candidate_ids": [online], "age": 45.0, **BONN}
    offer = run(ActionOfferHandoff(), snapshot(f'/apply_online{{"service_id":"{online}"}}', metadata=EN, slots=slots))
    assert offer.metadata is not None and offer.metadata["handoff"]["service_id"] == online
    assert offer.metadata["handoff"]["prefill"] is None and offer.metadata["language"] == "en"
    assert "Shall I pass details" in offer.text and "Place of residence: Bonn" in offer.text
    assert [b["title"] for b in offer.messages[-2]["buttons"]] == ["Yes", "No"]
    consent = run(ActionHandoffConsent(), snapshot("/affirm", metadata=EN,
                                                   slots={**slots, **offer.slots, "language": "en"}))  # fmt: skip
    assert consent.metadata is not None and consent.metadata["handoff"]["prefill"]["place"] == "Bonn"
    assert consent.text.startswith("Thank you. I pass these details on")


def test_switching_language_confirms_in_the_new_language_and_shows_the_service_again(catalogue: Any) -> None:
    state = snapshot('/switch_language{"language":"en"}', slots={"service_id": "blindengeld", **BONN})
    out = run(ActionSwitchLanguage(), state)
    assert out.visible[0]["text"] == texts.LANGUAGE_SWITCHED(texts.ENGLISH)
    assert catalogue["blindengeld"].in_language("en").teaser in out.text
    assert out.slots["language"] == "en" and out.metadata is not None and out.metadata["language"] == "en"
    back = run(ActionSwitchLanguage(), snapshot('/switch_language{"language":"de"}', slots={"language": "en"}))
    assert back.text == texts.LANGUAGE_SWITCHED(texts.STANDARD) and back.slots["language"] == "de"


def test_leichte_sprache_asked_in_english_says_it_is_german_only() -> None:
    out = run(ActionSetLeichteSprache(), snapshot("easy language please", intent="leichte_sprache_on", metadata=EN))
    assert out.text == texts.LEICHTE_SPRACHE_ON(texts.ENGLISH) and out.slots["leichte_sprache"] is True
    assert out.metadata is not None and out.metadata["language"] == "en"


def test_choosing_a_service_in_english_shows_its_english_texts(catalogue: Any) -> None:
    out = run(ActionExplainSection(), snapshot('/ask_costs{"service_id":"blindengeld"}', metadata=EN, slots=BONN))
    assert '"Costs" for Blind allowance' in out.text  # nothing confirmed: said so, in English
    shown = run(SEARCH, snapshot(choose("blindengeld"), intent="choose_service", metadata=EN))
    assert shown.metadata is not None and shown.metadata["language"] == "en"


@pytest.mark.parametrize(
    ("metadata", "slots", "expected"),
    [
        ({"language": "en"}, {}, "en"),  # the first message was English: the greeting is English
        ({"language": None, "language_hint": "en"}, {}, "en"),  # too short to tell: the page's language
        ({"language": None}, {}, None),  # nothing known: German, not stored
        ({"language": None}, {"language": "en", "place": "Bonn"}, None),  # carried over, unchanged
        ({"language": "de"}, {"language": "en"}, "de"),  # the citizen now writes German
    ],
)
def test_a_new_session_takes_the_language_of_its_first_message(
    metadata: dict[str, Any], slots: dict[str, Any], expected: str | None
) -> None:
    state = snapshot("Hello", intent="greet", slots={**slots, "session_started_metadata": metadata})
    out = run(ActionSessionStart(), state)
    assert out.events[0]["event"] == "session_started" and out.events[-1]["name"] == "action_listen"
    changed = [e["value"] for e in out.events if e.get("name") == "language"]
    carried = slots.get("language")
    assert changed[-1:] == ([expected] if expected else ([carried] if carried else []))
    assert ("Bonn" in [e.get("value") for e in out.events]) == ("place" in slots)  # slots carried over


@pytest.mark.parametrize(
    "text", ["Another thing: my daughter needs a school assistant", "Something else - who pays for a wheelchair?",
             "By the way, is there help for deaf people?", "One more thing: can I get a parking card?"],
)  # fmt: skip
def test_english_new_topic_markers_start_a_new_case(text: str) -> None:
    assert NEW_CASE.search(text)
