"""The pydantic schema of one catalogue entry (a service, "Leistung").

Fields follow the FIM/XZuFi text modules (numbers in the comments, codelist leistungstextmodulleika) so that an
entry can later be exchanged with FIM-based portals. Two text lengths exist on purpose: `teaser` is chat-sized,
`full_text` is for caseworkers and the detail page; `leichte_sprache` is the Leichte-Sprache version.

Unknown facts stay empty (None or []) and the entry keeps `verified: false`; nothing is filled in by guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.vocab import DEFAULT_LANGUAGE, LANGUAGES, LEBENSLAGEN, PROVIDERS, RESPONSIBILITY_KINDS, TARGET_GROUPS

TEASER_MAX = 300
TITLE_SHORT_MAX = 40  # characters of a button title
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEIKA_PATTERN = re.compile(r"^99\d{12}$")


def _length_limit(name: str, limit: int) -> Any:
    """A field validator: at most `limit` characters in field `name` (None passes), with a message that says so."""

    def check(cls: type, value: str | None) -> str | None:
        if value is not None and len(value) > limit:
            raise ValueError(f"{name} has {len(value)} characters, at most {limit} allowed")
        return value

    return field_validator(name)(classmethod(check))


class _Model(BaseModel):
    # Serialized (the API's service records), every field is present, null where unknown: the JSON schema says so.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, json_schema_serialization_defaults_required=True
    )


class Contact(_Model):
    """How to reach an office. Every field optional: only what is confirmed is filled in."""

    name: str  # office or unit name, e.g. "LVR-Inklusionsamt"
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    address: str | None = None
    hours: str | None = None  # opening or phone hours, free text


class Responsible(_Model):
    """Who decides on or delivers the service (FIM 22 Zuständige Stelle, 23 Ansprechpunkt)."""

    provider: str  # one of vocab.PROVIDERS
    kind: Literal["landschaftsverband", "kreis", "fixed"]  # see vocab.RESPONSIBILITY_KINDS
    unit: str | None = None  # e.g. "LVR-Dezernat Soziales, Fallmanagement"
    lwl_unit: str | None = None  # the counterpart in Westfalen-Lippe, for kind == "landschaftsverband"
    contact: Contact | None = None  # the LVR's (or the fixed office's) contact
    note: str | None = None  # e.g. "Antrag auch bei der Gemeinde möglich, die ihn weiterleitet"

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, value: str) -> str:
        if value not in PROVIDERS:
            raise ValueError(f"unknown provider {value!r}; allowed: {', '.join(PROVIDERS)}")
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        assert value in RESPONSIBILITY_KINDS
        return value


class LegalBasis(_Model):
    """A legal basis (FIM 07 Handlungsgrundlagen), linked to the paragraph's own page or marked as having none."""

    citation: str  # e.g. "§ 113 SGB IX"; it is also how claims refer to it (Claim.source)
    title: str | None = None  # e.g. "Leistungen zur Sozialen Teilhabe"
    url: str | None = None  # the paragraph's own page, e.g. https://www.gesetze-im-internet.de/sgb_9_2018/__113.html
    url_note: str | None = None  # why there is no paragraph link (required when url is null), German


DATED_CLAIM_KINDS = ("amount", "threshold", "deadline")  # these carry valid_from (or say why they cannot)


class OnlineService(_Model):
    """The online application (FIM 14 Formulare), and the LeiKa key for routing (FIT-Connect)."""

    available: bool  # an online application exists (as far as known)
    form_url: str | None = None
    form_url_verified: bool = False  # the URL was confirmed from a primary source
    leika: str | None = None  # 14-digit LeiKa key, only when verified
    login: str | None = None  # e.g. "BundID mit Online-Ausweis"
    note: str | None = None  # e.g. "Formular-Adresse nicht bestätigt"

    @field_validator("leika")
    @classmethod
    def _leika_format(cls, value: str | None) -> str | None:
        if value is not None and not LEIKA_PATTERN.match(value):
            raise ValueError("LeiKa key must have 14 digits and start with 99")
        return value

    @model_validator(mode="after")
    def _url_needs_availability(self) -> OnlineService:
        if self.form_url and not self.available:
            raise ValueError("form_url given but available is false")
        return self


