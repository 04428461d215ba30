"""The lexical ranker: BM25F over the fields of a service, on the terms of knowledge.text.

Each field has a weight (title, synonyms and search terms count more than the full text) and its own length
normalisation; the weighted term frequencies are saturated once per term (BM25F, Robertson & Zaragoza 2009).
All term weights are precomputed into one matrix, so a query is a sum of a few rows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.schema import Service, ServiceTexts
from knowledge.text import Analyzer, outside_brackets, translation_terms, words
from knowledge.vocab import DEFAULT_LANGUAGE, LANGUAGES, LEBENSLAGEN, TARGET_GROUPS

#: Field weights: what a service is called counts more than what its long text mentions in passing.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0,
    "synonyms": 3.0,
    "search_terms": 2.5,
    "example_questions": 1.5,
    "teaser": 1.5,
    "full_text": 1.0,
    "details": 0.6,  # prerequisites, documents, procedure, hints, costs, deadlines, legal bases
    "leichte_sprache": 0.6,
    "labels": 0.5,  # Lebenslagen and target groups
}
#: Length normalisation per field (0: none, 1: full); lists of short phrases are hardly length-dependent.
FIELD_B: dict[str, float] = {
    "title": 0.3,
    "synonyms": 0.3,
    "search_terms": 0.3,
    "example_questions": 0.5,
    "teaser": 0.5,
    "full_text": 0.75,
    "details": 0.75,
    "leichte_sprache": 0.75,
    "labels": 0.3,
}
K1 = 1.2


def _details(texts: Service | ServiceTexts) -> list[str]:
    """The section texts of a service, or of one of its translations (a section it lacks counts as empty)."""
    lists = (texts.prerequisites, texts.documents, texts.procedure, texts.hints)
    extra = (texts.costs, texts.deadlines, texts.processing_time, texts.legal_remedy)
    return [*(item for items in lists for item in items or []), *(e for e in extra if e)]


#: The fields a translation fills, named "<field>@<language>", with the weight and length normalisation of the German
#: field. Own fields, so that the German fields' lengths (and so the German ranking) stay as they are.
TRANSLATED_LEXICAL_FIELDS = ("title", "search_terms", "example_questions", "teaser", "full_text", "details")
for _code in LANGUAGES:
    if _code != DEFAULT_LANGUAGE:
        for _field in TRANSLATED_LEXICAL_FIELDS:
            FIELD_WEIGHTS[f"{_field}@{_code}"] = FIELD_WEIGHTS[_field]
            FIELD_B[f"{_field}@{_code}"] = FIELD_B[_field]


def is_translation(field: str) -> bool:
    """Whether a lexical field holds a translation ("<field>@<language>") rather than German text."""
    return "@" in field


def field_language(field: str) -> str:
    """The language of a lexical field's text ("full_text@en" → "en", "full_text" → "de")."""
    return field.partition("@")[2] or DEFAULT_LANGUAGE


#: The languages other than German whose stems every query is analysed for (a query's language is not known).
QUERY_LANGUAGES: tuple[str, ...] = tuple(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)


def _translated_fields(service: Service) -> dict[str, str]:
    fields: dict[str, str] = {}
    for code in LANGUAGES:
        if code == DEFAULT_LANGUAGE:
            continue
        texts = service.translations.get(code) or ServiceTexts()  # none yet: empty fields
        fields.update(
            {
                f"title@{code}": "\n".join(t for t in (texts.title, texts.title_short) if t),
                f"search_terms@{code}": "\n".join(texts.search_terms),
                f"example_questions@{code}": "\n".join(texts.example_questions),
                f"teaser@{code}": texts.teaser or "",
                f"full_text@{code}": texts.full_text or "",
                f"details@{code}": "\n".join(_details(texts)),
            }
        )
    return fields


def _field_terms(analyzer: Analyzer, field: str, text: str, tokens: Sequence[str]) -> list[str]:
    """The index terms of one field. A translation gets the German analysis as well (what the German terms in its
    brackets, "integration assistance (Eingliederungshilfe)", and German words in foreign queries meet) plus the stems
    of its own language outside the brackets, in that language's own term space ("en:"), so that a German query does
    not meet a bracketed German word twice."""
    german = analyzer.word_terms(tokens)
    if not is_translation(field):
        return german
    return [*translation_terms(words(outside_brackets(text)), field_language(field), analyzer.is_german), *german]


