"""The process supervisor of scripts/run.py: start in order, wait until ready, restart what dies, stop as groups.

* Every child runs in its own process group (``start_new_session``) and gets a parent-death signal, so it dies
  with the supervisor even when the supervisor is killed with SIGKILL. Stopping and restarting kill the whole
  group, so children a process left behind (Rasa's Sanic workers) go with it.
* A process is started only when its port is free; a port held by another process is reported with that
  process's PID and command line. Processes that share one port on purpose (``Proc.shared_port``: the action
  servers of the production profile, with SO_REUSEPORT) may start while a sibling holds it.
* Consecutive processes of one ``stage`` start together and are awaited together (the Rasa replicas).
* A process that dies is restarted after a back-off that doubles with each failure in a row (2, 4, 8, … 30 s) and
  starts again from 2 s once a process ran for ``STABLE_SECONDS``; each process on its own clock, so one in
  back-off does not hold up the others. Only the API is essential: when it dies, everything stops.
* The state of the running stack is written to a JSON file (``state_file``, var/run/<api-port>/processes.json):
  atomically, on every (re)start; removed on a clean stop. Tests and benchmarks find the processes there.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "log"
STABLE_SECONDS = 60.0  # a process that ran this long before it died restarts after the shortest pause again
MAX_PAUSE = 30.0  # the longest pause before a restart
START_ATTEMPTS = 3  # a process that exits while it starts is started again (2 s, 4 s later) before the start fails
CONNECTION_WAIT = 15.0  # seconds to wait for a port that an open connection uses as its local port


class EarlyExitError(RuntimeError):
    """Raised when a process exits before it is ready."""


@dataclass
class Proc:
    """One supervised process."""

    name: str
    cmd: list[str]
    health_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 120.0
    stdin: bytes | None = None  # written to the process's standard input, which is then closed
    port: int | None = None  # the port it listens on (default: the health URL's); checked before each start
    shared_port: bool = False  # listens on ``port`` together with the other processes that set this (SO_REUSEPORT)
    stage: str | None = None  # consecutive processes of one stage start together
    user: str | None = None  # run as this user (with its group, no supplementary groups)
    inherit_env: bool = True  # False: only ``env``, not the supervisor's environment and the shared secrets
    stop_signal: int = signal.SIGTERM  # sent to the group on stop and when the supervisor dies (PostgreSQL: SIGINT)
    ready: Callable[[], bool] | None = None  # readiness other than a health URL (PostgreSQL: pg_isready)
    after_ready: Callable[[], None] | None = None  # run once after the first start is ready (provisioning)
    popen: subprocess.Popen[bytes] | None = None
    restarts: int = 0  # how often the supervisor started it again
    failures: int = 0  # deaths in a row, each within STABLE_SECONDS of its start (the back-off grows with them)
    started_at: float = 0.0  # monotonic time of the last start

    def __post_init__(self) -> None:
        if self.port is None and self.health_url is not None:
            self.port = urlsplit(self.health_url).port


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(signum: int) -> Callable[[], None]:
    """preexec_fn: the child gets ``signum`` when the supervisor dies, even by SIGKILL (Linux only, best effort).

    The signal follows the *thread* that started the child, so the supervisor spawns from its main thread. It runs
    after the switch to another user (Popen's ``user``), which would clear it. Only the direct child is covered; its
    own children (Rasa's Sanic workers) share its process group, which the supervisor kills as a whole.
    """

    def set_signal() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    return set_signal


def port_in_use(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _port_inodes(port: int, listening: bool = True) -> set[str]:
    """Inodes of the sockets on local TCP ``port`` (IPv4 and IPv6), from /proc/net: listening ones, or all."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) <= 9 or fields[9] == "0":  # inode 0: TIME_WAIT, no process holds it
                continue
            if int(fields[1].rsplit(":", 1)[1], 16) == port and (fields[3] == "0A" or not listening):  # 0A: LISTEN
                inodes.add(fields[9])
    return inodes


def port_bindable(port: int) -> bool:
    """True when 127.0.0.1:``port`` can be bound now. False also when no one listens there but an open connection
    uses it as its local port (an outgoing connection's ephemeral port), which a connect test does not see."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT does not count
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _holds(pid: int | str, inodes: set[str]) -> bool:
    """True when process ``pid`` has an open socket with one of ``inodes``."""
    wanted = {f"socket:[{inode}]" for inode in inodes}
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) in wanted:
                return True
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor always is)
    return False


def port_holders(port: int, listening: bool = True) -> list[tuple[int, str]]:
    """(PID, command line) of the processes listening on TCP ``port`` (or, with ``listening`` False, having any
    socket on it as local port), as far as /proc tells (else [])."""
    inodes = _port_inodes(port, listening)
    holders: list[tuple[int, str]] = []
    if not inodes:
        return holders
    for pid_dir in Path("/proc").iterdir():
        if pid_dir.name.isdigit() and _holds(pid_dir.name, inodes):
            try:
                cmdline = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                cmdline = "?"
            holders.append((int(pid_dir.name), cmdline))
    return holders


def listens(pid: int, port: int) -> bool:
    """True when process ``pid`` itself has a socket listening on TCP ``port``."""
    inodes = _port_inodes(port)
    return bool(inodes) and _holds(pid, inodes)


def describe_port_holder(port: int) -> str:
    """A readable sentence about who holds ``port``: a listener, or a connection that uses it as its local port."""
    holders = port_holders(port)
    what = "in use by"
    if not holders:
        holders = port_holders(port, listening=False)
        what = "the local port of a connection of"
    if not holders:
        return f"port {port} is already in use by another process (its PID is not visible here)"
    named = ", ".join(f"PID {pid} ({cmd[:80] or '?'})" for pid, cmd in holders)
    return f"port {port} is already {what} {named}"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status < 500)
    except urllib.error.HTTPError as exc:
        # The API answers 503 while another part is still starting: it is up, which is all we wait for here.
        return exc.code < 500 or (url.endswith("/health") and exc.code == 503)
    except (urllib.error.URLError, OSError):
        return False


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def group_alive(pgid: int) -> bool:
    """True while any process (not a zombie) of process group ``pgid`` exists."""
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            fields = (pid_dir / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def write_json_atomically(path: Path, data: object) -> None:
    """Write ``data`` as JSON to ``path`` so that a reader sees the old or the new file, never a part of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


class Supervisor:
    """Starts, watches and stops the processes."""

    def __init__(
        self,
        procs: list[Proc],
        env: dict[str, str],
        restart: bool = True,
        *,
        state_file: Path | None = None,
        profile: str = "default",
    ) -> None:
        self.procs = procs
        self.env = {**os.environ, **env}
        self.restart = restart
        self.state_file = state_file
        self.profile = profile
        self.stopping = False

    def say(self, message: str) -> None:
        print(f"[run] {message}", flush=True)

    # --- state file -----------------------------------------------------------------------------------------------

    def state(self) -> dict[str, object]:
        """What processes.json holds: the profile, the supervisor's PID, and every started process."""
        return {
            "profile": self.profile,
            "supervisor_pid": os.getpid(),
            "processes": [
                {"name": p.name, "pid": p.popen.pid, "pgid": p.popen.pid, "port": p.port, "restarts": p.restarts}
                for p in self.procs
                if p.popen is not None  # start_new_session: each process leads its own group
            ],
        }

    def write_state(self) -> None:
        if self.state_file is not None:
            write_json_atomically(self.state_file, self.state())

    def remove_state(self) -> None:
        if self.state_file is None:
            return
        self.state_file.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty, or gone
            self.state_file.parent.rmdir()

    # --- starting ---------------------------------------------------------------------------------------------------

    def _port_free_for(self, proc: Proc) -> None:
        """Raise RuntimeError when ``proc``'s port is held by anything but its own siblings (shared port). A port
        that only an open connection uses as its local port is waited for up to CONNECTION_WAIT seconds."""
        if proc.port is None:
            return
        deadline = time.monotonic() + CONNECTION_WAIT
        while True:
            listening = port_in_use(proc.port)
            if not listening and port_bindable(proc.port):
                return
            if listening and proc.shared_port and self._only_siblings_listen(proc):
                return
            if listening or time.monotonic() >= deadline or self.stopping:
                raise RuntimeError(f"{proc.name} cannot start: {describe_port_holder(proc.port)}")
            time.sleep(0.5)

    def _only_siblings_listen(self, proc: Proc) -> bool:
        assert proc.port is not None
        siblings = {
            p.popen.pid for p in self.procs
            if p is not proc and p.shared_port and p.port == proc.port and p.popen is not None
        }
        holders = port_holders(proc.port)
        return bool(holders) and all(_pgid(pid) in siblings for pid, _ in holders)

    def spawn(self, proc: Proc) -> None:
        """Start ``proc`` in a new process group that dies with the supervisor; refuse a port held by a stranger."""
        self._port_free_for(proc)
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        env = {**self.env, **proc.env} if proc.inherit_env else dict(proc.env)
        with open(LOG_DIR / f"{proc.name}.log", "ab") as log:
            self.say(f"starting {proc.name} (log: {LOG_DIR.relative_to(ROOT)}/{proc.name}.log)")
            proc.popen = subprocess.Popen(
                proc.cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.PIPE if proc.stdin is not None else subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent(proc.stop_signal),
                user=proc.user, group=proc.user, extra_groups=[] if proc.user else None,
            )
            proc.started_at = time.monotonic()
            if proc.stdin is not None:
                assert proc.popen.stdin is not None
                proc.popen.stdin.write(proc.stdin)
                proc.popen.stdin.close()
        self.write_state()

    def start_all(self) -> None:
        """Start every process in order; the processes of one stage together. Each is awaited until ready; one that
        exits meanwhile is started again up to START_ATTEMPTS times (a port briefly taken, a slow dependency)."""
        for _, stage in itertools.groupby(self.procs, key=lambda p: p.stage or f"\0{p.name}"):
            group = list(stage)
            for proc in group:
                self.spawn(proc)
            for proc in group:
                for attempt in range(1, START_ATTEMPTS + 1):
                    try:
                        self.wait_ready(proc)
                        break
                    except EarlyExitError as exc:
                        if attempt == START_ATTEMPTS:
                            raise
                        pause = 2.0 ** attempt
                        self.say(f"{exc}; start {attempt + 1} of {START_ATTEMPTS} in {pause:.0f} s")
                        self.kill_group(proc)
                        self._sleep(pause)
                        if self.stopping:
                            return
                        proc.restarts += 1
                        self.spawn(proc)
                if self.stopping:
                    return
                if proc.after_ready is not None:
                    proc.after_ready()

    def is_ready(self, proc: Proc) -> bool:
        """The process answers: its own check, or its health URL (for a shared port: and it listens itself)."""
        assert proc.popen is not None
        if proc.ready is not None:
            return proc.ready()
        if proc.shared_port and proc.port is not None and not listens(proc.popen.pid, proc.port):
            return False  # a sibling would answer the health URL for it
        return proc.health_url is None or _healthy(proc.health_url)

    def wait_ready(self, proc: Proc) -> None:
        deadline = time.monotonic() + proc.ready_timeout
        while time.monotonic() < deadline:
            if self.stopping:
                return
            assert proc.popen is not None
            if proc.popen.poll() is not None:
                raise EarlyExitError(
                    f"{proc.name} exited with code {proc.popen.returncode}; see var/log/{proc.name}.log"
                )
            if self.is_ready(proc):
                self.say(f"{proc.name} is ready")
                return
            time.sleep(0.3)
        raise RuntimeError(f"{proc.name} did not become ready within {proc.ready_timeout:.0f} s")

    # --- watching ---------------------------------------------------------------------------------------------------

    def watch(self) -> int:
        """Watch the children. The API is essential; a failed backend is restarted while the API keeps answering.

        Without a Rasa replica or action server the API still answers chat messages from the search (graceful
        degradation), so their failure is logged and they are started again after a pause of their own.
        """
        due: dict[str, float] = {}  # name → monotonic time of its restart
        while not self.stopping:
            for proc in self.procs:
                assert proc.popen is not None
                if proc.name in due:
                    if time.monotonic() >= due[proc.name]:
                        del due[proc.name]
                        proc.restarts += 1
                        try:
                            self.spawn(proc)
                        except RuntimeError as exc:
                            self.say(f"error: {exc}")
                            return 1
                    continue
                if proc.popen.poll() is None:
                    continue
                code = proc.popen.returncode
                if proc.name == "api" or not self.restart:
                    self.say(f"{proc.name} exited unexpectedly with code {code}")
                    return 1
                ran = time.monotonic() - proc.started_at
                proc.failures = 1 if ran >= STABLE_SECONDS else proc.failures + 1
                pause = min(MAX_PAUSE, 2.0 ** proc.failures)
                self.say(f"{proc.name} exited with code {code} after {ran:.0f} s; restart {proc.restarts + 1} "
                         f"in {pause:.0f} s")
                self.kill_group(proc)  # orphaned children (Sanic workers) of the dead process
                due[proc.name] = time.monotonic() + pause
            self._sleep(0.5)
        return 0

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)

    # --- stopping ---------------------------------------------------------------------------------------------------

    def kill_group(self, proc: Proc, timeout: float = 10.0) -> None:
        """Stop the process group of ``proc``: its stop signal, then SIGKILL after ``timeout`` seconds.

        The group outlives its leader: when Rasa's main process died, its Sanic workers still hold the port in
        the same group, so this also removes them before a restart.
        """
        if proc.popen is None:
            return
        pgid = proc.popen.pid  # start_new_session: the child leads its own group
        try:
            os.killpg(pgid, proc.stop_signal)
        except ProcessLookupError:
            proc.popen.poll()
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc.popen.poll()
            if not group_alive(pgid):
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.popen.wait(timeout=1.0)  # reap the leader (a zombie now), so it is known as ended
                return
            time.sleep(0.1)
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.popen.wait()

    def stop_all(self) -> None:
        """Stop every process group (also those whose leader already died), in reverse start order; then remove the
        state file."""
        self.stopping = True
        for proc in reversed(self.procs):
            if proc.popen is None or not group_alive(proc.popen.pid):
                continue
            self.say(f"stopping {proc.name}")
            try:
                os.killpg(proc.popen.pid, proc.stop_signal)
            except ProcessLookupError:
                continue
        for proc in reversed(self.procs):
            self.kill_group(proc, timeout=15.0)
        self.remove_state()
