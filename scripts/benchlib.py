"""Shared pieces of the benchmark scripts: starting the stack, load loops, percentiles, memory.

Benchmarks print figures; they never pass or fail on them. Traffic goes to loopback only, bounded in count and time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
NO_RATE_LIMITS = {"BK_CHAT_RATE_LIMIT": "0", "BK_SEARCH_RATE_LIMIT": "0"}  # tests send many messages from one host


def free_port(low: int = 20000, high: int = 35000) -> int:
    """A loopback port that is free now, and whose derived internal ports (run.port_plan of either profile, with two
    Rasa replicas: +10000, +10001, +20000, +30000, +30001) are free too."""
    from run import port_plan

    for port in range(low, high, 7):
        if port + 30001 > 65535:
            break
        ok = True
        for candidate in sorted(set(port_plan(port, replicas=2).values())):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", candidate))
                except OSError:
                    ok = False
                    break
        if ok:
            return port
    raise RuntimeError("no free port range found")


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max in milliseconds."""
    if not samples_ms:
        return {"n": 0}
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "mean": statistics.fmean(ordered),
        "max": ordered[-1],
    }


def fmt(stats: dict[str, float]) -> str:
    if not stats.get("n"):
        return "no samples"
    return (
        f"n={int(stats['n'])}  p50={stats['p50']:.1f} ms  p95={stats['p95']:.1f} ms  "
        f"p99={stats['p99']:.1f} ms  max={stats['max']:.1f} ms"
    )


def _children(pid: int) -> list[int]:
    """All descendants of a process, read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for child in parents.get(current, []):
            out.append(child)
            todo.append(child)
    return out


def rss_mib(pid: int, include_children: bool = True) -> float:
    """Resident memory of a process (and its descendants) in MiB."""
    total_kib = 0
    for p in [pid, *(_children(pid) if include_children else [])]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def cpu_seconds(pid: int, include_children: bool = True) -> float:
    """CPU time (user + system) used so far by a process and its living descendants, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid, *(_children(pid) if include_children else [])]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / ticks


#: How a part of the stack shows in its command line (the first match names the process).
PART_MARKERS = {
    "actions": "-m actions",
    "rasa": "rasa",
    "api": "-m api",
    "redis": "redis-server",
    "postgres": "postgres",
}


def running(pid: int) -> bool:
    """True while process ``pid`` runs; a zombie (dead, not yet reaped by its parent) does not."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def command_line(pid: int) -> str:
    """The command line of a process ("" when it is gone or not readable)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def part_of(cmdline: str) -> str | None:
    """Which part of the stack a command line belongs to (None for another process or Rasa's start script)."""
    if "run_rasa.sh" in cmdline:
        return None  # replaced by Rasa itself (exec) a moment after the start
    return next((name for name, marker in PART_MARKERS.items() if marker in cmdline), None)


@dataclass(frozen=True)
class StackProcess:
    """One process the supervisor (scripts/run.py) started; its RSS includes its children (Rasa's Sanic workers)."""

    name: str
    pid: int
    restarts: int | None = None  # as the supervisor's state file reports it; None without a state file


def supervisor_of(api_port: int) -> int | None:
    """The PID of the scripts/run.py that started the API listening on ``api_port`` (None when there is none)."""
    from supervisor import port_holders

    for pid, _ in port_holders(api_port):
        ppid = _parent(pid)
        if ppid and "scripts/run.py" in command_line(ppid):
            return ppid
    return None


def stack_processes(supervisor_pid: int, api_port: int) -> list[StackProcess]:
    """The processes of a running stack.

    From the supervisor's state file ``var/run/<api port>/processes.json`` in its working directory (production
    profile), else its direct children, named by command line ("rasa", "rasa-2", ... for several of a kind).
    """
    import json

    try:
        state_file = Path(os.readlink(f"/proc/{supervisor_pid}/cwd")) / "var" / "run" / str(api_port) / "processes.json"
        state = json.loads(state_file.read_text())
        if state.get("supervisor_pid") == supervisor_pid:
            return [
                StackProcess(str(item["name"]), int(item["pid"]), int(item.get("restarts", 0)))
                for item in state["processes"]
                if item.get("pid")
            ]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no (readable) state file: the default profile
    children = [pid for pid in _children(supervisor_pid) if _parent(pid) == supervisor_pid]
    found: list[StackProcess] = []
    counts: dict[str, int] = {}
    for pid in sorted(children):
        cmdline = command_line(pid)
        kind = part_of(cmdline) or (Path(cmdline.split(" ", 1)[0]).name if cmdline else "?")
        counts[kind] = counts.get(kind, 0) + 1
        found.append(StackProcess(kind if counts[kind] == 1 else f"{kind}-{counts[kind]}", pid))
    return found


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def self_rss_mib() -> float:
    return rss_mib(os.getpid(), include_children=False)


