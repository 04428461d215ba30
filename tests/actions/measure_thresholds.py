"""Measure the answer / ask-back thresholds of actions.search on real questions.

    .venv/bin/python tests/actions/measure_thresholds.py [--hybrid] [--dev ../shared/eval/dev.yaml]

Questions: the catalogue's example questions, held out — each service's own example questions are removed from the
catalogue before its questions are searched (otherwise the lexical ranker finds them verbatim in the field
`example_questions`, and every margin looks huge). Optionally also the public dev set (shared/eval/dev.yaml).

For every question the script records the top scores, whether the top hit is right and whether a right service is
among the top 3, then evaluates actions.search.decide for a grid of margins and strong-score levels:

    answered right   clear decision, top hit correct
    answered wrong+  clear decision, top hit wrong, a right one among the "Vielleicht passt auch" services
    answered wrong   clear decision, no right service shown     ← the costly error: a confident wrong answer
    asked, useful    close / vague, a right service among the offered ones (or a vague question was asked)
    asked, useless   close, but no right service offered

Not a test (pytest does not collect it); it prints tables for choosing THRESHOLDS.

Results (catalogue of 62 services, 23 Nov 2026) and the choices made from them:

- margin 0.1 (relative gap between the top score and the next ones). Dev set, hybrid: 31 answered right, 2
  answered with the top wrong but a right service under "Vielleicht passt auch", 0 confidently wrong, 14
  clarifying questions offering a right service, 3 not — 34 % asked. At 0.05: 2 confidently wrong, 5 wrong+;
  at 0.15 and above: no fewer errors, but 44 % and more asked. On the catalogue's own example questions (seen in
  training) the hybrid retriever asks at 0.1 in 1 % of the cases. Lexical-only (the degraded mode), held out:
  margin 0.1 asks 33 %, 17 % of answers confidently wrong; larger margins buy few errors for many more
  questions (0.2: 52 % asked, 10 % confidently wrong), so the same 0.1 is kept for both modes.
- strong 5.5 (raw lexical BM25F evidence; Retriever.search scores are normalised per query, so the best hit is
  always near 1 and cannot tell a precise question from a vague one). Vague requests with a content word score at
  most 4.9 ("Ich habe ein Problem"); 95 % of the services' short names and synonyms score above 5.99.
- min_evidence 2.0: nonsense scores 0; real questions score at least 4.9 (1 % quantile of the dev set, 5.5 held
  out). Out-of-domain requests ("Hundesteuer", "Personalausweis") score like real ones — that is the NLU's
  out_of_scope intent's job, not the search's.
- min_words 3 (from the issue); a question that contains a service's name word for word (title, short title or
  synonym) is answered with that service whatever the scores ("Blindengeld", "Persönliches Budget").
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from actions.search import MAX_SHOWN, THRESHOLDS, Findings, Thresholds, content_words, decide  # noqa: E402

from knowledge.catalogue import Catalogue, load_catalogue  # noqa: E402


@dataclass(frozen=True)
class Row:
    question: str
    expect: frozenset[str]
    words: int
    hits: list[Any]  # SearchHit
    evidence: float

    @property
    def findings(self) -> Findings:
        return Findings(self.hits, self.words, self.evidence)

    @property
    def top_right(self) -> bool:
        return bool(self.hits) and self.hits[0].id in self.expect


def row(retriever: Any, question: str, expect: frozenset[str]) -> Row:
    hits = retriever.search(question, top=8)
    return Row(question, expect, len(content_words(question)), hits, top_evidence(retriever, question))


def top_evidence(retriever: Any, query: str) -> float:
    return float(retriever.lexical.scores(query).max())


def held_out_rows(catalogue: Catalogue, make: Callable[[Catalogue], Any]) -> list[Row]:
    """Each service's example questions, searched in a catalogue without that service's example questions."""
    rows: list[Row] = []
    for service in catalogue:
        if not service.example_questions:
            continue
        others = [s for s in catalogue if s.id != service.id]
        retriever = make(Catalogue([*others, service.model_copy(update={"example_questions": []})]))
        for question in service.example_questions:
            rows.append(row(retriever, question, frozenset({service.id})))
    return rows


def dev_rows(path: Path, retriever: Any, ids: Iterable[str]) -> list[Row]:
    known = set(ids)
    rows: list[Row] = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
        expect = frozenset(item["expect"]) & known
        if not expect:
            continue
        rows.append(row(retriever, item["q"], expect))
    return rows


def outcome(row: Row, thresholds: Thresholds) -> str:
    decision = decide(row.findings, thresholds)
    offered = {h.id for h in decision.hits}
    if decision.kind == "clear":
        return "right" if row.top_right else "wrong+" if offered & row.expect else "wrong"
    if decision.kind == "vague":
        return "asked_useful"
    if decision.kind == "none":
        return "none"
    return "asked_useful" if offered & row.expect else "asked_useless"


def evaluate(rows: list[Row], thresholds: Thresholds) -> dict[str, int]:
    counts = {"right": 0, "wrong+": 0, "wrong": 0, "asked_useful": 0, "asked_useless": 0, "none": 0}
    for row in rows:
        counts[outcome(row, thresholds)] += 1
    return counts


def describe(rows: list[Row], title: str) -> None:
    print(f"\n== {title}: {len(rows)} questions")
    top1 = sum(r.top_right for r in rows)
    top3 = sum(bool({h.id for h in r.hits[:MAX_SHOWN]} & r.expect) for r in rows)
    print(f"top-1 right {top1} ({top1 / len(rows):.0%}), right within top 3 {top3} ({top3 / len(rows):.0%})")
    evidence = sorted(r.evidence for r in rows)
    print(f"  lexical evidence quantiles (1 %, 5 %, 10 %, 50 %): {_fmt(_quantiles(evidence, 0.01, 0.05, 0.1, 0.5))}")

    def gaps(selected: list[Row]) -> list[float]:
        return [(r.hits[0].score - r.hits[1].score) / r.hits[0].score for r in selected if len(r.hits) > 1]

    for label, selected in (("top-1 right", [r for r in rows if r.top_right]),
                            ("top-1 wrong", [r for r in rows if r.hits and not r.top_right])):  # fmt: skip
        rel = gaps(selected)
        if len(rel) > 1:
            print(
                f"  {label:12} n={len(selected):3}  relative gap (s1-s2)/s1: median {statistics.median(rel):.3f}, "
                f"deciles {_fmt(statistics.quantiles(rel, n=10))}"
            )


def grid(rows: list[Row], base: Thresholds) -> None:
    """Outcomes of the margin rule for the given rows."""
    print("\n  margin |  right wrong+  wrong  asked+  asked-  none | wrong% of answered  asked%")
    for margin in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
        c = evaluate(rows, replace(base, margin=margin))
        wrong = c["wrong"] + c["wrong+"]
        answered = c["right"] + wrong
        asked = c["asked_useful"] + c["asked_useless"]
        print(
            f"  {margin:6.2f} | {c['right']:6} {c['wrong+']:6} {c['wrong']:6} {c['asked_useful']:7} "
            f"{c['asked_useless']:7} {c['none']:5} | {wrong / max(1, answered):17.0%} {asked / len(rows):7.0%}"
        )


#: Short requests that do not say what they are about: the bot should ask back.
VAGUE_REQUESTS = (
    "Hilfe", "Ich brauche Hilfe", "Ich habe eine Frage", "Ich brauche Hilfe bei einem Antrag", "Antrag stellen",
    "Ich brauche Unterstützung", "Wer kann mir helfen?", "Ich brauche Geld", "Ich habe ein Problem",
    "Information bitte", "Was bietet der LVR an?", "Beratung", "Ich brauche einen Antrag", "Formular",
    "Ich möchte etwas beantragen", "Hallo, ich brauche Infos", "Leistungen", "Zuschuss", "Hilfe im Alltag",
    "Behinderung", "Ich bin krank", "Mein Kind", "Arbeit", "Wohnung",
)  # fmt: skip
#: Requests outside the catalogue: their evidence shows where "nothing relevant" begins.
OUT_OF_DOMAIN = (
    "Reisepass beantragen", "Hundesteuer anmelden", "Wie wird das Wetter morgen?", "Personalausweis verloren",
    "Kfz-Zulassung", "Baugenehmigung für einen Carport", "Wann fährt der Bus?", "Müllabfuhr Termine",
    "Quantenchromodynamik Xylophon", "asdf qwertz", "Pizza bestellen", "Fußball Ergebnisse",
)  # fmt: skip


def short_queries(catalogue: Catalogue, retriever: Any) -> None:
    """The evidence levels: short names of services (answer) against vague and out-of-domain requests."""
    names = [(name, service.id) for service in catalogue for name in (service.title_short, *service.synonyms)
             if name and 0 < len(content_words(name)) < 3]  # fmt: skip
    name_rows = [row(retriever, q, frozenset({sid})) for q, sid in names]
    name_ev = sorted(r.evidence for r in name_rows)
    print(f"\n== short names of services: {len(names)}, top-1 right {sum(r.top_right for r in name_rows)}")
    print(f"  evidence quantiles (5 %, 10 %, 25 %, 50 %): {_fmt(_quantiles(name_ev, 0.05, 0.1, 0.25, 0.5))}")
    for label, queries in (("vague requests", VAGUE_REQUESTS), ("out-of-domain requests", OUT_OF_DOMAIN)):
        values = sorted((top_evidence(retriever, q), q) for q in queries)
        print(f"== {label} ({len(values)}), evidence: " + ", ".join(f"{q!r} {v:.1f}" for v, q in values))


def _quantiles(values: list[float], *points: float) -> list[float]:
    return [values[int(p * (len(values) - 1))] for p in points] if values else []


def _fmt(values: Iterable[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hybrid", action="store_true", help="also measure with the built index (Retriever.load)")
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.yaml")
    args = parser.parse_args()
    from knowledge.search import Retriever

    catalogue = load_catalogue()
    rows = held_out_rows(catalogue, Retriever.lexical_only)
    describe(rows, "catalogue example questions, held out, lexical-only")
    grid(rows, THRESHOLDS)
    modes = [("lexical", Retriever.lexical_only(catalogue))]
    if args.hybrid:
        modes.append(("hybrid", Retriever.load(catalogue=catalogue)))
    for mode, retriever in modes:
        print(f"\n######## {mode}")
        if mode == "hybrid":
            seen = [row(retriever, q, frozenset({s.id})) for s in catalogue for q in s.example_questions]
            describe(seen, "catalogue example questions (seen in training), hybrid")
            grid(seen, THRESHOLDS)
        short_queries(catalogue, retriever)
        if args.dev.exists():
            dev = dev_rows(args.dev, retriever, catalogue.ids)
            describe(dev, f"dev set, {mode}")
            grid(dev, THRESHOLDS)


if __name__ == "__main__":
    main()
