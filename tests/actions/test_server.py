"""The action server process: `python -m actions --port N` on loopback, token check, lexical fallback, no import-time
side effects."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token-5f1c"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The server with a token and without a search index (so it must fall back to lexical-only search)."""
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "server.log"
    env = {**os.environ, "BK_ACTIONS_TOKEN": TOKEN, "BK_INDEX_DIR": str(log.parent / "no-index")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "actions", "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"action server exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"action server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def action_call(name: str, text: str, intent: str) -> dict[str, Any]:
    return {
        "next_action": name,
        "sender_id": "server-test",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "server-test",
            "slots": {"leichte_sprache": False},
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


@pytest.mark.parametrize(
    ("method", "path", "token", "status"),
    [
        ("GET", "/health", None, 200),
        ("GET", "/actions", None, 401),
        ("GET", "/actions", "wrong", 401),
        ("GET", "/actions", TOKEN, 200),
        ("POST", "/webhook", None, 401),
        ("POST", "/webhook", "wrong", 401),
        ("POST", "/webhook", TOKEN, 200),
    ],
)
def test_token_is_required_except_for_health(
    server: tuple[str, Path], method: str, path: str, token: str | None, status: int
) -> None:
    base, _ = server
    params = {"token": token} if token else {}
    body = action_call("action_out_of_scope", "Reisepass", "out_of_scope") if method == "POST" else None
    answer = httpx.request(method, f"{base}{path}", params=params, json=body, timeout=30)
    assert answer.status_code == status


def test_webhook_runs_a_search_with_the_lexical_fallback(server: tuple[str, Path]) -> None:
    base, log = server
    call = action_call(
        "action_search_services", "Ich bin seit meiner Geburt blind und wohne in Köln", "describe_situation"
    )
    answer = httpx.post(f"{base}/webhook", params={"token": TOKEN}, json=call, timeout=30).json()
    custom = [r["custom"] for r in answer["responses"] if r.get("custom")]
    assert custom[-1]["beratungskompass"]["service_ids"]
    assert any(e["event"] == "slot" and e["name"] == "candidate_ids" for e in answer["events"])
    assert "falling back to lexical-only search" in log.read_text()


def test_actions_lists_the_contract_actions(server: tuple[str, Path]) -> None:
    base, _ = server
    names = {a["name"] for a in httpx.get(f"{base}/actions", params={"token": TOKEN}, timeout=10).json()}
    assert "action_search_services" in names and len(names) == 13


def test_server_listens_on_loopback_only(server: tuple[str, Path]) -> None:
    base, _ = server
    port = int(base.rsplit(":", 1)[1])
    table = Path("/proc/net/tcp")
    if not table.exists():
        pytest.skip("no /proc/net/tcp on this system")
    listening = []
    for line in table.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
            listening.append(address)
    assert listening == ["0100007F"], "bound to 127.0.0.1 only"


def test_importing_the_actions_loads_nothing() -> None:
    code = (
        "import sys, actions, actions.talk, actions.understanding, actions.case, actions.replies, actions.handoff, "
        "actions.fallback, actions.responsibility, actions.presenter, actions.server\n"
        "from actions import deps\n"
        "assert deps.get_catalogue.cache_info().currsize == 0\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'spacy', 'knowledge.search') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
