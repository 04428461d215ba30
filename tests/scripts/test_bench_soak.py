"""scripts/bench_soak.py (`make bench-soak`): its statistics, its conversations and its arguments.

The benchmark's figures are printed, never asserted; these tests only check the helpers that compute them, and the
conversation player against an in-process fake of POST /api/v1/chat (httpx.MockTransport, no stack).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import random
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import bench_soak
from bench_soak import RestartWatch, conversation, parse_args, replica_comparison, rss_table, summarize
from benchlib import StackProcess, Turn, play_conversation

from api.dialogue import UNAVAILABLE_SHORT

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: in a whole test session the browser tests' Playwright (sync API) keeps
    an event loop running in the main thread, where ``asyncio.run`` refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_summary_counts_errors_apart_and_takes_percentiles_over_answered_turns() -> None:
    turns = [Turn(float(ms)) for ms in range(1, 101)]  # 1..100 ms
    turns += [Turn(30_000.0, error="ReadTimeout"), Turn(5.0, error="HTTP 503"), Turn(9.0, error="HTTP 503")]
    turns += [Turn(50.0, fallback=True), Turn(60.0, fallback=True, degraded=True)]
    summary = summarize(turns, wall_seconds=10.0)
    assert summary["turns"] == 105
    assert summary["errors"] == 3
    assert summary["error_kinds"] == {"ReadTimeout": 1, "HTTP 503": 2}
    assert summary["fallback"] == 2 and summary["degraded"] == 1
    assert summary["turns_per_s"] == 10.2  # 102 answered turns in 10 s
    latency = summary["latency_ms"]
    assert latency["n"] == 102
    assert latency["max"] == 100.0  # the timed-out turn's 30 s are not a latency
    assert 94.0 <= latency["p95"] <= 97.0


def test_summary_of_nothing_has_no_latencies() -> None:
    summary = summarize([], wall_seconds=0.0)
    assert summary["turns"] == 0 and summary["turns_per_s"] == 0.0 and summary["latency_ms"] == {"n": 0}
    assert summary["p95_ms_per_window"] == []


def test_the_p95_per_window_shows_a_latency_that_grows_and_a_window_without_turns() -> None:
    turns = [Turn(100.0, sent_at=1000.0 + second) for second in range(60)]  # first minute: 100 ms
    turns += [Turn(400.0, sent_at=1120.0 + second) for second in range(30)]  # third minute: 400 ms
    turns += [Turn(9.0, error="ReadTimeout", sent_at=1060.0)]  # second minute: only a failed turn
    assert summarize(turns, wall_seconds=150.0)["p95_ms_per_window"] == [100.0, None, 400.0]


def test_rss_table_gives_the_difference_and_marks_a_process_missing_at_one_end() -> None:
    table = rss_table({"api": 700.04, "rasa": 2500.0, "gone": 10.0}, {"api": 712.5, "rasa": 2490.0, "new": 5.0})
    assert table["api"] == {"start_mib": 700.0, "end_mib": 712.5, "diff_mib": 12.5}
    assert table["rasa"]["diff_mib"] == -10.0
    assert table["gone"] == {"start_mib": 10.0, "end_mib": None, "diff_mib": None}
    assert table["new"]["start_mib"] is None and table["new"]["diff_mib"] is None


def test_restarts_are_seen_by_a_new_pid_or_by_the_supervisors_count_once_each() -> None:
    watch = RestartWatch()
    watch.sample([StackProcess("rasa-1", 100, 0), StackProcess("api", 200)])
    watch.sample([StackProcess("rasa-1", 100, 0), StackProcess("api", 200)])
    assert sum(watch.seen.values()) == 0
    watch.sample([StackProcess("rasa-1", 101, 1), StackProcess("api", 201)])  # both restarted once
    assert watch.seen == {"rasa-1": 1, "api": 1}
    watch.sample([StackProcess("rasa-1", 102, 3), StackProcess("api", 201)])  # two restarts between samples
    assert watch.seen["rasa-1"] == 3 and watch.seen["api"] == 1


def test_replica_comparison_divides_the_larger_count_by_the_smaller() -> None:
    saturation: dict[int, dict[str, Any]] = {
        1: {"turns_per_s": 20.0, "latency_ms": {"p95": 900.0}},
        2: {"turns_per_s": 30.0, "latency_ms": {"p95": 600.0}},
    }
    assert replica_comparison(saturation) == {"replicas": [1, 2], "throughput_ratio": 1.5, "p95_ratio": 0.67}
    assert replica_comparison({2: saturation[2]}) == {}
    assert replica_comparison({1: {"turns_per_s": 0.0, "latency_ms": {"n": 0}}, 2: saturation[2]})[
        "throughput_ratio"
    ] is None


def test_conversations_are_varied_repeatable_and_shaped_like_a_case() -> None:
    drawn = [conversation(random.Random(seed)) for seed in range(200)]
    assert drawn == [conversation(random.Random(seed)) for seed in range(200)]
    assert len({tuple(turns) for turns in drawn}) > 190
    for turns in drawn:
        assert 5 <= len(turns) <= 8
        assert turns[0] in bench_soak.SITUATIONS
        assert turns[-2] in bench_soak.APPLY and turns[-1] in bench_soak.CLOSINGS
        assert any(turn in bench_soak.FOLLOW_UPS for turn in turns)
    assert {turns[0] for turns in drawn} == set(bench_soak.SITUATIONS)


def test_defaults_are_the_issues_soak_and_saturation() -> None:
    args = parse_args([])
    assert (args.conversations, args.soak_seconds, args.think_min, args.think_max) == (200, 600.0, 5.0, 15.0)
    assert (args.saturation_conversations, args.saturation_seconds) == (16, 60.0)
    assert args.replicas == (1, 2) and args.profile == "production" and args.url is None and args.json is None


def test_short_runs_and_parts_can_be_chosen() -> None:
    args = parse_args(["--soak-seconds", "60", "--conversations", "50", "--replicas", "2,1,2", "--skip-saturation",
                       "--url", "http://127.0.0.1:8500", "--json", "var/x.json"])
    assert (args.soak_seconds, args.conversations, args.replicas) == (60.0, 50, (1, 2))
    assert args.skip_saturation and not args.skip_soak and args.json == Path("var/x.json")


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--think-min", "20"], "--think-min (20) is larger than --think-max (15)"),
        (["--conversations", "0"], "must be at least 1"),
        (["--soak-seconds", "-5"], "must be more than 0"),
        (["--soak-seconds", "nan"], "must be more than 0"),
        (["--replicas", "0,2"], "expected counts of at least 1"),
        (["--replicas", "one,two"], "expected counts like 1,2"),
        (["--url", "127.0.0.1:8000"], "--url must be an http(s) address"),
        (["--skip-soak", "--skip-saturation"], "leave nothing to measure"),
        (["--profile", "fast"], "invalid choice"),
    ],
)
def test_bad_arguments_are_refused_with_the_reason(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(argv)
    assert exc.value.code == 2
    assert complaint in capsys.readouterr().err


def _fake_chat(replies: list[tuple[int, dict[str, Any]]], sent: list[dict[str, Any]]) -> httpx.AsyncClient:
    """A client whose POST /api/v1/chat answers with the given (status, body) pairs in order."""

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        status, body = replies[len(sent) - 1]
        return httpx.Response(status, json=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://test")


def _answer(text: str, fallback: bool = False, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "session_id": "a" * 32,
        "messages": [{"text": text, "buttons": buttons or []}],
        "metadata": {"fallback": fallback},
    }


def test_the_player_presses_buttons_keeps_the_session_and_tells_degraded_turns() -> None:
    sent: list[dict[str, Any]] = []
    choice = '/choose_service{"service_id":"blindengeld"}'
    replies = [
        (200, _answer("Passt eine davon?", buttons=[{"title": "Blindengeld", "payload": choice}])),
        (200, _answer("Blindengeld …")),
        (200, _answer(UNAVAILABLE_SHORT, fallback=True)),
    ]

    async def play() -> list[Turn]:
        async with _fake_chat(replies, sent) as client:
            return await play_conversation(client, ["Ich bin blind", "@button0", "Unterlagen?"], think=lambda: 0.0)

    turns = run_coroutine(play())
    assert [message["message"] for message in sent] == ["Ich bin blind", choice, "Unterlagen?"]
    assert [message["session_id"] for message in sent] == [None, "a" * 32, "a" * 32]
    assert [(turn.error, turn.fallback, turn.degraded) for turn in turns] == [
        ("", False, False), ("", False, False), ("", True, True)
    ]


def test_a_failed_turn_ends_the_conversation_or_raises_when_strict() -> None:
    sent: list[dict[str, Any]] = []
    replies = [(200, _answer("Hallo")), (503, {"detail": "busy"}), (200, _answer("never asked"))]

    async def play(strict: bool) -> list[Turn]:
        async with _fake_chat(replies, sent) as client:
            return await play_conversation(client, ["a", "b", "c"], strict=strict)

    turns = run_coroutine(play(strict=False))
    assert [turn.error for turn in turns] == ["", "HTTP 503"] and len(sent) == 2
    sent.clear()
    with pytest.raises(httpx.HTTPStatusError):
        run_coroutine(play(strict=True))


def test_no_turn_starts_after_the_end_of_the_phase() -> None:
    sent: list[dict[str, Any]] = []

    async def play() -> list[Turn]:
        async with _fake_chat([(200, _answer("x"))] * 3, sent) as client:
            return await play_conversation(client, ["a", "b", "c"], stop_at=0.0)

    assert run_coroutine(play()) == [] and sent == []


def test_a_citizen_picks_the_offered_service_and_skips_the_pick_when_asked_back() -> None:
    sent: list[dict[str, Any]] = []
    choice = '/choose_service{"service_id":"leistungen-wohnraum"}'
    replies = [
        (200, _answer("Worum geht es?", buttons=[{"title": "Kind", "payload": "/inform_topic{\"topic\":\"kind\"}"}])),
        (200, _answer("Passt das?", buttons=[{"title": "Mehr", "payload": "/ask_costs"},
                                            {"title": "Umbau", "payload": choice}])),
        (200, _answer("Umbau …")),
    ]

    async def play() -> list[Turn]:
        async with _fake_chat(replies, sent) as client:
            return await play_conversation(client, ["Rampe", "@service", "Köln", "@service"])

    turns = run_coroutine(play())
    assert [message["message"] for message in sent] == ["Rampe", "Köln", choice]
    assert len(turns) == 3