def stop_group(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Stop a process started with ``start_new_session=True`` and everything in its group: SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@dataclass
class Stack:
    """The product started by scripts/run.py on a free port, for a benchmark or an end-to-end test."""

    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    handle: Any = None  # the open log file the supervisor writes to

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> dict[str, int]:
        """Top process of each part, found among the supervisor's children by command line."""
        found: dict[str, int] = {}
        for child in _children(self.proc.pid):
            name = part_of(command_line(child))
            if name is not None and name not in found:
                found[name] = child
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT, as Ctrl-C would
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.handle is not None:
            self.handle.close()


def start_stack(
    *args: str, port: int | None = None, timeout: float = 600.0, env: dict[str, str] | None = None
) -> Stack:
    """Start scripts/run.py and wait until it prints that it is ready."""
    port = port or free_port()
    log = ROOT / "var" / "log" / f"stack-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "wb")  # noqa: SIM115 - the child writes to it for its lifetime
    proc = subprocess.Popen(
        [str(VENV_PY), str(ROOT / "scripts" / "run.py"), "--port", str(port), *args],
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {}), "PORT": str(port)},
    )
    stack = Stack(port, proc, log, handle)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            handle.close()
            raise RuntimeError(f"the stack exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        if "[run] ready:" in log.read_text(errors="replace"):
            return stack
        time.sleep(0.5)
    stack.stop()
    raise RuntimeError(f"the stack did not get ready within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def get_json(url: str, timeout: float = 5.0) -> object:
    import json

    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


async def run_clients(
    concurrency: int, total: int, one: Callable[[int], Awaitable[float]], max_seconds: float = 120.0
) -> tuple[list[float], float]:
    """Run `total` calls of `one(i)` (each returning its latency in ms) on `concurrency` workers.

    Returns the latencies and the wall time; stops early when max_seconds have passed.
    """
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    latencies: list[float] = []
    started = time.perf_counter()

    async def worker() -> None:
        while not queue.empty() and time.perf_counter() - started < max_seconds:
            i = queue.get_nowait()
            latencies.append(await one(i))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


#: The first message of a turn the API answered without the dialogue assistant because it was unavailable (or
#: because not even the search answered), in every language of api.dialogue.TEXTS.
_DEGRADED_KEYS = ("unavailable_short", "store_unavailable_notice", "apology")


def degraded_texts() -> frozenset[str]:
    from api.dialogue import TEXTS, say

    return frozenset(say(key, language) for key in _DEGRADED_KEYS for language in TEXTS)


@dataclass
class Turn:
    """One chat turn as the client saw it."""

    latency_ms: float
    error: str = ""  # why the turn failed ("HTTP 503", "ReadTimeout", ...); "" for an answer with status 200
    fallback: bool = False  # metadata.fallback: not answered by the dialogue assistant, or not understood by it
    degraded: bool = False  # answered from the search because the dialogue assistant was unavailable
    sent_at: float = 0.0  # time.monotonic() when the turn was sent


async def play_conversation(
    client: Any,
    script: Sequence[str],
    *,
    think: Callable[[], float] | None = None,
    stop_at: float | None = None,
    strict: bool = True,
) -> list[Turn]:
    """Play one scripted conversation against POST /api/v1/chat of ``client`` (an ``httpx.AsyncClient``).

    ``@buttonN`` sends the payload of the N-th button of the previous answer ("Ja" when it had none); ``@service``
    the first button that chooses a service, as a citizen picks one of the services offered (skipped when the
    answer offered none, e.g. when it asked a question back). ``think``
    gives the seconds to wait before each turn but the first; no new turn starts after ``stop_at``
    (``time.monotonic()``). A failed turn raises with ``strict``, else it is recorded with its error and ends the
    conversation.
    """
    import httpx

    from contract.chat import INTENT_CHOOSE

    degraded = degraded_texts()
    session_id: str | None = None
    last_buttons: list[dict[str, str]] = []
    turns: list[Turn] = []
    for number, message in enumerate(script):
        if number and think is not None:
            await asyncio.sleep(think())
        if stop_at is not None and time.monotonic() >= stop_at:
            break
        if message == "@service":
            choices = [b["payload"] for b in last_buttons if b["payload"].startswith(f"/{INTENT_CHOOSE}")]
            if not choices:
                continue
            message = choices[0]
        elif message.startswith("@button"):
            index = int(message.removeprefix("@button"))
            message = last_buttons[index]["payload"] if len(last_buttons) > index else "Ja"
        sent_at, started = time.monotonic(), time.perf_counter()
        try:
            resp = await client.post("/api/v1/chat", json={"session_id": session_id, "message": message})
            latency = (time.perf_counter() - started) * 1000
            resp.raise_for_status()
            body = resp.json()
        except httpx.HTTPStatusError as exc:
            if strict:
                raise
            turns.append(Turn(latency, error=f"HTTP {exc.response.status_code}", sent_at=sent_at))
            break
        except (httpx.HTTPError, ValueError) as exc:
            if strict:
                raise
            turns.append(Turn((time.perf_counter() - started) * 1000, error=type(exc).__name__, sent_at=sent_at))
            break
        session_id = body["session_id"]
        messages = body["messages"]
        turns.append(
            Turn(
                latency,
                fallback=body["metadata"]["fallback"] is True,
                degraded=bool(messages) and messages[0]["text"] in degraded,
                sent_at=sent_at,
            )
        )
        last_buttons = [b for m in messages for b in m.get("buttons", [])]
    return turns


def header(title: str) -> None:
    print(
        f"\n== {title} ==  ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )
