"""docker-compose.yml read by a tool: valid against the Compose Specification's own JSON schema (vendored from
compose-spec/compose-spec, schema/compose-spec.json, Apache-2.0, licence beside it), and only the proxy published.

No Docker engine runs on the development machines, so this is what keeps the file honest between real deployments.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "compose-spec" / "compose-spec.json"
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)  # the schema declares draft 07


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))


def test_docker_compose_is_valid_against_the_compose_specification(
    validator: jsonschema.Draft7Validator, compose: dict[str, Any]
) -> None:
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_validator_does_find_errors(validator: jsonschema.Draft7Validator, compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    first = next(iter(broken["services"].values()))
    first["restart"] = ["always"]  # a list where the specification wants a string
    first["no_such_key"] = True
    assert len(list(validator.iter_errors(broken))) >= 2


def test_only_the_proxy_publishes_ports_and_every_backend_has_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}, published
    for name in ("postgres", "redis", "actions", "rasa-1", "rasa-2", "api"):
        assert services[name].get("healthcheck"), f"{name} has no health check"


# --- the same layout as the production profile (scripts/run.py, BK_PROFILE=production) ------------------------------
@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], dict[str, str]]:
    """The production profile's plan with its default counts."""
    import postgres_cluster
    import run

    cluster = postgres_cluster.Cluster(tmp_path_factory.mktemp("pg"), "postgres")
    return run.production_plan(8000, run.DEFAULT_REPLICAS, run.DEFAULT_ACTION_SERVERS, cluster)


def _rasa_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if re.fullmatch(r"rasa-\d+", name)}


def _flags(words: list[str]) -> dict[str, str | None]:
    """`rasa run` options: {"--model": "…", "--enable-api": None, …}."""
    flags: dict[str, str | None] = {}
    for i, word in enumerate(words):
        if word.startswith("--"):
            following = words[i + 1] if i + 1 < len(words) else None
            flags[word] = None if following is None or following.startswith("--") else following
    return flags


def _run_rasa_flags() -> dict[str, str | None]:
    """The options scripts/run_rasa.sh gives `rasa run` (its exec line, continuation lines joined)."""
    script = (ROOT / "scripts" / "run_rasa.sh").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in script.splitlines() if line.lstrip().startswith('exec "$VENV/bin/python"'))
    return _flags(shlex.split(line))


def test_compose_starts_as_many_rasa_replicas_and_action_servers_as_the_profile(
    compose: dict[str, Any], profile: tuple[list[Any], dict[str, str]]
) -> None:
    procs, _ = profile
    replicas = [p for p in procs if p.name.startswith("rasa-")]
    action_servers = [p for p in procs if p.name.startswith("actions-")]
    assert len(_rasa_services(compose)) == len(replicas) >= 2
    assert compose["services"]["actions"]["deploy"]["replicas"] == len(action_servers) >= 2
    assert {p.name for p in procs} - {p.name for p in replicas + action_servers} == {"postgres", "redis", "api"}
    assert {"postgres", "redis", "actions", "api"} <= set(compose["services"])


def test_every_rasa_replica_runs_like_the_profile_s(
    compose: dict[str, Any], profile: tuple[list[Any], dict[str, str]]
) -> None:
    procs, _ = profile
    import run

    ours = _run_rasa_flags()
    for name, service in _rasa_services(compose).items():
        theirs = _flags(shlex.split(service["command"]))
        # the same options; only where it listens and logs differs (a container listens on all its interfaces)
        assert set(theirs) == set(ours) - {"--log-file"}, name
        assert theirs["--credentials"] == ours["--credentials"] == "credentials.yml", name
        assert theirs["--model"] == "models/rasa-model.tar.gz" == run.rasa_model().relative_to(run.ROOT).as_posix()
        assert theirs["--endpoints"] == run.PRODUCTION_ENDPOINTS, name
        assert service["entrypoint"][-1].endswith("scripts/rasa_server.py")  # the token inside the process
        assert service["environment"]["SANIC_WORKERS"] == "1"
    replica = next(p for p in procs if p.name == "rasa-1")
    assert replica.env["BK_RASA_ENDPOINTS"] == run.PRODUCTION_ENDPOINTS and replica.env["BK_RASA_WORKERS"] == "1"


def test_the_endpoints_file_gets_every_variable_it_names_in_both(
    compose: dict[str, Any], profile: tuple[list[Any], dict[str, str]]
) -> None:
    procs, env = profile
    import run

    endpoints = yaml.safe_load((ROOT / run.PRODUCTION_ENDPOINTS).read_text(encoding="utf-8"))
    values = [str(v) for section in endpoints.values() for v in section.values()]
    needed = {name for value in values for name in re.findall(r"\$\{(\w+)\}", value)}
    assert {"BK_DB_HOST", "BK_REDIS_HOST", "BK_ACTIONS_HOST", "BK_DB_PASSWORD"} <= needed
    replica = next(p for p in procs if p.name == "rasa-1")
    assert needed <= set(env) | set(replica.env), needed - set(env) - set(replica.env)
    for name, service in _rasa_services(compose).items():
        assert needed <= set(service["environment"]), (name, needed - set(service["environment"]))


def test_the_api_spreads_over_every_replica_and_reads_postgres_in_both(
    compose: dict[str, Any], profile: tuple[list[Any], dict[str, str]]
) -> None:
    procs, _ = profile
    api = next(p for p in procs if p.name == "api")
    ours = api.env["BK_RASA_URLS"].split(",")
    theirs = compose["services"]["api"]["environment"]
    assert len(theirs["BK_RASA_URLS"].split(",")) == len(ours)
    assert {url.split("//")[1].split(":")[0] for url in theirs["BK_RASA_URLS"].split(",")} == set(
        _rasa_services(compose)
    )
    for env in (api.env, theirs):
        assert env["BK_TRACKER_URL"].startswith("postgresql://") and env["BK_TRACKER_DB"] == ""
    assert compose["services"]["actions"]["command"][1:3] == ["-m", "actions"]
    action_server = next(p for p in procs if p.name == "actions-1")
    assert action_server.cmd[1:3] == ["-m", "actions"]
