"""Dialogue evaluation: whole conversations through POST /api/v1/chat, against a search-with-memory baseline.

    .venv/bin/python scripts/eval_dialogues.py [FILE] [--url URL] [--json OUT] [--quiet]
    make eval-dialogues [FILE=…]

FILE defaults to ../shared/eval/dialogues-dev.yaml; its header says what each check means:

    expect_any_service  at least one of these ids is in metadata.service_ids of the reply
    expect_authority    metadata.authority of the reply equals it
    expect_handoff      the reply hands off: metadata.handoff is set and its service_id is among metadata.service_ids
    expect_fallback     metadata.fallback is true
    expect_language     metadata.language equals it (a reply without that field fails the check)

Without --url the stack is started as `make run` starts it (scripts/run.py on a free port) and stopped after.
In the same run, the baseline answers every service check with a plain BM25 search (German Snowball stemming,
one field per service with all its catalogue text, no synonyms table, no spelling correction) over everything the
user has typed so far in the conversation, top 3. A dialogue bot earns its place only by beating that.

Figures are printed per check kind, for German and English dialogues apart (a dialogue is English when any of its
turns expects English), with the failed turns and the bot's answer. Nothing here asserts: tests/e2e asserts floors.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_FILE = ROOT.parent / "shared" / "eval" / "dialogues-dev.yaml"
KINDS = ("service", "authority", "handoff", "fallback", "language")
BASELINE_TOP = 3


# --- the file -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Turn:
    """One user turn and what its reply must show."""

    user: str
    expect: dict[str, Any]  # check kind → expected value (service: list of ids; handoff/fallback: bool)


@dataclass(frozen=True)
class Dialogue:
    name: str
    turns: tuple[Turn, ...]

    @property
    def language(self) -> str:
        """"en" when any turn expects an English reply, else "de"."""
        return "en" if any(t.expect.get("language") == "en" for t in self.turns) else "de"


_KEYS = {
    "expect_any_service": "service",
    "expect_authority": "authority",
    "expect_handoff": "handoff",
    "expect_fallback": "fallback",
    "expect_language": "language",
}


def load_dialogues(path: Path) -> list[Dialogue]:
    """The dialogues of an eval file (format of shared/eval/dialogues-dev.yaml); ValueError for a malformed one."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("dialogues"), list):
        raise ValueError(f"{path}: expected a mapping with a list 'dialogues'")
    dialogues = []
    for number, raw in enumerate(data["dialogues"], 1):
        turns = []
        for raw_turn in raw.get("turns") or []:
            if not isinstance(raw_turn, dict) or not isinstance(raw_turn.get("user"), str):
                raise ValueError(f"{path}: dialogue {number}: every turn needs a 'user' text")
            unknown = set(raw_turn) - {"user", *_KEYS}
            if unknown:
                raise ValueError(f"{path}: dialogue {number}: unknown keys {sorted(unknown)}")
            expect = {_KEYS[k]: v for k, v in raw_turn.items() if k in _KEYS}
            turns.append(Turn(raw_turn["user"], expect))
        dialogues.append(Dialogue(str(raw.get("name") or f"dialogue-{number}"), tuple(turns)))
    return dialogues


# --- the checks ---------------------------------------------------------------------------------------------------
def check(kind: str, expected: Any, metadata: dict[str, Any]) -> bool:
    """Whether a reply's metadata passes one check."""
    ids = metadata.get("service_ids") or []
    if kind == "service":
        return any(s in ids for s in expected)
    if kind == "authority":
        return bool(metadata.get("authority") == expected)
    if kind == "handoff":
        handoff = metadata.get("handoff")
        handed = isinstance(handoff, dict) and handoff.get("service_id") in ids
        return handed == bool(expected)
    if kind == "fallback":
        return bool(metadata.get("fallback")) == bool(expected)
    if kind == "language":
        return bool(metadata.get("language") == expected)
    raise ValueError(f"unknown check kind {kind!r}")


