"""Start the whole product on loopback and stop it cleanly: `make run` calls this.

Processes, each in its own process group, started in dependency order and awaited until healthy:
Redis (lock store, only with several Rasa workers) → action server → Rasa → API. Ctrl-C / SIGTERM stops all of
them; if one dies, the others are stopped too and the exit code is non-zero.

Ports derive from PORT (default 8000) so that two copies side by side do not clash; see docs/architecture.md.
Without a Rasa environment or model the API starts alone in search-only mode (BK_CHAT_BACKEND=none).

Secrets (the Rasa and action-server tokens, the Redis password) are random for each start unless given in the
environment, and reach the processes only through their environment or standard input, never a command line:
Redis reads its configuration, with ``requirepass``, from stdin (``redis-server -``); Rasa gets its token from
scripts/rasa_server.py.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
LOG_DIR = ROOT / "var" / "log"
# Rasa (Sanic) workers of `make run`: 2 on this 2-core machine, chosen by `make bench-chat` (README, "Chat
# benchmark"): 2 workers serve 16 conversations with a p95 of 0.74-0.87 s at 33-39 turns/s, 1 worker 1.3 s at 25;
# a third worker raised the throughput a little but made the p95 worse, and costs another 1.2 GiB.
DEFAULT_WORKERS = 2


@dataclass
class Proc:
    """One supervised process."""

    name: str
    cmd: list[str]
    health_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    ready_timeout: float = 120.0
    stdin: bytes | None = None  # written to the process's standard input, which is then closed
    popen: subprocess.Popen[bytes] | None = None


def port_plan(port: int) -> dict[str, int]:
    """The loopback ports of one copy of the product, derived from the public PORT."""
    if not 1024 <= port <= 35535:
        raise SystemExit(f"PORT must be between 1024 and 35535 (got {port}): the internal ports are PORT+10000..30000")
    return {
        "api": port,
        "rasa": int(os.environ.get("BK_RASA_PORT", port + 10000)),
        "actions": int(os.environ.get("BK_ACTIONS_PORT", port + 20000)),
        "redis": int(os.environ.get("BK_REDIS_PORT", port + 30000)),
    }


def rasa_model() -> Path:
    """The model scripts/run_rasa.sh serves: BK_RASA_MODEL, default models/rasa-model.tar.gz (scripts/train_rasa.sh)."""
    return ROOT / os.environ.get("BK_RASA_MODEL", "models/rasa-model.tar.gz")


def rasa_missing() -> str | None:
    """Why Rasa cannot start (the API then runs alone, search-only), or None when it can."""
    if not RASA_BIN.exists() or not rasa_model().is_file():
        return "no Rasa environment or trained model: run `make setup`"
    return None


def plan(port: int, workers: int, with_rasa: bool) -> tuple[list[Proc], dict[str, str]]:
    """The processes to start and the environment they share."""
    ports = port_plan(port)
    env = {
        "PORT": str(port),
        "BK_RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "BK_ACTIONS_PORT": str(ports["actions"]),
        "BK_REDIS_PORT": str(ports["redis"]),
        "BK_RASA_TOKEN": os.environ.get("BK_RASA_TOKEN") or secrets.token_urlsafe(24),
        "BK_ACTIONS_TOKEN": os.environ.get("BK_ACTIONS_TOKEN") or secrets.token_urlsafe(24),
        "BK_REDIS_PASSWORD": os.environ.get("BK_REDIS_PASSWORD") or secrets.token_urlsafe(24),
        "BK_CHAT_BACKEND": "rasa" if with_rasa else "none",
        "PYTHONUNBUFFERED": "1",
    }
    procs: list[Proc] = []
    if with_rasa:
        if workers > 1:
            procs.append(Proc("redis", ["redis-server", "-"], None, stdin=redis_config(ports["redis"], env)))
        procs.append(
            Proc("actions", [str(VENV_PY), "-m", "actions", "--port", str(ports["actions"])],
                 f"http://127.0.0.1:{ports['actions']}/health")
        )
        procs.append(
            Proc("rasa", ["bash", str(ROOT / "scripts" / "run_rasa.sh")],
                 f"http://127.0.0.1:{ports['rasa']}/", env={"BK_RASA_WORKERS": str(workers)},  # → SANIC_WORKERS
                 ready_timeout=300.0)
        )
    procs.append(Proc("api", [str(VENV_PY), "-m", "api"], f"http://127.0.0.1:{ports['api']}/health"))
    return procs, env


def redis_config(port: int, env: dict[str, str]) -> bytes:
    """Redis configuration for stdin: loopback only, no persistence, and a password (not on the command line)."""
    password = env["BK_REDIS_PASSWORD"]
    if not password.isprintable() or any(c in password for c in ' "\'\\'):
        raise SystemExit("BK_REDIS_PASSWORD must be printable without spaces, quotes or backslashes")
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        'save ""',
        "appendonly no",
        "protected-mode yes",
        f"requirepass {password}",
    ]
    return ("\n".join(lines) + "\n").encode()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when the supervisor dies, even by SIGKILL (Linux only, best effort).

    The signal follows the *thread* that started the child, so the supervisor spawns from its main thread.
    Only the direct child is covered; its own children (Rasa's Sanic workers) share its process group, which
    the supervisor kills as a whole (see Supervisor.kill_group).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _port_of(url: str | None) -> int | None:
    """The TCP port of a loopback health URL (None without a URL)."""
    if url is None:
        return None
    from urllib.parse import urlsplit

    return urlsplit(url).port


def port_in_use(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def port_holders(port: int) -> list[tuple[int, str]]:
    """(PID, command line) of the processes listening on TCP port ``port``, as far as /proc tells (else [])."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])  # state 0A = LISTEN
    holders: list[tuple[int, str]] = []
    if not inodes:
        return holders
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (pid_dir / "fd").iterdir()}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            try:
                cmdline = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                cmdline = "?"
            holders.append((int(pid_dir.name), cmdline))
    return holders


