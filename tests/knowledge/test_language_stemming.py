"""Stems per language (snowballstemmer) and the lexical index of translated fields (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bk_knowledge_testkit import SMALL_CATALOGUE

from knowledge.lexical import LexicalIndex
from knowledge.schema import Service
from knowledge.stemmer import SNOWBALL, stem, stem_in
from knowledge.text import fold, is_german, outside_brackets, translation_terms
from knowledge.vocab import LANGUAGES


def test_every_catalogue_language_has_a_stemmer() -> None:
    assert set(LANGUAGES) <= set(SNOWBALL)


def test_german_stems_fold_umlauts_and_their_spellings_alike() -> None:
    assert stem(fold("Werkstätten")) == stem("werkstaetten") == stem("werkstatt") == "werkstatt"
    assert stem(fold("Schüler")) == stem("schueler") == "schul"
    assert stem(fold("Größe")) == stem("groesse")


def test_english_stems_join_inflected_forms() -> None:
    assert stem_in("en", "disabilities") == stem_in("en", "disability")
    assert stem_in("en", "applying") == stem_in("en", "applied") == stem_in("en", "apply")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no stemmer for language 'xx'"):
        stem_in("xx", "word")


def test_translation_terms_are_prefixed_without_stop_words_and_numbers() -> None:
    terms = translation_terms(["The", "disabilities", "of", "my", "son", "2024", "long-term"], "en")
    assert terms == ["en:disabl", "en:son", "en:long", "en:term"]


def test_german_words_get_no_english_stems() -> None:
    """German words, in a German query or in the middle of an English one, are left to the German analysis: an
    English stem of "Behinderung" would meet German words the English texts use outside brackets twice."""
    assert translation_terms(["Ich", "habe", "eine", "Behinderung", "disability"], "en") == ["en:disabl"]


def test_the_index_leaves_german_compounds_to_the_german_analysis(index: LexicalIndex) -> None:
    """A compound of catalogue words the lemma table lacks is German too (the analyzer splits it)."""
    word = "Museumsantrag"  # neither in the lemma table nor in the texts: a compound of two of their words
    assert not is_german(word) and index.analyzer.split(word.lower()) == ("museum", "antrag")
    assert index.analyzer.is_german(word)
    assert not index.analyzer.is_german("disability")
    assert translation_terms([word, "disability"], "en", index.analyzer.is_german) == ["en:disabl"]


def test_outside_brackets_drops_the_german_terms() -> None:
    assert outside_brackets("integration assistance (Eingliederungshilfe) for adults").split() == [
        "integration",
        "assistance",
        "for",
        "adults",
    ]


def _services() -> list[Service]:
    """Two services of the small catalogue; the first with an English text naming its German term in brackets."""
    paths = sorted(Path(SMALL_CATALOGUE).rglob("*.yaml"))[:2]
    entries = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in paths]
    for entry in entries:
        entry.pop("translations", None)
    entries[0]["translations"] = {
        "en": {
            "title": "Support for adults with disabilities (Zuschussleistung)",
            "teaser": "Money for disabled adults who are applying for it.",
        }
    }
    return [Service.model_validate(e) for e in entries]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(_services())


def test_english_query_meets_the_english_stems(index: LexicalIndex) -> None:
    scores = index.scores("disability applied")  # other forms than in the text: only the English stems meet
    assert scores[0] > 0 and scores[1] == 0


def test_german_term_in_brackets_is_indexed_german(index: LexicalIndex) -> None:
    german = index.analyzer.terms("Zuschussleistung")[0]
    assert german in index.term_rows  # the German analysis of the translation
    assert "en:" + stem_in("en", "zuschussleistung") not in index.term_rows  # not also as an English word
    assert index.scores("Zuschussleistungen")[0] > 0
