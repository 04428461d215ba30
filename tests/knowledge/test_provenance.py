"""Provenance rules of validate: primary sources only, paragraph links or a marker, dated amounts, honest verified.

Each test breaks one rule in a copy of the fixture catalogue and expects exactly that problem.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from bk_knowledge_testkit import SMALL_CATALOGUE

from knowledge.catalogue import Problem, load_catalogue, validate_catalogue
from knowledge.errors import CatalogueError
from knowledge.provenance import is_bare_home_page, is_paragraph_link, months_later

FRESH = dt.date(2025, 1, 1)  # the fixture amounts (valid from 2024-07-01) are not stale yet
BLINDENGELD = Path("sehen") / "blindengeld.yaml"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(SMALL_CATALOGUE, target)
    return target


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _errors(catalogue: Path, today: dt.date = FRESH) -> list[Problem]:
    return [p for p in validate_catalogue(catalogue, today=today) if p.severity == "error"]


def _only_error(catalogue: Path) -> Problem:
    errors = _errors(catalogue)
    assert len(errors) == 1, [str(p) for p in errors]
    return errors[0]


@pytest.mark.parametrize(
    "source",
    [
        {
            "id": "intern",
            "kind": "publication",
            "title": "Fakten (zusammengefasst in shared/research/lvr-facts.md)",
            "url": None,
            "url_note": "intern",
        },
        {
            "id": "intern",
            "kind": "publication",
            "title": "Recherche",
            "url": "https://example.org/shared/research/x",
            "url_note": None,
        },
        {"id": "intern", "kind": "publication", "title": "Recherche", "url": None, "url_note": "siehe lvr-facts.md"},
    ],
    ids=["title", "url", "url_note"],
)
def test_the_internal_research_file_is_never_a_source(tmp_path: Path, source: dict[str, Any]) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / BLINDENGELD, lambda d: d["sources"].append(source))
    problem = _only_error(catalogue)
    assert (problem.service_id, problem.field) == ("blindengeld", "sources.1")
    assert "internal research notes" in problem.message


@pytest.mark.parametrize("url", ["https://www.lvr.de", "https://www.lvr.de/", "https://recht.nrw.de"])
def test_a_bare_home_page_is_no_source(tmp_path: Path, url: str) -> None:
    catalogue = _copy(tmp_path)
    _edit(
        catalogue / BLINDENGELD,
        lambda d: d["sources"].append({"id": "lvr", "kind": "publication", "title": "LVR", "url": url}),
    )
    problem = _only_error(catalogue)
    assert problem.field == "sources.1" and "bare home page" in problem.message


def test_a_source_without_url_must_say_why(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / BLINDENGELD, lambda d: d["sources"][0].update(url_note=None))
    problem = _only_error(catalogue)
    assert problem.field == "sources.0" and "url_note" in problem.message


def test_an_entry_needs_a_primary_source(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)

    def strip(data: dict[str, Any]) -> None:
        data["sources"] = []
        data["claims"] = [c for c in data["claims"] if c["source"] != "testquelle"]

    _edit(catalogue / "kultur" / "lvr-museen.yaml", strip)
    problem = _only_error(catalogue)
    assert (problem.service_id, problem.field) == ("lvr-museen", "sources")
    assert "no primary source" in problem.message


def test_a_linked_legal_basis_is_a_primary_source(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)

    def law_only(data: dict[str, Any]) -> None:
        data["sources"] = []
        data["legal_bases"] = [
            {"citation": "§ 168 SGB IX", "url": "https://www.gesetze-im-internet.de/sgb_9_2018/__168.html"}
        ]
        data["claims"] = [{**data["claims"][0], "source": "§ 168 SGB IX"}]

    _edit(catalogue / "arbeit" / "kuendigungsschutz-zustimmung.yaml", law_only)
    assert _errors(catalogue) == []


@pytest.mark.parametrize(
    ("basis", "message"),
    [
        ({"citation": "§ 61 SGB IX", "url": "https://www.gesetze-im-internet.de/sgb_9_2018/"}, "not a paragraph"),
        ({"citation": "§ 61 SGB IX", "url": "https://recht.nrw.de"}, "bare home page"),
        ({"citation": "§ 61 SGB IX"}, "url_note"),
    ],
    ids=["whole-code", "portal-root", "no-link-no-marker"],
)
def test_a_legal_basis_links_its_paragraph_or_says_why_not(tmp_path: Path, basis: dict[str, Any], message: str) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / BLINDENGELD, lambda d: d["legal_bases"].append(basis))
    problem = _only_error(catalogue)
    assert problem.field == "legal_bases.1" and message in problem.message


def test_a_claim_source_must_exist(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / BLINDENGELD, lambda d: d["claims"][0].update(source="§ 99 GHBG"))
    problem = _only_error(catalogue)
    assert problem.field == "claims.0" and "'§ 99 GHBG'" in problem.message


def test_an_amount_needs_a_date_or_a_note(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    _edit(catalogue / BLINDENGELD, lambda d: d["claims"][0].pop("valid_from"))
    problem = _only_error(catalogue)
    assert problem.field == "claims.0" and "valid_from" in problem.message


def test_old_or_undated_amounts_are_warnings(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    assert validate_catalogue(catalogue, today=FRESH) == []
    stale = validate_catalogue(catalogue, today=dt.date(2026, 1, 2))
    assert {(p.service_id, p.severity) for p in stale} == {("blindengeld", "warning"), ("gehoerlosengeld", "warning")}
    assert all("more than 18 months" in p.message for p in stale)
    assert validate_catalogue(catalogue, today=dt.date(2026, 1, 1)) == [], "exactly 18 months is not stale yet"
    _edit(catalogue / BLINDENGELD, lambda d: d["claims"][0].update(valid_from=None, note="Datum unbekannt"))
    undated = [p for p in validate_catalogue(catalogue, today=FRESH) if p.service_id == "blindengeld"]
    assert [(p.field, p.severity) for p in undated] == [("claims.0", "warning")]
    assert "unknown" in undated[0].message
    load_catalogue(catalogue)  # warnings never stop the catalogue from loading


def test_verified_needs_every_claim_confirmed(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    confirmation = {"by": "Test", "source": "testquelle", "date": dt.date(2025, 1, 1)}
    _edit(catalogue / "kultur" / "lvr-museen.yaml", lambda d: d.update(verified=True))
    problem = _only_error(catalogue)
    assert (problem.field, problem.service_id) == ("verified", "lvr-museen")
    assert "eintritt-unter-18" in problem.message
    with pytest.raises(CatalogueError):
        load_catalogue(catalogue)
    _edit(catalogue / "kultur" / "lvr-museen.yaml", lambda d: d["claims"][0].update(confirmations=[confirmation]))
    assert _errors(catalogue) == []


def test_a_confirmation_names_a_source_of_the_entry_and_no_future_date(tmp_path: Path) -> None:
    catalogue = _copy(tmp_path)
    bad = [
        {"by": "Test", "source": "Bauchgefühl", "date": dt.date(2025, 1, 1)},
        {"by": "Test", "source": "testquelle", "date": dt.date(2030, 1, 1)},
    ]
    _edit(catalogue / "kultur" / "lvr-museen.yaml", lambda d: d["claims"][0].update(confirmations=bad))
    messages = sorted(p.message for p in _errors(catalogue))
    assert len(messages) == 2
    assert "future" in messages[0] and "'Bauchgefühl'" in messages[1]


@pytest.mark.parametrize(
    ("url", "bare", "paragraph"),
    [
        ("https://www.lvr.de", True, False),
        ("https://www.lvr.de/?q=1", False, True),
        ("https://www.gesetze-im-internet.de/sgb_9_2018/__61a.html", False, True),
        ("https://www.gesetze-im-internet.de/sgb_9_2018/", False, False),
        ("https://www.gesetze-im-internet.de/sgb_9_2018/index.html", False, False),
        ("https://www.lvr.de/de/nav_main/soziales_1/seite.html", False, True),
        ("ftp://example.org/x", False, False),
    ],
)
def test_link_kinds(url: str, bare: bool, paragraph: bool) -> None:
    assert is_bare_home_page(url) is bare
    assert is_paragraph_link(url) is paragraph


def test_months_later_clamps_the_day() -> None:
    assert months_later(dt.date(2024, 7, 1), 18) == dt.date(2026, 1, 1)
    assert months_later(dt.date(2024, 8, 31), -18) == dt.date(2023, 2, 28)
    assert months_later(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
