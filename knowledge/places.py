"""Where a citizen lives, and who is responsible there (LVR, LWL, the Kreis / kreisfreie Stadt, or someone else).

    find_place(text) -> PlaceMatch | None          a town, Kreis or postal code anywhere in a German sentence
    find_places(text) -> list[PlaceMatch]          every place named, the most likely residence first
    responsibility(service, place) -> Responsibility   who is responsible, with a sentence the bot can say
    gemeinden() -> tuple[Gemeinde, ...]            the 396 NRW municipalities (knowledge/data/gemeinden.csv)

The table is read on first use and cached; nothing happens at import time. Spellings and the guard rule against
common words that are also town names ("Essen", "Lage", "kamen") live in knowledge/_placenames.py.
When a message names several places, the one after "wohne"/"lebe"/"nach" wins, else the first one, and a place in
NRW before one outside; a postal code or Kreis next to a municipality inside it gives way to the municipality
("53840 Troisdorf").
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, cast

from contract.chat import Authority
from knowledge._placenames import (
    OUTSIDE_NRW,
    AliasIndex,
    Hit,
    Token,
    gemeinde_aliases,
    kreis_aliases,
    kreis_dative,
    outside_aliases,
    tokenize,
)
from knowledge.schema import Contact, Responsible, Service

DATA_FILE = Path(__file__).resolve().parent / "data" / "gemeinden.csv"
LVR_NAME = "LVR (Landschaftsverband Rheinland)"
LWL_NAME = "LWL (Landschaftsverband Westfalen-Lippe)"
LVR_URL = "https://www.lvr.de"
LWL_URL = "https://www.lwl.org"
REGION = {"LVR": "Rheinland", "LWL": "Westfalen-Lippe"}
ASK = "Wo wohnen Sie? Nennen Sie mir bitte Ihre Stadt, Ihren Kreis oder Ihre Postleitzahl."
ASK_LAND = (
    "Bitte fragen Sie bei der zuständigen Stelle in Ihrem Bundesland nach, zum Beispiel bei Ihrer Stadt- oder "
    "Kreisverwaltung."
)
_NOT_AMOUNTS = {"euro", "eur", "prozent", "km", "kilometer", "einwohner"}

PlaceKind = Literal["gemeinde", "kreis", "plz", "outside_nrw"]
Landschaftsverband = Literal["LVR", "LWL"]
KreisType = Literal["kreisfreie Stadt", "Kreis", "StädteRegion"]
ResponsibilityBasis = Literal["fixed", "outside", "region", "kreis"]


@dataclass(frozen=True)
class Gemeinde:
    """One row of knowledge/data/gemeinden.csv."""

    ags: str
    name: str  # as people say it: "Düsseldorf"
    official_name: str  # "Düsseldorf, Stadt"
    kreis_ags: str
    kreis: str  # "Rhein-Sieg-Kreis", "Kreis Kleve", "StädteRegion Aachen", "Köln"
    kreis_type: KreisType
    regierungsbezirk: str
    landschaftsverband: Landschaftsverband
    einwohner: int
    plz: tuple[str, ...]


@dataclass(frozen=True)
class PlaceMatch:
    """A place found in a message."""

    kind: PlaceKind
    name: str  # canonical: municipality, Kreis, place outside NRW, or the postal code if it has several places
    municipalities: tuple[str, ...] = ()
    kreis: str | None = None  # None outside NRW or when a postal code spans several Kreise
    kreis_ags: str | None = None
    landschaftsverband: Landschaftsverband | None = None  # None outside NRW or when ambiguous
    ags: str | None = None  # the municipality's AGS (one municipality) or the Kreis key (kind "kreis")
    plz: str | None = None  # the postal code, when the place was given as one


@dataclass(frozen=True)
class Responsibility:
    """Who is responsible for a service at a place."""

    authority: Authority | None  # None: depends on the place, which is missing or ambiguous
    office: str | None  # German name: "LVR-Inklusionsamt", "Kreis Kleve (Sozialamt)", "Stadt Köln"
    contact: Contact | None
    text: str  # one or two sentences the bot can say (German; other languages word it from the fields)
    needs_place: bool  # the answer depends on a place that is missing or ambiguous
    #: Why: one office wherever the citizen lives ("fixed"), the place is outside NRW ("outside"), the
    #: Landschaftsverband of the place ("region"), or the Kreis / kreisfreie Stadt of the place ("kreis").
    basis: ResponsibilityBasis = "region"


class _Places:
    """The loaded table with its look-ups."""

    def __init__(self, rows: list[Gemeinde]) -> None:
        self.by_ags = {g.ags: g for g in rows}
        self.kreise: dict[str, list[Gemeinde]] = defaultdict(list)
        self.by_plz: dict[str, list[Gemeinde]] = defaultdict(list)
        for g in rows:
            self.kreise[g.kreis_ags].append(g)
            for code in g.plz:
                self.by_plz[code].append(g)
        entries = [(alias, ("gemeinde", g.ags)) for g in rows for alias in gemeinde_aliases(g.name, g.official_name)]
        entries += [(alias, ("kreis", k)) for k, gs in self.kreise.items() if gs[0].kreis_type != "kreisfreie Stadt"
                    for alias in kreis_aliases(gs[0].kreis)]  # fmt: skip
        entries += [(alias, ("outside", name)) for name in OUTSIDE_NRW for alias in outside_aliases(name)]
        self.index = AliasIndex(entries)

    def match(self, target: tuple[str, str]) -> PlaceMatch:
        kind, key = target
        if kind == "gemeinde":
            g = self.by_ags[key]
            return PlaceMatch("gemeinde", g.name, (g.name,), g.kreis, g.kreis_ags, g.landschaftsverband, g.ags)
        if kind == "kreis":
            members = self.kreise[key]
            first = members[0]
            names = tuple(g.name for g in members)
            return PlaceMatch("kreis", first.kreis, names, first.kreis, key, first.landschaftsverband, key)
        if kind == "outside":
            return PlaceMatch("outside_nrw", key)
        members = self.by_plz.get(key, [])
        if not members:
            return PlaceMatch("outside_nrw", key, plz=key)
        kreise = {g.kreis_ags for g in members}
        verbaende = {g.landschaftsverband for g in members}
        single = members[0] if len(members) == 1 else None
        return PlaceMatch(
            "plz",
            single.name if single else key,
            tuple(g.name for g in members),
            members[0].kreis if len(kreise) == 1 else None,
            members[0].kreis_ags if len(kreise) == 1 else None,
            members[0].landschaftsverband if len(verbaende) == 1 else None,
            single.ags if single else None,
            key,
        )

    def contains(self, outer: tuple[str, str], ags: str) -> bool:
        """Whether a postal code or Kreis hit includes the municipality `ags`."""
        kind, key = outer
        if kind == "plz":
            return any(g.ags == ags for g in self.by_plz.get(key, ()))
        return kind == "kreis" and self.by_ags[ags].kreis_ags == key


def _read_table(path: Path) -> list[Gemeinde]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Gemeinde(
                ags=row["ags"],
                name=row["name"],
                official_name=row["official_name"],
                kreis_ags=row["kreis_ags"],
                kreis=row["kreis"],
                kreis_type=cast(KreisType, row["kreis_type"]),
                regierungsbezirk=row["regierungsbezirk"],
                landschaftsverband=cast(Landschaftsverband, row["landschaftsverband"]),
                einwohner=int(row["einwohner"]),
                plz=tuple(row["plz"].split()),
            )
            for row in csv.DictReader(handle)
        ]


@lru_cache(maxsize=1)
def _places() -> _Places:
    return _Places(_read_table(DATA_FILE))


def gemeinden() -> tuple[Gemeinde, ...]:
    """All NRW municipalities, ordered by AGS."""
    return tuple(_places().by_ags.values())


def find_place(text: str) -> PlaceMatch | None:
    """The place a German message names: town, Kreis, postal code, or a place outside NRW; None if there is none."""
    found = find_places(text)
    return found[0] if found else None


def find_places(text: str) -> list[PlaceMatch]:
    """Every place a message names, the most likely residence first (see find_place), without repeats.

    A postal code or Kreis with a municipality inside it in the same message counts once, as the municipality.
    """
    places = _places()
    tokens = tokenize(text)
    hits = [h for h in places.index.hits(tokens) if h.target[0] != "plz" or _is_postal_code(h, tokens, places)]
    def outside(hit: Hit) -> bool:
        kind, key = hit.target
        return kind == "outside" or (kind == "plz" and key not in places.by_plz)

    # residence first, among those NRW before outside (a story names where the family came from or lives far away);
    # the sort is stable, so otherwise in order of mention
    ordered = sorted(hits, key=lambda h: (not h.residence, outside(h)))
    targets: list[tuple[str, str]] = []
    for hit in ordered:
        target = hit.target
        if target[0] in {"plz", "kreis"}:
            inner = [h for h in hits if h.target[0] == "gemeinde" and places.contains(target, h.target[1])]
            target = inner[0].target if inner else target
        if target not in targets:
            targets.append(target)
    return [places.match(t) for t in targets]


def _is_postal_code(hit: Hit, tokens: list[Token], places: _Places) -> bool:
    """A 5-digit number is a postal code if NRW has it, or after "PLZ"/"in"/"aus" or alone; never before "Euro"."""
    code = hit.target[1]
    if (hit.end < len(tokens) and tokens[hit.end].norm in _NOT_AMOUNTS) or code.startswith("00"):
        return False
    return code in places.by_plz or hit.cued or len(tokens) == 1


def responsibility(service: Service | None, place: PlaceMatch | None) -> Responsibility:
    """Who is responsible for `service` at `place`; without a service: which Landschaftsverband serves the place."""
    responsible = service.responsible if service is not None else None
    if responsible is not None and responsible.kind == "fixed":
        return _fixed(responsible)
    if place is not None and place.kind == "outside_nrw":
        subject = f"Die Postleitzahl {place.plz}" if place.plz else place.name
        text = f"{subject} liegt nicht in Nordrhein-Westfalen, deshalb ist der LVR für Sie nicht zuständig. {ASK_LAND}"
        return Responsibility("other", None, None, text, needs_place=False, basis="outside")
    if responsible is not None and responsible.kind == "kreis":
        return _kreis(responsible, place)
    return _landschaftsverband(responsible, place)


def _fixed(responsible: Responsible) -> Responsibility:
    named = responsible.unit or (responsible.contact.name if responsible.contact else None)
    if responsible.provider == "LVR":
        office = named or LVR_NAME
        text = f"Dafür ist unabhängig vom Wohnort zuständig: {office}."
        return Responsibility("LVR", office, responsible.contact, text, needs_place=False, basis="fixed")
    office = named or responsible.provider
    text = f"Dafür ist nicht der LVR zuständig, sondern: {office}."
    return Responsibility("other", office, responsible.contact, text, needs_place=False, basis="fixed")


def _landschaftsverband(responsible: Responsible | None, place: PlaceMatch | None) -> Responsibility:
    verband = place.landschaftsverband if place is not None else None
    if place is None or verband is None:
        if place is not None:
            text = _which_municipality(place)
        elif responsible is None:
            text = ASK
        else:
            text = f"Das hängt von Ihrem Wohnort ab: im Rheinland der LVR, in Westfalen-Lippe der LWL. {ASK}"
        return Responsibility(None, None, None, text, needs_place=True)
    where = f"Sie wohnen {_where(place)} ({REGION[verband]})."
    if verband == "LVR":
        office = _lvr_office(responsible)
        contact = responsible.contact if responsible else Contact(name=LVR_NAME, url=LVR_URL)
        said = f"Dafür ist der LVR zuständig: {office}." if office != LVR_NAME else f"Zuständig ist der {LVR_NAME}."
        return Responsibility("LVR", office, contact, f"{where} {said}", needs_place=False)
    unit = responsible.lwl_unit if responsible else None
    if unit:
        said = f"Dafür ist dort nicht der LVR, sondern der LWL zuständig: {unit}."
    else:
        said = f"Zuständig ist dort nicht der LVR, sondern der {LWL_NAME}."
    office = unit or LWL_NAME
    return Responsibility("LWL", office, Contact(name=office, url=LWL_URL), f"{where} {said}", needs_place=False)


def _kreis(responsible: Responsible, place: PlaceMatch | None) -> Responsibility:
    hint = f" ({responsible.unit})" if responsible.unit else ""
    if place is None or place.kreis_ags is None or place.kreis is None:
        if place is not None:
            text = _which_municipality(place)
        else:
            text = f"Dafür ist der Kreis oder die kreisfreie Stadt zuständig, in der Sie wohnen{hint}. Wo wohnen Sie?"
        return Responsibility("Kreis/kreisfreie Stadt", None, None, text, needs_place=True, basis="kreis")
    kreis_type = _places().kreise[place.kreis_ags][0].kreis_type
    subject = {"kreisfreie Stadt": "Ihre Stadt", "Kreis": "Ihr Kreis", "StädteRegion": "die StädteRegion"}[kreis_type]
    office = (f"Stadt {place.kreis}" if kreis_type == "kreisfreie Stadt" else place.kreis) + hint
    text = f"Sie wohnen {_where(place)}. Dafür ist {subject} zuständig: {office}."
    contact = Contact(name=office)
    return Responsibility("Kreis/kreisfreie Stadt", office, contact, text, needs_place=False, basis="kreis")


def _lvr_office(responsible: Responsible | None) -> str:
    if responsible is None:
        return LVR_NAME
    return responsible.unit or (responsible.contact.name if responsible.contact else None) or LVR_NAME


def _where(place: PlaceMatch) -> str:
    """ "in Troisdorf", "im Kreis Kleve", "im Märkischen Kreis", "in der StädteRegion Aachen"."""
    if place.kind == "kreis":
        if place.name.startswith("StädteRegion"):
            return f"in der {place.name}"
        return f"im {kreis_dative(place.name)}"
    if place.kind == "plz" and len(place.municipalities) > 1:
        return f"im Gebiet der Postleitzahl {place.plz}"
    if place.kind == "plz":
        return f"in {place.plz} {place.name}"
    return f"in {place.name}"


def _which_municipality(place: PlaceMatch) -> str:
    names = place.municipalities
    listing = f"{', '.join(names[:-1])} und {names[-1]}"
    return f"Zur Postleitzahl {place.plz} gehören mehrere Gemeinden ({listing}). In welcher wohnen Sie?"
