"""The editor's path to "verified": `python -m knowledge review` on copies of the fixture files.

Nothing here touches the real catalogue; every confirmation is given by the test in the editor's place.
"""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import pytest
import yaml
from bk_knowledge_testkit import SMALL_CATALOGUE, run_cli

from knowledge.catalogue import load_catalogue, validate_catalogue
from knowledge.review import ReviewError, load_service, record, replace_block, service_file
from knowledge.schema import Confirmation

DAY = dt.date(2025, 1, 1)
CLAIMS = ["betrag-18-59", "schwelle-blindheit", "rg-1-ghbg-nrw"]  # of the fixture blindengeld.yaml


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(SMALL_CATALOGUE, target)
    return target


def _confirm(by: str = "Erika Muster", source: str = "§ 1 GHBG NRW") -> list[Confirmation]:
    return [Confirmation(by=by, source=source, date=DAY)]


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_record_appends_confirmations_and_keeps_the_rest_of_the_file(catalogue: Path) -> None:
    path = service_file(catalogue, "blindengeld")
    before = path.read_text(encoding="utf-8")
    updated = record(path, {"betrag-18-59": _confirm()})
    after = path.read_text(encoding="utf-8")
    assert updated.confirmed_claims == 1 and updated.verified is False
    assert _changed_lines(before, after) == [
        "+    confirmations:",
        "+      - by: Erika Muster",
        "+        source: § 1 GHBG NRW",
        "+        date: 2025-01-01",
    ]
    claim = load_service(path).claims[0]
    assert claim.confirmations == _confirm()


def test_verified_only_when_every_claim_is_confirmed(catalogue: Path) -> None:
    path = service_file(catalogue, "blindengeld")
    assert record(path, {CLAIMS[0]: _confirm(), CLAIMS[1]: _confirm()}).verified is False
    assert "verified: false" in path.read_text(encoding="utf-8")
    assert record(path, {CLAIMS[2]: _confirm(by="Max Beispiel")}).verified is True
    assert path.read_text(encoding="utf-8").rstrip().endswith("verified: true")
    service = load_catalogue(catalogue)["blindengeld"]
    assert service.verified and service.confirmed_claims == len(service.claims) == 3
    assert [c.by for c in service.claims[2].confirmations] == ["Max Beispiel"]
    assert not [p for p in validate_catalogue(catalogue, today=DAY) if p.severity == "error"]


def test_a_second_confirmation_is_appended(catalogue: Path) -> None:
    path = service_file(catalogue, "blindengeld")
    record(path, {CLAIMS[0]: _confirm()})
    record(path, {CLAIMS[0]: _confirm(by="Zweite Person")})
    assert [c.by for c in load_service(path).claims[0].confirmations] == ["Erika Muster", "Zweite Person"]


def test_unknown_claim_or_service_is_refused(catalogue: Path) -> None:
    path = service_file(catalogue, "blindengeld")
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ReviewError, match="no claim gibt-es-nicht"):
        record(path, {"gibt-es-nicht": _confirm()})
    assert path.read_text(encoding="utf-8") == before
    with pytest.raises(ReviewError, match="no catalogue file"):
        service_file(catalogue, "gibt-es-nicht")


def test_an_entry_without_claims_block_gets_one_before_stand() -> None:
    text = "id: x\nsources: []\nstand: 2025-01-01\nverified: false\n"
    assert replace_block(text, "claims", "claims: []\n", before="stand") == (
        "id: x\nsources: []\nclaims: []\nstand: 2025-01-01\nverified: false\n"
    )


def test_cli_list_shows_claims_sources_and_state(catalogue: Path) -> None:
    code, out, err = run_cli(["--catalogue", str(catalogue), "review", "blindengeld", "--list"])
    assert code == 0, err
    assert "blindengeld: 0 of 3 claims confirmed, verified: False" in out
    assert "[open] betrag-18-59 (amount, facts-file)" in out
    assert "valid from 2024-07-01; Wird jeweils zum 1. Juli angepasst (Testdaten)." in out
    assert "source: § 1 GHBG NRW" in out


def test_cli_confirm_is_scriptable(catalogue: Path) -> None:
    args = ["--catalogue", str(catalogue), "review", "blindengeld", "--editor", "Erika Muster", "--date", "2025-01-01"]
    code, out, err = run_cli([*args, *(x for c in CLAIMS for x in ("--confirm", c))])
    assert code == 0, err
    assert "recorded 3 confirmation(s)" in out and "verified: true" in out
    service = load_service(service_file(catalogue, "blindengeld"))
    assert service.verified
    assert {(c.confirmations[0].by, c.confirmations[0].date) for c in service.claims} == {("Erika Muster", DAY)}


def test_cli_confirm_needs_an_editor_and_a_known_claim(catalogue: Path) -> None:
    base = ["--catalogue", str(catalogue), "review", "blindengeld"]
    assert run_cli([*base, "--confirm", CLAIMS[0]])[0] == 2
    code, _, err = run_cli([*base, "--editor", "E", "--confirm", "gibt-es-nicht"])
    assert code == 1 and "no claim gibt-es-nicht" in err


def test_cli_interactive_walks_through_the_open_claims(catalogue: Path) -> None:
    # name, date (default), then per claim: yes + source (default), no, yes + source (default); the fixture's
    # legal basis has no link, so the editor is asked what they checked
    answers = "Erika Muster\n\ny\n\nn\ny\n\n"
    code, out, err = run_cli(["--catalogue", str(catalogue), "review", "blindengeld"], stdin=answers)
    assert code == 0, err
    assert out.count("Confirmed against this source?") == 3
    assert "recorded 2 confirmation(s)" in out and "verified: false" in out
    claims = load_service(service_file(catalogue, "blindengeld")).claims
    assert [bool(c.confirmations) for c in claims] == [True, False, True]
    assert claims[0].confirmations[0].date == dt.date.today()


def test_cli_interactive_end_of_input_records_what_was_given(catalogue: Path) -> None:
    code, out, _ = run_cli(["--catalogue", str(catalogue), "review", "blindengeld"], stdin="Erika\n2025-01-01\ny\n\n")
    assert code == 0
    assert "recorded 1 confirmation(s)" in out
    data = yaml.safe_load(service_file(catalogue, "blindengeld").read_text(encoding="utf-8"))
    assert data["claims"][0]["confirmations"] == [{"by": "Erika", "source": "§ 1 GHBG NRW", "date": DAY}]
