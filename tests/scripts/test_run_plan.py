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
    assert redis.cmd == ["redis-server", "-"]  # the configuration, with the password, comes on stdin
    assert redis.stdin is not None
    config = redis.stdin.decode().splitlines()
    assert "port 38000" in config and env["BK_REDIS_PORT"] == "38000"
    assert "bind 127.0.0.1" in config
    assert f"requirepass {env['BK_REDIS_PASSWORD']}" in config
    assert rasa.env == {"BK_RASA_WORKERS": "2"}  # run_rasa.sh passes it on as SANIC_WORKERS
    assert env["BK_RASA_URL"] == "http://127.0.0.1:18000" and env["BK_ACTIONS_PORT"] == "28000"


def test_one_worker_needs_no_redis() -> None:
    procs, _ = run.plan(8000, 1, with_rasa=True)
    assert [p.name for p in procs] == ["actions", "rasa", "api"]


def test_without_rasa_only_the_api_starts_in_search_mode() -> None:
    procs, env = run.plan(8000, 2, with_rasa=False)
    assert [p.name for p in procs] == ["api"]
    assert env["BK_CHAT_BACKEND"] == "none"


@pytest.mark.parametrize("name", ["BK_RASA_TOKEN", "BK_ACTIONS_TOKEN", "BK_REDIS_PASSWORD"])
def test_secrets_are_fresh_unless_given_and_on_no_command_line(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for secret in ("BK_RASA_TOKEN", "BK_ACTIONS_TOKEN", "BK_REDIS_PASSWORD"):
        monkeypatch.delenv(secret, raising=False)
    procs, first = run.plan(8000, 2, with_rasa=True)
    _, second = run.plan(8000, 2, with_rasa=True)
    assert first[name] != second[name] and len(first[name]) >= 24
    for proc in procs:
        assert not any(first[name] in arg for arg in proc.cmd), proc.cmd
    monkeypatch.setenv(name, "given-secret")
    assert run.plan(8000, 2, with_rasa=True)[1][name] == "given-secret"


@pytest.mark.parametrize("port", [80, 40000])
def test_ports_outside_the_plan_are_refused(port: int) -> None:
    with pytest.raises(SystemExit, match="PORT must be between"):
        run.port_plan(port)
