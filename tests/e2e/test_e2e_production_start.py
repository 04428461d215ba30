"""The production profile (BK_PROFILE=production) started for real, as `BK_PROFILE=production make run` starts it.

One start with its own PostgreSQL cluster (a fresh directory under var/, removed afterwards): every process of
processes.json runs, /health/details shows each Rasa replica up, a chat turn is answered by Rasa and stored in
PostgreSQL (not in the SQLite file of the default profile), no secret is on a command line or in the database
server's environment, and after SIGINT every process is gone, PostgreSQL's included. The faults (killed replicas,
action servers, PostgreSQL) are tested in tests/production/ on a session stack.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import postgres_cluster  # noqa: E402
from benchlib import NO_RATE_LIMITS, Stack, _children, free_port, start_stack  # noqa: E402
from run import rasa_missing  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

SECRETS = {name: secrets.token_urlsafe(24) for name in (
    "BK_RASA_TOKEN", "BK_ACTIONS_TOKEN", "BK_REDIS_PASSWORD", "BK_DB_PASSWORD"
)}
NAMES = ["postgres", "redis", "actions-1", "actions-2", "rasa-1", "rasa-2", "api"]


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[Stack, Path, list[int]]]:
    """The stack, its cluster directory, and (filled by the last test) the PIDs it had before the stop."""
    message = rasa_missing()
    if message:
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Every port below Linux's ephemeral range (32768-60999), where an outgoing connection could hold one.
    port = free_port(low=1100, high=2767)
    cluster_dir = ROOT / "var" / "tests" / f"postgres-{port}"  # reachable by the postgres user, unlike /tmp/pytest-*
    env = {
        **NO_RATE_LIMITS, **SECRETS, "BK_PROFILE": "production", "BK_RASA_REPLICAS": "2", "BK_ACTION_SERVERS": "2",
        "BK_POSTGRES_DIR": str(cluster_dir),
    }
    stack = start_stack(port=port, env=env, timeout=720)
    seen: list[int] = []
    try:
        yield stack, cluster_dir, seen
    finally:
        stack.stop()
        shutil.rmtree(cluster_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            cluster_dir.parent.rmdir()  # var/tests, when no other test's cluster is there


def _processes(stack: Stack) -> dict[str, dict[str, int]]:
    state = json.loads((ROOT / "var" / "run" / str(stack.port) / "processes.json").read_text())
    assert state["profile"] == "production" and state["supervisor_pid"] == stack.proc.pid
    return {entry["name"]: entry for entry in state["processes"]}


def _cluster_owner() -> str:
    return "postgres" if os.geteuid() == 0 else getpass.getuser()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_every_process_runs_and_each_replica_is_up(started: tuple[Stack, Path, list[int]]) -> None:
    stack, _, _ = started
    processes = _processes(stack)
    assert list(processes) == NAMES
    for entry in processes.values():
        assert Path(f"/proc/{entry['pid']}").exists() and os.getpgid(entry["pid"]) == entry["pgid"]
    assert processes["actions-1"]["port"] == processes["actions-2"]["port"] == stack.port + 20000
    details = httpx.get(f"{stack.url}/health/details", timeout=30).json()
    assert details["status"] == "up", details
    replicas = details["components"]["rasa"]["replicas"]
    assert [r["url"] for r in replicas] == [f"http://127.0.0.1:{processes[n]['port']}" for n in ("rasa-1", "rasa-2")]
    assert all(r["status"] == "up" for r in replicas)
    assert details["components"]["action_server"]["status"] == "up"
    assert Path(f"/proc/{processes['postgres']['pid']}").owner() == _cluster_owner()  # not root


def test_a_turn_is_answered_by_rasa_and_stored_in_postgresql(started: tuple[Stack, Path, list[int]]) -> None:
    stack, cluster_dir, _ = started
    reply = httpx.post(f"{stack.url}/api/v1/chat", timeout=60,
                       json={"session_id": None, "message": "Ich bin blind und wohne in Köln. Gibt es Geld vom LVR?"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["metadata"]["fallback"] is False and "blindengeld" in body["metadata"]["service_ids"]
    session = body["session_id"]
    assert session.isalnum()
    where = postgres_cluster.Cluster(cluster_dir, _cluster_owner())
    run_as = where.run_as
    count = subprocess.run(
        [str(postgres_cluster.bindir() / "psql"), "-X", "-At", "-h", str(where.sockets),
         "-p", str(stack.port + 30001), "-d", "bk",
         "-c", f"SELECT count(*) FROM events WHERE sender_id = '{session}' AND type_name = 'user'"],
        capture_output=True, text=True, check=True, timeout=30, cwd="/", user=run_as, group=run_as,
        extra_groups=[] if run_as else None,
    ).stdout.strip()
    assert count == "1"
    sqlite_file = ROOT / "var" / "tracker.db"
    if sqlite_file.exists():  # the default profile's store did not get it
        with sqlite3.connect(f"{sqlite_file.as_uri()}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "events" in tables:
                assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (session,)).fetchone() == (0,)


def test_no_secret_on_a_command_line_or_in_the_database_server(started: tuple[Stack, Path, list[int]]) -> None:
    stack, _, _ = started
    descendants = _children(stack.proc.pid)
    assert len(descendants) >= len(NAMES)
    for pid in descendants:
        cmdline = _cmdline(pid)
        for name, value in SECRETS.items():
            assert value not in cmdline, f"{name} on the command line of {pid}: {cmdline[:80]}"
    postgres = _processes(stack)["postgres"]["pid"]
    environ = Path(f"/proc/{postgres}/environ").read_bytes().decode(errors="replace")
    assert not any(value in environ for value in SECRETS.values())


def test_sigint_stops_every_process_postgresql_included(started: tuple[Stack, Path, list[int]]) -> None:
    stack, cluster_dir, seen = started
    seen.extend(_children(stack.proc.pid))  # postgres's own children (backends, checkpointer, ...) too
    assert any(str(cluster_dir) in _cmdline(pid) for pid in seen)
    stack.stop()  # SIGINT, as Ctrl-C
    assert stack.proc.returncode == 0
    alive = [(pid, _cmdline(pid)[:80]) for pid in seen if Path(f"/proc/{pid}").exists() and _cmdline(pid)]
    assert not alive
    assert not (ROOT / "var" / "run" / str(stack.port)).exists()  # the state file and its folder are removed
    assert postgres_cluster.holder(postgres_cluster.Cluster(cluster_dir, _cluster_owner())) is None
