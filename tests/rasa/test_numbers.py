"""Unit tests of bot/nlu/numbers.py (pure Python, shared by the spaCy pipeline builder and the Rasa component):
the numbers read from entity spans, German and English. The whole pipeline is tested in test_rasa.py."""

from __future__ import annotations

import pytest

from bot.nlu.numbers import EN_NUMBER_WORDS, NUMBER_WORDS, first_number


@pytest.mark.parametrize(
    ("span", "number"),
    [
        # German, as before the English words came
        ("ist 4", 4),
        ("45 Jahre alt", 45),
        ("vierjährige", 4),
        ("den dritten Pflegegrad", 3),
        ("Grad der Behinderung von 60", 60),
        ("ist drei und", 3),
        # English
        ("is 68", 68),
        ("she's 68.", 68),
        ("is four years old", 4),
        ("turns eighteen", 18),
        ("is sixty-eight years old", 68),
        ("is sixty eight years old", 68),
        ("sixtyeight", 68),
        ("care level three", 3),
        ("GdB of 50", 50),
        ("aged twenty", 20),
    ],
)
def test_first_number(span: str, number: int) -> None:
    assert first_number(span) == number


@pytest.mark.parametrize("span", ["in Essen", "years old", "care level", "someone", "often"])
def test_no_number(span: str) -> None:
    assert first_number(span) is None


def test_english_and_german_number_words_do_not_collide() -> None:
    """A word may not mean a number in both languages (the patterns of both run over every text)."""
    assert not set(EN_NUMBER_WORDS) & set(NUMBER_WORDS)
