"""Snowball stems per catalogue language, from the maintained ``snowballstemmer`` package.

    stem(word)                   German stem of a folded word ("werkstaetten" → "werkstatt", "schueler" → "schul")
    stem_in(language, word)      the stem in one of the catalogue's languages (vocab.LANGUAGES)

The German algorithm reads "ae"/"oe"/"ue" as umlauts and returns plain vowels, so folded and unfolded spellings
meet; words are folded (knowledge.text.fold: lower case, "ß" → "ss", no accents) before they are stemmed, which
keeps the terms of every language in the same spelling. A new catalogue language needs its Snowball algorithm in
``SNOWBALL`` (the package has Turkish, Arabic, Russian, …).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, Final

import snowballstemmer

from knowledge.vocab import DEFAULT_LANGUAGE

#: Snowball algorithm of each catalogue language.
SNOWBALL: Final[dict[str, str]] = {"de": "german", "en": "english"}
#: Words shorter than this stay as they are (the algorithms would leave them anyway, this saves the call).
MIN_STEM = 3
_FOLD_OUT = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})

# The stemmer objects keep the word being stemmed in their own state: one set per thread (the API searches from a
# thread pool).
_local = threading.local()


def _stemmer(language: str) -> Any:  # the package has no type hints
    stemmers: dict[str, Any] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(language)
    if found is None:
        algorithm = SNOWBALL.get(language)
        if algorithm is None:
            raise ValueError(f"no stemmer for language {language!r}; known: {', '.join(sorted(SNOWBALL))}")
        found = stemmers[language] = snowballstemmer.stemmer(algorithm)
    return found


@lru_cache(maxsize=400_000)
def stem_in(language: str, word: str) -> str:
    """The Snowball stem of a folded lower-case word in a catalogue language; ValueError for an unknown language."""
    if len(word) < MIN_STEM:
        _stemmer(language)  # an unknown language fails for short words too
        return word
    return str(_stemmer(language).stemWord(word)).translate(_FOLD_OUT)


def stem(word: str) -> str:
    """The German stem of a folded lower-case word; umlauts come out as plain vowels."""
    return stem_in(DEFAULT_LANGUAGE, word)
