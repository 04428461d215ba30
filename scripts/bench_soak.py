"""`make bench-soak`: many citizens chatting for a long time, and what a second Rasa replica buys at saturation.

Starts the product with scripts/run.py (production profile unless told otherwise; ``--url`` uses a running stack
instead) and plays, in one run:

1. the soak: N concurrent conversations (default 200) for D seconds (default 600), each citizen waiting 5-15 s
   (uniform) between turns, as people read and type. A conversation tells a situation, picks a service, names a
   place, asks a follow-up and how to apply (German, generated from the parts below with a fixed seed). Printed:
   turns, errors (goal 0), p50/p95/p99 (goal p95 <= 300 ms), turns with ``fallback: true`` and those answered from
   the search because the dialogue assistant was unavailable ("degraded"), the RSS of every process of the stack at
   start and end (goal: flat), and the restarts seen (PID changes, and the supervisor's own count where it keeps one);
2. saturation: a closed loop without think time (default 16 conversations for 60 s) on 1 and on 2 Rasa replicas
   (``BK_RASA_REPLICAS``), each on its own stack: turns/s and p95 each, and their ratio.

Figures only: nothing here passes or fails. ``--json PATH`` writes them for the README table. Only what this script
started is stopped (by process group, through the supervisor).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchlib import (
    NO_RATE_LIMITS,
    Stack,
    StackProcess,
    Turn,
    cpu_seconds,
    fmt,
    header,
    percentiles,
    play_conversation,
    rss_mib,
    stack_processes,
    start_stack,
    supervisor_of,
)

# --- the conversations ---------------------------------------------------------------------------------------------
# Written for this benchmark (not taken from the evaluation sets): a situation, usually the first button, a place,
# one or two follow-ups, how to apply, and a closing. "@service" presses the first button of the previous answer
# that chooses a service (benchlib.play_conversation).

SITUATIONS: tuple[str, ...] = (
    "Meine Mutter hat ihr Augenlicht fast ganz verloren. Steht ihr eine Geldleistung zu?",
    "Ich sehe seit einer Netzhauterkrankung kaum noch etwas, gibt es Unterstützung?",
    "Unser Sohn ist seit der Geburt gehörlos. Bekommt er eine Leistung?",
    "Mein Arbeitgeber will mich entlassen, obwohl ich schwerbehindert bin.",
    "Ich bin blind und brauche im Büro jemanden, der mir Unterlagen vorliest.",
    "Meine Tochter ist drei Jahre alt und braucht in der Kita zusätzliche Förderung.",
    "Unser Baby entwickelt sich langsamer als andere Kinder. Wer kann uns helfen?",
    "Ich sitze im Rollstuhl und brauche eine Rampe vor unserer Haustür.",
    "Mein Bruder hat eine geistige Behinderung und möchte in eine eigene Wohnung ziehen.",
    "Ich bin auf der Straße angegriffen worden und habe seitdem große Angst.",
    "Mein Sohn verlässt bald die Förderschule und soll danach in einer Werkstatt arbeiten.",
    "Wie komme ich an einen Schwerbehindertenausweis?",
    "Wegen einer Lähmung brauche ich ein umgebautes Auto, um zur Arbeit zu kommen.",
    "Meine Tochter kann nicht allein mit dem Linienbus zur Förderschule fahren.",
    "Ich habe einen Grad der Behinderung von 50 und suche Hilfe am Arbeitsplatz.",
    "Ich möchte statt Sachleistungen lieber selbst Geld bekommen und meine Hilfe einkaufen.",
)
PLACES: tuple[str, ...] = (
    "Köln", "Bonn", "Düsseldorf", "Essen", "Duisburg", "Wuppertal", "Krefeld", "Aachen", "Mönchengladbach",
    "Leverkusen", "Solingen", "Kreis Kleve", "Rhein-Sieg-Kreis", "Kreis Viersen", "Dortmund", "Münster",
    "Bielefeld", "Bochum",
)
PLACE_PHRASES: tuple[str, ...] = (
    "Wir wohnen in {place}.",
    "Ich lebe in {place}.",
    "{place}",
    "Mein Wohnort ist {place}.",
    "Wir sind aus {place}.",
)
POSTCODES: tuple[str, ...] = ("PLZ 50667", "53111", "PLZ 40210", "47798", "PLZ 44135", "48143")
FOLLOW_UPS: tuple[str, ...] = (
    "Welche Unterlagen brauche ich?",
    "Was muss ich alles einreichen?",
    "Wie viel Geld ist das im Monat?",
    "Wer ist dafür zuständig?",
    "Kostet mich das etwas?",
    "Wie lange dauert das ungefähr?",
    "Was kann ich tun, wenn der Antrag abgelehnt wird?",
    "Muss ich dafür mein Einkommen offenlegen?",
)
APPLY: tuple[str, ...] = (
    "Wie kann ich das beantragen?",
    "Kann ich den Antrag online stellen?",
    "Wo reiche ich den Antrag ein?",
    "Ich möchte das jetzt beantragen.",
)
CLOSINGS: tuple[str, ...] = ("Danke, das hilft mir.", "tschüss", "Vielen Dank!", "ja", "Okay, danke.")


def conversation(rng: random.Random) -> list[str]:
    """One conversation of 5 to 8 turns, drawn from the parts above."""
    turns = [rng.choice(SITUATIONS)]
    if rng.random() < 0.7:
        turns.append("@service")
    if rng.random() < 0.2:
        turns.append(rng.choice(POSTCODES))
    else:
        turns.append(rng.choice(PLACE_PHRASES).format(place=rng.choice(PLACES)))
    turns += rng.sample(FOLLOW_UPS, 2 if rng.random() < 0.4 else 1)
    turns.append(rng.choice(APPLY))
    turns.append(rng.choice(CLOSINGS))
    return turns


# --- statistics ------------------------------------------------------------------------------------------------------


def summarize(turns: Sequence[Turn], wall_seconds: float, window_seconds: float = 60.0) -> dict[str, Any]:
    """Counts and latency percentiles of a load phase; percentiles over the answered turns only, also per window of
    ``window_seconds`` from the first turn on (a p95 that grows over a soak shows there)."""
    answered = [turn for turn in turns if not turn.error]
    stats = percentiles([turn.latency_ms for turn in answered])
    first = min((turn.sent_at for turn in answered), default=0.0)
    windows: dict[int, list[float]] = {}
    for turn in answered:
        windows.setdefault(int((turn.sent_at - first) // window_seconds), []).append(turn.latency_ms)
    return {
        "turns": len(turns),
        "errors": len(turns) - len(answered),
        "error_kinds": dict(Counter(turn.error for turn in turns if turn.error)),
        "fallback": sum(1 for turn in answered if turn.fallback),
        "degraded": sum(1 for turn in answered if turn.degraded),
        "seconds": round(wall_seconds, 1),
        "turns_per_s": round(len(answered) / wall_seconds, 2) if wall_seconds > 0 else 0.0,
        "latency_ms": {key: round(value, 1) for key, value in stats.items()},
        "p95_ms_per_window": [round(percentiles(windows[i])["p95"], 1) if i in windows else None
                              for i in range(max(windows, default=-1) + 1)],
        "window_seconds": window_seconds,
    }


def rss_table(start: dict[str, float], end: dict[str, float]) -> dict[str, dict[str, float | None]]:
    """RSS in MiB per process at start and end and the difference (None where a process is missing at one end)."""
    table: dict[str, dict[str, float | None]] = {}
    for name in sorted(start.keys() | end.keys()):
        first, last = start.get(name), end.get(name)
        table[name] = {
            "start_mib": None if first is None else round(first, 1),
            "end_mib": None if last is None else round(last, 1),
            "diff_mib": None if first is None or last is None else round(last - first, 1),
        }
    return table


@dataclass
class RestartWatch:
    """Restarts seen during a phase: a process whose PID changed between two samples, or whose restart count in the
    supervisor's state file grew."""

    pids: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seen: Counter[str] = field(default_factory=Counter)

    def sample(self, processes: Sequence[StackProcess]) -> None:
        for process in processes:
            old_pid = self.pids.get(process.name)
            old_count = self.counts.get(process.name)
            by_pid = int(old_pid is not None and old_pid != process.pid)
            by_count = (process.restarts - old_count) if process.restarts is not None and old_count is not None else 0
            self.seen[process.name] += max(by_pid, by_count)
            self.pids[process.name] = process.pid
            if process.restarts is not None:
                self.counts[process.name] = process.restarts


