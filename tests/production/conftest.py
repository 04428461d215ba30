"""The production profile (BK_PROFILE=production) started once per test session, as `BK_PROFILE=production make run`
starts it: PostgreSQL (a cluster of its own under var/tests/, removed afterwards), Redis, two action servers, two Rasa
replicas and the API, all under scripts/run.py's supervisor.

The tests of this folder (marker ``production``) break parts of it with signals and check what a citizen would see
and that the supervisor makes the stack whole again. Each test leaves the stack whole (``Production.wait_whole``)
for the next one. The stack is stopped by its supervisor (SIGINT, as Ctrl-C) at the end of the session or when a
test stops it itself; only processes this fixture started are signalled, by PID or process group.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from benchlib import NO_RATE_LIMITS, free_port
from bk_production_kit import ROOT, SECRETS, Production
from run import rasa_missing


@pytest.fixture(scope="session")
def production() -> Iterator[Production]:
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
    running = Production(port, cluster_dir, env)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        shutil.rmtree(cluster_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            cluster_dir.parent.rmdir()  # var/tests, when no other test's cluster is there


@pytest.fixture
def client(production: Production) -> Iterator[httpx.Client]:
    with production.client() as shared:
        yield shared
