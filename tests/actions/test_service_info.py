"""action_show_service and action_explain_section: the chosen service, its sections, honesty about gaps."""

from __future__ import annotations

from typing import Any

import pytest
from action_harness import choose, run, snapshot

from actions import texts
from actions.presenter import section_body
from actions.talk import ActionExplainSection, ActionShowService
from contract.chat import SECTION_INTENTS as INTENT_SECTIONS

SHOW = ActionShowService()
EXPLAIN = ActionExplainSection()
KOELN = {"place": "Köln", "ags": "05315000", "landschaftsverband": "LVR"}
TROISDORF = {"place": "Troisdorf", "ags": "05382068", "landschaftsverband": "LVR"}
DORTMUND = {"place": "Dortmund", "ags": "05913000", "landschaftsverband": "LWL"}


@pytest.mark.parametrize(
    ("service_id", "slots", "authority", "last_text_has"),
    [
        ("blindengeld", {}, None, "Wo wohnen Sie?"),
        ("blindengeld", KOELN, "LVR", "LVR-Dezernat Soziales"),
        ("blindengeld", DORTMUND, "LWL", "LWL"),
        ("schwerbehindertenausweis", {}, "Kreis/kreisfreie Stadt", "Wo wohnen Sie?"),
        ("schwerbehindertenausweis", TROISDORF, "Kreis/kreisfreie Stadt", "Rhein-Sieg-Kreis"),
        ("pflegegrad-beantragen", {}, "other", "nicht der LVR"),
    ],
)
def test_choose_shows_teaser_and_responsibility_or_asks_for_the_place(
    catalogue: Any, service_id: str, slots: dict[str, Any], authority: str | None, last_text_has: str
) -> None:
    service = catalogue[service_id]
    out = run(SHOW, snapshot(choose(service_id), slots=slots))
    assert service.teaser in out.visible[0]["text"]
    assert texts.UNVERIFIED(texts.STANDARD) in out.visible[0]["text"] or service.verified
    assert f'/ask_prerequisites{{"service_id":"{service_id}"}}' in out.payloads
    assert f'/apply_online{{"service_id":"{service_id}"}}' in out.payloads
    assert last_text_has in out.visible[-1]["text"]
    assert out.slots["service_id"] == service_id
    assert out.metadata == {
        "service_ids": [service_id], "authority": authority, "handoff": None, "fallback": False, "language": "de",
    }
    assert out.last_is_metadata


def test_choose_in_leichte_sprache_uses_the_leichte_sprache_text(catalogue: Any) -> None:
    out = run(SHOW, snapshot(choose("blindengeld"), slots={"leichte_sprache": True}))
    assert catalogue["blindengeld"].leichte_sprache in out.text
    assert catalogue["blindengeld"].teaser not in out.text
    assert texts.PLACE_QUESTION(texts.LEICHT) in out.text


SECTION_CASES = [(service_id, name) for service_id in ("blindengeld", "eingliederungshilfe-antrag", "lvr-museen")
                 for name in INTENT_SECTIONS]  # fmt: skip


@pytest.mark.parametrize(("service_id", "intent"), SECTION_CASES)
def test_explain_section_gives_the_catalogue_text_or_says_honestly_that_nothing_is_confirmed(
    catalogue: Any, service_id: str, intent: str
) -> None:
    service = catalogue[service_id]
    section = INTENT_SECTIONS[intent]
    out = run(EXPLAIN, snapshot(f'/{intent}{{"service_id":"{service_id}"}}', slots=KOELN))
    body = section_body(service, section, texts.STANDARD)
    if body is None:
        assert "keine bestätigten Angaben" in out.text
        assert "LVR" in out.text  # the office to ask instead
    else:
        assert body in out.text
        if not service.verified:
            assert texts.UNVERIFIED(texts.STANDARD) in out.text
    assert out.metadata is not None and out.metadata["service_ids"] == [service_id]
    assert out.last_is_metadata


def test_empty_section_names_the_office_of_a_kreis_service() -> None:
    out = run(EXPLAIN, snapshot('/ask_costs{"service_id":"schwerbehindertenausweis"}', slots=TROISDORF))
    assert "keine bestätigten Angaben" in out.text
    assert "Rhein-Sieg-Kreis" in out.text
    assert out.metadata is not None and out.metadata["authority"] == "Kreis/kreisfreie Stadt"


def test_explain_uses_the_slot_when_the_question_names_no_service(catalogue: Any) -> None:
    out = run(EXPLAIN, snapshot("Wie läuft das Verfahren ab?", intent="ask_procedure",
                                slots={"service_id": "eingliederungshilfe-antrag"}))  # fmt: skip
    for step in catalogue["eingliederungshilfe-antrag"].procedure:
        assert step in out.text


def test_explain_follows_the_service_named_in_the_question() -> None:
    out = run(EXPLAIN, snapshot("Welche Voraussetzungen gelten für das Blindengeld?", intent="ask_prerequisites",
                                slots={"service_id": "assistenzleistungen"}))  # fmt: skip
    assert out.slots["service_id"] == "blindengeld"
    assert out.metadata is not None and out.metadata["service_ids"] == ["blindengeld"]


def test_a_town_in_the_question_does_not_switch_the_service() -> None:
    # Köln appears in the LVR-Kliniken text; the town is not a request for that service.
    out = run(EXPLAIN, snapshot("Welche Unterlagen brauche ich? Ich wohne in Köln", intent="ask_documents",
                                slots={"service_id": "eingliederungshilfe-antrag"}))  # fmt: skip
    assert out.metadata is not None and out.metadata["service_ids"] == ["eingliederungshilfe-antrag"]


def test_a_question_about_open_candidates_is_answered_for_the_best(catalogue: Any) -> None:
    """After "Geht es um A oder B?", "Welche Unterlagen brauche ich?" is about A: never a fresh search of its words."""
    state = snapshot("Welche Unterlagen brauche ich?", intent="ask_documents",
                     slots={"candidate_ids": ["blindengeld", "blindenhilfe"]})  # fmt: skip
    out = run(EXPLAIN, state)
    assert out.text.startswith("Zu „Erforderliche Unterlagen“ habe ich für Blindengeld") or (
        catalogue["blindengeld"].documents and "Blindengeld" in out.text
    )
    assert out.metadata is not None and out.metadata["service_ids"] == ["blindengeld"]


def test_without_any_service_a_question_asks_what_it_is_about() -> None:
    out = run(EXPLAIN, snapshot("Welche Unterlagen brauche ich?", intent="ask_documents"))
    assert out.text == texts.ASK_WHICH_SERVICE_FREE(texts.STANDARD)
    assert out.metadata == {
        "service_ids": [], "authority": None, "handoff": None, "fallback": False, "language": "de",
    }


def test_explain_in_leichte_sprache_uses_simple_labels() -> None:
    out = run(EXPLAIN, snapshot('/ask_procedure{"service_id":"eingliederungshilfe-antrag"}',
                                slots={"leichte_sprache": True}))  # fmt: skip
    assert out.text.startswith(texts.SECTION_LABELS["procedure"](texts.LEICHT))
    assert texts.UNVERIFIED(texts.LEICHT) in out.text
