"""The production profile through its real processes: started, broken with signals, made whole by its supervisor.

In the order they run (each test leaves the stack whole for the next):

1. Every process runs, each Rasa replica is up, a turn is answered by Rasa and stored in PostgreSQL, no secret is
   on a command line or in the database server's environment.
2. A replica killed (SIGKILL) between two turns: the next turns are answered by the other replica with the whole
   case (service and place), ``fallback: false``; the supervisor brings the replica back.
3. Every replica killed: the next turn is a degraded answer about the conversation's service (read from the tracker
   store); after the restart the conversation goes on with its state.
4. An action server killed: turns sent at once and during its restart are all answered by the dialogue, none
   degraded (the other action server takes them; a call whose connection broke is sent again).
5. PostgreSQL stopped (and kept stopped: the supervisor is paused meanwhile, as if PostgreSQL would not come back):
   the chat answers 200, degraded, saying that the conversation cannot be read; health names the tracker store;
   once PostgreSQL runs again, answers are normal and the conversation has its state.
6. The whole stack stopped with SIGINT: every process is gone, PostgreSQL's included; started again, the
   conversation goes on with its state.

Rasa's main process killed while its Sanic workers live on is a fault of several workers in one process group, which
the default profile has (BK_RASA_WORKERS=2; production replicas have one worker each): tested in
tests/e2e/test_e2e_chat.py and, with stand-in processes, in tests/scripts/test_run_supervisor.py.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest
from benchlib import _children, command_line, running
from bk_e2e_kit import Conversation
from bk_production_kit import NAMES, ROOT, SECRETS, Production, cluster_owner, postgres_cluster, wait_until

pytestmark = [pytest.mark.production, pytest.mark.rasa]

FIRST = "Ich bin blind und wohne in Köln. Gibt es Geld vom LVR?"
FOLLOW_UPS = ("Welche Unterlagen brauche ich?", "Wer ist zuständig?", "Was muss ich tun?")


def _blind_in_koeln(client: httpx.Client) -> Conversation:
    """A conversation whose case is Blindengeld in Köln (the service chosen where the bot offered more than one)."""
    chat = Conversation(client)
    chat.say(FIRST)
    assert chat.metadata["fallback"] is False, chat.text
    assert chat.metadata["service_ids"][0] == "blindengeld" and chat.metadata["authority"] == "LVR"
    chat.choose("blindengeld")
    _about_the_case(chat, fallback=False)
    return chat


def _about_the_case(chat: Conversation, *, fallback: bool) -> None:
    """The last answer is about the conversation's service and place."""
    assert chat.metadata["fallback"] is fallback, chat.text
    assert chat.messages_present, "an answer, not an empty list"
    assert chat.metadata["service_ids"] == ["blindengeld"], (chat.metadata, chat.text)
    assert chat.metadata["authority"] == "LVR", (chat.metadata, chat.text)


def _psql(production: Production, sql: str) -> str:
    where = production.cluster
    run_as = where.run_as
    return subprocess.run(
        [str(postgres_cluster.bindir() / "psql"), "-X", "-At", "-h", str(where.sockets),
         "-p", str(production.processes()["postgres"]["port"]), "-d", "bk", "-c", sql],
        capture_output=True, text=True, check=True, timeout=30, cwd="/", user=run_as, group=run_as,
        extra_groups=[] if run_as else None,
    ).stdout.strip()  # fmt: skip


def test_every_process_runs_and_each_replica_is_up(production: Production) -> None:
    processes = production.processes()
    assert list(processes) == NAMES
    for entry in processes.values():
        assert running(entry["pid"]) and os.getpgid(entry["pid"]) == entry["pgid"]
    assert processes["actions-1"]["port"] == processes["actions-2"]["port"] == production.port + 20000
    details = production.details()
    assert details["status"] == "up", details
    replicas = details["components"]["rasa"]["replicas"]
    assert [r["url"] for r in replicas] == [f"http://127.0.0.1:{processes[n]['port']}" for n in ("rasa-1", "rasa-2")]
    assert all(r["status"] == "up" for r in replicas)
    assert details["components"]["action_server"]["status"] == "up"
    assert details["components"]["tracker_store"] == {"status": "up", "mode": "postgresql"}
    assert Path(f"/proc/{processes['postgres']['pid']}").owner() == cluster_owner()  # not root


def test_a_turn_is_answered_by_rasa_and_stored_in_postgresql(production: Production, client: httpx.Client) -> None:
    chat = Conversation(client)
    chat.say(FIRST)
    assert chat.metadata["fallback"] is False and chat.metadata["service_ids"][0] == "blindengeld"
    session = chat.session_id
    assert session is not None and session.isalnum()
    count = _psql(production, f"SELECT count(*) FROM events WHERE sender_id = '{session}' AND type_name = 'user'")
    assert count == "1"
    sqlite_file = ROOT / "var" / "tracker.db"
    if sqlite_file.exists():  # the default profile's store did not get it
        with sqlite3.connect(f"{sqlite_file.as_uri()}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "events" in tables:
                assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (session,)).fetchone() == (0,)


