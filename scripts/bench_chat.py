"""`make bench-chat`: latency of a chat turn through the whole stack (API → Rasa → action server → knowledge).

Starts the product with scripts/run.py on free loopback ports, plays scripted conversations at 1 and 16
concurrent conversations, and prints p50/p95/p99 per turn, turns per second, the CPU time each process spends
per turn, the turns the API had to answer from the search because Rasa failed ("degraded"), and each process's RSS.
Figures only: nothing here passes or fails. Goal on 2 cores: p95 ≤ 250 ms at 16 concurrent conversations.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchlib import (
    NO_RATE_LIMITS,
    Turn,
    cpu_seconds,
    fmt,
    header,
    percentiles,
    play_conversation,
    rss_mib,
    run_clients,
    start_stack,
)

# Each conversation: a situation, a choice from the buttons, a town, a section question, goodbye.
SCRIPTS: list[list[str]] = [
    ["Hallo", "Mein Sohn ist 4 und spricht noch nicht richtig", "@button0", "Wir wohnen in Bonn",
     "Welche Unterlagen brauche ich?", "Danke, tschüss"],
    ["Mein Chef will mir kündigen, ich habe GdB 50", "@button0", "Ich wohne in Dortmund",
     "Wer ist da zuständig?", "danke"],
    ["Ich bin blind und wohne in Köln, gibt es Geld?", "@button0", "Kann ich das online beantragen?", "ja",
     "tschüss"],
    ["Ich brauche einen Schwerbehindertenausweis", "@button0", "PLZ 47798", "Was kostet das?", "Danke"],
]


async def load(
    base_url: str, concurrency: int, conversations: int, max_seconds: float
) -> tuple[list[Turn], float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        all_turns: list[Turn] = []

        async def one(i: int) -> float:
            turns = await play_conversation(client, SCRIPTS[i % len(SCRIPTS)])
            all_turns.extend(turns)
            return sum(turn.latency_ms for turn in turns)

        _, wall = await run_clients(concurrency, conversations, one, max_seconds=max_seconds)
        return all_turns, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="Rasa workers (default: as make run)")
    parser.add_argument("--conversations", type=int, default=96, help="conversations at the high concurrency")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()

    extra = ["--workers", str(args.workers)] if args.workers else []
    print("starting the stack (Rasa, action server, API) ...", flush=True)
    started = time.perf_counter()
    stack = start_stack(*extra, env=NO_RATE_LIMITS)
    try:
        print(f"stack ready in {time.perf_counter() - started:.1f} s on {stack.url}")
        header("chat turn latency through the whole stack")
        asyncio.run(load(stack.url, 2, 4, 60))  # warm-up: first predictions load lazily
        pids = stack.pids()
        for concurrency, conversations in ((1, 12), (args.concurrency, args.conversations)):
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            turns, wall = asyncio.run(load(stack.url, concurrency, conversations, args.max_seconds))
            per_turn = 1000 / max(1, len(turns))
            cpu = {name: (cpu_seconds(pid) - cpu_before[name]) * per_turn for name, pid in pids.items()}
            latencies = [turn.latency_ms for turn in turns]
            degraded = sum(1 for turn in turns if turn.degraded)
            print(f"{concurrency:>3} concurrent conversations: {fmt(percentiles(latencies))}  "
                  f"throughput={len(turns) / wall:.1f} turns/s  degraded={degraded}")
            print("      CPU per turn: " + "  ".join(f"{name} {ms:.1f} ms" for name, ms in sorted(cpu.items())))
        print("\nresident memory (process and its children):")
        for name, pid in sorted(stack.pids().items()):
            print(f"  {name:<8} {rss_mib(pid):8.1f} MiB")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
