"""Generate knowledge/data/gemeinden.csv, the project's own table of the 396 NRW municipalities.

Run once (the product ships the generated table and never reads the source at run time):

    .venv/bin/python scripts/make_gemeinden_table.py [--source ../shared/data/nrw-gemeinden.csv]

The source is the Destatis Gemeindeverzeichnis extract with OpenStreetMap postal codes (see knowledge/data/README.md
for the attribution). What this script adds: the name as people say it ("Düsseldorf", not "Düsseldorf, Stadt"),
the readable Kreis name ("Kreis Kleve", "StädteRegion Aachen", "Köln" for a kreisfreie Stadt) and the Kreis type.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "nrw-gemeinden.csv"
DEFAULT_TARGET = ROOT / "knowledge" / "data" / "gemeinden.csv"
COLUMNS = (
    "ags",
    "name",
    "official_name",
    "kreis_ags",
    "kreis",
    "kreis_type",
    "regierungsbezirk",
    "landschaftsverband",
    "einwohner",
    "plz",
)

#: Names whose short form would be mistaken for a bigger place outside NRW (Halle an der Saale).
KEEP_QUALIFIER = {"05754012"}  # Halle (Westf.)
KREISFREIE_STADT = "kreisfreie Stadt"
KREIS = "Kreis"
STAEDTEREGION = "StädteRegion"


def spoken_name(ags: str, official: str) -> str:
    """ "Düsseldorf, Stadt" -> "Düsseldorf"; "Stolberg (Rhld.), Kupferstadt" -> "Stolberg"."""
    name = official.split(",")[0].strip()
    if ags not in KEEP_QUALIFIER:
        name = re.sub(r"\s*\([^)]*\)", "", name).strip()
    return name


def readable_kreis(kreis: str) -> tuple[str, str]:
    """The readable Kreis name and its type, from the Destatis Kreis name."""
    if "," in kreis:  # "Köln, Stadt", "Solingen, Klingenstadt": a kreisfreie Stadt
        return kreis.split(",")[0].strip(), KREISFREIE_STADT
    if kreis.lower().startswith("städteregion"):
        return f"{STAEDTEREGION} {kreis.split(maxsplit=1)[1]}", STAEDTEREGION
    if "kreis" in kreis.lower():  # "Rhein-Sieg-Kreis", "Märkischer Kreis", "Hochsauerlandkreis"
        return kreis, KREIS
    return f"Kreis {kreis}", KREIS


def convert(source: Path) -> list[dict[str, str]]:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = []
    for row in rows:
        kreis, kreis_type = readable_kreis(row["kreis"])
        table.append(
            {
                "ags": row["ags"],
                "name": spoken_name(row["ags"], row["gemeinde"]),
                "official_name": row["gemeinde"],
                "kreis_ags": row["kreis_ags"],
                "kreis": kreis,
                "kreis_type": kreis_type,
                "regierungsbezirk": row["regierungsbezirk"],
                "landschaftsverband": row["landschaftsverband"],
                "einwohner": row["einwohner"],
                "plz": " ".join(sorted(row["plz"].split())),
            }
        )
    table.sort(key=lambda r: r["ags"])
    names = [r["name"] for r in table]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"spoken names are not unique: {', '.join(duplicates)}")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    args = parser.parse_args()
    table = convert(args.source)
    args.target.parent.mkdir(parents=True, exist_ok=True)
    with args.target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    lvr = sum(r["landschaftsverband"] == "LVR" for r in table)
    print(f"wrote {len(table)} municipalities ({lvr} LVR) to {args.target}")


if __name__ == "__main__":
    main()