def describe_port_holder(port: int) -> str:
    """A readable sentence about who holds ``port``."""
    holders = port_holders(port)
    if not holders:
        return f"port {port} is already in use by another process (its PID is not visible here)"
    named = ", ".join(f"PID {pid} ({cmd[:80] or '?'})" for pid, cmd in holders)
    return f"port {port} is already in use by {named}"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status < 500)
    except urllib.error.HTTPError as exc:
        # The API answers 503 while another part is still starting: it is up, which is all we wait for here.
        return exc.code < 500 or (url.endswith("/health") and exc.code == 503)
    except (urllib.error.URLError, OSError):
        return False


class Supervisor:
    """Starts, watches and stops the processes."""

    def __init__(self, procs: list[Proc], env: dict[str, str], restart: bool = True) -> None:
        self.procs = procs
        self.env = {**os.environ, **env}
        self.restart = restart
        self.stopping = False

    def say(self, message: str) -> None:
        print(f"[run] {message}", flush=True)

    def spawn(self, proc: Proc) -> None:
        """Start ``proc`` in a new process group that dies with the supervisor; refuse a port held by a stranger."""
        port = _port_of(proc.health_url)
        if port is not None and port_in_use(port):
            raise RuntimeError(f"{proc.name} cannot start: {describe_port_holder(port)}")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        with open(LOG_DIR / f"{proc.name}.log", "ab") as log:
            self.say(f"starting {proc.name} (log: {LOG_DIR.relative_to(ROOT)}/{proc.name}.log)")
            proc.popen = subprocess.Popen(
                proc.cmd, cwd=ROOT, env={**self.env, **proc.env}, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.PIPE if proc.stdin is not None else subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            if proc.stdin is not None:
                assert proc.popen.stdin is not None
                proc.popen.stdin.write(proc.stdin)
                proc.popen.stdin.close()

    def start_all(self) -> None:
        for proc in self.procs:
            self.spawn(proc)
            self.wait_ready(proc)

    def kill_group(self, proc: Proc, timeout: float = 10.0) -> None:
        """Stop the process group of ``proc``: SIGTERM, then SIGKILL after ``timeout`` seconds.

        The group outlives its leader: when Rasa's main process died, its Sanic workers still hold the port in
        the same group, so this also removes them before a restart.
        """
        if proc.popen is None:
            return
        pgid = proc.popen.pid  # start_new_session: the child leads its own group
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc.popen.poll()
            if not _group_alive(pgid):
                return
            time.sleep(0.1)
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.popen.wait()

    def wait_ready(self, proc: Proc) -> None:
        deadline = time.monotonic() + proc.ready_timeout
        while time.monotonic() < deadline:
            if self.stopping:
                return
            assert proc.popen is not None
            if proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.name} exited with code {proc.popen.returncode}; see var/log/{proc.name}.log")
            if proc.health_url is None or _healthy(proc.health_url):
                self.say(f"{proc.name} is ready")
                return
            time.sleep(0.3)
        raise RuntimeError(f"{proc.name} did not become ready within {proc.ready_timeout:.0f} s")

    def watch(self) -> int:
        """Watch the children. The API is essential; a failed backend is restarted while the API keeps answering.

        Without Rasa or the action server the API still answers chat messages from the search (graceful
        degradation), so their failure is logged and they are started again with a growing pause.
        """
        restarts: dict[str, int] = {}
        while not self.stopping:
            for proc in self.procs:
                assert proc.popen is not None
                if proc.popen.poll() is None:
                    continue
                code = proc.popen.returncode
                if proc.name == "api" or not self.restart:
                    self.say(f"{proc.name} exited unexpectedly with code {code}")
                    return 1
                count = restarts[proc.name] = restarts.get(proc.name, 0) + 1
                pause = min(30.0, 2.0 ** count)
                self.say(f"{proc.name} exited with code {code}; the API answers from the search meanwhile; "
                         f"restart {count} in {pause:.0f} s")
                self.kill_group(proc)  # orphaned children (Sanic workers) of the dead process
                self._sleep(pause)
                if self.stopping:
                    break
                try:
                    self.spawn(proc)
                except RuntimeError as exc:
                    self.say(f"error: {exc}")
                    return 1
            self._sleep(0.5)
        return 0

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop_all(self) -> None:
        """Stop every process group (also those whose leader already died), in reverse start order."""
        self.stopping = True
        for proc in reversed(self.procs):
            if proc.popen is None or not _group_alive(proc.popen.pid):
                continue
            self.say(f"stopping {proc.name}")
            try:
                os.killpg(proc.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in reversed(self.procs):
            self.kill_group(proc, timeout=15.0)


def _group_alive(pgid: int) -> bool:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BK_RASA_WORKERS", DEFAULT_WORKERS)),
                        help=f"Rasa (Sanic) workers, default {DEFAULT_WORKERS}; more than 1 starts Redis as lock store")
    parser.add_argument("--no-rasa", action="store_true", help="API only, search-only chat")
    parser.add_argument("--no-restart", action="store_true",
                        help="stop everything when any part fails, instead of restarting Rasa or the action server")
    args = parser.parse_args(argv)

    with_rasa = not args.no_rasa and rasa_missing() is None
    workers = max(1, args.workers)
    if workers > 1 and shutil.which("redis-server") is None:
        print("[run] redis-server not found (scripts/setup.sh installs it): Rasa runs with 1 worker", flush=True)
        workers = 1
    procs, env = plan(args.port, workers, with_rasa)
    sup = Supervisor(procs, env, restart=not args.no_restart)

    def _on_signal(signum: int, _frame: object) -> None:
        sup.stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    if not with_rasa:
        sup.say("no trained Rasa bot found: the API runs alone, chat answers from the search only")
    code = 0
    try:
        sup.start_all()
        if not sup.stopping:
            sup.say(f"ready: http://127.0.0.1:{args.port}/  (Ctrl-C stops everything)")
            code = sup.watch()
    except RuntimeError as exc:
        sup.say(f"error: {exc}")
        code = 1
    finally:
        sup.stop_all()
        sup.say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