def replica_comparison(saturation: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Turns/s and p95 per replica count, and the ratio of the largest to the smallest count."""
    if len(saturation) < 2:
        return {}
    low, high = min(saturation), max(saturation)
    low_rate, high_rate = saturation[low]["turns_per_s"], saturation[high]["turns_per_s"]
    low_p95 = saturation[low]["latency_ms"].get("p95")
    high_p95 = saturation[high]["latency_ms"].get("p95")
    return {
        "replicas": [low, high],
        "throughput_ratio": round(high_rate / low_rate, 2) if low_rate else None,
        "p95_ratio": round(high_p95 / low_p95, 2) if low_p95 and high_p95 else None,
    }


# --- load ------------------------------------------------------------------------------------------------------------


async def load(
    base_url: str,
    users: int,
    seconds: float,
    think: tuple[float, float] | None,
    seed: int,
    timeout: float,
    on_tick: Callable[[], None] | None = None,
) -> tuple[list[Turn], float]:
    """``users`` citizens each playing conversation after conversation for ``seconds`` (no new turn after that).

    With ``think`` (min, max seconds) each waits that long between turns and starts after a random part of the
    longest wait, so the load ramps up as it would; without, a closed loop at full speed. ``on_tick`` runs every
    5 s (sampling the processes).
    """
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    turns: list[Turn] = []
    started = time.perf_counter()
    stop_at = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:

        async def citizen(number: int) -> None:
            rng = random.Random(seed * 100_003 + number)
            pause = (lambda: rng.uniform(*think)) if think else None
            if think:
                await asyncio.sleep(rng.uniform(0, think[1]))
            while time.monotonic() < stop_at:
                turns.extend(await play_conversation(client, conversation(rng), think=pause, stop_at=stop_at,
                                                     strict=False))

        async def ticker() -> None:
            while on_tick is not None and time.monotonic() < stop_at:
                on_tick()
                await asyncio.sleep(5)

        await asyncio.gather(ticker(), *(citizen(i) for i in range(users)))
    return turns, time.perf_counter() - started


# --- the stack -------------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """The stack under load: started here (``stack``) or found behind ``--url``."""

    url: str
    port: int
    supervisor_pid: int | None
    stack: Stack | None = None

    def processes(self) -> list[StackProcess]:
        if self.supervisor_pid is None:
            return []
        return stack_processes(self.supervisor_pid, self.port)

    def rasa_replicas(self) -> int:
        return sum(1 for process in self.processes() if process.name.startswith("rasa"))

    def rss(self) -> dict[str, float]:
        return {process.name: rss_mib(process.pid) for process in self.processes()}

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()


def start_target(profile: str, replicas: int) -> Target:
    env = {**NO_RATE_LIMITS, "BK_PROFILE": profile, "BK_RASA_REPLICAS": str(replicas)}
    print(f"starting the stack ({profile} profile, {replicas} Rasa replica(s)) ...", flush=True)
    began = time.perf_counter()
    stack = start_stack(env=env)
    target = Target(stack.url, stack.port, stack.proc.pid, stack)
    print(f"stack ready in {time.perf_counter() - began:.1f} s on {stack.url}: "
          + ", ".join(f"{p.name} (PID {p.pid})" for p in target.processes()), flush=True)
    return target


def running_target(url: str, wait_seconds: float = 60.0) -> Target:
    """The stack behind ``url``, once its API answers (SystemExit when it does not within ``wait_seconds``)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            httpx.get(f"{url.rstrip('/')}/health", timeout=5)  # any answer will do: 503 while a part starts
            break
        except httpx.HTTPError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"no API answers at {url} ({type(exc).__name__}): start it with `make run`") from None
            time.sleep(1)
    port = urlsplit(url).port or (443 if url.startswith("https") else 80)
    supervisor = supervisor_of(port) if urlsplit(url).hostname in ("127.0.0.1", "localhost") else None
    if supervisor is None:
        print("no scripts/run.py found behind --url: the processes' RSS and restarts are not measured", flush=True)
    return Target(url.rstrip("/"), port, supervisor)


