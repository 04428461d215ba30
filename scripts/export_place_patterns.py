"""Write bot/spacy/place_patterns.jsonl: spaCy EntityRuler patterns for the Rasa entities `place` and `plz`.

    .venv/bin/python scripts/export_place_patterns.py [--out bot/spacy/place_patterns.jsonl]

The names come from knowledge.places (the municipality table) and knowledge._placenames (aliases, places outside
NRW, guard words), so the Rasa entity and find_place know the same places. Each pattern is token-based on LOWER,
tokenised with spaCy's German tokenizer, in every spelling: as written ("köln"), with umlauts spelled out ("koeln"),
with bare vowels ("koln"), with hyphens or spaces ("bergisch-gladbach", "bergisch gladbach"). The pattern `id` is the
municipality's AGS, the Kreis key, or "outside-nrw".

Guard words (see knowledge/_placenames.py) never stand alone in a pattern: "Essen" or "kamen" is only matched after
a place preposition, and the entity then includes it ("in Essen"). The actions resolve an entity with find_place,
which understands that form, and otherwise run find_place on the whole message, which also knows the
capitalisation rule ("im schönen Much"); an entity value is taken as a whole answer, so a pattern must not match a
guard word without its context.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import spacy
from spacy.tokenizer import Tokenizer

from knowledge._placenames import (
    GUARDED_NOUNS,
    GUARDED_WORDS,
    NOUN_CUE_PAIRS,
    NOUN_CUES,
    OUTSIDE_NRW,
    WORD_CUES,
    bare_vowels,
    gemeinde_aliases,
    kreis_aliases,
    outside_aliases,
)
from knowledge.places import gemeinden
from knowledge.text import fold

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bot" / "spacy" / "place_patterns.jsonl"
_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))
Pattern = list[dict[str, Any]]  # one EntityRuler token pattern
#: 5 digits (spaCy's SHAPE stops at 4 characters, "dddd"); "53840." is one token at a sentence end.
PLZ_PATTERNS: tuple[Pattern, ...] = ([{"IS_DIGIT": True, "LENGTH": 5}], [{"TEXT": {"REGEX": r"^\d{5}\.$"}}])


def written_forms(alias: str) -> set[str]:
    forms = {alias, fold(alias), fold(bare_vowels(alias))}
    forms |= {f.replace("-", " ") for f in forms} | {f.replace(" ", "-") for f in forms}
    return forms


def with_umlauts(words: set[str]) -> list[str]:
    """Cue words in folded and written spelling: "naehe" -> "naehe", "nähe"."""
    out = set(words)
    for word in words:
        for spelled, umlaut in _UMLAUTS:
            word = word.replace(spelled, umlaut)
        out.add(word)
    return sorted(out)


def place_patterns(tokenizer: Tokenizer) -> list[dict[str, Any]]:
    entries: list[tuple[str, str]] = []
    kreise: dict[str, str] = {}
    for g in gemeinden():
        entries += [(alias, g.ags) for alias in gemeinde_aliases(g.name, g.official_name)]
        if g.kreis_type != "kreisfreie Stadt":
            kreise[g.kreis_ags] = g.kreis
    entries += [(alias, key) for key, kreis in kreise.items() for alias in kreis_aliases(kreis)]
    entries += [(alias, "outside-nrw") for name in OUTSIDE_NRW for alias in outside_aliases(name)]

    noun_cues, word_cues = with_umlauts(set(NOUN_CUES)), with_umlauts(set(WORD_CUES))
    pairs = [(with_umlauts({a}), b) for a, b in sorted(NOUN_CUE_PAIRS)]
    seen: set[str] = set()
    patterns: list[dict[str, Any]] = []

    def add(pattern: Pattern, key: str, label: str = "place") -> None:
        record = {"label": label, "pattern": pattern, "id": key}
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
        if line not in seen:
            seen.add(line)
            patterns.append(record)

    for alias, key in sorted(entries):
        for form in sorted(written_forms(alias)):
            tokens: Pattern = [{"LOWER": t.lower_} for t in tokenizer(form)]
            guarded = len(tokens) == 1 and fold(form) in GUARDED_NOUNS | GUARDED_WORDS
            if not guarded:
                add(tokens, key)
                continue
            cues = noun_cues if fold(form) in GUARDED_NOUNS else word_cues
            add([{"LOWER": {"IN": cues}}, *tokens], key)
            for first, second in pairs:
                add([{"LOWER": {"IN": first}}, {"LOWER": second}, *tokens], key)
    for pattern in PLZ_PATTERNS:
        add(list(pattern), "plz", label="plz")
    return patterns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    patterns = place_patterns(spacy.blank("de").tokenizer)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for record in patterns:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(patterns)} patterns to {args.out}")


if __name__ == "__main__":
    main()
