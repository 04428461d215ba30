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
        names = {"actions": "-m actions", "rasa": "rasa", "api": "-m api", "redis": "redis-server"}
        found: dict[str, int] = {}
        for child in _children(self.proc.pid):
            try:
                cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            for name, marker in names.items():
                if name not in found and marker in cmd and "run_rasa.sh" not in cmd:
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


def header(title: str) -> None:
    print(
        f"\n== {title} ==  ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, Python {sys.version.split()[0]})"
    )
