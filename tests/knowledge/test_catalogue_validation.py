"""Catalogue validation: every problem is reported with file, service id and field; the CLI exits non-zero.

The fixture amounts apply from 2024-07-01: validated "today" they are stale (a warning), so the tests that expect
no problem at all pass a date within 18 months of it."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bk_knowledge_testkit import SMALL_CATALOGUE, SMALL_CONTRACT, run_cli

from knowledge.catalogue import Problem, validate_catalogue

FRESH = dt.date(2025, 1, 1)  # a day on which the fixture amounts are less than 18 months old


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(SMALL_CATALOGUE, target)
    return target


def _edit(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _only(problems: list[Problem]) -> Problem:
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, [str(p) for p in errors]
    return errors[0]


def test_fixture_catalogue_is_valid() -> None:
    assert validate_catalogue(SMALL_CATALOGUE, SMALL_CONTRACT, today=FRESH) == []


def test_duplicate_id(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    (catalogue / "extra").mkdir()
    shutil.copy(catalogue / "sehen" / "blindengeld.yaml", catalogue / "extra" / "blindengeld.yaml")
    problem = _only(validate_catalogue(catalogue))
    assert problem.service_id == "blindengeld"
    assert problem.field == "id"
    assert "duplicate" in problem.message
    assert "blindengeld.yaml" in problem.file


def test_unknown_lebenslage(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / "kultur" / "lvr-museen.yaml", lambda d: d.update(lebenslagen=["kultur-freizeit", "raumfahrt"]))
    problem = _only(validate_catalogue(catalogue))
    assert (problem.service_id, problem.field) == ("lvr-museen", "lebenslagen")
    assert "raumfahrt" in problem.message
    assert problem.file.endswith("lvr-museen.yaml")


def test_missing_field(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / "schule" / "schulbegleitung.yaml", lambda d: d.pop("full_text"))
    problem = _only(validate_catalogue(catalogue))
    assert (problem.service_id, problem.field) == ("schulbegleitung", "full_text")
    assert problem.file.endswith("schulbegleitung.yaml")


def test_over_long_teaser(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / "kultur" / "lvr-museen.yaml", lambda d: d.update(teaser="Sehr lang. " * 40))
    problem = _only(validate_catalogue(catalogue))
    assert (problem.service_id, problem.field) == ("lvr-museen", "teaser")
    assert "300" in problem.message


def test_every_problem_is_reported(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / "kultur" / "lvr-museen.yaml", lambda d: d.update(lebenslagen=["raumfahrt"]))
    _edit(catalogue / "schule" / "schulbegleitung.yaml", lambda d: d.pop("full_text"))
    found = {(p.service_id, p.field) for p in validate_catalogue(catalogue) if p.severity == "error"}
    assert found == {("lvr-museen", "lebenslagen"), ("schulbegleitung", "full_text")}


def test_contract_id_missing(tmp_path: Path) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text(SMALL_CONTRACT.read_text(encoding="utf-8") + "  - {id: blindenhilfe, provider: LVR}\n")
    problem = _only(validate_catalogue(SMALL_CATALOGUE, contract))
    assert problem.service_id == "blindenhilfe"


def test_cli_validate_ok() -> None:
    args = ["--catalogue", str(SMALL_CATALOGUE), "validate", "--contract", str(SMALL_CONTRACT)]
    code, out, err = run_cli([*args, "--today", FRESH.isoformat()])
    assert code == 0, err
    assert out == ""
    assert "ok: 5 service file(s), 0 warning(s)" in err


def test_cli_validate_prints_warnings_but_passes() -> None:
    args = ["--catalogue", str(SMALL_CATALOGUE), "validate", "--contract", str(SMALL_CONTRACT), "--today", "2026-12-04"]
    code, out, err = run_cli(args)
    assert code == 0, err
    assert "warning: " in out and "[blindengeld] claims.0" in out and "more than 18 months" in out
    assert "ok: 5 service file(s), 2 warning(s)" in err


def test_cli_validate_reports_file_id_and_field(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / "sehen" / "gehoerlosengeld.yaml", lambda d: d.update(teaser="x" * 301))
    _edit(catalogue / "kultur" / "lvr-museen.yaml", lambda d: d.update(lebenslagen=["raumfahrt"]))
    code, out, err = run_cli(["--catalogue", str(catalogue), "validate", "--contract", str(SMALL_CONTRACT)])
    assert code == 1
    lines = out.splitlines()
    assert any("gehoerlosengeld.yaml [gehoerlosengeld] teaser:" in line for line in lines), out
    assert any("lvr-museen.yaml [lvr-museen] lebenslagen:" in line for line in lines), out
    assert "problem(s)" in err


@pytest.mark.parametrize("env_contract", [True, False])
def test_cli_validate_contract_from_option_or_environment(tmp_path: Path, env_contract: bool) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text(SMALL_CONTRACT.read_text(encoding="utf-8") + "  - {id: blindenhilfe, provider: LVR}\n")
    args = ["--catalogue", str(SMALL_CATALOGUE), "validate"]
    env = {"BK_CONTRACT_FILE": str(contract)} if env_contract else {}
    if not env_contract:
        args += ["--contract", str(contract)]
    code, out, _ = run_cli(args, **env)
    assert code == 1
    assert "[blindenhilfe]" in out


def test_cli_validate_missing_contract_file(tmp_path: Path) -> None:
    code, _, err = run_cli(["--catalogue", str(SMALL_CATALOGUE), "validate", "--contract", str(tmp_path / "no.yaml")])
    assert code == 2
    assert "not found" in err


def test_a_service_without_english_title_or_teaser_is_an_error(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / "sehen" / "blindengeld.yaml", lambda d: d["translations"]["en"].pop("teaser"))
    problem = _only(validate_catalogue(catalogue, today=FRESH))
    assert (problem.service_id, problem.field) == ("blindengeld", "translations.en")
    assert "translations.en.teaser" in problem.message


def test_a_chat_section_in_german_only_is_a_warning(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / "sehen" / "blindengeld.yaml", lambda d: d["translations"]["en"].pop("prerequisites"))
    problems = validate_catalogue(catalogue, today=FRESH)
    assert not [p for p in problems if p.severity == "error"]
    fallbacks = [p for p in problems if p.severity == "warning" and (p.field or "").startswith("translations.en.")]
    assert any(p.service_id == "blindengeld" and p.field == "translations.en.prerequisites" for p in fallbacks)
