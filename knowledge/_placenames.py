"""Place names as people write them: aliases of municipalities and Kreise, places outside NRW, false-positive guards.

Used by knowledge/places.py (matching) and scripts/export_place_patterns.py (spaCy patterns), so that both know
the same names. Everything is compared in folded form (knowledge.text.fold: lower case, "ä" → "ae", "ß" → "ss");
each alias is also registered with bare vowels ("koln") for people who drop the umlaut dots.

Guard rule against common words that are also town names (documented in the tests too):
- GUARDED_NOUNS are German nouns or first names ("Essen" = food, "Lage" = situation, "Halle" = hall, "Alpen" =
  the Alps): they count only right after "in", "aus", "nach", "Stadt", "Gemeinde" or "Nähe von", or when the whole
  message is the name (an answer to "Wo wohnen Sie?"). "bei" and a bare "von" are left out on purpose:
  "Hilfe bei Essen und Trinken", "Lieferung von Essen".
- GUARDED_WORDS are lower-case German words or English words ("kamen", "senden", "much"): they count after the
  prepositions above and "bei", when the whole message is the name, or when written with a capital letter not at
  the start of a sentence ("Wir wohnen seit zwei Jahren in der Nähe, in Kamen").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.text import fold

GUARDED_NOUNS = frozenset(
    {"essen", "halle", "lage", "wetter", "schlangen", "loehne", "datteln", "heiden", "recke", "alpen", "lotte",
     "geldern", "buende", "kiel"}
)  # fmt: skip
GUARDED_WORDS = frozenset({"kamen", "senden", "wenden", "enger", "frechen", "much", "hille", "kall", "rees", "inden"})
NOUN_CUES = frozenset({"in", "aus", "nach", "stadt", "gemeinde", "nahe"})
WORD_CUES = NOUN_CUES | {"bei", "von"}
NOUN_CUE_PAIRS = frozenset({("naehe", "von"), ("umgebung", "von"), ("nahe", "von"), ("raum", "von")})
#: How many words before a place a residence word may stand ("wohnen in einem Reihenhaus in Siegburg").
RESIDENCE_WINDOW = 6
RESIDENCE_WORDS = frozenset(
    {"wohne", "wohnen", "wohnt", "wohnhaft", "lebe", "leben", "lebt", "zuhause", "daheim", "gemeldet", "umgezogen"}
)

#: Outside NRW: the other Länder and the largest or nearest cities. Canonical name -> further spellings (English
#: names included).
OUTSIDE_NRW: dict[str, tuple[str, ...]] = {
    "Baden-Württemberg": (), "Bayern": ("Bavaria",), "Berlin": (), "Brandenburg": (), "Bremen": (), "Hamburg": (),
    "Hessen": ("Hesse",), "Mecklenburg-Vorpommern": (), "Niedersachsen": ("Lower Saxony",),
    "Rheinland-Pfalz": ("Rhineland-Palatinate",), "Saarland": (), "Sachsen": ("Saxony",),
    "Sachsen-Anhalt": ("Saxony-Anhalt",), "Schleswig-Holstein": (), "Thüringen": ("Thuringia",), "München": ("Munich",),
    "Frankfurt am Main": ("Frankfurt",), "Frankfurt (Oder)": ("Frankfurt an der Oder",), "Stuttgart": (),
    "Hannover": ("Hanover",), "Leipzig": (), "Dresden": (), "Nürnberg": ("Nuremberg",), "Mainz": (), "Wiesbaden": (),
    "Koblenz": (), "Trier": (), "Saarbrücken": (), "Osnabrück": (), "Kassel": (), "Braunschweig": ("Brunswick",),
    "Kiel": (), "Lübeck": (), "Magdeburg": (), "Erfurt": (), "Rostock": (), "Potsdam": (), "Schwerin": (),
    "Halle (Saale)": ("Halle an der Saale",), "Karlsruhe": (), "Mannheim": (), "Heidelberg": (), "Darmstadt": (),
    "Freiburg im Breisgau": ("Freiburg",), "Augsburg": (), "Regensburg": (), "Würzburg": (), "Chemnitz": (),
    "Göttingen": (), "Oldenburg": (), "Wolfsburg": (), "Bremerhaven": (), "Ludwigshafen am Rhein": ("Ludwigshafen",),
    "Kaiserslautern": (), "Neuwied": (), "Bad Neuenahr-Ahrweiler": ("Ahrweiler",), "Gießen": (), "Fulda": (),
    "Lingen (Ems)": ("Lingen",), "Nordhorn": (), "Jena": (), "Ulm": (),
}  # fmt: skip

#: Hand-written extra spellings of municipalities (spoken name -> aliases). "Gladbach" alone colloquially means
#: Mönchengladbach; "Bergisch Gladbach" is longer and wins where it is written out.
EXTRA_GEMEINDE_ALIASES: dict[str, tuple[str, ...]] = {
    "Köln": ("Cologne",),  # the English names people new to Germany use
    "Mönchengladbach": ("Gladbach",),
    "Schloß Holte-Stukenbrock": ("Schloß Holte",),
    "Preußisch Oldendorf": ("Pr. Oldendorf",),
    "Castrop-Rauxel": ("Castrop",),
    "Rheda-Wiedenbrück": ("Rheda", "Wiedenbrück"),
}
EXTRA_KREIS_ALIASES: dict[str, tuple[str, ...]] = {
    "Rhein-Kreis Neuss": ("Kreis Neuss",),
    "Rhein-Erft-Kreis": ("Erftkreis",),
    "Oberbergischer Kreis": ("Oberberg",),
    "Rheinisch-Bergischer Kreis": ("Kreis Rhein-Berg",),
    "Hochsauerlandkreis": ("Hochsauerland",),
    "StädteRegion Aachen": ("Kreis Aachen", "Region Aachen"),
    "Kreis Siegen-Wittgenstein": ("Kreis Siegen",),
    "Kreis Minden-Lübbecke": ("Kreis Minden",),
}
_QUALIFIERS = {"Westf.": "Westfalen", "Rhld.": "Rheinland"}
_BARE_VOWELS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"})
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?]")
_PLZ = re.compile(r"\d{5}")


def gemeinde_aliases(name: str, official: str) -> set[str]:
    """Spellings of one municipality: "Halle (Westf.)" -> Halle, Halle Westfalen; "Haltern am See" -> Haltern."""
    base = official.split(",")[0].strip()
    aliases = {name, base, re.sub(r"\s*\([^)]*\)", "", base)}
    for short, long in _QUALIFIERS.items():
        if short in base:
            aliases.add(base.replace(short, long))
    short_form = re.match(r"^(\S+) (?:am|an der|im) ", name)
    if short_form:
        aliases.add(short_form.group(1))
    if name.startswith("Sankt "):
        aliases.add("St. " + name.removeprefix("Sankt "))
    aliases.update(EXTRA_GEMEINDE_ALIASES.get(name, ()))
    return aliases


def kreis_aliases(kreis: str) -> set[str]:
    """Spellings of a Kreis: "Kreis Wesel" -> "Landkreis Wesel"; "Märkischer Kreis" -> "Märkischen Kreis"."""
    aliases = {kreis, *EXTRA_KREIS_ALIASES.get(kreis, ())}
    if kreis.startswith("Kreis "):
        aliases.add("Land" + kreis[0].lower() + kreis[1:])
    aliases.add(kreis_dative(kreis))
    return aliases


def kreis_dative(kreis: str) -> str:
    """The Kreis name after "im": "Märkischer Kreis" -> "Märkischen Kreis"; others unchanged."""
    return kreis.removesuffix("er Kreis") + "en Kreis" if kreis.endswith("er Kreis") else kreis


def outside_aliases(canonical: str) -> set[str]:
    return {canonical, *OUTSIDE_NRW[canonical]}


def spellings(alias: str) -> set[tuple[str, ...]]:
    """The folded token sequences under which an alias is found ("Köln" -> ("koeln",), ("koln",))."""
    return {tuple(_WORD.findall(fold(form))) for form in (alias, bare_vowels(alias))}


def bare_vowels(text: str) -> str:
    """Umlauts without their dots, as some people type them: "Köln" -> "Koln"."""
    return text.translate(_BARE_VOWELS)


@dataclass(frozen=True)
class Token:
    norm: str  # folded
    text: str  # as written
    initial: bool  # first word of a sentence


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    target: tuple[str, str]  # ("gemeinde", ags) | ("kreis", kreis_ags) | ("outside", name) | ("plz", code)
    cued: bool  # right after a place preposition ("in", "aus", "PLZ" ...)
    residence: bool  # after "wohne", "lebe" ... or right after "nach"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    end = 0
    for match in _WORD.finditer(text):
        initial = not tokens or bool(_SENTENCE_END.search(text, end, match.start()))
        tokens.append(Token(fold(match.group()), match.group(), initial))
        end = match.end()
    return tokens


class AliasIndex:
    """Leftmost-longest matching of folded token sequences, with the guard rule of the module docstring."""

    def __init__(self, entries: Iterable[tuple[str, tuple[str, str]]]) -> None:
        self._targets: dict[tuple[str, ...], tuple[str, str]] = {}
        for alias, target in entries:
            for key in spellings(alias):
                known = self._targets.setdefault(key, target)
                if known != target:
                    raise ValueError(f"place alias {' '.join(key)!r} names both {known} and {target}")
        self._longest = max(len(key) for key in self._targets)

    def hits(self, tokens: list[Token]) -> list[Hit]:
        found: list[Hit] = []
        i, norms = 0, [t.norm for t in tokens]
        while i < len(tokens):
            hit = self._hit_at(tokens, norms, i)
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit.end
        return found

    def _hit_at(self, tokens: list[Token], norms: list[str], i: int) -> Hit | None:
        if _PLZ.fullmatch(norms[i]):
            return _make_hit(norms, i, i + 1, ("plz", norms[i]))
        for length in range(min(self._longest, len(tokens) - i), 0, -1):
            key = tuple(norms[i : i + length])
            target = self._targets.get(key)
            if target is not None and _guard_ok(tokens, i, length):
                return _make_hit(norms, i, i + length, target)
        return None


def _make_hit(norms: list[str], start: int, end: int, target: tuple[str, str]) -> Hit:
    previous = norms[start - 1] if start else ""
    cued = previous in WORD_CUES or previous in {"plz", "postleitzahl"}
    residence = previous == "nach" or any(n in RESIDENCE_WORDS for n in norms[max(0, start - RESIDENCE_WINDOW) : start])
    return Hit(start, end, target, cued, residence)


def _guard_ok(tokens: list[Token], i: int, length: int) -> bool:
    word = tokens[i].norm
    if length > 1 or (word not in GUARDED_NOUNS and word not in GUARDED_WORDS):
        return True
    previous = tokens[i - 1].norm if i else ""
    rest = [t.norm for t in tokens if t.norm not in NOUN_CUES]
    if rest == [word] or previous in NOUN_CUES:  # the whole message is the name, or "in Essen"
        return True
    if i >= 2 and (tokens[i - 2].norm, previous) in NOUN_CUE_PAIRS:
        return True
    if word in GUARDED_NOUNS:
        return False
    capitalised = tokens[i].text[:1].isupper() and not tokens[i].text.isupper()
    return previous in WORD_CUES or (capitalised and not tokens[i].initial)
