"""knowledge.places: the municipality table, find_place and responsibility; the exported spaCy patterns."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from knowledge._placenames import OUTSIDE_NRW, AliasIndex
from knowledge.places import DATA_FILE, LWL_NAME, PlaceMatch, find_place, gemeinden, responsibility
from knowledge.schema import Service
from knowledge.text import fold

ROOT = Path(__file__).resolve().parents[2]
SHARED_TABLE = ROOT.parent / "shared" / "data" / "nrw-gemeinden.csv"
PATTERNS_FILE = ROOT / "bot" / "spacy" / "place_patterns.jsonl"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shared_rows() -> list[dict[str, str]]:
    if not SHARED_TABLE.exists():
        pytest.skip(f"reference table {SHARED_TABLE} not present (only in the development workspace)")
    with SHARED_TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the table -----------------------------------------------------------------------------------------------------


def test_table_has_all_municipalities() -> None:
    table = gemeinden()
    assert len(table) == 396
    assert len({g.ags for g in table}) == 396
    assert len({g.name for g in table}) == 396
    assert sum(g.landschaftsverband == "LVR" for g in table) == 165
    # 13 kreisfreie Städte, 12 Kreise and the StädteRegion Aachen (shared/data/README.md says 25)
    assert len({g.kreis_ags for g in table if g.landschaftsverband == "LVR"}) == 26
    assert len({g.kreis_ags for g in table}) == 53
    for g in table:
        expected = "LVR" if g.regierungsbezirk in {"Düsseldorf", "Köln"} else "LWL"
        assert g.landschaftsverband == expected, g
        assert g.plz and all(len(code) == 5 and code.isdigit() for code in g.plz), g


def test_table_matches_the_reference() -> None:
    reference = {row["ags"]: row for row in _shared_rows()}
    table = {g.ags: g for g in gemeinden()}
    assert table.keys() == reference.keys()
    for ags, g in table.items():
        row = reference[ags]
        assert g.official_name == row["gemeinde"]
        assert fold(row["gemeinde"]).startswith(fold(g.name.split(" (")[0]))
        assert g.kreis_ags == row["kreis_ags"]
        assert fold(row["kreis"].split(",")[0]) in fold(g.kreis)
        assert g.regierungsbezirk == row["regierungsbezirk"]
        assert g.landschaftsverband == row["landschaftsverband"]
        assert set(g.plz) == set(row["plz"].split())
    assert sum(row["landschaftsverband"] == "LVR" for row in reference.values()) == 165


def test_table_is_what_the_script_generates() -> None:
    _shared_rows()  # skips without the reference
    rows = _script("make_gemeinden_table").convert(SHARED_TABLE)
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        assert list(csv.DictReader(handle)) == rows


def test_readable_names() -> None:
    by_ags = {g.ags: g for g in gemeinden()}
    assert (by_ags["05111000"].name, by_ags["05111000"].kreis) == ("Düsseldorf", "Düsseldorf")
    assert by_ags["05111000"].kreis_type == "kreisfreie Stadt"
    assert (by_ags["05334032"].name, by_ags["05334032"].kreis) == ("Stolberg", "StädteRegion Aachen")
    assert by_ags["05334032"].kreis_type == "StädteRegion"
    assert by_ags["05154016"].kreis == "Kreis Kleve"
    assert by_ags["05754012"].name == "Halle (Westf.)"  # not Halle an der Saale


def test_nothing_is_loaded_at_import() -> None:
    code = "import knowledge.places as p; assert p._places.cache_info().currsize == 0"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- find_place ----------------------------------------------------------------------------------------------------

FOUND = [
    # text, kind, name, landschaftsverband
    ("Ich wohne in Troisdorf", "gemeinde", "Troisdorf", "LVR"),
    ("Troisdorf", "gemeinde", "Troisdorf", "LVR"),
    ("wir leben im Rhein-Sieg-Kreis", "kreis", "Rhein-Sieg-Kreis", "LVR"),
    ("wir leben im rhein sieg kreis", "kreis", "Rhein-Sieg-Kreis", "LVR"),
    ("PLZ 53840", "plz", "Troisdorf", "LVR"),
    ("Meine Postleitzahl ist 44137.", "plz", "Dortmund", "LWL"),
    ("in koeln", "gemeinde", "Köln", "LVR"),
    ("in koln", "gemeinde", "Köln", "LVR"),
    ("ICH WOHNE IN KÖLN", "gemeinde", "Köln", "LVR"),
    ("wir wohnen in duesseldorf", "gemeinde", "Düsseldorf", "LVR"),
    ("Mönchengladbach", "gemeinde", "Mönchengladbach", "LVR"),
    ("ich bin aus Gladbach", "gemeinde", "Mönchengladbach", "LVR"),
    ("Ich wohne in Mülheim an der Ruhr", "gemeinde", "Mülheim an der Ruhr", "LVR"),
    ("Ich wohne in Mülheim", "gemeinde", "Mülheim an der Ruhr", "LVR"),
    ("Bergisch Gladbach", "gemeinde", "Bergisch Gladbach", "LVR"),
    ("Bergisch-Gladbach", "gemeinde", "Bergisch Gladbach", "LVR"),
    ("St. Augustin", "gemeinde", "Sankt Augustin", "LVR"),
    ("Haltern", "gemeinde", "Haltern am See", "LWL"),
    ("Langenfeld (Rheinland)", "gemeinde", "Langenfeld", "LVR"),
    ("Schloss Holte-Stukenbrock", "gemeinde", "Schloß Holte-Stukenbrock", "LWL"),
    ("Ich wohne in Halle", "gemeinde", "Halle (Westf.)", "LWL"),
    ("Halle Westfalen", "gemeinde", "Halle (Westf.)", "LWL"),
    ("im Kreis Wesel", "kreis", "Kreis Wesel", "LVR"),
    ("Landkreis Kleve", "kreis", "Kreis Kleve", "LVR"),
    ("Wir wohnen im Oberbergischen Kreis.", "kreis", "Oberbergischer Kreis", "LVR"),
    ("im Märkischen Kreis", "kreis", "Märkischer Kreis", "LWL"),
    ("StädteRegion Aachen", "kreis", "StädteRegion Aachen", "LVR"),
    ("staedteregion aachen", "kreis", "StädteRegion Aachen", "LVR"),
    ("Rhein-Kreis Neuss", "kreis", "Rhein-Kreis Neuss", "LVR"),
    ("Hochsauerlandkreis", "kreis", "Hochsauerlandkreis", "LWL"),
    ("Ich wohne im Kreis Lippe", "kreis", "Kreis Lippe", "LWL"),
    ("Aachen", "gemeinde", "Aachen", "LVR"),
    ("Hamm", "gemeinde", "Hamm", "LWL"),
    # several places: the one after "wohne"/"nach" wins, else the first
    ("Wir sind im Sommer von Bochum nach Wuppertal gezogen.", "gemeinde", "Wuppertal", "LVR"),
    ("Ich komme aus Berlin und wohne jetzt in Köln", "gemeinde", "Köln", "LVR"),
    ("Ich wohne in Köln und arbeite in Bonn", "gemeinde", "Köln", "LVR"),
    ("Köln-Mülheim", "gemeinde", "Köln", "LVR"),
    # a postal code or Kreis next to a municipality inside it gives way to the municipality
    ("53840 Troisdorf", "gemeinde", "Troisdorf", "LVR"),
    ("Troisdorf im Rhein-Sieg-Kreis", "gemeinde", "Troisdorf", "LVR"),
    # guard words: with a preposition, alone, or capitalised mid-sentence (GUARDED_WORDS only)
    ("Ich wohne in Essen", "gemeinde", "Essen", "LVR"),
    ("Essen", "gemeinde", "Essen", "LVR"),
    ("in der Nähe von Essen", "gemeinde", "Essen", "LVR"),
    ("Wir kommen aus Lage", "gemeinde", "Lage", "LWL"),
    ("Wir sind nach Alpen gezogen", "gemeinde", "Alpen", "LVR"),
    ("wir wohnen in alpen", "gemeinde", "Alpen", "LVR"),
    ("Wir wohnen seit Jahren bei Kamen", "gemeinde", "Kamen", "LWL"),
    ("Unsere Familie lebt im schönen Much", "gemeinde", "Much", "LVR"),
    # outside NRW
    ("Ich wohne in Berlin", "outside_nrw", "Berlin", None),
    ("Wir leben in Bayern", "outside_nrw", "Bayern", None),
    ("in Rheinland-Pfalz", "outside_nrw", "Rheinland-Pfalz", None),
    ("Ich wohne in Frankfurt", "outside_nrw", "Frankfurt am Main", None),
    ("Halle an der Saale", "outside_nrw", "Halle (Saale)", None),
    ("Koblenz", "outside_nrw", "Koblenz", None),
    ("PLZ 80331", "outside_nrw", "80331", None),
    ("80331", "outside_nrw", "80331", None),
]


@pytest.mark.parametrize(("text", "kind", "name", "verband"), FOUND)
def test_find_place(text: str, kind: str, name: str, verband: str | None) -> None:
    match = find_place(text)
    assert match is not None
    assert (match.kind, match.name, match.landschaftsverband) == (kind, name, verband)


NOT_A_PLACE = [
    "",
    "Hallo, ich habe eine Frage zum Blindengeld.",
    "Ich brauche Hilfe beim Essen",
    "Hilfe bei Essen und Trinken",
    "Wer zahlt die Lieferung von Essen auf Rädern?",
    "Ich bin nicht in der Lage, allein einzukaufen.",
    "Wir kamen gestern an",
    "Wie wird das Wetter morgen?",
    "Wir fahren in die Alpen.",
    "thank you very much",
    "Die Datteln schmecken gut.",
    "Wir sitzen in der Halle.",
    "Wo kann ich den Antrag senden?",
    "Ich verdiene 30000 Euro im Jahr.",
    "Der Bescheid hat die Nummer 12345.",
    "Meine Telefonnummer ist 02241 12345",
    "Ich bin 45 Jahre alt und habe einen GdB von 50.",
    "Ich wohne im Rheinland",  # a region, not a municipality or Kreis
]


@pytest.mark.parametrize("text", NOT_A_PLACE)
def test_no_place(text: str) -> None:
    assert find_place(text) is None


def test_every_name_resolves_to_itself() -> None:
    """The actions store PlaceMatch.name in a slot and resolve it again with find_place."""
    for g in gemeinden():
        match = find_place(g.name)
        assert match is not None and (match.kind, match.ags) == ("gemeinde", g.ags), g.name
    for kreis_ags, kreis in {(g.kreis_ags, g.kreis) for g in gemeinden() if g.kreis_type != "kreisfreie Stadt"}:
        match = find_place(kreis)
        assert match is not None and (match.kind, match.ags) == ("kreis", kreis_ags), kreis
    for name in OUTSIDE_NRW:
        match = find_place(name)
        assert match is not None and (match.kind, match.name) == ("outside_nrw", name)
    for text in ("51467", "80331"):
        match = find_place(text)
        assert match is not None and find_place(match.name) == match


def test_match_details() -> None:
    troisdorf = find_place("Ich wohne in Troisdorf")
    assert troisdorf == PlaceMatch(
        "gemeinde", "Troisdorf", ("Troisdorf",), "Rhein-Sieg-Kreis", "05382", "LVR", ags="05382068"
    )
    kreis = find_place("im Kreis Kleve")
    assert kreis is not None and kreis.kreis_ags == kreis.ags == "05154" and "Goch" in kreis.municipalities
    assert len(kreis.municipalities) == 16


def test_postal_code_of_several_municipalities() -> None:
    match = find_place("PLZ 51467")
    assert match is not None
    assert (match.kind, match.name, match.plz) == ("plz", "51467", "51467")
    assert set(match.municipalities) == {"Köln", "Bergisch Gladbach"}
    assert match.kreis is None and match.kreis_ags is None and match.ags is None
    assert match.landschaftsverband == "LVR"  # both in the Rheinland


def test_conflicting_aliases_are_refused() -> None:
    with pytest.raises(ValueError, match="names both"):
        AliasIndex([("Neustadt", ("gemeinde", "1")), ("Neustadt", ("gemeinde", "2"))])


# --- responsibility ------------------------------------------------------------------------------------------------


def service(**responsible: Any) -> Service:
    """A minimal valid service with the given `responsible` block."""
    return Service.model_validate(
        {
            "id": "test-service",
            "title": "Testleistung",
            "teaser": "Kurz.",
            "full_text": "Lang.",
            "leichte_sprache": "Leicht.",
            "responsible": responsible,
            "online_service": {"available": False},
            "lebenslagen": ["arbeit-beruf"],
            "target_groups": ["beschaeftigte"],
            "sources": [{"id": "test", "kind": "publication", "title": "Test", "url_note": "Testdaten"}],
            "stand": "2024-01-01",
            "verified": False,
        }
    )


INKLUSIONSAMT = service(
    provider="LVR",
    kind="landschaftsverband",
    unit="LVR-Inklusionsamt",
    lwl_unit="LWL-Inklusionsamt Arbeit",
    contact={"name": "LVR-Inklusionsamt", "phone": "0221 809-0", "url": "https://www.lvr.de"},
)
NO_LWL_UNIT = service(provider="LVR", kind="landschaftsverband", unit="LVR-Fallmanagement")
AUSWEIS = service(provider="Kreis/kreisfreie Stadt", kind="kreis")
SOZIALAMT = service(provider="Kreis/kreisfreie Stadt", kind="kreis", unit="Sozialamt")
MUSEUM = service(provider="LVR", kind="fixed", unit="LVR-LandesMuseum Bonn")
PFLEGEGRAD = service(provider="Pflegekasse", kind="fixed")


def place(text: str) -> PlaceMatch:
    match = find_place(text)
    assert match is not None, text
    return match


def test_westfalen_gets_the_lwl_unit() -> None:
    answer = responsibility(INKLUSIONSAMT, place("Ich wohne in Dortmund"))
    assert (answer.authority, answer.office, answer.needs_place) == ("LWL", "LWL-Inklusionsamt Arbeit", False)
    assert answer.contact is not None
    assert (answer.contact.name, answer.contact.url, answer.contact.phone) == (
        "LWL-Inklusionsamt Arbeit",
        "https://www.lwl.org",
        None,
    )
    assert answer.text == (
        "Sie wohnen in Dortmund (Westfalen-Lippe). "
        "Dafür ist dort nicht der LVR, sondern der LWL zuständig: LWL-Inklusionsamt Arbeit."
    )


def test_westfalen_without_lwl_unit() -> None:
    answer = responsibility(NO_LWL_UNIT, place("Münster"))
    assert (answer.authority, answer.office) == ("LWL", LWL_NAME)
    assert "nicht der LVR" in answer.text


def test_rheinland_gets_the_lvr_contact() -> None:
    answer = responsibility(INKLUSIONSAMT, place("PLZ 53840"))
    assert (answer.authority, answer.office, answer.needs_place) == ("LVR", "LVR-Inklusionsamt", False)
    assert answer.contact == INKLUSIONSAMT.responsible.contact
    assert answer.text.startswith("Sie wohnen in 53840 Troisdorf (Rheinland).")
    assert answer.text.endswith("Dafür ist der LVR zuständig: LVR-Inklusionsamt.")


@pytest.mark.parametrize(
    ("text", "office", "said"),
    [
        ("Ich wohne in Goch", "Kreis Kleve", "Sie wohnen in Goch. Dafür ist Ihr Kreis zuständig: Kreis Kleve."),
        ("in koeln", "Stadt Köln", "Sie wohnen in Köln. Dafür ist Ihre Stadt zuständig: Stadt Köln."),
        ("Stolberg", "StädteRegion Aachen", "Dafür ist die StädteRegion zuständig: StädteRegion Aachen."),
        ("im Märkischen Kreis", "Märkischer Kreis", "Sie wohnen im Märkischen Kreis."),
        ("Troisdorf", "Rhein-Sieg-Kreis", "Ihr Kreis zuständig: Rhein-Sieg-Kreis."),
    ],
)
def test_kreis_service_names_the_kreis(text: str, office: str, said: str) -> None:
    answer = responsibility(AUSWEIS, place(text))
    assert (answer.authority, answer.office, answer.needs_place) == ("Kreis/kreisfreie Stadt", office, False)
    assert answer.contact is not None and answer.contact.model_dump(exclude_none=True) == {"name": office}
    assert said in answer.text


def test_kreis_service_with_unit_hint() -> None:
    answer = responsibility(SOZIALAMT, place("Kleve"))
    assert answer.office == "Kreis Kleve (Sozialamt)"


@pytest.mark.parametrize("svc", [INKLUSIONSAMT, AUSWEIS, None])
@pytest.mark.parametrize("text", ["Ich wohne in Berlin", "PLZ 80331", "in Bayern"])
def test_outside_nrw(svc: Service | None, text: str) -> None:
    answer = responsibility(svc, place(text))
    assert (answer.authority, answer.office, answer.contact, answer.needs_place) == ("other", None, None, False)
    assert "nicht in Nordrhein-Westfalen" in answer.text and "LVR für Sie nicht zuständig" in answer.text
    assert "Bundesland" in answer.text


def test_fixed_ignores_the_place() -> None:
    for where in (place("Dortmund"), place("Berlin"), None):
        museum = responsibility(MUSEUM, where)
        assert (museum.authority, museum.office, museum.needs_place) == ("LVR", "LVR-LandesMuseum Bonn", False)
        pflege = responsibility(PFLEGEGRAD, where)
        assert (pflege.authority, pflege.office, pflege.needs_place) == ("other", "Pflegekasse", False)
        assert "nicht der LVR" in pflege.text


def test_missing_place() -> None:
    verband = responsibility(INKLUSIONSAMT, None)
    assert (verband.authority, verband.office, verband.needs_place) == (None, None, True)
    assert "Wo wohnen Sie?" in verband.text
    kreis = responsibility(AUSWEIS, None)
    assert (kreis.authority, kreis.office, kreis.needs_place) == ("Kreis/kreisfreie Stadt", None, True)
    assert responsibility(None, None).needs_place


def test_postal_code_across_kreise_needs_the_municipality() -> None:
    answer = responsibility(AUSWEIS, place("51467"))
    assert (answer.authority, answer.office, answer.needs_place) == ("Kreis/kreisfreie Stadt", None, True)
    assert "Köln" in answer.text and "Bergisch Gladbach" in answer.text
    verband = responsibility(INKLUSIONSAMT, place("51467"))  # both municipalities are in the Rheinland
    assert (verband.authority, verband.needs_place) == ("LVR", False)


def test_ambiguous_landschaftsverband_needs_the_municipality() -> None:
    mixed = PlaceMatch("plz", "99999", ("Dortmund", "Essen"), plz="99999")
    answer = responsibility(INKLUSIONSAMT, mixed)
    assert (answer.authority, answer.needs_place) == (None, True)
    assert "Dortmund und Essen" in answer.text


def test_bare_place() -> None:
    lvr = responsibility(None, place("Troisdorf"))
    assert (lvr.authority, lvr.needs_place) == ("LVR", False)
    assert lvr.contact is not None and lvr.contact.url == "https://www.lvr.de"
    assert lvr.text == "Sie wohnen in Troisdorf (Rheinland). Zuständig ist der LVR (Landschaftsverband Rheinland)."
    lwl = responsibility(None, place("Kreis Borken"))
    assert (lwl.authority, lwl.office) == ("LWL", LWL_NAME)
    assert lwl.text.startswith("Sie wohnen im Kreis Borken (Westfalen-Lippe).")


# --- spaCy patterns ------------------------------------------------------------------------------------------------


def test_patterns_file_is_up_to_date() -> None:
    spacy = pytest.importorskip("spacy")
    patterns = _script("export_place_patterns").place_patterns(spacy.blank("de").tokenizer)
    with PATTERNS_FILE.open(encoding="utf-8") as handle:
        assert [json.loads(line) for line in handle] == patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich wohne in Troisdorf", [("Troisdorf", "place")]),
        ("wir leben im Rhein-Sieg-Kreis", [("Rhein-Sieg-Kreis", "place")]),
        ("in koeln", [("koeln", "place")]),
        ("Bergisch Gladbach", [("Bergisch Gladbach", "place")]),
        ("Ich wohne in Essen", [("in Essen", "place")]),
        ("Hilfe beim Essen", []),
        ("Kamen die Briefe an?", []),
        ("PLZ 53840", [("53840", "plz")]),
        ("Meine PLZ ist 53840.", [("53840.", "plz")]),
        ("Ich bin 45 Jahre alt", []),
    ],
)
def test_patterns_in_spacy(text: str, expected: list[tuple[str, str]]) -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("de")
    nlp.add_pipe("entity_ruler").from_disk(PATTERNS_FILE)
    assert [(e.text, e.label_) for e in nlp(text).ents] == expected