def service_fields(service: Service) -> dict[str, str]:
    """The text of each lexical field of a service: the German fields and, in fields of their own, every
    translation (an English question finds the English words; the German terms in brackets are indexed too)."""
    legal = [f"{b.citation} {b.title or ''}" for b in service.legal_bases]
    return {
        "title": "\n".join(t for t in (service.title, service.title_short) if t),
        "synonyms": "\n".join(service.synonyms),
        "search_terms": "\n".join(service.search_terms),
        "example_questions": "\n".join(service.example_questions),
        "teaser": service.teaser,
        "full_text": service.full_text,
        "details": "\n".join([*_details(service), *legal]),
        "leichte_sprache": service.leichte_sprache,
        "labels": "\n".join(
            [LEBENSLAGEN[x] for x in service.lebenslagen] + [TARGET_GROUPS[x] for x in service.target_groups]
        ),
        **_translated_fields(service),
    }


def all_texts(services: Iterable[Service], *, translations: bool = True) -> list[str]:
    """Every lexical text of the services (the vocabulary of the analyzer); German only without `translations`."""
    return [
        text
        for s in services
        for name, text in service_fields(s).items()
        if text and (translations or not is_translation(name))
    ]


@dataclass(frozen=True)
class LexicalIndex:
    """Precomputed BM25F weights: one row per term, one column per service."""

    ids: tuple[str, ...]
    analyzer: Analyzer
    term_rows: dict[str, int]
    weights: np.ndarray  # (terms, services) float32: idf * saturated weighted tf

    @classmethod
    def build(cls, services: Sequence[Service]) -> LexicalIndex:
        """Index the services (in the given order)."""
        texts = [service_fields(s) for s in services]
        tokens = [{field: words(text) for field, text in fields.items()} for fields in texts]  # split once
        # The compound splitter and the spelling correction learn German words from the German fields only: English
        # words would change how German compounds are split (and so the German ranking).
        analyzer = Analyzer.for_words(t for fields in tokens for name, t in fields.items() if not is_translation(name))
        per_field: dict[str, list[Counter[str]]] = {f: [] for f in FIELD_WEIGHTS}
        for fields, service_tokens in zip(texts, tokens, strict=True):
            for field, field_tokens in service_tokens.items():
                per_field[field].append(Counter(_field_terms(analyzer, field, fields[field], field_tokens)))
        n = len(services)
        avg_len = {f: max(1e-9, sum(sum(c.values()) for c in cs) / max(1, n)) for f, cs in per_field.items()}
        pseudo_tf: list[dict[str, float]] = []
        for i in range(n):
            combined: dict[str, float] = {}
            for field, counters in per_field.items():
                counts = counters[i]
                length = sum(counts.values())
                norm = 1.0 - FIELD_B[field] + FIELD_B[field] * length / avg_len[field]
                for term, tf in counts.items():
                    combined[term] = combined.get(term, 0.0) + FIELD_WEIGHTS[field] * tf / norm
            pseudo_tf.append(combined)
        vocabulary = sorted({t for c in pseudo_tf for t in c})
        term_rows = {t: i for i, t in enumerate(vocabulary)}
        weights = np.zeros((len(vocabulary), n), dtype=np.float32)
        df = Counter(t for c in pseudo_tf for t in c)
        for j, combined in enumerate(pseudo_tf):
            for term, weighted_tf in combined.items():
                idf = math.log(1.0 + (n - df[term] + 0.5) / (df[term] + 0.5))
                weights[term_rows[term], j] = idf * weighted_tf * (K1 + 1.0) / (weighted_tf + K1)
        return cls(tuple(s.id for s in services), analyzer, term_rows, weights)

    def query_terms(self, query: str, tokens: Sequence[str] | None = None) -> list[str]:
        """The analysed terms of a query: German terms (with spelling correction and English glossary expansion) and
        the stems of every other catalogue language, which only meet the translations' fields."""
        tokens = words(query) if tokens is None else tokens
        terms = self.analyzer.word_terms(tokens, correct=True, expand=True)
        for language in QUERY_LANGUAGES:
            terms += translation_terms(tokens, language, self.analyzer.is_german)
        return terms

    def scores(self, query: str, tokens: Sequence[str] | None = None) -> np.ndarray:
        """Raw BM25F score of every service for the query (float32, in index order); tokens: words(query)."""
        counts = Counter(t for t in self.query_terms(query, tokens) if t in self.term_rows)
        out = np.zeros(len(self.ids), dtype=np.float32)
        for term, count in counts.items():
            # repeated query terms count sub-linearly (a compound and its parts often repeat a stem)
            out += self.weights[self.term_rows[term]] * (1.0 + math.log(count))
        return out
