"""German and English number words and the parsing of the numeric entities (`age`, `gdb`, `pflegegrad`, `plz`).

Shared by the spaCy pipeline builder (bot/spacy/build_pipeline.py, for its patterns) and the Rasa component
bot.nlu.entity_values.EntityValueNormalizer (for the values), so both know the same words. Pure Python, no
third-party imports: it runs in the Rasa environment (.venv-rasa).
"""

from __future__ import annotations

import re
from typing import Dict, Optional

_BASE: Dict[str, int] = {
    "null": 0, "ein": 1, "eins": 1, "eine": 1, "einen": 1, "zwei": 2, "zwo": 2, "drei": 3, "vier": 4, "fünf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13,
    "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
    "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80,
    "neunzig": 90, "hundert": 100, "einhundert": 100,
}  # fmt: skip


def _spellings(word: str) -> set:
    """The word as written, with umlauts spelled out ("fuenf") and with bare vowels ("funf"), ß as "ss"."""
    forms = {word}
    forms.add(word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss"))
    forms.add(word.replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss"))
    return forms


#: Number words in every spelling -> value.
NUMBER_WORDS: Dict[str, int] = {form: value for word, value in _BASE.items() for form in _spellings(word)}

#: Ordinals used with Pflegegrad ("den dritten Pflegegrad").
ORDINAL_WORDS: Dict[str, int] = {
    form: value
    for word, value in {"ersten": 1, "erste": 1, "zweiten": 2, "zweite": 2, "dritten": 3, "dritte": 3,
                        "vierten": 4, "vierte": 4, "fünften": 5, "fünfte": 5}.items()
    for form in _spellings(word)
}  # fmt: skip

_EN_UNITS: Dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_EN_TENS: Dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_EN_BASE: Dict[str, int] = {
    "zero": 0, **_EN_UNITS, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, **_EN_TENS, "hundred": 100,
}  # fmt: skip

#: English number words -> value, with the tens compounds as one token ("sixty-eight", "sixtyeight"). "sixty eight"
#: (two tokens) is read by first_number too.
EN_NUMBER_WORDS: Dict[str, int] = {
    **_EN_BASE,
    **{f"{tens}{joint}{unit}": tv + uv for tens, tv in _EN_TENS.items() for unit, uv in _EN_UNITS.items()
       for joint in ("-", "")},
}  # fmt: skip
#: The English tens and units, for patterns of a number written as two words ("sixty eight").
EN_TENS_WORDS = frozenset(_EN_TENS)
EN_UNIT_WORDS = frozenset(_EN_UNITS)

_DIGITS = re.compile(r"\d{1,3}")
_WORD = re.compile(r"[a-zäöüß]+")
_EN_COMPOUND = re.compile(rf"({'|'.join(_EN_TENS)})[-\s]?({'|'.join(_EN_UNITS)})\b")


def first_number(text: str) -> Optional[int]:
    """The first number in a text: digits ("45 Jahre"), a number word ("drei", "four", "sixty-eight"), an ordinal
    ("dritten"), or a number word glued to "jährig" ("vierjährige"). None when there is none."""
    lowered = text.lower()
    digits = _DIGITS.search(lowered)
    best: Optional[tuple] = (digits.start(), int(digits.group())) if digits else None
    for match in _WORD.finditer(lowered):
        if best is not None and match.start() > best[0]:
            break
        word = match.group()
        compound = _EN_COMPOUND.match(lowered, match.start())
        if compound:
            best = (match.start(), _EN_TENS[compound.group(1)] + _EN_UNITS[compound.group(2)])
            break
        value = NUMBER_WORDS.get(word, ORDINAL_WORDS.get(word, EN_NUMBER_WORDS.get(word)))
        if value is None:
            stem = re.split(r"j(?:ä|ae|a)hr", word, maxsplit=1)[0]
            value = NUMBER_WORDS.get(stem) if stem != word else None
        if value is not None:
            best = (match.start(), value)
            break
    return best[1] if best else None


#: Valid ranges of the numeric entities; values outside are dropped as misreadings.
RANGES: Dict[str, tuple] = {"age": (0, 110), "gdb": (20, 100), "pflegegrad": (1, 5)}
