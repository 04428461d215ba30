"""The whole stack for the end-to-end tests, started once per test session by scripts/run.py as `make run` starts it.

Every module of tests/e2e that needs the real processes (API → Rasa with two workers and the Redis lock store →
action server) takes the `stack` fixture; it is started on first use and stopped (by its process group, as Ctrl-C
would) when the session ends. Its secrets are generated here, so that tests can look for them where they must not
be; the retention job runs every second (the period stays 30 days).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import NO_RATE_LIMITS, Stack, start_stack  # noqa: E402
from run import LOG_DIR, rasa_missing  # noqa: E402

STACK_SECRETS = {
    "BK_RASA_TOKEN": secrets.token_urlsafe(24),
    "BK_ACTIONS_TOKEN": secrets.token_urlsafe(24),
    "BK_REDIS_PASSWORD": secrets.token_urlsafe(24),
}


@pytest.fixture(scope="session")
def stack_secrets() -> dict[str, str]:
    """The tokens and the Redis password the stack runs with."""
    return STACK_SECRETS


@pytest.fixture(scope="session")
def log_offsets() -> dict[Path, int]:
    """Sizes of the existing logs before the stack starts: only what is written after counts."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return {path: path.stat().st_size for path in LOG_DIR.glob("*.log")}


@pytest.fixture(scope="session")
def stack(log_offsets: dict[Path, int]) -> Iterator[Stack]:
    message = rasa_missing()
    if message:
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**NO_RATE_LIMITS, **STACK_SECRETS, "BK_RASA_WORKERS": "2", "BK_RETENTION_INTERVAL": "1"}
    running = start_stack(env=env, timeout=420)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def client(stack: Stack) -> Iterator[httpx.Client]:
    """An HTTP client of the stack's API (no rate limits on this stack)."""
    with httpx.Client(base_url=stack.url, timeout=60) as shared:
        yield shared
