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
from benchlib import NO_RATE_LIMITS, cpu_seconds, fmt, header, percentiles, rss_mib, run_clients, start_stack

from api.dialogue import UNAVAILABLE_SHORT

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


async def conversation_turns(client: httpx.AsyncClient, script: list[str]) -> list[tuple[float, bool]]:
    """Play one scripted conversation; for each turn its latency in ms and whether it was degraded (answered by the
    API's search fallback because Rasa failed)."""
    session_id: str | None = None
    last_buttons: list[dict[str, str]] = []
    turns: list[tuple[float, bool]] = []
    for message in script:
        if message.startswith("@button"):
            index = int(message.removeprefix("@button"))
            message = last_buttons[index]["payload"] if len(last_buttons) > index else "Ja"
        started = time.perf_counter()
        resp = await client.post("/api/v1/chat", json={"session_id": session_id, "message": message})
        latency = (time.perf_counter() - started) * 1000
        resp.raise_for_status()
        body = resp.json()
        session_id = body["session_id"]
        turns.append((latency, bool(body["messages"]) and body["messages"][0]["text"] == UNAVAILABLE_SHORT))
        last_buttons = [b for m in body["messages"] for b in m.get("buttons", [])]
    return turns


async def load(
    base_url: str, concurrency: int, conversations: int, max_seconds: float
) -> tuple[list[tuple[float, bool]], float]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        all_turns: list[tuple[float, bool]] = []

        async def one(i: int) -> float:
            turns = await conversation_turns(client, SCRIPTS[i % len(SCRIPTS)])
            all_turns.extend(turns)
            return sum(latency for latency, _ in turns)

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
            latencies = [latency for latency, _ in turns]
            degraded = sum(1 for _, was_degraded in turns if was_degraded)
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
