"""The language of a user message, detected offline (issue 11).

lingua-language-detector, restricted to the bot's languages (contract.chat.LANGUAGE_CODES), ships its models in the
wheel and needs no network. A message that is too short or unclear ("ok", "Köln", "Ja", "50825") gets None: the
conversation keeps its language. Button payloads ("/choose_service{…}") carry no language either.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, cast

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from contract.chat import LANGUAGE_CODES, Language
from knowledge.places import find_place, find_places

#: Fewer letters than this: no decision (names of towns, "ok", "yes").
MIN_LETTERS: Final = 8
#: Fewer words than this: no decision ("Blindengeld Köln").
MIN_WORDS: Final = 2
#: The detector's confidence in its best language must reach this; else no decision.
MIN_CONFIDENCE: Final = 0.52

#: Words this long are mostly German compounds of the domain ("Schwerbehindertenausweis"), used in English
#: sentences too; they are left out of the decision when other words remain, and so are names of places ("We live
#: in Köln" is English).
COMPOUND_LETTERS: Final = 14

_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    languages = [IsoCode639_1.from_str(code) for code in LANGUAGE_CODES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*languages).with_preloaded_language_models().build()


def _place_words(text: str) -> frozenset[str]:
    """The words of the places a message names, as the place table spells them ("mülheim", "an", "der", "ruhr")."""
    return frozenset(w.casefold() for place in find_places(text) for w in _WORD.findall(place.name))


def detect(text: str) -> Language | None:
    """The language of the message, or None when it is too short, a payload, or the detector is unsure."""
    stripped = text.strip()
    if not stripped or stripped.startswith("/"):
        return None
    words = _WORD.findall(stripped)
    if len(words) < MIN_WORDS or sum(len(w) for w in words) < MIN_LETTERS:
        return None
    places = _place_words(stripped)  # a town's name is no sign of the sentence's language; "koeln" is found alone
    telling = [w for w in words if len(w) < COMPOUND_LETTERS and w.casefold() not in places and not find_place(w)]
    sample = " ".join(telling) if len(telling) >= MIN_WORDS else stripped
    values = _detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    code = values[0].language.iso_code_639_1.name.lower()
    return cast(Language, code) if code in LANGUAGE_CODES else None
