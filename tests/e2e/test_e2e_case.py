"""End-to-end: the bot keeps one case across turns (issue 8), through the real processes (API → Rasa → actions).

One test per pattern that went wrong before, each with an example of its own (not from the eval files), and the
floors of the public dialogue set against the search-with-memory baseline (scripts/eval_dialogues.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest

from actions import texts
from knowledge import load_catalogue
from knowledge.places import find_place, responsibility

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import Stack  # noqa: E402
from bk_e2e_kit import Conversation  # noqa: E402
from eval_dialogues import DEFAULT_FILE, load_dialogues, run  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def test_1_a_place_told_with_the_situation_gives_the_responsibility(client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say(
        "Meine Tochter ist fünf, hört sehr schlecht und trägt zwei Hörgeräte. Wir wohnen in Dinslaken. "
        "Kann sie im Kindergarten zusätzlich unterstützt werden?"
    )
    assert chat.ids, chat.last
    assert chat.metadata["authority"] == "LVR", chat.last  # Dinslaken (Kreis Wesel) is in the Rheinland
    assert "Dinslaken" in chat.text


def test_2_the_candidates_of_a_clarifying_question_are_kept_when_only_the_town_follows(client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Ich bin blind")
    asked = chat.ids
    assert len(asked) >= 2 and chat.text.startswith("Ich habe mehrere passende Angebote gefunden"), chat.last
    chat.say("Wir wohnen in Lemgo")
    assert chat.ids == asked, "the candidates of the question, not a new search"
    assert chat.metadata["authority"] == "LWL"
    catalogue = load_catalogue()
    for service_id in asked:  # briefly for each
        assert catalogue[service_id].button_title in chat.text
    assert texts.ASK_WHAT_ABOUT(texts.STANDARD) not in chat.text


def test_3_follow_ups_resolve_against_the_case(client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say(
        "Mein Vater ist seit dem Schlaganfall fast blind, auf dem besseren Auge hat er noch 1 Prozent. "
        "Er lebt in Euskirchen. Welche Leistung gibt es da?"
    )
    service = chat.ids[0]
    assert service == "blindengeld" and chat.metadata["authority"] == "LVR", chat.last
    chat.say("Geht das auch im Internet?")
    assert chat.ids[0] == service and chat.metadata["handoff"] is not None, chat.last
    chat.say("Was muss ich da einreichen?")
    assert chat.ids == [service], chat.last
    chat.say("Und wenn er zu uns nach Minden zieht?")
    assert chat.ids[0] == service and chat.metadata["authority"] == "LWL", chat.last
    assert "Minden" in chat.text


def test_4_details_told_over_several_turns_are_combined(client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Ich brauche Unterstützung bei der Arbeit")
    chat.say("Ich sitze im Rollstuhl und unser Büro hat keinen Aufzug")
    assert chat.text != texts.VAGUE_QUESTION(texts.STANDARD), "not 'Worum geht es?' again"
    catalogue = load_catalogue()
    work = {"arbeit-beruf", "arbeitgeber"}
    assert any(work & set(catalogue[i].lebenslagen) for i in chat.ids), chat.ids


def test_5_a_broad_question_gets_a_guided_choice_not_a_dead_end(client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Ich habe eine Behinderung, was steht mir zu?")
    assert chat.text != texts.NOTHING_FOUND(texts.STANDARD) and chat.metadata["fallback"] is False, chat.last
    services = [b for b in chat.buttons if b["payload"].startswith("/choose_service")]
    assert len(services) >= 2 and len(chat.buttons) > len(services), chat.buttons  # services and Lebenslagen


def test_6_human_contact_names_the_office_of_the_case(client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Unser Sohn ist zwei, läuft noch nicht und spricht kaum. Wir wohnen in Kleve.")
    [service, *_] = chat.ids
    catalogue = load_catalogue()
    assert "kind-entwicklung" in catalogue[service].lebenslagen, chat.ids
    chat.say("Kann ich da jemanden anrufen?")
    assert chat.ids == [service], chat.last
    office = responsibility(catalogue[service], find_place("Kleve")).office
    assert office and office in chat.text, chat.text
    assert chat.metadata["authority"] is not None


STORY_PARTS = [
    "Ich muss etwas ausholen, weil unsere Lage kompliziert ist.",
    "Meine Schwiegermutter hat uns früher viel geholfen, aber sie ist inzwischen selbst pflegebedürftig.",
    "Mein Mann arbeitet im Schichtdienst bei einem Logistiker und ist oft die ganze Nacht weg.",
    "Wir haben zwei Kinder, die Große geht schon aufs Gymnasium und kommt gut zurecht.",
    "Unser Jüngster, Emil, ist drei Jahre alt.",
    "Seit einem Jahr wohnen wir in Mechernich, vorher haben wir lange in Süddeutschland gelebt.",
    "Emil hat seit seiner Geburt eine Muskelerkrankung, er kann noch nicht frei laufen und spricht nur wenige Wörter.",
    "In der Kita kommt er zurecht, aber die Erzieherinnen sagen, dass er mehr Förderung braucht.",
    "Wir fahren jede Woche zur Physiotherapie und zur Logopädie, das kostet viel Zeit.",
    "Unsere Kinderärztin hat gesagt, wir sollten uns um eine Förderung kümmern, bevor er in die Schule kommt.",
]


def test_7_a_long_story_is_read_and_its_place_found(client: httpx.Client) -> None:
    story = " ".join(STORY_PARTS * 5)  # about 4,500 characters, the place in the middle of each round
    assert 4000 < len(story) <= 5000
    chat = Conversation(client)
    chat.say(story + " Wer kann uns helfen, und wo stellen wir den Antrag?")
    assert chat.ids, chat.last
    catalogue = load_catalogue()
    assert "kind-entwicklung" in catalogue[chat.ids[0]].lebenslagen, chat.ids
    assert chat.metadata["authority"] is not None and "Mechernich" in chat.text, chat.last


def test_7_messages_up_to_5000_characters_are_accepted_and_longer_ones_refused(client: httpx.Client) -> None:
    assert client.post("/api/v1/chat", json={"message": "Blindengeld " * 416}).status_code == 200  # 4,992
    too_long = client.post("/api/v1/chat", json={"message": "x" * 5001})
    assert too_long.status_code == 422 and "message" in too_long.text


def test_8_asking_where_to_apply_hands_off_at_once(client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say("Ich bin 30, habe eine spastische Lähmung und brauche Hilfe im Alltag. Ich lebe in Bonn.")
    service = chat.ids[0]
    chat.say("Wo finde ich den Antrag dafür?")
    handoff = chat.metadata["handoff"]
    assert handoff is not None and handoff["service_id"] in chat.ids, chat.last
    assert handoff["office"], "the place is known: the responsible office"
    assert handoff["prefill"] is None, "no data passed on without a Ja"
    assert service in chat.ids or handoff["service_id"] == service


def test_the_public_dialogue_set_reaches_its_floors(stack: Stack) -> None:
    """The floors of issue 8 on the German dialogues of the public set, measured against the baseline in the same
    run: all checks ≥ 0.92, each kind ≥ 0.85, and the service checks at least as good as the search-with-memory
    baseline. (The issue's service floor, baseline + 0.08, is above 1.0 on this file since the baseline reached
    0.94: the README says what is met.)"""
    if not DEFAULT_FILE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{DEFAULT_FILE} is missing: CI lays shared/ beside the repository")
        pytest.skip(f"{DEFAULT_FILE} is missing")
    german = [d for d in load_dialogues(DEFAULT_FILE) if d.language == "de"]
    figures = run(stack.url, german).rates("de")
    assert figures["all"] >= 0.92, figures
    for kind, stats in figures["kinds"].items():
        assert stats["rate"] >= 0.85, (kind, figures)
    assert figures["kinds"]["service"]["rate"] >= figures["baseline_service"], figures
