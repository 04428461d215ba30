"""Language detection of user messages (api/language.py, issue 11): own citizen sentences, not the eval sets."""

from __future__ import annotations

import pytest

from api.language import detect
from contract.chat import choose_language

GERMAN = [
    "Ich bin blind und wohne in Köln.",
    "Mein Sohn braucht Hilfe in der Schule.",
    "Wo beantrage ich das Blindengeld?",
    "Welche Unterlagen brauche ich dafür?",
    "Meine Mutter ist pflegebedürftig und lebt in Düsseldorf.",
    "Ich habe einen Schwerbehindertenausweis und suche Arbeit.",
    "Kann ich mit jemandem sprechen?",
    "Wie lange dauert die Bearbeitung?",
    "Mein Kind ist gehörlos, gibt es Unterstützung?",
    "Was kostet das für mich?",
    "Ich wohne in Bonn und bin 45 Jahre alt.",
    "Wer ist für mich zuständig?",
    "Ich möchte einen Antrag stellen.",
    "Gibt es Geld für einen Umbau der Wohnung?",
    "Mein Arbeitgeber will mich kündigen.",
    "Ich brauche eine Assistenz am Arbeitsplatz.",
    "Wie kann ich Widerspruch einlegen?",
    "Meine Tochter hat eine geistige Behinderung.",
    "Ich suche einen Platz in einer Wohngruppe.",
    "Bitte erklären Sie mir das noch einmal.",
]
ENGLISH = [
    "I need the Schwerbehindertenausweis",
    "I am blind and live in Cologne.",
    "My son needs help at school.",
    "Where do I apply for the blind allowance?",
    "Which documents do I need?",
    "Can I get Eingliederungshilfe for my son?",
    "How long does the processing take?",
    "Who is responsible for me?",
    "My mother needs care and lives in Düsseldorf.",
    "Can I talk to a person?",
    "I would like to apply online.",
    "Is there money for rebuilding my flat?",
    "My employer wants to dismiss me.",
    "I am deaf and need an interpreter.",
    "What does it cost?",
    "How can I object to the decision?",
    "I live in Bonn and I am 45 years old.",
    "Please explain that again.",
    "Does the Landschaftsverband pay for this?",
    "I am looking for a place in a group home.",
]
UNSURE = ["ok", "Köln", "Ja", "50825", "Bonn 53111", "", "   ", '/choose_service{"service_id":"blindengeld"}']


@pytest.mark.parametrize("text", GERMAN)
def test_german_sentences(text: str) -> None:
    assert detect(text) == "de"


@pytest.mark.parametrize("text", ENGLISH)
def test_english_sentences_also_with_german_terms(text: str) -> None:
    assert detect(text) == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("We live in Köln", "en"),
        ("I live in koeln", "en"),
        ("We live in Mülheim an der Ruhr", "en"),
        ("My daughter lives in Mönchengladbach", "en"),
        ("Wir wohnen in Köln", "de"),
        ("Meine Tochter wohnt in Mülheim an der Ruhr", "de"),
        ("Ich brauche Hilfe beim Essen", "de"),  # a German word that is also a town
    ],
)
def test_a_german_place_name_does_not_decide_the_language(text: str, language: str) -> None:
    """Short sentences with a town: without the town's name, the other words decide (before, "We live in Köln" and
    "I live in Köln" came out German and turned an English conversation German)."""
    assert detect(text) == language


@pytest.mark.parametrize("text", UNSURE)
def test_short_or_unclear_messages_keep_the_conversations_language(text: str) -> None:
    assert detect(text) is None


def test_conversation_language_order() -> None:
    """contract.chat.choose_language, in the order the API passes (detected, stored slot, hint) — the actions' order."""
    assert choose_language("en", "de", "de") == "en"
    assert choose_language(None, "de", "en") == "de"  # the conversation's language beats the page's hint
    assert choose_language(None, None, "en") == "en"
    assert choose_language(None, "fr", None) == "de"
    assert choose_language(None, None, None) == "de"
