"""The supervisor of `make run` against real (small) processes: the faults issue 10 names.

A fake "Rasa" forks a worker that serves HTTP, like Sanic's main process and its workers: killing only the main
process leaves the worker on the port. Each test cleans up its process groups, also when it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import benchlib
import run
import supervisor

# Main process forks one worker that serves GET / with its own PID; the main process just waits.
FAKE_RASA = r"""
import http.server, os, sys, time
port = int(sys.argv[1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = str(os.getpid()).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
if os.fork() == 0:
    http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
else:
    while True:
        time.sleep(1)
"""


def _get(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
        return int(resp.read())


def _wait_for(predicate: object, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def groups() -> Iterator[list[int]]:
    """Process groups to kill after the test, whatever happened."""
    pgids: list[int] = []
    yield pgids
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def _fake(port: int) -> run.Proc:
    return run.Proc("fake-rasa", [sys.executable, "-c", FAKE_RASA, str(port)], f"http://127.0.0.1:{port}/",
                    ready_timeout=20.0)


def test_killed_main_process_orphaned_worker_is_removed_and_replaced(groups: list[int]) -> None:
    port = benchlib.free_port()
    proc = _fake(port)
    sup = run.Supervisor([proc], {})
    sup.start_all()
    assert proc.popen is not None
    groups.append(proc.popen.pid)
    old_worker = _get(port)
    assert old_worker != proc.popen.pid  # the worker, not the main process, serves
    watcher = threading.Thread(target=sup.watch, daemon=True)
    watcher.start()
    try:
        os.kill(proc.popen.pid, signal.SIGKILL)  # only the main process: its worker stays on the port
        # The supervisor removes the orphan and starts a new main process with a new worker on the same port.
        assert _wait_for(lambda: proc.popen is not None and proc.popen.pid not in groups and _answers(port), 30)
        groups.append(proc.popen.pid)
        new_worker = _get(port)
        assert new_worker != old_worker
        assert not Path(f"/proc/{old_worker}").exists() or "Z" in _state(old_worker)
    finally:
        sup.stopping = True
        watcher.join(timeout=10)
        sup.stop_all()
    assert not supervisor.group_alive(groups[-1])


def _answers(port: int) -> bool:
    try:
        _get(port)
        return True
    except OSError:
        return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_port_held_by_a_stranger_is_reported_with_its_pid(groups: list[int]) -> None:
    port = benchlib.free_port()
    stranger = subprocess.Popen([sys.executable, "-c", FAKE_RASA, str(port)], start_new_session=True)
    groups.append(stranger.pid)
    try:
        assert _wait_for(lambda: _answers(port))
        worker = _get(port)
        sup = run.Supervisor([_fake(port)], {})
        with pytest.raises(RuntimeError) as err:
            sup.start_all()  # must not call the stranger "ready"
        assert f"fake-rasa cannot start: port {port} is already in use by PID {worker}" in str(err.value)
        assert sup.procs[0].popen is None  # nothing of ours was started
    finally:
        os.killpg(stranger.pid, signal.SIGKILL)
        stranger.wait()


def test_children_die_with_a_killed_supervisor(groups: list[int], tmp_path: Path) -> None:
    port = benchlib.free_port()
    script = tmp_path / "sup.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(run.__file__).parent)!r})\n"
        "import run\n"
        f"p = run.Proc('fake-rasa', [sys.executable, '-c', {FAKE_RASA!r}, '{port}'], 'http://127.0.0.1:{port}/')\n"
        "s = run.Supervisor([p], {})\n"
        "s.start_all()\n"
        "print(p.popen.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    sup = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    groups.append(sup.pid)
    assert sup.stdout is not None
    line = ""
    for raw in sup.stdout:
        if raw.strip().isdigit():
            line = raw.strip()
            break
    child_group = int(line)
    groups.append(child_group)
    assert _answers(port)
    worker = _get(port)
    sup.kill()  # SIGKILL: no clean-up code of the supervisor runs
    sup.wait()
    sup.stdout.close()
    # The direct child dies by its parent-death signal (a grandchild is not covered by it: the next start names it).
    assert _wait_for(lambda: not Path(f"/proc/{child_group}").exists() or _state(child_group) == "Z", 10)
    with pytest.raises(RuntimeError, match=f"already in use by PID {worker}"):
        run.Supervisor([_fake(port)], {}).start_all()


def _read_state(path: Path) -> dict[str, object]:
    return dict(json.loads(path.read_text()))


def test_state_file_lists_each_process_and_follows_restarts(groups: list[int], tmp_path: Path) -> None:
    port = benchlib.free_port()
    proc = _fake(port)
    state_file = tmp_path / "run" / str(port) / "processes.json"
    sup = run.Supervisor([proc], {}, state_file=state_file, profile="production")
    sup.start_all()
    assert proc.popen is not None
    groups.append(proc.popen.pid)
    first = proc.popen.pid
    assert _read_state(state_file) == {
        "profile": "production",
        "supervisor_pid": os.getpid(),
        "processes": [{"name": "fake-rasa", "pid": first, "pgid": first, "port": port, "restarts": 0}],
    }
    watcher = threading.Thread(target=sup.watch, daemon=True)
    watcher.start()
    try:
        os.killpg(first, signal.SIGKILL)
        # Rewritten on the restart: the new PID and group, one restart.
        assert _wait_for(lambda: _read_state(state_file)["processes"][0]["pid"] != first, 30)  # type: ignore[index]
        [entry] = _read_state(state_file)["processes"]  # type: ignore[misc]
        assert proc.popen.pid == entry["pid"] == entry["pgid"] != first and entry["restarts"] == 1
        groups.append(proc.popen.pid)
        assert os.getpgid(entry["pid"]) == entry["pgid"]
    finally:
        sup.stopping = True
        watcher.join(timeout=10)
        sup.stop_all()
    assert not state_file.exists() and not state_file.parent.exists()  # removed on a clean stop
    assert not list(state_file.parent.parent.glob(".*.tmp"))


def test_port_used_as_a_connection_s_local_port_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listens, but an open connection uses the port as its local port: a connect test calls it free,
    yet a server could not bind it (EADDRINUSE). The supervisor waits a little, then names the connection."""
    monkeypatch.setattr(supervisor, "CONNECTION_WAIT", 0.5)
    port = benchlib.free_port()
    with socket.create_server(("127.0.0.1", 0)) as server, socket.socket() as client:
        client.bind(("127.0.0.1", port))
        client.connect(server.getsockname())
        assert not supervisor.port_in_use(port) and not supervisor.port_bindable(port)
        sup = run.Supervisor([_fake(port)], {})
        with pytest.raises(RuntimeError) as err:
            sup.start_all()
    assert f"port {port} is already the local port of a connection of PID {os.getpid()}" in str(err.value)
    assert sup.procs[0].popen is None


# Serves GET / with its PID on a port it shares with its siblings (SO_REUSEPORT), like `python -m actions
# --reuse-port`; a fresh connection per request, as Rasa's action calls make.
SHARED_SERVER = r"""
import http.server, os, socket, sys
class S(http.server.HTTPServer):
    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = str(os.getpid()).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def test_siblings_share_a_port_and_a_dead_one_gets_no_requests(groups: list[int]) -> None:
    port = benchlib.free_port()
    procs = [
        run.Proc(f"shared-{i}", [sys.executable, "-c", SHARED_SERVER, str(port)], f"http://127.0.0.1:{port}/",
                 shared_port=True, stage="shared", ready_timeout=20.0)
        for i in (1, 2)
    ]
    sup = run.Supervisor(procs, {})
    sup.start_all()  # the second may start although the first holds the port
    pids = [p.popen.pid for p in procs if p.popen is not None]
    groups.extend(pids)
    assert all(supervisor.listens(pid, port) for pid in pids)
    watcher = threading.Thread(target=sup.watch, daemon=True)
    watcher.start()
    try:
        assert _wait_for(lambda: {_get(port) for _ in range(40)} == set(pids))  # the kernel spreads connections
        os.killpg(pids[0], signal.SIGKILL)
        assert _wait_for(lambda: not supervisor.listens(pids[0], port), 5)
        assert {_get(port) for _ in range(20)} == {pids[1]}  # every request answered, by the live one
        # The supervisor restarts the dead one beside its live sibling on the same port.
        assert _wait_for(lambda: procs[0].popen is not None and procs[0].popen.pid != pids[0]
                         and supervisor.listens(procs[0].popen.pid, port), 30)
        assert procs[0].popen is not None
        groups.append(procs[0].popen.pid)
    finally:
        sup.stopping = True
        watcher.join(timeout=10)
        sup.stop_all()
    assert not any(supervisor.group_alive(pgid) for pgid in groups)


def test_a_process_that_exits_while_starting_is_started_again(groups: list[int], tmp_path: Path) -> None:
    port = benchlib.free_port()
    marker = tmp_path / "tried"
    # Exits at its first start (as after EADDRINUSE), serves at the second.
    flaky = (f"import pathlib, runpy, sys\nm = pathlib.Path({str(marker)!r})\n"
             "if not m.exists():\n    m.touch(); sys.exit(3)\n"
             f"sys.argv = ['x', '{port}']\nexec({SHARED_SERVER!r})\n")
    proc = run.Proc("flaky", [sys.executable, "-c", flaky], f"http://127.0.0.1:{port}/", ready_timeout=20.0)
    sup = run.Supervisor([proc], {})
    try:
        sup.start_all()
        assert proc.popen is not None
        groups.append(proc.popen.pid)
        assert _get(port) == proc.popen.pid and proc.restarts == 1
    finally:
        sup.stop_all()
