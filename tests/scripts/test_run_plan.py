"""scripts/run.py (`make run`): which processes start, on which ports, with which Rasa worker settings."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import postgres_cluster
import run
import yaml


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
    assert rasa.group_size == 3  # main process and two workers: fewer means a worker died
    assert env["BK_RASA_URL"] == "http://127.0.0.1:18000" and env["BK_ACTIONS_PORT"] == "28000"


def test_one_worker_needs_no_redis() -> None:
    procs, _ = run.plan(8000, 1, with_rasa=True)
    assert [p.name for p in procs] == ["actions", "rasa", "api"]
    assert procs[1].group_size is None  # one process, no workers to count


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


# --- the production profile (BK_PROFILE=production) ------------------------------------------------------------------

PROD_SECRETS = ("BK_RASA_TOKEN", "BK_ACTIONS_TOKEN", "BK_REDIS_PASSWORD", "BK_DB_PASSWORD")


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> postgres_cluster.Cluster:
    for name in (*PROD_SECRETS, "BK_DB_PORT", "BK_DB_USER", "BK_DB_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(postgres_cluster, "bindir", lambda: Path("/opt/pg/bin"))  # no installed server needed
    return postgres_cluster.Cluster(tmp_path / "pg", "postgres")


def _by_name(procs: list[run.Proc]) -> dict[str, run.Proc]:
    return {p.name: p for p in procs}


def test_production_starts_stores_first_then_action_servers_replicas_and_the_api(
    cluster: postgres_cluster.Cluster,
) -> None:
    procs, env = run.production_plan(8300, 2, 2, cluster)
    assert [p.name for p in procs] == ["postgres", "redis", "actions-1", "actions-2", "rasa-1", "rasa-2", "api"]
    assert [p.stage for p in procs] == [None, None, "actions", "actions", "rasa", "rasa", None]
    assert {p.name: p.port for p in procs} == {
        "postgres": 38301, "redis": 38300, "actions-1": 28300, "actions-2": 28300,
        "rasa-1": 18300, "rasa-2": 18301, "api": 8300,
    }
    assert env["BK_ACTIONS_PORT"] == "28300" and env["BK_REDIS_PORT"] == "38300" and env["BK_DB_PORT"] == "38301"


@pytest.mark.parametrize(("replicas", "action_servers"), [(1, 1), (3, 2), (2, 4)])
def test_production_counts_of_replicas_and_action_servers(
    cluster: postgres_cluster.Cluster, replicas: int, action_servers: int
) -> None:
    procs, _ = run.production_plan(8300, replicas, action_servers, cluster)
    byname = _by_name(procs)
    rasa = [p for p in procs if p.name.startswith("rasa-")]
    actions = [p for p in procs if p.name.startswith("actions-")]
    assert [p.name for p in rasa] == [f"rasa-{i}" for i in range(1, replicas + 1)]
    assert [p.port for p in rasa] == list(range(18300, 18300 + replicas))  # own port each
    assert [p.name for p in actions] == [f"actions-{i}" for i in range(1, action_servers + 1)]
    assert all(p.shared_port and p.port == 28300 and "--reuse-port" in p.cmd for p in actions)  # one port
    urls = byname["api"].env["BK_RASA_URLS"].split(",")
    assert urls == [f"http://127.0.0.1:{p.port}" for p in rasa]


def test_production_replicas_run_one_sanic_worker_on_postgresql_and_redis(cluster: postgres_cluster.Cluster) -> None:
    procs, env = run.production_plan(8300, 2, 2, cluster)
    for i, name in enumerate(("rasa-1", "rasa-2")):
        rasa = _by_name(procs)[name]
        assert rasa.cmd[-1].endswith("scripts/run_rasa.sh")
        assert rasa.env["BK_RASA_WORKERS"] == "1"  # no Sanic worker processes: a dead process is a dead replica
        assert rasa.env["BK_RASA_PORT"] == str(18300 + i)
        assert rasa.env["BK_RASA_ENDPOINTS"] == "endpoints-production.yml"
        assert rasa.health_url == f"http://127.0.0.1:{18300 + i}/"
    endpoints = yaml.safe_load((run.ROOT / "endpoints-production.yml").read_text())
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    # Hosts come from the environment (compose names its services); the profile sets them to loopback.
    replica_env = {**env, **_by_name(procs)["rasa-1"].env}
    hosts = [endpoints[part]["url"] for part in ("tracker_store", "lock_store")]
    assert [re.sub(r"\$\{(\w+)\}", lambda m: replica_env[m[1]], host) for host in hosts] == ["127.0.0.1"] * 2
    assert replica_env["BK_ACTIONS_HOST"] == "127.0.0.1"
    assert endpoints["lock_store"]["type"] == "redis"
    # Every ${VAR} of the endpoints file is set for the replicas.
    values = [str(v) for section in endpoints.values() for v in section.values()]
    wanted = {name for value in values for name in re.findall(r"\$\{(\w+)\}", value)}
    assert wanted and wanted <= set(env) | set(_by_name(procs)["rasa-1"].env), wanted - set(env)


def test_production_api_reads_the_tracker_store_in_postgresql(cluster: postgres_cluster.Cluster) -> None:
    procs, env = run.production_plan(8300, 2, 2, cluster)
    api = _by_name(procs)["api"]
    assert api.env["BK_TRACKER_URL"] == f"postgresql://bk:{env['BK_DB_PASSWORD']}@127.0.0.1:38301/bk"
    assert api.env["BK_TRACKER_DB"] == ""  # not the SQLite file of the default profile
    assert "BK_TRACKER_URL" not in env  # only the API gets the URL with the password


def test_production_postgres_runs_as_its_user_on_loopback_without_the_stack_s_secrets(
    cluster: postgres_cluster.Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run.os, "geteuid", lambda: 0)  # as root: switch to the cluster's user
    monkeypatch.setattr(postgres_cluster.os, "geteuid", lambda: 0)
    procs, env = run.production_plan(8300, 2, 2, cluster)
    postgres = procs[0]
    assert postgres.user == "postgres" and postgres.stop_signal == signal.SIGINT
    assert postgres.cmd[0] == "/opt/pg/bin/postgres"
    pairs = dict(zip(postgres.cmd[1::2], postgres.cmd[2::2], strict=False))
    assert pairs["-D"] == str(cluster.directory / "data") and pairs["-k"] == str(cluster.directory / "run")
    assert pairs["-h"] == "127.0.0.1" and pairs["-p"] == "38301"
    assert not postgres.inherit_env
    assert not any(env[name] in value for name in PROD_SECRETS for value in postgres.env.values())
    assert postgres.ready is not None and postgres.after_ready is not None
    monkeypatch.setattr(postgres_cluster.os, "geteuid", lambda: 1000)
    assert cluster.run_as is None  # not root: the server runs as the supervisor's own user


@pytest.mark.parametrize("name", PROD_SECRETS)
def test_production_secrets_are_fresh_unless_given_and_on_no_command_line(
    cluster: postgres_cluster.Cluster, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    procs, first = run.production_plan(8300, 2, 2, cluster)
    _, second = run.production_plan(8300, 2, 2, cluster)
    assert first[name] != second[name] and len(first[name]) >= 24
    for proc in procs:
        assert not any(first[name] in arg for arg in proc.cmd), proc.cmd
        assert proc.stdin is None or proc.name == "redis"  # Redis reads its password from stdin
    monkeypatch.setenv(name, "given-secret")
    assert run.production_plan(8300, 2, 2, cluster)[1][name] == "given-secret"
    monkeypatch.setenv(name, "with'quote")
    with pytest.raises(SystemExit, match=f"{name} must be printable without spaces, quotes or backslashes"):
        run.production_plan(8300, 2, 2, cluster)


@pytest.mark.parametrize(("replicas", "action_servers"), [(0, 2), (9, 2), (2, 0), (2, 9)])
def test_production_counts_out_of_range_are_refused(
    cluster: postgres_cluster.Cluster, replicas: int, action_servers: int
) -> None:
    with pytest.raises(SystemExit, match="must be between 1 and 8"):
        run.production_plan(8300, replicas, action_servers, cluster)


def test_production_port_plan_has_no_clash_and_refuses_one(monkeypatch: pytest.MonkeyPatch) -> None:
    ports = run.port_plan(8300, replicas=3)
    assert ports["rasa"] == ports["rasa-1"] == 18300 and ports["rasa-3"] == 18302 and ports["postgres"] == 38301
    distinct = {value for name, value in ports.items() if name != "rasa"}
    assert len(distinct) == len(ports) - 1
    assert set(run.port_plan(8300)) == {"api", "rasa", "actions", "redis"}  # the default profile as before
    monkeypatch.setenv("BK_DB_PORT", "38300")
    with pytest.raises(SystemExit, match="port 38300 is planned twice"):
        run.port_plan(8300, replicas=2)
    monkeypatch.delenv("BK_DB_PORT")
    with pytest.raises(SystemExit, match="PORT must be between 1024 and 35534"):
        run.port_plan(35535, replicas=2)
    assert run.port_plan(35535)["redis"] == 65535  # the default profile keeps its range


def test_provisioning_sql_is_idempotent_and_quotes_the_password() -> None:
    sql = postgres_cluster.provision_sql("bk", "bk", "it's")
    assert "WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bk')\\gexec" in sql
    assert "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'bk')\\gexec" in sql
    assert "PASSWORD 'it''s';" in sql
    with pytest.raises(SystemExit, match="PostgreSQL names"):
        postgres_cluster.provision_sql("bk; DROP DATABASE x", "bk", "secret")


def test_help_documents_the_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run.main(["--help"])
    text = capsys.readouterr().out
    for word in ("BK_PROFILE", "production", "BK_RASA_REPLICAS", "BK_ACTION_SERVERS", "processes.json"):
        assert word in text


def test_unknown_profile_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BK_PROFILE", "staging")
    with pytest.raises(SystemExit):
        run.main([])
    assert "BK_PROFILE must be one of default, production (got 'staging')" in capsys.readouterr().err


def test_a_cluster_in_use_is_named_by_its_server_s_pid(tmp_path: Path) -> None:
    where = postgres_cluster.Cluster(tmp_path, "postgres")
    assert postgres_cluster.holder(where) is None  # no cluster, no lock file
    where.data.mkdir()
    server = subprocess.Popen(["postgres", "60"], executable="/bin/sleep")  # a living "postgres"
    try:
        while not Path(f"/proc/{server.pid}/cmdline").read_bytes().startswith(b"postgres"):
            time.sleep(0.01)  # until the child has exec'd
        (where.data / "postmaster.pid").write_text(f"{server.pid}\n{where.data}\n")
        assert postgres_cluster.holder(where) == server.pid
    finally:
        server.kill()
        server.wait()
    assert postgres_cluster.holder(where) is None  # a stale lock file: PostgreSQL takes it over itself
    (where.data / "postmaster.pid").write_text(f"{os.getpid()}\n")  # a living process that is no server
    assert postgres_cluster.holder(where) is None
