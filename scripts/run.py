"""Start the whole product on loopback and stop it cleanly: `make run` calls this.

Two profiles, chosen by BK_PROFILE:

* default (embedded): Redis (lock store, only with several Rasa workers) → action server → Rasa with
  BK_RASA_WORKERS Sanic workers (default 2) → API. Tracker store: SQLite (var/tracker.db).
* production: PostgreSQL (tracker store; a cluster under var/postgres, run as the postgres user) → Redis (lock
  store) → BK_ACTION_SERVERS action servers (default 2) on one port (SO_REUSEPORT) → BK_RASA_REPLICAS Rasa
  replicas (default 2), one Sanic worker each, each on its own port → API, which spreads turns over the replicas
  (BK_RASA_URLS). Every process is one supervised process, so a dead one is restarted (docs/architecture.md,
  "Production profile").

Each process runs in its own process group, started in dependency order and awaited until ready (see
scripts/supervisor.py). Ctrl-C / SIGTERM stops all of them; if the API dies, the others are stopped too and the
exit code is non-zero; any other process is restarted. The running processes are listed in
var/run/<PORT>/processes.json while the stack runs.

Ports derive from PORT (default 8000) so that two copies side by side do not clash; see docs/architecture.md.
Without a Rasa environment or model the default profile starts the API alone in search-only mode
(BK_CHAT_BACKEND=none).

Secrets (the Rasa and action-server tokens, the Redis and database passwords) are random for each start unless
given in the environment, and reach the processes only through their environment or standard input, never a
command line: Redis reads its configuration, with ``requirepass``, from stdin (``redis-server -``); Rasa gets its
token from scripts/rasa_server.py; PostgreSQL gets the role's password through psql's stdin.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import sys
from pathlib import Path

import postgres_cluster
from supervisor import LOG_DIR, ROOT, Proc, Supervisor

__all__ = ["LOG_DIR", "Proc", "Supervisor", "main", "plan", "port_plan", "production_plan", "rasa_missing"]

VENV_PY = ROOT / ".venv" / "bin" / "python"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
STATE_DIR = ROOT / "var" / "run"
PRODUCTION_ENDPOINTS = "endpoints-production.yml"
PROFILES = ("default", "production")
# Rasa (Sanic) workers of `make run`: 2 on this 2-core machine, chosen by `make bench-chat` (README, "Chat
# benchmark"): 2 workers serve 16 conversations with a p95 of 0.74-0.87 s at 33-39 turns/s, 1 worker 1.3 s at 25;
# a third worker raised the throughput a little but made the p95 worse, and costs another 1.2 GiB.
DEFAULT_WORKERS = 2
# The production profile: separate processes instead of Sanic workers (a dead process is a dead replica, which
# the supervisor sees and restarts; a dead Sanic worker is seen by nobody).
DEFAULT_REPLICAS = 2
DEFAULT_ACTION_SERVERS = 2
MAX_PROCESSES = 8  # replicas or action servers: each Rasa replica holds ~1.2 GiB; ports PORT+10000+0..7
SECRETS = ("BK_RASA_TOKEN", "BK_ACTIONS_TOKEN", "BK_REDIS_PASSWORD")


def port_plan(port: int, replicas: int | None = None) -> dict[str, int]:
    """The loopback ports of one copy of the product, derived from the public PORT.

    ``rasa`` is the Rasa server of the default profile. With ``replicas`` (the production profile) also
    ``rasa-1`` … ``rasa-N`` on consecutive ports from it (``rasa-1`` = ``rasa``) and ``postgres``.
    BK_RASA_PORT, BK_ACTIONS_PORT, BK_REDIS_PORT and BK_DB_PORT override single ports.
    """
    rasa = int(os.environ.get("BK_RASA_PORT", port + 10000))
    ports = {
        "api": port,
        "rasa": rasa,
        "actions": int(os.environ.get("BK_ACTIONS_PORT", port + 20000)),
        "redis": int(os.environ.get("BK_REDIS_PORT", port + 30000)),
    }
    if replicas is not None:
        ports["postgres"] = int(os.environ.get("BK_DB_PORT", port + 30001))
        ports.update({f"rasa-{i}": rasa + i - 1 for i in range(1, replicas + 1)})
    highest = 65535 - (max(ports.values()) - port)
    if not 1024 <= port <= highest:
        last = max(ports.values()) - port
        raise SystemExit(f"PORT must be between 1024 and {highest} (got {port}): the internal ports are "
                         f"PORT+10000..{last}")
    owner: dict[int, str] = {}
    for name, value in ports.items():
        if name == "rasa-1":
            continue  # the same server as "rasa"
        if value in owner:
            raise SystemExit(f"port {value} is planned twice ({owner[value]} and {name}): check the BK_*_PORT settings")
        owner[value] = name
    return ports


def rasa_model() -> Path:
    """The model scripts/run_rasa.sh serves: BK_RASA_MODEL, default models/rasa-model.tar.gz (scripts/train_rasa.sh)."""
    return ROOT / os.environ.get("BK_RASA_MODEL", "models/rasa-model.tar.gz")


def rasa_missing() -> str | None:
    """Why Rasa cannot start (the API then runs alone, search-only), or None when it can."""
    if not RASA_BIN.exists() or not rasa_model().is_file():
        return "no Rasa environment or trained model: run `make setup`"
    return None


def _secret(name: str) -> str:
    """The secret from the environment, or a fresh random one."""
    value = os.environ.get(name) or secrets.token_urlsafe(24)
    if not value.isprintable() or any(c in value for c in ' "\'\\'):
        raise SystemExit(f"{name} must be printable without spaces, quotes or backslashes")
    return value


def _shared_env(port: int, ports: dict[str, int], with_rasa: bool) -> dict[str, str]:
    """The environment every process of either profile gets (secrets included)."""
    return {
        "PORT": str(port),
        "BK_RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "BK_ACTIONS_PORT": str(ports["actions"]),
        "BK_REDIS_PORT": str(ports["redis"]),
        **{name: _secret(name) for name in SECRETS},
        "BK_CHAT_BACKEND": "rasa" if with_rasa else "none",
        "PYTHONUNBUFFERED": "1",
    }


def _redis(ports: dict[str, int], env: dict[str, str]) -> Proc:
    return Proc("redis", ["redis-server", "-"], None, port=ports["redis"], stdin=redis_config(ports["redis"], env))


def _actions_cmd(port: int, *extra: str) -> list[str]:
    return [str(VENV_PY), "-m", "actions", "--port", str(port), *extra]


def _api(ports: dict[str, int], env: dict[str, str] | None = None) -> Proc:
    return Proc("api", [str(VENV_PY), "-m", "api"], f"http://127.0.0.1:{ports['api']}/health", env=env or {})


def plan(port: int, workers: int, with_rasa: bool) -> tuple[list[Proc], dict[str, str]]:
    """The default profile: the processes to start and the environment they share."""
    ports = port_plan(port)
    env = _shared_env(port, ports, with_rasa)
    procs: list[Proc] = []
    if with_rasa:
        if workers > 1:
            procs.append(_redis(ports, env))
        procs.append(Proc("actions", _actions_cmd(ports["actions"]), f"http://127.0.0.1:{ports['actions']}/health"))
        procs.append(
            Proc("rasa", ["bash", str(ROOT / "scripts" / "run_rasa.sh")],
                 f"http://127.0.0.1:{ports['rasa']}/", env={"BK_RASA_WORKERS": str(workers)},  # → SANIC_WORKERS
                 ready_timeout=300.0,
                 # Sanic forks the workers from Rasa's main process: a dead one is seen by counting the group
                 group_size=workers + 1 if workers > 1 else None)
        )
    procs.append(_api(ports))
    return procs, env


def production_plan(
    port: int, replicas: int, action_servers: int, cluster: postgres_cluster.Cluster
) -> tuple[list[Proc], dict[str, str]]:
    """The production profile: PostgreSQL, Redis, ``action_servers`` action servers on one port, ``replicas`` Rasa
    servers with one Sanic worker each on their own ports, the API over all replicas; and the shared environment."""
    for name, count in (("BK_RASA_REPLICAS", replicas), ("BK_ACTION_SERVERS", action_servers)):
        if not 1 <= count <= MAX_PROCESSES:
            raise SystemExit(f"{name} must be between 1 and {MAX_PROCESSES} (got {count})")
    ports = port_plan(port, replicas)
    env = _shared_env(port, ports, with_rasa=True)
    user = os.environ.get("BK_DB_USER") or postgres_cluster.DB_NAME
    database = os.environ.get("BK_DB_NAME") or postgres_cluster.DB_NAME
    password = _secret("BK_DB_PASSWORD")
    env.update({
        # read by Rasa from endpoints-production.yml (docker-compose.yml sets the same names to its services)
        "BK_ACTIONS_HOST": "127.0.0.1",
        "BK_REDIS_HOST": "127.0.0.1",
        "BK_DB_HOST": "127.0.0.1",
        "BK_DB_PORT": str(ports["postgres"]),
        "BK_DB_NAME": database,
        "BK_DB_USER": user,
        "BK_DB_PASSWORD": password,
    })
    postgres = Proc(
        "postgres", postgres_cluster.server_command(cluster, ports["postgres"]), None, port=ports["postgres"],
        user=cluster.run_as, inherit_env=False, env=postgres_cluster.server_env(),
        stop_signal=signal.SIGINT,  # "fast" shutdown: ends open sessions; SIGTERM would wait for the clients
        ready=lambda: postgres_cluster.is_ready(ports["postgres"]), ready_timeout=60.0,
        after_ready=lambda: postgres_cluster.provision(cluster, ports["postgres"], user, database, password),
    )
    procs = [postgres, _redis(ports, env)]
    procs += [
        Proc(f"actions-{i}", _actions_cmd(ports["actions"], "--reuse-port"),
             f"http://127.0.0.1:{ports['actions']}/health", shared_port=True, stage="actions")
        for i in range(1, action_servers + 1)
    ]
    rasa_names = [f"rasa-{i}" for i in range(1, replicas + 1)]
    procs += [
        Proc(name, ["bash", str(ROOT / "scripts" / "run_rasa.sh")], f"http://127.0.0.1:{ports[name]}/",
             env={
                 "BK_RASA_PORT": str(ports[name]),
                 "BK_RASA_WORKERS": "1",  # one Sanic worker: no child processes (docs/architecture.md)
                 "BK_RASA_ENDPOINTS": PRODUCTION_ENDPOINTS,
                 "BK_RASA_LOG_FILE": str(LOG_DIR / f"{name}.log"),
             },
             stage="rasa", ready_timeout=300.0)
        for name in rasa_names
    ]
    tracker_url = f"postgresql://{user}:{password}@127.0.0.1:{ports['postgres']}/{database}"
    procs.append(_api(ports, env={
        "BK_RASA_URLS": ",".join(f"http://127.0.0.1:{ports[name]}" for name in rasa_names),
        "BK_TRACKER_URL": tracker_url,  # the API alone reads and deletes conversations there
        "BK_TRACKER_DB": "",
    }))
    return procs, env


def redis_config(port: int, env: dict[str, str]) -> bytes:
    """Redis configuration for stdin: loopback only, no persistence, and a password (not on the command line)."""
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        'save ""',
        "appendonly no",
        "protected-mode yes",
        f"requirepass {env['BK_REDIS_PASSWORD']}",
    ]
    return ("\n".join(lines) + "\n").encode()


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number (got {raw!r})") from None


def _production(port: int) -> tuple[list[Proc], dict[str, str]]:
    """The production plan after its checks: Rasa, Redis and the PostgreSQL cluster must be there."""
    missing = rasa_missing()
    if missing:
        raise SystemExit(f"the production profile needs Rasa: {missing}")
    if shutil.which("redis-server") is None:
        raise SystemExit("the production profile needs redis-server: run `BK_PROFILE=production make setup`")
    postgres_cluster.setup()  # idempotent: installs and initialises only what is missing
    cluster = postgres_cluster.cluster()
    running = postgres_cluster.holder(cluster)
    if running is not None:
        raise SystemExit(
            f"the PostgreSQL cluster {cluster.directory} is already used by PID {running} (another stack of this "
            "checkout?): stop it, or give this one its own BK_POSTGRES_DIR"
        )
    replicas = _count("BK_RASA_REPLICAS", DEFAULT_REPLICAS)
    action_servers = _count("BK_ACTION_SERVERS", DEFAULT_ACTION_SERVERS)
    return production_plan(port, replicas, action_servers, cluster)


EPILOG = """\
environment:
  BK_PROFILE         default (embedded: one Rasa with Sanic workers, SQLite tracker store) or production
                     (PostgreSQL tracker store under var/postgres run as the postgres user, Redis lock store,
                     several Rasa replicas and action servers as separate processes; docs/architecture.md)
  BK_RASA_WORKERS    default profile: Sanic workers of Rasa (default 2; more than 1 starts Redis as lock store)
  BK_RASA_REPLICAS   production: Rasa processes, one Sanic worker each, on PORT+10000, +10001, ... (default 2)
  BK_ACTION_SERVERS  production: action-server processes sharing PORT+20000 (SO_REUSEPORT) (default 2)
  BK_POSTGRES_DIR    production: the PostgreSQL cluster's directory (default var/postgres)
  BK_DB_PASSWORD, BK_RASA_TOKEN, BK_ACTIONS_TOKEN, BK_REDIS_PASSWORD
                     secrets; random for each start when not set
