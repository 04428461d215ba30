"""Retriever.search: query checks, filters, score range, order and the lexical-only mode."""

from __future__ import annotations

import sys

import pytest
from bk_knowledge_testkit import Built

from knowledge.catalogue import Catalogue
from knowledge.errors import QueryError
from knowledge.search import MAX_QUERY_CHARS, Retriever, fuse


@pytest.fixture(scope="module")
def retriever(small_built: Built) -> Retriever:
    return Retriever.load(small_built.index_dir, small_built.catalogue, small_built.model)


@pytest.fixture(scope="module")
def lexical(small_catalogue: Catalogue) -> Retriever:
    return Retriever.lexical_only(small_catalogue)


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query(retriever: Retriever, query: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        retriever.search(query)


def test_over_long_query(retriever: Retriever) -> None:
    retriever.search("a" * MAX_QUERY_CHARS)
    with pytest.raises(QueryError, match=str(MAX_QUERY_CHARS)):
        retriever.search("a" * (MAX_QUERY_CHARS + 1))


def test_unknown_filters_and_mode(retriever: Retriever) -> None:
    with pytest.raises(QueryError, match="Lebenslage"):
        retriever.search("Geld", lebenslage="raumfahrt")
    with pytest.raises(QueryError, match="provider"):
        retriever.search("Geld", provider="Mars")
    with pytest.raises(QueryError, match="mode"):
        retriever.search("Geld", mode="magic")  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        retriever.search("Geld", top=0)


def test_query_error_is_a_value_error() -> None:
    assert issubclass(QueryError, ValueError)


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_scores_in_range_sorted_with_id_tie_break(retriever: Retriever, mode: str) -> None:
    hits = retriever.search("Geld für Menschen mit Behinderung", top=10, mode=mode)  # type: ignore[arg-type]
    assert hits
    assert all(0.0 < h.score <= 1.0 for h in hits)
    keys = [(-h.score, h.id) for h in hits]
    assert keys == sorted(keys)
    assert [h.service.id for h in hits] == [h.id for h in hits]


def test_search_is_deterministic(retriever: Retriever) -> None:
    first = retriever.search("Schule Begleitung Kind", top=5)
    assert all(retriever.search("Schule Begleitung Kind", top=5) == first for _ in range(3))


def test_filters_apply_before_top_k(retriever: Retriever) -> None:
    query = "Geld für Menschen mit Behinderung und Hilfe für Kinder in der Schule"
    assert retriever.search(query, top=1)[0].id != "schulbegleitung"
    assert [h.id for h in retriever.search(query, top=1, lebenslage="schule-ausbildung")] == ["schulbegleitung"]
    assert [h.id for h in retriever.search(query, top=5, provider="Kreis/kreisfreie Stadt")] == ["schulbegleitung"]
    hits = retriever.search(query, top=5, lebenslage="sehen-hoeren")
    assert {h.id for h in hits} <= {"blindengeld", "gehoerlosengeld"}
    assert retriever.search(query, lebenslage="kultur-freizeit", provider="Kreis/kreisfreie Stadt") == []


def test_hits_without_evidence_are_left_out(retriever: Retriever) -> None:
    hits = retriever.search("Blindengeld", top=5, mode="lexical")
    assert "lvr-museen" not in {h.id for h in hits}


def test_top_limits_results(retriever: Retriever) -> None:
    assert len(retriever.search("Geld Menschen Behinderung Schule Museum", top=2)) == 2


def test_lexical_only_mode(lexical: Retriever) -> None:
    assert not lexical.has_dense
    assert lexical.search("Gehörlosengeld beantragen")[0].id == "gehoerlosengeld"
    assert lexical.search("Gehörlosengeld", mode="lexical") == lexical.search("Gehörlosengeld")
    with pytest.raises(QueryError, match="dense"):
        lexical.search("Gehörlosengeld", mode="dense")


def test_no_evidence_gives_no_hits(lexical: Retriever) -> None:
    assert lexical.search("qwertz uiopü") == []


def test_english_query_through_glossary(lexical: Retriever) -> None:
    assert lexical.search("I am deaf, is there money for me?")[0].id == "gehoerlosengeld"


def test_fuse_drops_a_half_without_evidence() -> None:
    import numpy as np

    lex = np.array([0.0, 0.0, 0.0], dtype=np.float32)
    dense = np.array([0.2, 0.8, 0.5], dtype=np.float32)
    assert list(fuse(lex, dense)) == pytest.approx([0.25, 1.0, 0.625])
    both = fuse(np.array([3.0, 1.0, 0.0], dtype=np.float32), dense)
    assert both.max() <= 1.0 and both.min() >= 0.0


def test_importing_knowledge_does_not_import_torch() -> None:
    import subprocess

    code = (
        "import sys, knowledge; from knowledge import Retriever, SearchHit, load_catalogue; "
        "import knowledge.search; print(any(m in sys.modules for m in ('torch', 'faiss', 'spacy')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_colloquial_german_through_the_table(real_built: Built) -> None:
    """The word "rausschmeißen" is not in the catalogue; the colloquial table adds "Kündigung" to both halves."""
    retriever = Retriever.load(real_built.index_dir, real_built.catalogue, real_built.model)
    query = "Mein Arbeitgeber will mich rausschmeißen und ich bin schwerbehindert"
    assert retriever.search(query, top=1)[0].id.startswith("kuendigungsschutz")
