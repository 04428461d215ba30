"""Fixed vocabularies of the catalogue: Lebenslagen, target groups, provider kinds.

The ids are stable (they appear in URLs, API filters and partner integrations); the labels are the German
texts shown to people.
"""

from __future__ import annotations

from typing import Final

#: Lebenslagen (life situations) a service can be embedded in. Modelled on the life-situation orientation of the
#: OZG catalogue and the LVR-Beratungskompass, narrowed to what LVR services touch.
LEBENSLAGEN: Final[dict[str, str]] = {
    "leben-mit-behinderung": "Leben mit Behinderung",
    "kind-entwicklung": "Kind mit Behinderung oder Entwicklungsverzögerung",
    "schule-ausbildung": "Schule und Ausbildung",
    "arbeit-beruf": "Arbeit und Beruf mit Behinderung",
    "arbeitgeber": "Arbeitgeber und Inklusion",
    "wohnen-alltag": "Wohnen und Alltag",
    "mobilitaet": "Mobilität",
    "sehen-hoeren": "Blindheit, Sehbehinderung und Gehörlosigkeit",
    "pflege-alter": "Pflege und Alter",
    "geld-existenz": "Geld zum Leben",
    "gewalt-schaedigung": "Opfer von Gewalt und gesundheitliche Schädigung",
    "psychische-gesundheit": "Psychische Gesundheit",
    "krise-wohnungslosigkeit": "Wohnungslosigkeit und besondere Notlagen",
    "familie-adoption": "Familie und Adoption",
    "kita-jugendhilfe-traeger": "Träger von Kitas und Jugendhilfe-Einrichtungen",
    "kultur-freizeit": "Kultur und Freizeit",
    "denkmal-archiv": "Denkmalpflege und Archive",
    "beratung": "Beratung und Orientierung",
}

#: Target groups (Zielgruppen) of a service.
TARGET_GROUPS: Final[dict[str, str]] = {
    "menschen-mit-behinderung": "Menschen mit Behinderung",
    "eltern": "Eltern und Familien",
    "kinder-jugendliche": "Kinder und Jugendliche",
    "erwachsene": "Erwachsene",
    "senioren": "Ältere Menschen",
    "beschaeftigte": "Beschäftigte",
    "arbeitgeber": "Arbeitgeber",
    "angehoerige": "Angehörige",
    "gewaltbetroffene": "Betroffene von Gewalt und Schädigungen",
    "einrichtungstraeger": "Träger von Einrichtungen",
    "kommunen": "Kommunen und Schulträger",
    "fachleute": "Fachleute und Beratende",
    "alle": "Alle Bürgerinnen und Bürger",
}

#: Who delivers a service (the `provider` of contract/services.yaml).
PROVIDERS: Final[tuple[str, ...]] = (
    "LVR",
    "Kreis/kreisfreie Stadt",
    "Pflegekasse",
    "Bund (EUTB)",
    "Agentur für Arbeit / Rentenversicherung",
)

#: How the responsible office depends on where the citizen lives.
#: - landschaftsverband: LVR in the Rheinland, LWL in Westfalen-Lippe (the same kind of service there).
#: - kreis: the Kreis / kreisfreie Stadt / StädteRegion of the citizen's municipality.
#: - fixed: one office regardless of residence (e.g. an LVR institution), or an outside body (Pflegekasse, EUTB).
RESPONSIBILITY_KINDS: Final[tuple[str, ...]] = ("landschaftsverband", "kreis", "fixed")

#: Catalogue sections a citizen can ask about, with their German labels (FIM text modules in brackets).
SECTIONS: Final[dict[str, str]] = {
    "prerequisites": "Voraussetzungen",  # 09
    "documents": "Erforderliche Unterlagen",  # 08
    "costs": "Kosten",  # structured module
    "deadlines": "Fristen",  # structured module
    "processing_time": "Bearbeitungsdauer",  # structured module
    "procedure": "Verfahrensablauf",  # 11
    "legal_bases": "Rechtsgrundlagen",  # 07
    "legal_remedy": "Rechtsbehelf",  # 25
}


#: The languages the product serves, the first is the catalogue's own (German). A language code is ISO 639-1.
#: Adding a language is content, not code: catalogue texts under `translations: {<code>: …}`, NLU training data,
#: the bot's texts (see docs/languages.md once written); `rtl` marks right-to-left scripts for the widget's `dir`.
LANGUAGES: Final[dict[str, dict[str, object]]] = {
    "de": {"name": "Deutsch", "rtl": False},
    "en": {"name": "English", "rtl": False},
}
DEFAULT_LANGUAGE: Final[str] = "de"