def test_no_secret_on_a_command_line_or_in_the_database_server(production: Production) -> None:
    descendants = _children(production.running.proc.pid)
    assert len(descendants) >= len(NAMES)
    for pid in descendants:
        cmdline = command_line(pid)
        for name, value in SECRETS.items():
            assert value not in cmdline, f"{name} on the command line of {pid}: {cmdline[:80]}"
    postgres = production.processes()["postgres"]["pid"]
    environ = Path(f"/proc/{postgres}/environ").read_bytes().decode(errors="replace")
    assert not any(value in environ for value in SECRETS.values())


def test_a_replica_killed_between_turns_is_not_noticed(production: Production, client: httpx.Client) -> None:
    chat = _blind_in_koeln(client)
    before = production.processes()["rasa-1"]
    os.killpg(before["pgid"], signal.SIGKILL)
    wait_until(lambda: not running(before["pid"]), 10, "rasa-1 is dead")
    # Two turns: the API spreads turns over the replicas, so one of them is first sent to the dead one.
    for question in FOLLOW_UPS[:2]:
        chat.say(question)
        _about_the_case(chat, fallback=False)
    production.wait_whole()
    after = production.processes()["rasa-1"]
    assert after["pid"] != before["pid"] and after["restarts"] == before["restarts"] + 1
    chat.say(FOLLOW_UPS[2])
    _about_the_case(chat, fallback=False)


def test_all_replicas_killed_give_a_degraded_answer_about_the_case(
    production: Production, client: httpx.Client
) -> None:
    chat = _blind_in_koeln(client)
    replicas = [production.processes()[name] for name in ("rasa-1", "rasa-2")]
    for entry in replicas:
        os.killpg(entry["pgid"], signal.SIGKILL)
    wait_until(lambda: not any(running(entry["pid"]) for entry in replicas), 10, "both replicas are dead")
    chat.say(FOLLOW_UPS[0])
    _about_the_case(chat, fallback=True)
    details = production.details()
    assert details["components"]["rasa"]["status"] == "down"
    production.wait_whole()
    chat.say(FOLLOW_UPS[1])
    _about_the_case(chat, fallback=False)


def test_an_action_server_killed_costs_no_degraded_turn(production: Production, client: httpx.Client) -> None:
    chats = [_blind_in_koeln(client) for _ in range(2)]
    before = production.processes()["actions-1"]
    os.killpg(before["pgid"], signal.SIGKILL)
    answered = 0
    # Turns at once, and on while the supervisor restarts the dead one (its new process binds the shared port).
    for round_ in range(8):
        for chat in chats:
            chat.say(FOLLOW_UPS[round_ % len(FOLLOW_UPS)])
            _about_the_case(chat, fallback=False)
            answered += 1
        if production.processes()["actions-1"]["pid"] != before["pid"] and round_ >= 3:
            break
    assert answered >= 8
    production.wait_whole()
    assert production.processes()["actions-1"]["restarts"] == before["restarts"] + 1


def test_postgresql_stopped_gives_degraded_answers_then_normal_ones(
    production: Production, client: httpx.Client
) -> None:
    chat = _blind_in_koeln(client)
    supervisor = production.running.proc.pid
    postgres = production.processes()["postgres"]
    os.kill(supervisor, signal.SIGSTOP)  # so that PostgreSQL stays down until the test lets the supervisor go on
    try:
        os.kill(postgres["pid"], signal.SIGINT)  # PostgreSQL's fast shutdown
        wait_until(lambda: not postgres_cluster.is_ready(postgres["port"]), 30, "PostgreSQL is down")
        for question in FOLLOW_UPS[:2]:
            response = client.post("/api/v1/chat", json={"session_id": chat.session_id, "message": question})
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["metadata"]["fallback"] is True
            assert body["messages"] and "Verlauf unseres Gesprächs" in body["messages"][0]["text"]
            assert "Traceback" not in response.text
        store = production.details()["components"]["tracker_store"]
        assert store["status"] == "down" and store["mode"] == "postgresql", store
        assert SECRETS["BK_DB_PASSWORD"] not in str(store)
    finally:
        os.kill(supervisor, signal.SIGCONT)
    production.wait_whole()
    assert production.processes()["postgres"]["restarts"] == postgres["restarts"] + 1
    chat.say(FOLLOW_UPS[2])
    _about_the_case(chat, fallback=False)


def test_sigint_stops_everything_and_a_new_start_continues_the_conversation(
    production: Production, client: httpx.Client
) -> None:
    chat = _blind_in_koeln(client)
    stack = production.running
    seen = _children(stack.proc.pid)  # PostgreSQL's own children (backends, checkpointer, ...) too
    assert any(str(production.cluster_dir) in command_line(pid) for pid in seen)
    stack.stop()  # SIGINT, as Ctrl-C
    assert stack.proc.returncode == 0
    alive = [(pid, command_line(pid)[:80]) for pid in seen if running(pid) and command_line(pid)]
    assert not alive
    assert not (ROOT / "var" / "run" / str(production.port)).exists()  # the state file and its folder are removed
    assert postgres_cluster.holder(production.cluster) is None
    production.start()
    with production.client() as again:
        chat.client = again
        chat.say(FOLLOW_UPS[1])
        _about_the_case(chat, fallback=False)