def warm_up(target: Target, seed: int, timeout: float) -> None:
    """A few conversations first: Rasa loads parts of its model at the first predictions."""
    asyncio.run(load(target.url, 4, 20, None, seed + 7, timeout))


# --- the run ---------------------------------------------------------------------------------------------------------


def soak(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    header(f"soak: {args.conversations} conversations, {args.soak_seconds:.0f} s, think time "
           f"{args.think_min:g}-{args.think_max:g} s")
    watch = RestartWatch()
    watch.sample(target.processes())
    rss_start = target.rss()
    client_cpu = cpu_seconds(os.getpid(), include_children=False)
    turns, wall = asyncio.run(load(target.url, args.conversations, args.soak_seconds,
                                   (args.think_min, args.think_max), args.seed, args.timeout,
                                   on_tick=lambda: watch.sample(target.processes())))
    watch.sample(target.processes())
    result = summarize(turns, wall)
    result["client_cpu_percent"] = _client_cpu_percent(client_cpu, wall)
    result["rss"] = rss_table(rss_start, target.rss())
    result["restarts"] = dict(watch.seen)
    result["rasa_replicas"] = target.rasa_replicas()
    print(f"turns={result['turns']}  errors={result['errors']} {result['error_kinds'] or ''} (goal 0)")
    print(f"latency: {fmt(percentiles([t.latency_ms for t in turns if not t.error]))}  (goal p95 <= 300 ms)")
    print(f"throughput={result['turns_per_s']} turns/s  fallback: true={result['fallback']}  "
          f"degraded (assistant unavailable)={result['degraded']}")
    print(f"p95 per {result['window_seconds']:.0f} s: "
          + "  ".join("—" if p95 is None else f"{p95:.0f}" for p95 in result["p95_ms_per_window"]) + " ms")
    print(f"this client used {result['client_cpu_percent']} % of one core (it shares the cores with the stack)")
    print("resident memory (process and its children), start → end (goal: flat):")
    for name, row in result["rss"].items():
        print(f"  {name:<12} {_mib(row['start_mib'])} → {_mib(row['end_mib'])}  ({_mib(row['diff_mib'], sign=True)})"
              f"  restarts seen: {result['restarts'].get(name, 0)}")
    return result


def _client_cpu_percent(cpu_before: float, wall_seconds: float) -> float:
    """The CPU this benchmark process used since ``cpu_before`` (seconds), in % of one core over ``wall_seconds``."""
    used = cpu_seconds(os.getpid(), include_children=False) - cpu_before
    return round(100 * used / wall_seconds, 1) if wall_seconds > 0 else 0.0


def _mib(value: float | None, sign: bool = False) -> str:
    return "      —    " if value is None else f"{value:{'+' if sign else ''}8.1f} MiB"


def saturation(target: Target, args: argparse.Namespace, requested: int | None) -> dict[str, Any]:
    replicas = target.rasa_replicas()
    header(f"saturation: {args.saturation_conversations} conversations without think time, "
           f"{args.saturation_seconds:.0f} s, {replicas} Rasa process(es)")
    if requested is not None and replicas != requested:
        print(f"note: {requested} Rasa replica(s) asked for, {replicas} running (the {args.profile} profile may not "
              "know BK_RASA_REPLICAS): this comparison does not measure replicas")
    client_cpu = cpu_seconds(os.getpid(), include_children=False)
    turns, wall = asyncio.run(load(target.url, args.saturation_conversations, args.saturation_seconds, None,
                                   args.seed + 1, args.timeout))
    result = summarize(turns, wall)
    result["rasa_replicas"] = replicas
    result["client_cpu_percent"] = _client_cpu_percent(client_cpu, wall)
    print(f"{result['turns_per_s']} turns/s  {fmt(percentiles([t.latency_ms for t in turns if not t.error]))}  "
          f"errors={result['errors']}  degraded={result['degraded']}  client CPU {result['client_cpu_percent']} %")
    return result


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="a running stack (http://127.0.0.1:PORT) instead of starting one; "
                        "the replica comparison then measures its replicas only")
    parser.add_argument("--profile", default="production", choices=("production", "default"),
                        help="BK_PROFILE of the stacks started here (default: production)")
    parser.add_argument("--conversations", type=_positive_int, default=200, help="concurrent conversations (soak)")
    parser.add_argument("--soak-seconds", type=_positive_float, default=600.0)
    parser.add_argument("--think-min", type=_non_negative_float, default=5.0, help="seconds between turns, at least")
    parser.add_argument("--think-max", type=_non_negative_float, default=15.0, help="seconds between turns, at most")
    parser.add_argument("--saturation-conversations", type=_positive_int, default=16)
    parser.add_argument("--saturation-seconds", type=_positive_float, default=60.0)
    parser.add_argument("--replicas", type=_replica_counts, default=(1, 2),
                        help="Rasa replica counts to compare at saturation, comma-separated (default 1,2); the "
                        "soak runs on the largest")
    parser.add_argument("--skip-soak", action="store_true")
    parser.add_argument("--skip-saturation", action="store_true")
    parser.add_argument("--timeout", type=_positive_float, default=30.0, help="seconds before a turn counts as failed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    if args.think_min > args.think_max:
        parser.error(f"--think-min ({args.think_min:g}) is larger than --think-max ({args.think_max:g})")
    if args.skip_soak and args.skip_saturation:
        parser.error("--skip-soak and --skip-saturation together leave nothing to measure")
    if args.url is not None:
        parts = urlsplit(args.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            parser.error(f"--url must be an http(s) address such as http://127.0.0.1:8000 (got {args.url!r})")
    return args


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 (got {text})")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must not be negative (got {text})")
    return value


def _replica_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected counts like 1,2 (got {text!r})") from None
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError(f"expected counts of at least 1 like 1,2 (got {text!r})")
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "settings": {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()},
        "soak": None,
        "saturation": {},
    }
    # The soak runs on the largest replica count; its stack then measures that count at saturation too, and the
    # smaller counts get stacks of their own.
    counts = sorted(args.replicas, reverse=True)
    for index, replicas in enumerate(counts):
        if args.url is not None and index:
            break
        if args.skip_saturation and index:
            break
        target = running_target(args.url) if args.url else start_target(args.profile, replicas)
        try:
            warm_up(target, args.seed, args.timeout)
            if index == 0 and not args.skip_soak:
                report["soak"] = soak(target, args)
            if not args.skip_saturation:
                result = saturation(target, args, None if args.url else replicas)
                report["saturation"][result["rasa_replicas"] if args.url else replicas] = result
        finally:
            target.stop()
    comparison = replica_comparison(report["saturation"])
    report["replica_comparison"] = comparison
    if comparison:
        low, high = comparison["replicas"]
        print(f"\n{high} vs {low} Rasa replica(s) at saturation: throughput ×{comparison['throughput_ratio']}, "
              f"p95 ×{comparison['p95_ratio']}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
