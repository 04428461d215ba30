"""Text normalisation: folding of umlauts, lemmas, stems, compounds, spelling and the English glossary."""

from __future__ import annotations

import pytest

from knowledge.stemmer import stem
from knowledge.text import Analyzer, fold, lemma, words


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_texts(
        [
            "Die Schülerfahrkosten und der Schülerspezialverkehr zur Schule. Pflegeheim, Kosten, Heim und Pflege.",
            "Werkstatt für behinderte Menschen. Landesblindengeld: Blindengeld ist Geld vom Land für blinde Menschen.",
            "Gehörlosengeld für gehörlose Menschen. Der Antrag wurde abgelehnt, Widerspruch ist möglich. Bus.",
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Schüler", "schueler"),
        ("Gebärdensprache", "gebaerdensprache"),
        ("Größe", "groesse"),
        ("Straße", "strasse"),
        ("ÜBER", "ueber"),
        ("Café", "cafe"),
    ],
)
def test_fold_spells_out_umlauts_and_sharp_s(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_umlaut_and_ae_spellings_give_the_same_terms(analyzer: Analyzer) -> None:
    assert analyzer.terms("Schüler fährt für Gehörlose") == analyzer.terms("Schueler faehrt fuer Gehoerlose")
    assert analyzer.terms("Straße") == analyzer.terms("Strasse")


@pytest.mark.parametrize(
    ("word", "expected"),
    [("Anträge", "antrag"), ("Kindern", "kind"), ("beantragt", "beantragen"), ("Leistungen", "leistung")],
)
def test_lemma_uses_the_lookup_table(word: str, expected: str) -> None:
    assert lemma(word) == expected


def test_lemma_of_lower_case_nouns() -> None:
    assert lemma("anträge") == lemma("Anträge") == "antrag"


def test_stemmer_joins_forms_the_lemma_table_misses() -> None:
    assert stem("werkstaetten") == stem("werkstatt")
    assert stem(fold("Werkstätten")) == stem("werkstatt")
    assert stem("kinder") == stem("kind")


def test_inflected_query_meets_base_form(analyzer: Analyzer) -> None:
    assert set(analyzer.terms("Werkstätten")) & set(analyzer.terms("Werkstatt"))
    assert set(analyzer.terms("Anträge")) == set(analyzer.terms("Antrag"))


def test_compound_is_split_into_known_parts(analyzer: Analyzer) -> None:
    terms = analyzer.terms("Pflegeheimkosten")
    for part in ("Pflegeheim", "Pflege", "Heim", "Kosten"):
        assert analyzer.terms(part)[0] in terms


def test_compound_with_linking_element_and_elided_e(analyzer: Analyzer) -> None:
    assert set(analyzer.terms("Blindengeld")) >= set(analyzer.terms("blind Geld"))
    assert set(analyzer.terms("Schulbus")) >= set(analyzer.terms("Schule Bus"))
    assert set(analyzer.terms("Landesblindengeld")) >= set(analyzer.terms("Land Blindengeld"))


def test_unknown_word_is_not_split(analyzer: Analyzer) -> None:
    assert analyzer.split("xylophonorchester") == ()
    assert analyzer.split("pflege") == ()


def test_hyphenated_words_give_parts_and_the_joined_word(analyzer: Analyzer) -> None:
    terms = analyzer.terms("Blinden-Geld")
    assert set(analyzer.terms("Blindengeld")) & set(terms)
    assert set(analyzer.terms("blind Geld")) <= set(terms)


def test_stop_words_are_dropped(analyzer: Analyzer) -> None:
    assert analyzer.terms("und der die das ist") == []


def test_spelling_correction_only_for_queries(analyzer: Analyzer) -> None:
    assert analyzer.terms("abgelent") != analyzer.terms("abgelehnt")
    assert analyzer.terms("abgelent", correct=True) == analyzer.terms("abgelehnt")
    assert analyzer.terms("Widerspruhc", correct=True) == analyzer.terms("Widerspruch")


def test_glossary_expands_english_words(analyzer: Analyzer) -> None:
    terms = analyzer.terms("deaf people money", expand=True)
    assert set(analyzer.terms("gehörlos Geld")) <= set(terms)
    assert "Gehörlosigkeit" in analyzer.expand_query("I am deaf")


def test_colloquial_german_words_expand_by_lemma(analyzer: Analyzer) -> None:
    found = analyzer.glossary_terms(words("Mein Chef hat mich gefeuert und redet nicht mehr mit mir"))
    assert {"Arbeitgeber", "Kündigung", "sprechen"} <= set(found)
    assert "Kündigung" in analyzer.glossary_terms(words("Er will mich feuern"))
    assert analyzer.glossary_terms(words("Der Antrag wurde abgelehnt")) == []
    assert set(analyzer.terms("Arbeitgeber")) <= set(analyzer.terms("Meine Chefin", expand=True))


def test_colloquial_table_points_to_words_of_the_catalogue() -> None:
    from knowledge import load_catalogue
    from knowledge.glossary import COLLOQUIAL_DE
    from knowledge.lexical import all_texts

    catalogue = Analyzer.for_texts(all_texts(load_catalogue()))
    for key, targets in COLLOQUIAL_DE.items():
        assert key == fold(key) and " " not in key, f"{key}: keys are single folded words"
        for target in targets:
            assert lemma(target) in catalogue.vocabulary, f"{key} → {target}: not a word of the catalogue"


def test_glossary_prefers_phrases(analyzer: Analyzer) -> None:
    assert "Schwerbehindertenausweis" in analyzer.glossary_terms(["disability", "card"])


def test_words_drop_punctuation_and_keep_hyphenated_words() -> None:
    assert words("Wohn-Heim? (Komplexleistung) § 113 SGB IX") == ["Wohn-Heim", "Komplexleistung", "113", "SGB", "IX"]


def test_real_words_and_first_letters_are_not_corrected() -> None:
    analyzer = Analyzer.for_texts(["Die Aufsicht muss rechnen. Der Antrag wurde abgelehnt."])
    assert analyzer.terms("Aussicht", correct=True) == analyzer.terms("Aussicht")  # a real word, not a typo
    assert analyzer.terms("Frechen", correct=True) == analyzer.terms("Frechen")  # only the first letter differs
    assert analyzer.terms("abgelent", correct=True) == analyzer.terms("abgelehnt")
