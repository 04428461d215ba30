"""Retrieval quality on the public dev set (shared/eval/dev.yaml) and our own English questions, with the real
catalogue and builtin model."""

from __future__ import annotations

from pathlib import Path

import pytest
from bk_knowledge_testkit import DEV_SET, Built

from knowledge.evaluate import evaluate, load_eval_set
from knowledge.search import Retriever

pytestmark = pytest.mark.skipif(not DEV_SET.is_file(), reason=f"{DEV_SET} not present")


@pytest.fixture(scope="module")
def report(real_built: Built) -> dict:
    retriever = Retriever.load(real_built.index_dir, real_built.catalogue, real_built.model)
    return evaluate(retriever, load_eval_set(DEV_SET))


def test_hybrid_reaches_the_targets(report: dict) -> None:
    hybrid = report["modes"]["hybrid"]
    assert hybrid["recall@3"] >= 0.90, report["misses"]["hybrid"]
    assert hybrid["mrr@10"] >= 0.80


def test_hybrid_is_at_least_as_good_as_each_half(report: dict) -> None:
    modes = report["modes"]
    for half in ("lexical", "dense"):
        assert modes["hybrid"]["recall@3"] >= modes[half]["recall@3"], half
        assert modes["hybrid"]["mrr@10"] >= modes[half]["mrr@10"], half


def test_english_questions_of_the_dev_set_reach_the_goal(report: dict) -> None:
    """Issue 11: the dev set's English questions (style english) reach hybrid R@3 >= 0.95 (measured 1.000, 3 of 3)."""
    english = report["languages"]["en"]["hybrid"]
    assert english["n"] >= 3
    assert english["recall@3"] >= 0.95, report["misses"]["hybrid"]


ENGLISH_SET = Path(__file__).parent / "data" / "english-questions.yaml"


def test_english_questions_find_their_services(real_built: Built) -> None:
    """Our own English questions (written before the English tuning). Measured: hybrid R@3 1.000, MRR 0.950 with English
    stemming and the English full texts; 0.970 / 0.962 before; before the English texts were indexed 0.970 / 0.831. The
    floors leave room for a retrained model's drift."""
    retriever = Retriever.load(real_built.index_dir, real_built.catalogue, real_built.model)
    english = evaluate(retriever, load_eval_set(ENGLISH_SET))
    hybrid = english["modes"]["hybrid"]
    assert english["questions"] >= 30
    assert set(english["languages"]) == {"en"}  # the file says its language
    assert hybrid["recall@3"] >= 0.95, english["misses"]["hybrid"]
    assert hybrid["mrr@10"] >= 0.90, english["misses"]["hybrid"]
