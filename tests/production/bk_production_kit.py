"""Helpers of the production-profile tests: the running stack (``Production``) and how to look into it."""

from __future__ import annotations

import getpass
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
import postgres_cluster  # noqa: E402
from benchlib import Stack, running, start_stack  # noqa: E402

SECRETS = {name: secrets.token_urlsafe(24) for name in (
    "BK_RASA_TOKEN", "BK_ACTIONS_TOKEN", "BK_REDIS_PASSWORD", "BK_DB_PASSWORD"
)}  # fmt: skip
NAMES = ["postgres", "redis", "actions-1", "actions-2", "rasa-1", "rasa-2", "api"]
START_TIMEOUT = 720.0  # seconds; two Rasa replicas load their models side by side on two cores
RECOVERY_TIMEOUT = 300.0  # seconds for the supervisor to restart what was killed and the API to take it back


def wait_until(condition: Callable[[], bool], timeout: float, what: str, pause: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(pause)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def cluster_owner() -> str:
    return "postgres" if os.geteuid() == 0 else getpass.getuser()


@dataclass
class Production:
    """The running production stack, and how to look into it."""

    port: int
    cluster_dir: Path
    env: dict[str, str]
    stack: Stack | None = None
    started: list[float] = field(default_factory=list)  # seconds each start took

    def start(self) -> None:
        began = time.monotonic()
        self.stack = start_stack(port=self.port, env=self.env, timeout=START_TIMEOUT)
        self.started.append(time.monotonic() - began)

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()

    @property
    def running(self) -> Stack:
        assert self.stack is not None and self.stack.proc.poll() is None, "the production stack is not running"
        return self.stack

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cluster(self) -> postgres_cluster.Cluster:
        return postgres_cluster.Cluster(self.cluster_dir, cluster_owner())

    def processes(self) -> dict[str, dict[str, Any]]:
        """The supervisor's state file: every process by name (pid, pgid, port, restarts)."""
        path = ROOT / "var" / "run" / str(self.port) / "processes.json"
        state = json.loads(path.read_text())
        assert state["profile"] == "production" and state["supervisor_pid"] == self.running.proc.pid
        return {entry["name"]: entry for entry in state["processes"]}

    def details(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/health/details", timeout=30).json())

    def whole(self) -> bool:
        """Every process alive and the operator health all up (each replica, action server, tracker store)."""
        try:
            processes = self.processes()
            if not all(running(entry["pid"]) for entry in processes.values()):
                return False
            return bool(self.details()["status"] == "up")
        except (OSError, ValueError, KeyError, httpx.HTTPError):
            return False

    def wait_whole(self) -> None:
        wait_until(self.whole, RECOVERY_TIMEOUT, "the supervisor made the production stack whole again", pause=1.0)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)


