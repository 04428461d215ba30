"""scripts/run.py (`make run`): which processes start, on which ports, with which Rasa worker settings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import run


@pytest.fixture(autouse=True)
def _default_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BK_RASA_PORT", "BK_ACTIONS_PORT", "BK_REDIS_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_several_workers_start_redis_first_and_tell_rasa_the_worker_count() -> None:
    procs, env = run.plan(8000, 2, with_rasa=True)
    assert [p.name for p in procs] == ["redis", "actions", "rasa", "api"]
    redis, rasa = procs[0], procs[2]
    assert redis.cmd[redis.cmd.index("--port") + 1] == env["BK_REDIS_PORT"] == "38000"
    assert redis.cmd[redis.cmd.index("--bind") + 1] == "127.0.0.1"
    assert rasa.env == {"BK_RASA_WORKERS": "2"}  # run_rasa.sh passes it on as SANIC_WORKERS
    assert env["BK_RASA_URL"] == "http://127.0.0.1:18000" and env["BK_ACTIONS_PORT"] == "28000"


def test_one_worker_needs_no_redis() -> None:
    procs, _ = run.plan(8000, 1, with_rasa=True)
    assert [p.name for p in procs] == ["actions", "rasa", "api"]


def test_without_rasa_only_the_api_starts_in_search_mode() -> None:
    procs, env = run.plan(8000, 2, with_rasa=False)
    assert [p.name for p in procs] == ["api"]
    assert env["BK_CHAT_BACKEND"] == "none"


def test_tokens_are_fresh_secrets_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BK_RASA_TOKEN", raising=False)
    monkeypatch.delenv("BK_ACTIONS_TOKEN", raising=False)
    _, first = run.plan(8000, 1, with_rasa=True)
    _, second = run.plan(8000, 1, with_rasa=True)
    assert first["BK_RASA_TOKEN"] != second["BK_RASA_TOKEN"] and len(first["BK_RASA_TOKEN"]) >= 24
    monkeypatch.setenv("BK_RASA_TOKEN", "given-token")
    assert run.plan(8000, 1, with_rasa=True)[1]["BK_RASA_TOKEN"] == "given-token"


@pytest.mark.parametrize("port", [80, 40000])
def test_ports_outside_the_plan_are_refused(port: int) -> None:
    with pytest.raises(SystemExit, match="PORT must be between"):
        run.port_plan(port)
