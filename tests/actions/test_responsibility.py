"""action_tell_responsibility (ask_responsible, inform_place): LVR, LWL, Kreis / kreisfreie Stadt, outside NRW."""

from __future__ import annotations

from typing import Any

import pytest
from action_harness import run, snapshot

from actions import texts
from actions.talk import ActionTellResponsibility

TELL = ActionTellResponsibility()


@pytest.mark.parametrize(
    ("text", "entities", "service_id", "slots", "authority", "says"),
    [
        # A town that appears in another service's text (LVR-Kliniken in Köln) keeps the chosen service.
        ("Ich wohne in Köln", {"place": "Köln"}, "eingliederungshilfe-antrag",
         {"place": "Köln", "ags": "05315000", "landschaftsverband": "LVR"}, "LVR", "LVR-Dezernat Soziales"),
        ("Ich wohne in Dortmund", {"place": "Dortmund"}, "blindengeld",
         {"place": "Dortmund", "ags": "05913000", "landschaftsverband": "LWL"}, "LWL",
         "nicht der LVR, sondern der LWL"),
        ("53840", {"plz": "53840"}, "blindengeld",
         {"place": "Troisdorf", "ags": "05382068", "landschaftsverband": "LVR"}, "LVR", "LVR-Dezernat Soziales"),
        ("Bergheim", {"place": "Bergheim"}, "schwerbehindertenausweis",
         {"place": "Bergheim", "ags": "05362008", "landschaftsverband": "LVR"}, "Kreis/kreisfreie Stadt",
         "Rhein-Erft-Kreis"),
        ("Ich lebe in München", {}, "blindengeld",
         {"place": "München", "ags": None, "landschaftsverband": "outside"}, "other", "nicht in Nordrhein-Westfalen"),
        ("Ich wohne in 44135", {}, "eingliederungshilfe-antrag",
         {"place": "Dortmund", "ags": "05913000", "landschaftsverband": "LWL"}, "LWL", "LWL"),
    ],
)  # fmt: skip
def test_a_place_is_stored_and_the_responsible_office_named(
    text: str, entities: dict[str, str], service_id: str, slots: dict[str, Any], authority: str, says: str
) -> None:
    state = snapshot(text, intent="inform_place", entities=entities, slots={"service_id": service_id})
    out = run(TELL, state)
    assert {k: out.slots.get(k) for k in slots} == slots
    assert says in out.text
    assert out.metadata == {
        "service_ids": [service_id], "authority": authority, "handoff": None, "fallback": False, "language": "de",
    }


def test_unknown_place_asks_again_once_and_keeps_the_slots() -> None:
    state = snapshot("Ich wohne in Xyzdorf", intent="inform_place", slots={"service_id": "blindengeld"})
    out = run(TELL, state)
    assert out.text == texts.PLACE_UNKNOWN(texts.STANDARD)
    assert "place" not in out.slots


def test_place_without_a_service_is_noted() -> None:
    out = run(TELL, snapshot("Köln", intent="inform_place", entities={"place": "Köln"}))
    assert out.slots["landschaftsverband"] == "LVR"
    assert "Köln" in out.text and out.text.endswith(texts.ASK_WHAT_ABOUT(texts.STANDARD))
    assert out.metadata == {
        "service_ids": [], "authority": None, "handoff": None, "fallback": False, "language": "de",
    }


@pytest.mark.parametrize(
    ("service_id", "slots", "authority", "says"),
    [
        ("schwerbehindertenausweis", {}, "Kreis/kreisfreie Stadt", "Wo wohnen Sie?"),
        ("schwerbehindertenausweis", {"place": "Essen", "ags": "05113000", "landschaftsverband": "LVR"},
         "Kreis/kreisfreie Stadt", "Stadt Essen"),
        ("blindengeld", {}, None, "Wo wohnen Sie?"),
        ("blindengeld", {"place": "Münster", "ags": "05515000", "landschaftsverband": "LWL"}, "LWL",
         "LWL-Inklusionsamt Soziale Teilhabe"),
        ("blindengeld", {"place": "Berlin", "ags": None, "landschaftsverband": "outside"}, "other",
         "nicht in Nordrhein-Westfalen"),
        ("pflegegrad-beantragen", {}, "other", "Pflegekasse"),
        ("lvr-museen", {"place": "Dortmund", "ags": "05913000", "landschaftsverband": "LWL"}, "LVR", "LVR-Museen"),
    ],
)  # fmt: skip
def test_tell_responsibility(service_id: str, slots: dict[str, Any], authority: str | None, says: str) -> None:
    state = snapshot("Wer ist dafür zuständig?", intent="ask_responsible", slots={"service_id": service_id, **slots})
    out = run(TELL, state)
    assert says in out.text
    assert out.metadata == {
        "service_ids": [service_id], "authority": authority, "handoff": None, "fallback": False, "language": "de",
    }
    assert out.last_is_metadata


def test_tell_responsibility_with_the_place_in_the_question() -> None:
    state = snapshot("Wer ist in Dortmund zuständig?", intent="ask_responsible", slots={"service_id": "blindengeld"})
    out = run(TELL, state)
    assert out.slots["landschaftsverband"] == "LWL"
    assert out.metadata is not None and out.metadata["authority"] == "LWL"


def test_tell_responsibility_without_service_or_place_asks_for_both() -> None:
    out = run(TELL, snapshot("Wer ist zuständig?", intent="ask_responsible"))
    assert out.text == texts.RESPONSIBLE_WHAT_AND_WHERE(texts.STANDARD)


def test_leichte_sprache_for_westfalen() -> None:
    state = snapshot("Dortmund", intent="inform_place", entities={"place": "Dortmund"},
                     slots={"service_id": "blindengeld", "leichte_sprache": True})  # fmt: skip
    out = run(TELL, state)
    assert out.text.startswith("Sie wohnen in Westfalen-Lippe. Dort hilft nicht der LVR. Dort hilft der LWL")