class Source(_Model):
    """A primary source a caseworker can open: a law paragraph's page or a named LVR/LWL (or other) publication.

    The project's internal research notes are never a source (knowledge.catalogue rejects them).
    """

    id: str  # how claims refer to it (Claim.source), lower-case words joined by '-'
    kind: Literal["law-paragraph", "publication"]
    title: str  # e.g. "LVR-Beratungskompass: Assistenzleistungen"
    url: str | None = None  # a deep link, never a bare home page
    url_note: str | None = None  # why there is no URL (required when url is null), German

    @field_validator("id")
    @classmethod
    def _source_id_format(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("source id must be lower-case words joined by '-'")
        return value


class Confirmation(_Model):
    """An editor confirmed a claim against a source on a date (written by `python -m knowledge review`)."""

    by: str  # the editor's name
    source: str  # what was checked: a source id, a legal basis citation or a URL
    date: dt.date
    note: str | None = None


class Claim(_Model):
    """One concrete statement of the entry (an amount, age, deadline, § reference, office, count) and its source."""

    id: str  # unique within the entry, e.g. "betrag-18-59"
    kind: Literal["amount", "threshold", "deadline", "age", "legal", "office", "count", "fact"]
    text: str  # the statement as the entry makes it, German
    source: str | None = None  # a Source.id or a LegalBasis.citation of this entry; null only with note
    origin: Literal["facts-file", "general-law"]  # from the project's research notes, or general law added
    valid_from: dt.date | None = None  # amounts, thresholds, deadlines: the date the value applies from
    change_rule: str | None = None  # how the value changes, e.g. "jährlich zum 1. Juli mit § 72 SGB XII"
    note: str | None = None  # what is not confirmed about it, or why a date/source is missing, German
    confirmations: list[Confirmation] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _claim_id_format(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("claim id must be lower-case words joined by '-'")
        return value

    @property
    def confirmed(self) -> bool:
        """Some editor confirmed the claim against a source."""
        return bool(self.confirmations)


#: The fields of a service that have a text per language; everything else (ids, URLs, responsibility, legal
#: citations) is the same in every language.
TRANSLATED_FIELDS: tuple[str, ...] = (
    "title",
    "title_short",
    "teaser",
    "full_text",
    "prerequisites",
    "documents",
    "costs",
    "deadlines",
    "processing_time",
    "procedure",
    "legal_remedy",
    "hints",
)
#: Translated fields a service must have in every served language (`python -m knowledge validate` reports gaps);
#: the rest fall back to German when missing, and a German field that is empty stays empty in every language.
REQUIRED_TRANSLATED_FIELDS: tuple[str, ...] = ("title", "teaser")


class ServiceTexts(_Model):
    """The texts of a service in another language than German. Every field optional: what is missing falls back to
    the German text. Written from the same facts, with the German legal terms in brackets where a citizen meets them
    on forms, e.g. "integration assistance (Eingliederungshilfe)"."""

    title: str | None = None
    title_short: str | None = None
    teaser: str | None = None
    full_text: str | None = None
    prerequisites: list[str] | None = None
    documents: list[str] | None = None
    costs: str | None = None
    deadlines: str | None = None
    processing_time: str | None = None
    procedure: list[str] | None = None
    legal_remedy: str | None = None
    hints: list[str] | None = None
    search_terms: list[str] = Field(default_factory=list)  # words people use for it in this language
    example_questions: list[str] = Field(default_factory=list)  # citizen phrasings in this language

    _teaser_length = _length_limit("teaser", TEASER_MAX)
    _title_short_length = _length_limit("title_short", TITLE_SHORT_MAX)


class Service(_Model):
    """One service of the catalogue."""

    id: str  # stable id, see contract/services.yaml
    title: str  # 02 Leistungsbezeichnung
    title_short: str | None = None  # for buttons, at most 40 characters
    teaser: str  # 24 Teaser / 05 Kurztext, chat-sized
    full_text: str  # 06 Volltext
    leichte_sprache: str  # Deutsch (leichte Sprache)
    legal_bases: list[LegalBasis] = Field(default_factory=list)  # 07
    prerequisites: list[str] = Field(default_factory=list)  # 09
    documents: list[str] = Field(default_factory=list)  # 08
    costs: str | None = None  # Kosten
    deadlines: str | None = None  # Fristen
    processing_time: str | None = None  # Bearbeitungsdauer
    procedure: list[str] = Field(default_factory=list)  # 11, one step per item
    legal_remedy: str | None = None  # 25 Rechtsbehelf
    hints: list[str] = Field(default_factory=list)  # 16 Hinweise
    responsible: Responsible  # 22 / 23
    online_service: OnlineService
    lebenslagen: list[str] = Field(min_length=1)  # ids of vocab.LEBENSLAGEN
    target_groups: list[str] = Field(min_length=1)  # ids of vocab.TARGET_GROUPS
    search_terms: list[str] = Field(default_factory=list)  # words people use for it
    synonyms: list[str] = Field(default_factory=list)  # other names of the service, old names, abbreviations
    example_questions: list[str] = Field(default_factory=list)  # citizen phrasings, used to train the model
    related: list[str] = Field(default_factory=list)  # ids of related services
    typisierung: str | None = None  # LeiKa Typisierung, e.g. "4"
    sources: list[Source] = Field(default_factory=list)  # publications and laws besides the legal bases
    claims: list[Claim] = Field(default_factory=list)  # the concrete statements, each with its source
    stand: dt.date  # date the facts were last checked
    verified: bool  # every claim was confirmed from a primary source (knowledge.catalogue checks it)
    translations: dict[str, ServiceTexts] = Field(default_factory=dict)  # language code (not "de") -> texts

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("id must be lower-case words joined by '-'")
        return value

    _teaser_length = _length_limit("teaser", TEASER_MAX)
    _title_short_length = _length_limit("title_short", TITLE_SHORT_MAX)

    @field_validator("title", "full_text", "leichte_sprache")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("lebenslagen")
    @classmethod
    def _known_lebenslagen(cls, values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in LEBENSLAGEN]
        if unknown:
            raise ValueError(f"unknown Lebenslage {', '.join(unknown)}; allowed: {', '.join(LEBENSLAGEN)}")
        return values

    @field_validator("target_groups")
    @classmethod
    def _known_target_groups(cls, values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in TARGET_GROUPS]
        if unknown:
            raise ValueError(f"unknown target group {', '.join(unknown)}; allowed: {', '.join(TARGET_GROUPS)}")
        return values

    @field_validator("translations")
    @classmethod
    def _known_languages(cls, value: dict[str, ServiceTexts]) -> dict[str, ServiceTexts]:
        unknown = [code for code in value if code not in LANGUAGES or code == DEFAULT_LANGUAGE]
        if unknown:
            allowed = ", ".join(c for c in LANGUAGES if c != DEFAULT_LANGUAGE)
            raise ValueError(f"unknown translation language {', '.join(unknown)}; allowed: {allowed}")
        return value

    @model_validator(mode="after")
    def _unique_refs(self) -> Service:
        claim_ids = [c.id for c in self.claims]
        source_ids = [s.id for s in self.sources]
        for kind, ids in (("claim", claim_ids), ("source", source_ids)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} id {', '.join(duplicates)}")
        return self

    @property
    def confirmed_claims(self) -> int:
        """How many claims some editor confirmed."""
        return sum(1 for c in self.claims if c.confirmed)

    @property
    def button_title(self) -> str:
        """The short title for buttons."""
        return self.title_short or self.title

    def missing_translations(self, language: str) -> list[str]:
        """The required translated fields this service lacks in `language` (none for German)."""
        if language == DEFAULT_LANGUAGE:
            return []
        texts = self.translations.get(language)
        return [f for f in REQUIRED_TRANSLATED_FIELDS if texts is None or getattr(texts, f) is None]

    def in_language(self, language: str) -> Service:
        """This service with its texts in `language` where the catalogue has them, German elsewhere. German (or a
        language without translations) returns the service itself. A field that is empty in German stays empty:
        a translation never adds facts the German entry does not have (a short button title is not a fact)."""
        texts = self.translations.get(language) if language != DEFAULT_LANGUAGE else None
        if texts is None:
            return self
        update: dict[str, object] = {}
        for name in TRANSLATED_FIELDS:
            value = getattr(texts, name)
            german = getattr(self, name)
            if value is not None and (german not in (None, []) or name == "title_short"):
                update[name] = value
        return self.model_copy(update=update)

