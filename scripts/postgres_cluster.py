"""The PostgreSQL tracker store of the production profile: how scripts/run.py starts, probes and provisions it.

The cluster is made by scripts/setup_postgres.sh in ``BK_POSTGRES_DIR`` (default var/postgres): ``data/`` and
``run/`` (the Unix socket directory, mode 0700). The server runs as the cluster's user (``postgres`` when the
supervisor is root, since PostgreSQL refuses to run as root; else the supervisor's own user), listens on 127.0.0.1
only, and is started in the foreground (``postgres -D …``) so the supervisor watches and restarts it like any other
process. Rasa's role and database are created once the server answers, idempotently, with the password of this start:
the SQL goes to psql's standard input, never onto a command line; psql logs in as the cluster's user by peer
authentication over the socket.
"""

from __future__ import annotations

import getpass
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP_SCRIPT = ROOT / "scripts" / "setup_postgres.sh"
DB_NAME = "bk"  # database and role of Rasa's tracker store (BK_DB_NAME, BK_DB_USER override them)
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class Cluster:
    """One cluster directory and the user that owns and runs it."""

    directory: Path
    owner: str

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def sockets(self) -> Path:
        return self.directory / "run"

    @property
    def run_as(self) -> str | None:
        """The user the supervisor switches to for the server and psql (None: it runs them as itself)."""
        return self.owner if os.geteuid() == 0 else None


def cluster() -> Cluster:
    """The cluster of this checkout (``BK_POSTGRES_DIR``, default var/postgres)."""
    directory = Path(os.environ.get("BK_POSTGRES_DIR") or ROOT / "var" / "postgres")
    if not directory.is_absolute():
        directory = ROOT / directory
    return Cluster(directory, "postgres" if os.geteuid() == 0 else getpass.getuser())


def bindir() -> Path:
    """The newest installed server's binaries (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "postgres").is_file()]
    if not candidates:
        raise SystemExit("PostgreSQL is not installed: run `BK_PROFILE=production make setup`")
    return max(candidates, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def server_command(where: Cluster, port: int) -> list[str]:
    """The server in the foreground on 127.0.0.1:``port``, its socket in the cluster's own directory."""
    return [
        str(bindir() / "postgres"),
        "-D", str(where.data),
        "-k", str(where.sockets),
        "-h", "127.0.0.1",
        "-p", str(port),
        "-c", "unix_socket_permissions=0700",
    ]


def server_env() -> dict[str, str]:
    """The server's whole environment: none of the stack's secrets go to the database's user."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}


def is_ready(port: int) -> bool:
    """True when the server on 127.0.0.1:``port`` accepts connections (pg_isready; not while it starts or recovers)."""
    try:
        result = subprocess.run(
            [str(bindir() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port), "-t", "2"],
            env=server_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=5, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def provision_sql(user: str, database: str, password: str) -> str:
    """psql input that creates the role and its database when missing and sets the role's password (idempotent)."""
    for name in (user, database):
        if not _IDENTIFIER.fullmatch(name):
            raise SystemExit(f"PostgreSQL names must be lower-case letters, digits and _ (got {name!r})")
    literal = "'" + password.replace("'", "''") + "'"
    return "\n".join([
        "SET log_min_error_statement = panic;",  # a failing statement (with the password) stays out of the server log
        f"SELECT 'CREATE ROLE {user} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}')\\gexec",
        f"ALTER ROLE {user} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {literal};",
        f"SELECT 'CREATE DATABASE {database} OWNER {user}' "
        f"WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database}')\\gexec",
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC;",
        "",
    ])


def provision(where: Cluster, port: int, user: str, database: str, password: str) -> None:
    """Create role and database (idempotent) with ``password``; raise RuntimeError with psql's message on failure."""
    command = [
        str(bindir() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-h", str(where.sockets), "-p", str(port), "-U", where.owner, "-d", "postgres",
    ]
    run_as = where.run_as
    try:
        result = subprocess.run(
            command, input=provision_sql(user, database, password).encode(), env=server_env(), cwd="/",
            capture_output=True, timeout=30, check=False,
            user=run_as, group=run_as, extra_groups=[] if run_as else None,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError("creating the tracker store's role and database timed out") from None
    if result.returncode != 0:
        # psql's own message names the failing statement's error, never the SQL text with the password.
        message = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"creating the tracker store's role and database failed: {message[0]}")


def setup() -> None:
    """Install and initialise the cluster when missing (scripts/setup_postgres.sh; seconds when both are there)."""
    result = subprocess.run(["bash", str(SETUP_SCRIPT)], cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"scripts/setup_postgres.sh failed with code {result.returncode}")


def holder(where: Cluster) -> int | None:
    """The PID of a server that already runs on this cluster (its postmaster.pid names a living postgres), else None."""
    try:
        pid = int((where.data / "postmaster.pid").read_text().split("\n", 1)[0])
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None  # no lock file, or its process is gone: PostgreSQL itself takes over a stale one
    return pid if b"postgres" in command else None
