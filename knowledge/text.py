"""German text normalisation for the lexical ranker: folding, lemmas, compounds, spelling, glossary.

    fold(text) -> str                         lower case, umlauts as "ae"/"oe"/"ue", "ß" as "ss", no accents
    Analyzer(vocabulary=...).terms(text)      stems of folded lemmas + compound parts, stop words removed
    Analyzer.for_texts(texts)                 an analyzer whose compound splitter and spelling know these texts

Lemmas come from spaCy's German lookup lemmatizer (``spacy.blank("de")`` with the ``lemmatizer`` pipe in mode
``lookup``, tables from spacy-lookups-data). Per query only spaCy's tokenizer and table look-ups run; lemmas,
compound splits and spelling corrections are cached per word. Index terms are Snowball stems of the folded
lemmas (knowledge.stemmer, the snowballstemmer package), so that forms the lemma table misses still meet
("Werkstätten" / "Werkstatt").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from knowledge.glossary import COLLOQUIAL_DE, GLOSSARY_EN_DE
from knowledge.stemmer import stem, stem_in
from knowledge.vocab import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from spacy.language import Language

_FOLD_TABLE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_UMLAUT = {"a": "ä", "o": "ö", "u": "ü", "A": "Ä", "O": "Ö", "U": "Ü"}
_HAS_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
#: A text in brackets: in translations, the German term a citizen meets on forms ("(Eingliederungshilfe)").
_BRACKETS = re.compile(r"\(([^()]*)\)")

#: Compound parts need at least this many characters; shorter pieces are too often accidental.
MIN_PART = 3
#: Words shorter than this are never split; longer than MAX_WORD they are neither split nor corrected (no word is
#: that long, and the quadratic splitter must not run on a 1000-letter "word").
MIN_COMPOUND = 7
MAX_WORD = 40
#: Per-analyzer caches of splits and corrections are emptied when they reach this size (bounded memory).
CACHE_LIMIT = 100_000
#: Inflection endings stripped from the last part of a compound when it is not a known word as it stands.
_ENDINGS = ("ern", "en", "er", "es", "e", "n", "s")
#: Linking elements (Fugenelemente) allowed between two parts of a compound.
_LINKERS = ("", "s", "es", "n", "en", "e", "er")

#: spaCy's German stop words minus words that carry meaning in this domain.
_KEEP = {
    "recht", "rechte", "rechten", "tag", "tage", "tagen", "zeit", "teil", "allein", "leicht", "eigen", "eigene",
    "eigenen", "eigener", "eigenes", "mittel", "ende", "jahr", "jahre", "jahren", "uhr", "offen", "hoch", "schlecht",
    "gehen", "geht", "arbeit", "neue", "neuen", "frueher", "spaeter", "morgen", "name",
}  # fmt: skip


def fold(text: str) -> str:
    """Lower-case text with umlauts spelled out ("ä" → "ae"), "ß" → "ss" and other accents removed."""
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _spacy() -> tuple[Language, Callable[[str], str | None], frozenset[str]]:
    """The blank German pipeline, a look-up function of its lemma table and the table's lemmas (loaded once)."""
    import spacy

    nlp = spacy.blank("de")
    lemmatizer: Any = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    table = lemmatizer.lookups.get_table("lemma_lookup")
    lemmas = frozenset(fold(v) for v in table.values())  # the table's keys are hashes: only its values are words
    return nlp, table.get, lemmas


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Folded German and English stop words (spaCy's lists) without the domain words of ``_KEEP``.

    English function words matter because the catalogue holds a few English example questions: without them
    "how" or "the" would be rare, heavily weighted terms pointing at exactly those services.
    """
    from spacy.lang.de.stop_words import STOP_WORDS as GERMAN
    from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH

    return frozenset(fold(w) for w in (*GERMAN, *ENGLISH)) - _KEEP


def term_prefix(language: str) -> str:
    """What the terms of a language start with: nothing for German (the catalogue's language), "en:" for English,
    so that an English stem never meets a German one by accident."""
    return "" if language == DEFAULT_LANGUAGE else f"{language}:"


@lru_cache(maxsize=8)
def language_stop_words(language: str) -> frozenset[str]:
    """Folded stop words of a language other than German (spaCy's list)."""
    from spacy.util import get_lang_class

    return frozenset(fold(w) for w in get_lang_class(language).Defaults.stop_words)


def translation_terms(tokens: Sequence[str], language: str, german: Callable[[str], bool] | None = None) -> list[str]:
    """Terms of words in a language other than German: Snowball stems in that language with its prefix. Stop words,
    numbers and German words (`german`, default is_german) are left out: the German analysis, which sees every text,
    has them."""
    german = is_german if german is None else german
    stop = language_stop_words(language)
    prefix = term_prefix(language)
    out: list[str] = []
    for word in tokens:
        for piece in word.replace("’", "'").split("-"):
            surface = fold(piece)
            if _HAS_LETTER.search(piece) and surface not in stop and not german(piece):
                out.append(prefix + stem_in(language, surface))
    return out


def is_german(word: str) -> bool:
    """Whether a word is left to the German analysis: a German stop word or a word of spaCy's German lemma table."""
    return fold(word) in stop_words() or is_known(word)


def outside_brackets(text: str) -> str:
    """The text without what it has in brackets ("integration assistance (Eingliederungshilfe)" → "integration
    assistance  ")."""
    return _BRACKETS.sub(" ", text)


def words(text: str) -> list[str]:
    """The word tokens of a text (spaCy's German tokenizer, punctuation dropped, hyphenated words kept whole)."""
    nlp, _, _ = _spacy()
    out: list[str] = []
    for token in nlp.make_doc(text):
        out.extend(_WORD.findall(token.text))
    return out


def lemma(word: str) -> str:
    """The folded lemma of one word from the lookup table (as written, lower-case, capitalised; for a word spelled
    with "ae"/"oe"/"ue"/"ss" also with umlauts and "ß" restored); the folded word when the table lacks it."""
    found = _lookup(word)
    return fold(found if found is not None else word)


def is_known(word: str) -> bool:
    """Whether spaCy's German lemma table knows the word, as an inflected form or as a lemma."""
    return _lookup(word) is not None or fold(word) in _spacy()[2]


@lru_cache(maxsize=200_000)
def _lookup(word: str) -> str | None:
    """The lemma table entry of a word, trying the spellings and cases of lemma()."""
    _, lookup, _ = _spacy()
    for spelling in _spellings(word):
        for variant in (spelling, spelling.lower(), spelling[:1].upper() + spelling[1:].lower()):
            found = lookup(variant)
            if found:
                return found
    return None


def _spellings(word: str) -> list[str]:
    """The word, then the word with "ae"/"oe"/"ue" as umlauts, with "ss" as "ß", and with both."""
    out = [word]
    umlauts = re.sub(r"(?<![qQ])([aouAOU])[eE]", lambda m: _UMLAUT[m.group(1)], word)
    if umlauts != word:
        out.append(umlauts)
    for base in list(out):
        sharp = base.replace("ss", "ß")
        if sharp != base:
            out.append(sharp)
    return out


def _deletes(word: str) -> set[str]:
    """Every string made by deleting one character of word."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Analyzer:
    """Turns German text into index terms; knows a vocabulary for compound splitting and spelling correction."""

    def __init__(self, vocabulary: Mapping[str, str]) -> None:
        #: folded word forms and lemmas of the known texts → their folded lemma
        self.vocabulary: dict[str, str] = {k: v for k, v in vocabulary.items() if len(k) >= MIN_PART}
        self._stop = stop_words()
        sizes: dict[str, set[int]] = {}
        for phrase in GLOSSARY_EN_DE:
            sizes.setdefault(phrase.split()[0], set()).add(len(phrase.split()))
        self._phrase_sizes = {first: tuple(sorted(n, reverse=True)) for first, n in sizes.items()}
        self._spelling: dict[str, set[str]] = {}
        for term in self.vocabulary:
            if len(term) >= 5 and term.isalpha():
                for variant in _deletes(term):
                    self._spelling.setdefault(variant, set()).add(term)
        self._split_cache: dict[str, tuple[str, ...]] = {}
        self._correct_cache: dict[str, str | None] = {}

    @classmethod
    def for_texts(cls, texts: Iterable[str]) -> Analyzer:
        """An analyzer whose vocabulary is every folded word form and lemma of the given texts."""
        return cls.for_words(words(text) for text in texts)

    @classmethod
    def for_words(cls, texts: Iterable[Sequence[str]]) -> Analyzer:
        """for_texts() of texts already split by words()."""
        stop = stop_words()
        vocabulary: dict[str, str] = {}
        for tokens in texts:
            for word in tokens:
                for piece in _pieces(word):
                    if not _HAS_LETTER.search(piece):
                        continue
                    surface, base = fold(piece), lemma(piece)
                    if surface in stop or base in stop:
                        continue
                    vocabulary.setdefault(base, base)
                    vocabulary.setdefault(surface, base)
        return cls(dict(sorted(vocabulary.items())))

    def terms(self, text: str, *, correct: bool = False, expand: bool = False) -> list[str]:
        """Index terms: stems of words, of parts of hyphenated words and of compound parts, stop words removed.

        ``correct`` replaces words unknown to the vocabulary by a known word one edit away (for queries);
        ``expand`` adds the terms of German glossary translations of English words (for queries).
        """
        return self.word_terms(words(text), correct=correct, expand=expand)

    def word_terms(self, tokens: Sequence[str], *, correct: bool = False, expand: bool = False) -> list[str]:
        """terms() of text already split by words()."""
        out: list[str] = []
        for word in tokens:
            pieces = _pieces(word)
            for piece in pieces:
                out.extend(self._piece_terms(piece, correct))
            if len(pieces) > 1:
                joined = fold("".join(pieces))
                if joined in self.vocabulary:
                    out.append(stem(joined))
        if expand:
            for german in self.glossary_terms(tokens):
                out.extend(self.terms(german))
        return out

    def glossary_terms(self, tokens: Sequence[str]) -> list[str]:
        """Catalogue words for the English words and phrases (glossary) and the everyday German words (colloquial
        table, by lemma) among the tokens."""
        folded = [fold(t) for t in tokens]
        found: list[str] = []
        for start, first in enumerate(folded):
            for size in self._phrase_sizes.get(first, ()):
                phrase = " ".join(folded[start : start + size])
                found.extend(GLOSSARY_EN_DE.get(phrase, ()))
        for token in tokens:
            for key in dict.fromkeys((lemma(token), fold(token))):  # "gefeuert" → feuern; "feuern" itself
                found.extend(COLLOQUIAL_DE.get(key, ()))
        return found

    def is_german(self, word: str) -> bool:
        """is_german(), or a compound of German catalogue words ("Frühförderung", which the lemma table lacks)."""
        return is_german(word) or bool(self.split(lemma(word)))

    def expand_query(self, text: str, tokens: Sequence[str] | None = None) -> str:
        """The query text with German glossary translations of its English words appended."""
        extra = self.glossary_terms(words(text) if tokens is None else tokens)
        return f"{text} {' '.join(extra)}" if extra else text

    def _piece_terms(self, piece: str, correct: bool) -> list[str]:
        """Terms of one word without hyphens: its lemma (or a spelling correction) and its compound parts."""
        if not _HAS_LETTER.search(piece):
            return [piece] if len(piece) >= 2 else []
        term = lemma(piece)
        surface = fold(piece)
        if term in self._stop or surface in self._stop:
            return []
        if correct and term not in self.vocabulary and surface not in self.vocabulary and not is_known(piece):
            fixed = self.correct(surface)
            if fixed is not None:
                term = self.vocabulary[fixed]
        parts = self.split(term if term in self.vocabulary or term != surface else surface)
        return [stem(term), *(stem(p) for p in parts)]

    def split(self, word: str) -> tuple[str, ...]:
        """The parts (and parts of parts) of a German compound found in the vocabulary; empty for no compound."""
        cached = self._split_cache.get(word)
        if cached is None:
            found: list[str] = []
            if MIN_COMPOUND <= len(word) <= MAX_WORD and self.vocabulary:
                for part in self._split(word):
                    found.append(part)
                    found.extend(self.split(part))
            cached = tuple(dict.fromkeys(found))
            if len(self._split_cache) >= CACHE_LIMIT:
                self._split_cache.clear()
            self._split_cache[word] = cached
        return cached

    def _split(self, word: str) -> tuple[str, ...]:
        """Fewest-parts segmentation into vocabulary words (with linking elements); ties go to longer last parts."""
        n = len(word)
        best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
        best[0] = (0, 0, ())
        for end in range(MIN_PART, n + 1):
            for start in range(0, end - MIN_PART + 1):
                prev = best[start]
                if prev is None or (start == 0 and end == n):
                    continue
                part = self._part(word[start:end], last=end == n)
                if part is None:
                    continue
                candidate = (prev[0] + 1, -(end - start), (*prev[2], part))
                current = best[end]
                if current is None or candidate[:2] < current[:2]:
                    best[end] = candidate
        result = best[n]
        if result is None or len(result[2]) < 2:
            return ()
        return tuple(dict.fromkeys(result[2]))

    def _part(self, chunk: str, *, last: bool) -> str | None:
        """The vocabulary word a compound chunk stands for (stripping a linking element), or None."""
        options = [""] if last else _LINKERS
        for linker in options:
            if linker and not chunk.endswith(linker):
                continue
            base = chunk[: len(chunk) - len(linker)] if linker else chunk
            if len(base) < MIN_PART or base in self._stop:
                continue
            if base in self.vocabulary:
                return self.vocabulary[base] if last else base
            if not last and base + "e" in self.vocabulary:  # "Schul-bus" → "schule"
                return base + "e"
        if last:  # an inflected last part: "Förder-schulen" → "schule"
            for ending in _ENDINGS:
                base = chunk[: -len(ending)]
                known = base in self.vocabulary and base not in self._stop
                if chunk.endswith(ending) and len(base) >= MIN_PART + 1 and known:
                    return self.vocabulary[base]
        return None

    def correct(self, word: str) -> str | None:
        """A vocabulary word one edit (insert, delete, substitute, swap) away from an unknown word, or None.

        The first letter is never changed (typos there are rare, and "Frechen" must not become "rechnen"); callers
        only ask for words the lemma table does not know ("abgelent"), not for real words ("Aussicht").
        """
        if word in self._correct_cache:
            return self._correct_cache[word]
        found: str | None = None
        if 5 <= len(word) <= MAX_WORD and word.isalpha():
            candidates: set[str] = set()
            candidates |= self._spelling.get(word, set())  # a letter missing in the query
            for variant in _deletes(word):
                if variant in self.vocabulary:  # one letter too many in the query
                    candidates.add(variant)
                candidates |= self._spelling.get(variant, set())  # substituted or swapped letter
            candidates = {c for c in candidates if c[0] == word[0]}
            if candidates:
                found = min(candidates, key=lambda c: (abs(len(c) - len(word)), c))
        if len(self._correct_cache) >= CACHE_LIMIT:
            self._correct_cache.clear()
        self._correct_cache[word] = found
        return found


def _pieces(word: str) -> list[str]:
    """The parts of a hyphenated word ("Wohn-Heim" → ["Wohn", "Heim"]); a plain word stays one piece."""
    return [p for p in re.split(r"[-'’]", word) if p]