# --- the baseline: BM25 over everything the user typed so far ------------------------------------------------------
class PlainBM25:
    """Okapi BM25 (k1 1.2, b 0.75) over one text per service: all its catalogue fields, German-stemmed."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        from knowledge.catalogue import load_catalogue
        from knowledge.lexical import service_fields

        catalogue = load_catalogue()
        self.ids = catalogue.ids
        docs = [Counter(self.terms(" ".join(service_fields(s).values()))) for s in catalogue]
        lengths = np.array([sum(d.values()) for d in docs], dtype=np.float64)
        df = Counter(t for d in docs for t in d)
        n = len(docs)
        self.rows: dict[str, np.ndarray] = {}
        norm = k1 * (1 - b + b * lengths / lengths.mean())
        for term, count in df.items():
            idf = math.log(1 + (n - count + 0.5) / (count + 0.5))
            tf = np.array([d.get(term, 0) for d in docs], dtype=np.float64)
            self.rows[term] = idf * tf * (k1 + 1) / (tf + norm)

    @staticmethod
    def terms(text: str) -> list[str]:
        from knowledge.stemmer import stem
        from knowledge.text import fold, stop_words, words

        stop = stop_words()
        return [stem(w) for w in (fold(x) for x in words(text)) if w not in stop and any(c.isalpha() for c in w)]

    def top(self, text: str, k: int = BASELINE_TOP) -> list[str]:
        scores = np.zeros(len(self.ids))
        for term in self.terms(text):
            row = self.rows.get(term)
            if row is not None:
                scores += row
        order = np.argsort(-scores, kind="stable")
        return [self.ids[i] for i in order[:k] if scores[i] > 0]


# --- running ------------------------------------------------------------------------------------------------------
@dataclass
class TurnResult:
    dialogue: str
    language: str
    number: int
    user: str
    checks: dict[str, bool]
    baseline_service: bool | None  # the baseline's service check; None when the turn has none
    answer: str
    metadata: dict[str, Any]


@dataclass
class Report:
    turns: list[TurnResult] = field(default_factory=list)
    seconds: float = 0.0

    def rates(self, language: str | None = None) -> dict[str, Any]:
        """Pass rates per check kind, overall, of the baseline, and whole dialogues right."""
        turns = [t for t in self.turns if language is None or t.language == language]
        per_kind: dict[str, list[bool]] = defaultdict(list)
        for t in turns:
            for kind, ok in t.checks.items():
                per_kind[kind].append(ok)
        every = [ok for t in turns for ok in t.checks.values()]
        base = [t.baseline_service for t in turns if t.baseline_service is not None]
        dialogues: dict[str, bool] = {}
        for t in turns:
            dialogues[t.dialogue] = dialogues.get(t.dialogue, True) and all(t.checks.values())

        def rate(values: Sequence[bool]) -> float | None:
            return sum(values) / len(values) if values else None

        return {
            "checks": len(every),
            "all": rate(every),
            "kinds": {k: {"n": len(per_kind[k]), "rate": rate(per_kind[k])} for k in KINDS if per_kind[k]},
            "baseline_service": rate(base),
            "dialogues": len(dialogues),
            "dialogues_right": sum(dialogues.values()),
        }


def run(url: str, dialogues: Sequence[Dialogue], *, timeout: float = 60.0) -> Report:
    """Every dialogue through POST {url}/api/v1/chat, each in a new session, with the baseline beside it."""
    baseline = PlainBM25()
    report = Report()
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=timeout, trust_env=False) as client:
        for dialogue in dialogues:
            session: str | None = None
            typed: list[str] = []
            for number, turn in enumerate(dialogue.turns, 1):
                response = client.post("/api/v1/chat", json={"session_id": session, "message": turn.user})
                if response.status_code != 200:
                    body: dict[str, Any] = {"messages": [{"text": f"HTTP {response.status_code}: {response.text}"}]}
                    metadata: dict[str, Any] = {}
                else:
                    body = response.json()
                    session = body["session_id"]
                    metadata = body.get("metadata") or {}
                typed.append(turn.user)
                checks = {kind: check(kind, expected, metadata) for kind, expected in turn.expect.items()}
                base = None
                if "service" in turn.expect:
                    base = any(s in turn.expect["service"] for s in baseline.top(" ".join(typed)))
                answer = "\n".join(m.get("text", "") for m in body.get("messages", []))
                report.turns.append(
                    TurnResult(dialogue.name, dialogue.language, number, turn.user, checks, base, answer, metadata)
                )
    report.seconds = time.perf_counter() - started
    return report


def _pct(value: float | None) -> str:
    return "   –  " if value is None else f"{value:6.3f}"


def print_report(report: Report, *, failures: bool = True, out: Any = sys.stdout) -> None:
    for language in ("de", "en"):
        r = report.rates(language)
        if not r["checks"]:
            continue
        name = {"de": "German", "en": "English"}[language]
        print(f"\n{name} dialogues: {r['dialogues']} ({r['dialogues_right']} right from start to end)", file=out)
        print(f"  all checks        {_pct(r['all'])}  ({r['checks']})", file=out)
        for kind, stats in r["kinds"].items():
            print(f"  {kind:<17} {_pct(stats['rate'])}  ({stats['n']})", file=out)
        print(f"  baseline service  {_pct(r['baseline_service'])}  (BM25 over all user turns so far, top 3)", file=out)
    if not failures:
        return
    failed = [t for t in report.turns if not all(t.checks.values())]
    print(f"\nFailed turns: {len(failed)}", file=out)
    for t in failed:
        wrong = ", ".join(k for k, ok in t.checks.items() if not ok)
        meta = {k: t.metadata.get(k) for k in ("service_ids", "authority", "handoff", "fallback", "language")}
        print(f"\n- {t.dialogue} #{t.number} [{wrong}] user: {t.user[:160]}", file=out)
        print(f"  metadata: {json.dumps(meta, ensure_ascii=False)}", file=out)
        answer = t.answer.replace("\n", " / ")
        print(f"  bot: {answer[:400]}", file=out)


def _stack(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    sys.path.insert(0, str(ROOT / "scripts"))
    from benchlib import NO_RATE_LIMITS, start_stack

    stack = start_stack(env=NO_RATE_LIMITS, timeout=600)
    try:
        yield stack.url
    finally:
        stack.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE, help="dialogue file (shared/eval format)")
    parser.add_argument("--url", help="a running stack (default: start one as `make run` does)")
    parser.add_argument("--json", type=Path, help="also write every turn and the figures as JSON here")
    parser.add_argument("--quiet", action="store_true", help="figures only, no failed turns")
    args = parser.parse_args(argv)
    try:
        dialogues = load_dialogues(args.file)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    for url in _stack(args.url):
        report = run(url, dialogues)
    print(f"{args.file}: {len(dialogues)} dialogues, {len(report.turns)} turns in {report.seconds:.0f} s")
    print_report(report, failures=not args.quiet)
    if args.json:
        args.json.write_text(
            json.dumps(
                {"figures": {lang: report.rates(lang) for lang in ("de", "en")},
                 "turns": [t.__dict__ for t in report.turns]},
                ensure_ascii=False, indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
