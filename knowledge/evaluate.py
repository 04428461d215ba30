"""Retrieval evaluation: Recall@1, Recall@3 and MRR@10 per search mode on a YAML question set.

The set has the format of shared/eval/dev.yaml: ``items: [{q, expect: [ids], style}]``. A question counts as
found at rank k when the top k contain any of its expected ids. Its language (for the figures per language) is the
item's ``language``, else the file's top-level ``language``, else "en" for ``style: english`` and German otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import yaml

from knowledge.errors import KnowledgeError
from knowledge.vocab import DEFAULT_LANGUAGE, LANGUAGES

if TYPE_CHECKING:
    from knowledge.search import Mode, Retriever


class EvalItem(TypedDict):
    """One question of an evaluation set."""

    q: str  # the question
    expect: list[str]  # acceptable service ids
    style: str  # colloquial, formal, typo, leichte-sprache, long-story, english, keyword, employer, caseworker
    language: str  # a code of vocab.LANGUAGES


@dataclass(frozen=True)
class Metrics:
    """Recall@1, Recall@3 and MRR@10 over n questions."""

    n: int
    recall_at_1: float
    recall_at_3: float
    mrr_at_10: float

    def as_dict(self) -> dict[str, float | int]:
        """Rounded figures for printing and JSON."""
        return {
            "n": self.n,
            "recall@1": round(self.recall_at_1, 4),
            "recall@3": round(self.recall_at_3, 4),
            "mrr@10": round(self.mrr_at_10, 4),
        }


def load_eval_set(path: Path) -> list[EvalItem]:
    """The items of an evaluation file; raises KnowledgeError when it is malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read the evaluation set {path}: {exc}") from exc
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise KnowledgeError(f"{path}: expected a mapping with a list 'items'")
    out: list[EvalItem] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not item.get("expect"):
            raise KnowledgeError(f"{path}: item {number} needs 'q' and 'expect'")
        style = str(item.get("style", "unknown"))
        language = str(
            item.get("language") or data.get("language") or ("en" if style == "english" else DEFAULT_LANGUAGE)
        )
        if language not in LANGUAGES:
            raise KnowledgeError(f"{path}: item {number} has language {language!r}; allowed: {', '.join(LANGUAGES)}")
        out.append({"q": item["q"], "expect": list(item["expect"]), "style": style, "language": language})
    return out


def first_rank(ranked: Sequence[str], expected: Sequence[str], depth: int = 10) -> int | None:
    """1-based rank of the first expected id within the top `depth`, else None."""
    for rank, service_id in enumerate(ranked[:depth], 1):
        if service_id in expected:
            return rank
    return None


def metrics(ranks: Sequence[int | None]) -> Metrics:
    """Metrics from the first-hit ranks of the questions."""
    n = len(ranks)
    if n == 0:
        return Metrics(0, 0.0, 0.0, 0.0)
    return Metrics(
        n=n,
        recall_at_1=sum(1 for r in ranks if r is not None and r <= 1) / n,
        recall_at_3=sum(1 for r in ranks if r is not None and r <= 3) / n,
        mrr_at_10=sum(1.0 / r for r in ranks if r is not None and r <= 10) / n,
    )


def evaluate(retriever: Retriever, items: Sequence[EvalItem], modes: Sequence[Mode] | None = None) -> dict[str, Any]:
    """Metrics of every mode (overall and per language), the per-style breakdown of hybrid, and the five slowest
    hybrid queries."""
    if modes is None:
        modes = ["hybrid", "lexical", "dense"] if retriever.has_dense else ["lexical"]
    report: dict[str, Any] = {
        "questions": len(items),
        "modes": {},
        "languages": {},
        "styles": {},
        "slowest": [],
        "misses": {},
    }
    timings: list[tuple[float, str]] = []
    for mode in modes:
        ranks: list[int | None] = []
        by_style: dict[str, list[int | None]] = defaultdict(list)
        by_language: dict[str, list[int | None]] = defaultdict(list)
        misses: list[dict[str, Any]] = []
        for item in items:
            hits, seconds = retriever.timed_search(item["q"], top=10, mode=mode)
            ranked = [h.id for h in hits]
            rank = first_rank(ranked, item["expect"])
            ranks.append(rank)
            by_style[item["style"]].append(rank)
            by_language[item["language"]].append(rank)
            if rank is None or rank > 3:
                misses.append({"q": item["q"], "expect": item["expect"], "got": ranked[:3], "rank": rank})
            if mode == modes[0]:
                timings.append((seconds, item["q"]))
        report["modes"][mode] = metrics(ranks).as_dict()
        for language, language_ranks in sorted(by_language.items()):
            report["languages"].setdefault(language, {})[mode] = metrics(language_ranks).as_dict()
        report["misses"][mode] = misses
        if mode == modes[0]:
            report["styles"] = {style: metrics(r).as_dict() for style, r in sorted(by_style.items())}
    report["slowest"] = [
        {"ms": round(seconds * 1000, 3), "q": q} for seconds, q in sorted(timings, key=lambda t: -t[0])[:5]
    ]
    report["style_mode"] = modes[0]
    return report


def format_report(report: dict[str, Any]) -> str:
    """A readable text version of an evaluate() report."""
    lines = [f"{report['questions']} questions", "", f"{'mode':<10}{'R@1':>8}{'R@3':>8}{'MRR@10':>9}"]
    for mode, m in report["modes"].items():
        lines.append(f"{mode:<10}{m['recall@1']:>8.3f}{m['recall@3']:>8.3f}{m['mrr@10']:>9.3f}")
    for language, by_mode in report["languages"].items():
        name = LANGUAGES[language]["name"]
        lines += ["", f"{name} ({language}, {next(iter(by_mode.values()))['n']} questions)"]
        lines.append(f"{'mode':<10}{'R@1':>8}{'R@3':>8}{'MRR@10':>9}")
        for mode, m in by_mode.items():
            lines.append(f"{mode:<10}{m['recall@1']:>8.3f}{m['recall@3']:>8.3f}{m['mrr@10']:>9.3f}")
    lines += ["", f"by style ({report['style_mode']}):", f"{'style':<17}{'n':>4}{'R@1':>8}{'R@3':>8}{'MRR@10':>9}"]
    for style, m in report["styles"].items():
        lines.append(f"{style:<17}{m['n']:>4}{m['recall@1']:>8.3f}{m['recall@3']:>8.3f}{m['mrr@10']:>9.3f}")
    lines += ["", f"slowest queries ({report['style_mode']}):"]
    lines += [f"{s['ms']:>9.2f} ms  {s['q'][:90]}" for s in report["slowest"]]
    first = report["style_mode"]
    if report["misses"].get(first):
        lines += ["", f"not in the top 3 ({first}):"]
        for miss in report["misses"][first]:
            lines.append(f"  rank {miss['rank']}  expect {','.join(miss['expect'])}  got {','.join(miss['got'])}")
            lines.append(f"      {miss['q'][:110]}")
    return "\n".join(lines)
