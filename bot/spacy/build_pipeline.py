"""Build the project's spaCy pipeline bot/spacy/de_bk (German, with English entity patterns), which Rasa's SpacyNLP
loads (config.yml).

    .venv-rasa/bin/python bot/spacy/build_pipeline.py [--force]

No model download: a blank German pipeline (`spacy.blank("de")`) with
- a tokenizer that also splits digits from letters ("PG2" -> "PG 2", "4-jährig" -> "4 - jährig", "GdB50"),
- the lookup lemmatizer with the German table of spacy-lookups-data,
- an EntityRuler with the Rasa entities `place` and `plz` (bot/spacy/place_patterns.jsonl, written by
  scripts/export_place_patterns.py from the knowledge package) and `plz`, `age`, `gdb`, `pflegegrad` (patterns
  below), in German and in English ("she is 68", "GdB of 50", "care level 3", "I'm from Kleve"), and `language`
  (the language words of switch_language, normalised to "de"/"en" by Rasa's synonyms). Spans may carry context
  words ("Pflegegrad 3", "45 Jahre alt", "in Essen"); the Rasa component
  bot.nlu.entity_values.EntityValueNormalizer turns them into clean values.

It also writes the Rasa lookup table bot/data/nlu/lookup_place.yml (place names, for RegexFeaturizer).
The build is skipped when bot/spacy/de_bk/bk_inputs.json records the same input hash (this file, the number words,
the place patterns, the spaCy and spacy-lookups-data versions). Runs in the Rasa environment (spaCy 3.4).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import shutil
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any, Dict, Iterator, List

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu.numbers import EN_NUMBER_WORDS, EN_TENS_WORDS, EN_UNIT_WORDS, NUMBER_WORDS, ORDINAL_WORDS  # noqa: E402

OUT = HERE / "de_bk"
PLACE_PATTERNS = HERE / "place_patterns.jsonl"
PLACE_LOOKUP = ROOT / "bot" / "data" / "nlu" / "lookup_place.yml"
STAMP = "bk_inputs.json"

Pattern = List[Dict[str, Any]]

# --- token building blocks -------------------------------------------------------------------------------------
DIGITS = {"TEXT": {"REGEX": r"^\d{1,3}$"}}
WORDS = {"LOWER": {"IN": sorted(NUMBER_WORDS)}}
NUMBER = (DIGITS, WORDS)
SMALL_DIGIT = {"TEXT": {"REGEX": r"^[1-5]\.?$"}}
SMALL_WORD = {"LOWER": {"IN": sorted(w for w, v in NUMBER_WORDS.items() if 1 <= v <= 5)}}
SMALL_NUMBER = (SMALL_DIGIT, SMALL_WORD)
YEARS = {"LOWER": {"REGEX": r"^(j|j\.|jahr|jahre|jahren|jhr|jhr\.|lebensjahr|lebensjahre)$"}}
JAEHRIG = {"LOWER": {"REGEX": r"^j(ä|ae|a)hrig(e|er|en|es|em)?$"}}
_WORD_ALTERNATIVES = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
WORD_JAEHRIG = {"LOWER": {"REGEX": rf"^({_WORD_ALTERNATIVES})j(ä|ae|a)hrig(e|er|en|es|em)?$"}}
HYPHEN = {"ORTH": {"IN": ["-", "–"]}, "OP": "?"}
BE = {"LOWER": {"IN": ["bin", "ist", "sind", "wird", "werde", "werden", "wurde", "wurden", "war", "waren"]}}
FILLER = {"LOWER": {"IN": ["bald", "jetzt", "gerade", "erst", "schon", "fast", "noch", "nun", "knapp", "inzwischen",
                           "mittlerweile", "kürzlich", "dann"]}, "OP": "?"}  # fmt: skip
GDB = {"LOWER": {"IN": ["gdb", "gdb:", "g.d.b.", "g.d.b", "gbd", "gdb.", "gd"]}}
GDB_LINK = {"LOWER": {"IN": ["von", ":", "=", "ist", "liegt", "bei", "beträgt", "betraegt", "mit", "auf", "jetzt",
                            "nur", "nun", "hat", "habe", "lautet", "wurde", "über", "ueber"]}, "OP": "?"}  # fmt: skip
PERCENT = {"LOWER": {"IN": ["%", "prozent", "proz.", "pro", "v.h."]}, "OP": "?"}
DISABLED = {"LOWER": {"REGEX": r"^(schwer)?behindert(e|er|en)?$|^(schwer)?behinderung$"}}
PFLEGEGRAD = {"LOWER": {"IN": ["pflegegrad", "pflegegrades", "pflegegrads", "pg", "pflegestufe", "pflegegrat",
                              "pflegerad", "pflegegard", "plegegrad", "pfegegrad", "pflegegrade"]}}  # fmt: skip
PG_LINK = {"LOWER": {"IN": ["von", ":", "=", "ist", "nr", "nr.", "nummer", "hat", "liegt", "bei", "jetzt", "nur"]},
           "OP": "?"}  # fmt: skip
ORDINAL = {"LOWER": {"IN": sorted(ORDINAL_WORDS)}}

# English building blocks (issue 11). Kept apart from the German ones, so that German texts match what they matched.
EN_DIGITS = {"TEXT": {"REGEX": r"^\d{1,3}\.?$"}}  # "she's 68." keeps the full stop on the number
EN_WORDS = {"LOWER": {"IN": sorted(EN_NUMBER_WORDS)}}
EN_TWO_WORDS = [{"LOWER": {"IN": sorted(EN_TENS_WORDS)}}, {"LOWER": {"IN": sorted(EN_UNIT_WORDS)}}]  # "sixty eight"
EN_NUMBER = (EN_DIGITS, EN_WORDS, EN_TWO_WORDS)
EN_YEARS = {"LOWER": {"IN": ["year", "years", "yrs", "yr", "yrs.", "yr."]}}
EN_OLD = {"LOWER": {"IN": ["old", "olds"]}}
EN_YEAR_OLD = {"LOWER": {"IN": ["year-old", "years-old", "yr-old", "yrs-old", "yo", "y/o", "y.o."]}}
EN_BE = {"LOWER": {"IN": ["is", "i'm", "i’m", "i`m", "he's", "he’s", "she's", "she’s", "turns", "turned", "turning"]}}
EN_TURN = {"LOWER": {"IN": ["turns", "turned", "turning"]}}
EN_I_AM = [{"LOWER": "i"}, {"LOWER": "am"}]
EN_WILL_BE = [{"LOWER": "will"}, {"LOWER": {"IN": ["soon", "then", "now"]}, "OP": "?"}, {"LOWER": "be"}]
EN_FILLER = {"LOWER": {"IN": ["now", "just", "almost", "already", "nearly", "only", "soon", "about", "around",
                              "still", "over"]}, "OP": "?"}  # fmt: skip
EN_LINK = {"LOWER": {"IN": ["of", "is", ":", "=", "at", "with", "by", "was", "now", "only"]}, "OP": "?"}
EN_PERCENT = {"LOWER": {"IN": ["%", "percent", "pct", "pct.", "per-cent"]}}
EN_DISABLED = {"LOWER": {"IN": ["disability", "disabled", "handicap", "handicapped", "disablement"]}}
EN_DEGREE = {"LOWER": {"IN": ["degree", "level", "grade", "rating", "percentage"]}}
EN_CARE = {"LOWER": {"IN": ["care", "nursing"]}}
EN_CARE_LINK = {"LOWER": {"IN": ["of", "is", ":", "=", "no", "no.", "nr", "nr.", "number", "now", "only"]}, "OP": "?"}
EN_SMALL_NUMBER = (SMALL_DIGIT, {"LOWER": {"IN": ["one", "two", "three", "four", "five"]}},
                   {"LOWER": {"REGEX": r"^(i|ii|iii|iv|v)$"}})  # fmt: skip
#: Words that name a language (entity `language`, switch_language); bot/data/nlu/language.yml maps them to de/en.
LANGUAGE_WORDS = ["deutsch", "german", "englisch", "englische", "englischen", "english", "engl"]
#: English words before a place name that the guarded place patterns ("in Essen") accept as cues too.
EN_PLACE_CUES = ["from", "near", "around", "outside", "to"]
#: Guarded place names that are English words after "to" ("thanks to much" is a typo, not the town Much).
EN_PLACE_CUE_EXCEPTIONS = {"to": {"much"}}


def _expand(*slots: Any) -> Iterator[Pattern]:
    """Patterns for every combination: a slot is a token dict, a list of token dicts (a sequence) or a tuple of
    alternatives (each a token dict or a sequence)."""
    options = [slot if isinstance(slot, tuple) else (slot,) for slot in slots]
    for combination in itertools.product(*options):
        yield [dict(token) for part in combination for token in (part if isinstance(part, list) else [part])]


def number_patterns() -> List[Dict[str, Any]]:
    """EntityRuler patterns of `age`, `gdb`, `pflegegrad` and `plz`."""
    by_label: Dict[str, List[Pattern]] = {
        "age": [
            *_expand(NUMBER, YEARS, {"LOWER": "alt"}),  # "45 Jahre alt", "vier jahre alt"
            *_expand(BE, FILLER, NUMBER, YEARS, {"LOWER": "alt", "OP": "?"}),  # "ist jetzt 4 Jahre"
            *_expand(BE, FILLER, DIGITS),  # "mein Sohn ist 4", "ich bin 57" (units are filtered later)
            *_expand(BE, FILLER, WORDS, {"LOWER": {"IN": [",", ".", "und", "!", "?"]}}),  # "sie ist drei und ..."
            *_expand(NUMBER, HYPHEN, JAEHRIG),  # "4-jährig", "4 jährige", "zwei-jährig"
            [dict(WORD_JAEHRIG)],  # "vierjährige"
            *_expand({"LOWER": {"IN": ["alter", "alt"]}}, {"LOWER": {"IN": ["von", ":", "ist"]}, "OP": "?"}, DIGITS),
            *_expand({"LOWER": "mit"}, DIGITS, YEARS),  # "mit 63 Jahren"
        ],
        "gdb": [
            *_expand(GDB, GDB_LINK, GDB_LINK, NUMBER, PERCENT),  # "GdB 50", "GdB von 60 %"
            *_expand({"LOWER": "grad"}, {"LOWER": {"IN": ["der", "d."]}}, {"LOWER": {"REGEX": r"^behinderung"}},
                     GDB_LINK, GDB_LINK, NUMBER, PERCENT),  # "Grad der Behinderung von 60"
            *_expand(NUMBER, PERCENT, GDB),  # "50 GdB", "50% GdB"
            *_expand(DIGITS, {"LOWER": "er"}, GDB),  # "50er GdB"
            *_expand(DIGITS, {"LOWER": {"IN": ["%", "prozent"]}}, DISABLED),  # "70 % schwerbehindert"
            *_expand(DISABLED, {"LOWER": {"IN": ["mit", "von", "zu"]}}, DIGITS, {"LOWER": {"IN": ["%", "prozent"]}}),
        ],
        "pflegegrad": [
            *_expand(PFLEGEGRAD, PG_LINK, SMALL_NUMBER),  # "Pflegegrad 3", "PG 2", "Pflegegrad drei"
            *_expand(SMALL_DIGIT, PFLEGEGRAD),  # "3. Pflegegrad"
            *_expand(ORDINAL, PFLEGEGRAD),  # "den dritten Pflegegrad"
            *_expand({"LOWER": {"IN": ["pflegegrad", "pg"]}}, {"LOWER": {"REGEX": r"^(i|ii|iii|iv|v)$"}}),
        ],
        "plz": [[{"TEXT": {"REGEX": r"^\d{5}$"}}]],
        "language": [[{"LOWER": {"IN": LANGUAGE_WORDS}}]],
    }
    for label, patterns in english_number_patterns().items():
        by_label[label].extend(patterns)
    return [{"label": label, "pattern": p, "id": label} for label, patterns in by_label.items() for p in patterns]


def english_number_patterns() -> Dict[str, List[Pattern]]:
    """English patterns of `age`, `gdb`, `pflegegrad` (issue 11), with the same span convention as the German ones:
    the cue words are part of the span ("is 68", "GdB of 50", "care level 3")."""
    return {
        "age": [
            *_expand(EN_NUMBER, EN_YEARS, HYPHEN, EN_OLD),  # "68 years old", "four years old", "3 year old"
            *_expand(EN_NUMBER, HYPHEN, EN_YEAR_OLD),  # "3-year-old", "6 yo"
            *_expand(EN_BE, EN_FILLER, EN_DIGITS),  # "she is 68", "I'm 45", "he's 5" (units are filtered later)
            *_expand(EN_BE, EN_FILLER, EN_NUMBER, EN_YEARS, {"LOWER": "old", "OP": "?"}),  # "is four years old"
            *_expand(EN_TURN, EN_FILLER, EN_NUMBER),  # "turns 4", "just turned eighteen"
            *_expand(EN_I_AM, EN_FILLER, EN_DIGITS),  # "I am 45"
            *_expand(EN_I_AM, EN_FILLER, EN_NUMBER, EN_YEARS, {"LOWER": "old", "OP": "?"}),  # "I am sixty years old"
            *_expand(EN_WILL_BE, EN_FILLER, EN_NUMBER),  # "will be 60", "will soon be three"
            *_expand({"LOWER": {"IN": ["age", "aged"]}}, {"LOWER": {"IN": ["of", ":", "is"]}, "OP": "?"}, EN_DIGITS),
        ],
        "gdb": [
            *_expand(GDB, EN_LINK, EN_LINK, EN_NUMBER, {**EN_PERCENT, "OP": "?"}),  # "GdB of 50", "gdb is 60"
            *_expand({"LOWER": "degree"}, {"LOWER": "of"}, {"LOWER": {"IN": ["disability", "handicap"]}},
                     EN_LINK, EN_LINK, EN_NUMBER, {**EN_PERCENT, "OP": "?"}),  # "degree of disability (of) 60"
            *_expand({"LOWER": {"IN": ["disability", "handicap"]}}, EN_DEGREE, EN_LINK, EN_LINK, EN_NUMBER,
                     {**EN_PERCENT, "OP": "?"}),  # "disability degree 60", "disability level of 50"
            *_expand(EN_NUMBER, EN_PERCENT, {"LOWER": "severely", "OP": "?"}, EN_DISABLED),  # "50 percent disability"
            *_expand(EN_NUMBER, EN_PERCENT, GDB),  # "50 percent GdB"
            *_expand(EN_DISABLED, {"LOWER": {"IN": ["at", "by", "with", "to"]}}, EN_DIGITS, EN_PERCENT),
        ],
        "pflegegrad": [
            *_expand(EN_CARE, EN_DEGREE, EN_CARE_LINK, EN_SMALL_NUMBER),  # "care level 3", "care grade of two"
            *_expand(EN_DEGREE, {"LOWER": "of"}, EN_CARE, EN_CARE_LINK, EN_SMALL_NUMBER),  # "level of care 3"
            *_expand(PFLEGEGRAD, EN_CARE_LINK, EN_SMALL_NUMBER),  # "Pflegegrad of 2", "pflegegrad three"
        ],
    }


def english_place_patterns(patterns: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """English cues for the guarded place patterns ("from Essen", "near Kamen", "city of Essen"; "in Essen" is both
    languages). English city names ("Cologne") are spellings in knowledge/_placenames.py, so the exported patterns
    have them already."""
    english: List[Dict[str, Any]] = []
    for record in patterns:
        tokens = record["pattern"]
        cue = tokens[0].get("LOWER") if record["label"] == "place" and len(tokens) > 1 else None
        if not (isinstance(cue, dict) and "in" in cue.get("IN", [])):
            continue
        name = " ".join(str(t.get("LOWER", "")) for t in tokens[1:])
        cues = [c for c in EN_PLACE_CUES if name not in EN_PLACE_CUE_EXCEPTIONS.get(c, set())]
        for prefix in ([{"LOWER": {"IN": cues}}], [{"LOWER": {"IN": ["city", "town", "village"]}}, {"LOWER": "of"}]):
            english.append({**record, "pattern": [*prefix, *(dict(t) for t in tokens[1:])]})
    return english


def place_patterns() -> List[Dict[str, Any]]:
    """The patterns of scripts/export_place_patterns.py (labels `place` and `plz`), or none if not exported yet."""
    if not PLACE_PATTERNS.exists():
        print(f"WARNING: {PLACE_PATTERNS.relative_to(ROOT)} is missing: run scripts/export_place_patterns.py "
              "with .venv; building without place names", file=sys.stderr)  # fmt: skip
        return []
    with PLACE_PATTERNS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def place_lookup(patterns: List[Dict[str, Any]]) -> str:
    """The Rasa lookup table `place` (for RegexFeaturizer): every place name of a plain pattern. Guarded names
    (patterns with cue words or case-sensitive spellings, e.g. "in Essen") are left out, as in the ruler."""
    names = set()
    for record in patterns:
        tokens = record["pattern"]
        if record["label"] != "place" or not all(set(t) == {"LOWER"} and isinstance(t["LOWER"], str) for t in tokens):
            continue
        name = " ".join(t["LOWER"] for t in tokens)
        for spaced, tight in ((" - ", "-"), (" ( ", " ("), (" )", ")"), (" . ", ". ")):
            name = name.replace(spaced, tight)
        names.add(name)
    lines = [
        "# GENERATED by bot/spacy/build_pipeline.py from bot/spacy/place_patterns.jsonl - do not edit.",
        "# Lookup table for RegexFeaturizer: a feature \"looks like a place name\" for intent classification",
        "# (inform_place vs. nonsense or a situation). The entities themselves come from the spaCy EntityRuler.",
        'version: "3.1"',
        "",
        "nlu:",
        "  - lookup: place",
        "    examples: |",
    ]
    lines += [f"      - {name}" for name in sorted(names)]
    return "\n".join(lines) + "\n"


def write_place_lookup() -> None:
    text = place_lookup(place_patterns())
    if not PLACE_LOOKUP.exists() or PLACE_LOOKUP.read_text(encoding="utf-8") != text:
        PLACE_LOOKUP.write_text(text, encoding="utf-8")
        print(f"wrote {PLACE_LOOKUP.relative_to(ROOT)}")


def input_hash() -> str:
    digest = hashlib.sha256()
    for path in (Path(__file__).resolve(), ROOT / "bot" / "nlu" / "numbers.py", PLACE_PATTERNS):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    for package in ("spacy", "spacy-lookups-data"):
        digest.update(f"{package}=={version(package)}".encode())
    return digest.hexdigest()


def build(out: Path) -> None:
    import spacy
    from spacy.util import compile_infix_regex

    nlp = spacy.blank("de")
    infixes = [
        *nlp.Defaults.infixes,
        r"(?<=[0-9])[-–.](?=[^\W\d_])",  # "4-jährig", "3.Pflegegrad"
        r"(?<=[0-9])(?=[^\W\d_])",  # "45j", "4jährige", "50er"
        r"(?<=[^\W\d_])(?=[0-9])",  # "PG2", "GdB50", "Pflegegrad3"
    ]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": True})
    nlp.initialize()  # loads the lemma table of spacy-lookups-data
    places = place_patterns()
    ruler.add_patterns(places + english_place_patterns(places) + number_patterns())
    if out.exists():
        shutil.rmtree(out)
    nlp.meta["name"] = "de_bk"
    nlp.meta["description"] = "Beratungskompass: blank German + lookup lemmatizer + EntityRuler (built, not trained)"
    nlp.to_disk(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the inputs did not change")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    write_place_lookup()
    digest = input_hash()
    stamp = args.out / STAMP
    if not args.force and stamp.exists() and json.loads(stamp.read_text())["sha256"] == digest:
        print(f"spaCy pipeline {args.out} is up to date")
        return 0
    build(args.out)
    stamp.write_text(json.dumps({"sha256": digest}) + "\n")
    print(f"built spaCy pipeline {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
