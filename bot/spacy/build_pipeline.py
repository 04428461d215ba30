"""Build the project's German spaCy pipeline bot/spacy/de_bk, which Rasa's SpacyNLP loads (config.yml).

    .venv-rasa/bin/python bot/spacy/build_pipeline.py [--force]

No model download: a blank German pipeline (`spacy.blank("de")`) with
- a tokenizer that also splits digits from letters ("PG2" -> "PG 2", "4-jährig" -> "4 - jährig", "GdB50"),
- the lookup lemmatizer with the German table of spacy-lookups-data,
- an EntityRuler with the Rasa entities `place` and `plz` (bot/spacy/place_patterns.jsonl, written by
  scripts/export_place_patterns.py from the knowledge package) and `plz`, `age`, `gdb`, `pflegegrad` (patterns
  below). Spans may carry context words ("Pflegegrad 3", "45 Jahre alt", "in Essen"); the Rasa component
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

from bot.nlu.numbers import NUMBER_WORDS, ORDINAL_WORDS  # noqa: E402

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


def _expand(*slots: Any) -> Iterator[Pattern]:
    """Patterns for every combination: a slot is a token dict or a tuple of alternative token dicts."""
    options = [slot if isinstance(slot, tuple) else (slot,) for slot in slots]
    for combination in itertools.product(*options):
        yield [dict(token) for token in combination]


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
    }
    return [{"label": label, "pattern": p, "id": label} for label, patterns in by_label.items() for p in patterns]


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
    ruler.add_patterns(place_patterns() + number_patterns())
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