While it runs, var/run/PORT/processes.json lists every process (name, pid, pgid, port, restarts).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--profile", choices=PROFILES, default=os.environ.get("BK_PROFILE") or "default",
                        help="default or production (default: BK_PROFILE, else default)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BK_RASA_WORKERS", DEFAULT_WORKERS)),
                        help=f"default profile: Rasa (Sanic) workers, default {DEFAULT_WORKERS}; more than 1 starts "
                             "Redis as lock store")
    parser.add_argument("--no-rasa", action="store_true", help="default profile: API only, search-only chat")
    parser.add_argument("--no-restart", action="store_true",
                        help="stop everything when any part fails, instead of restarting it")
    args = parser.parse_args(argv)
    if args.profile not in PROFILES:
        parser.error(f"BK_PROFILE must be one of {', '.join(PROFILES)} (got {args.profile!r})")

    if args.profile == "production":
        if args.no_rasa:
            parser.error("--no-rasa is for the default profile only")
        if "BK_RASA_WORKERS" in os.environ:
            print("[run] production profile: one Sanic worker per Rasa replica, BK_RASA_WORKERS is not used "
                  "(set BK_RASA_REPLICAS)", flush=True)
        procs, env = _production(args.port)
        with_rasa = True
    else:
        with_rasa = not args.no_rasa and rasa_missing() is None
        workers = max(1, args.workers)
        if workers > 1 and shutil.which("redis-server") is None:
            print("[run] redis-server not found (scripts/setup.sh installs it): Rasa runs with 1 worker", flush=True)
            workers = 1
        procs, env = plan(args.port, workers, with_rasa)
    sup = Supervisor(procs, env, restart=not args.no_restart, state_file=STATE_DIR / str(args.port) / "processes.json",
                     profile=args.profile)

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
