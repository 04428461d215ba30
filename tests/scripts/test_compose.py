"""docker-compose.yml read by a tool: valid against the Compose Specification's own JSON schema (vendored from
compose-spec/compose-spec, schema/compose-spec.json, Apache-2.0, licence beside it), and only the proxy published.

No Docker engine runs on the development machines, so this is what keeps the file honest between real deployments.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "compose-spec" / "compose-spec.json"


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
    for name in ("postgres", "redis", "actions", "rasa", "api"):
        assert services[name].get("healthcheck"), f"{name} has no health check"
