"""The chat contract between the action server (actions/) and the API (api/): one place for its names and shapes.

    intents          the intents the actions and the API speak of (INTENT_*), section ↔ intent maps
    slots            the slot names of the case (SLOT_*), as in bot/domain/core.yml
    Authority        who is responsible: "LVR" | "LWL" | "Kreis/kreisfreie Stadt" | "other"
    payloads         the button payload grammar: build_payload() and parse_payload()
    PAYLOAD_KEY      the key of the actions' custom payload {"beratungskompass": TurnMetadata}
    TurnMetadata     what a turn was about (service ids, authority, hand-off, fallback, language), from the actions
    MessageMetadata  what the API sends with a user message (the detected language, the page's language hint)

The API turns the TypedDicts into its public pydantic models (api/schemas.py), which take their literals from here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Final, Literal, NotRequired, cast, get_args

# pydantic reads these TypedDicts (api/schemas.py) and needs typing_extensions' TypedDict on Python < 3.12.
from typing_extensions import TypedDict

# --- intents ------------------------------------------------------------------------------------------------------
INTENT_DESCRIBE: Final = "describe_situation"
INTENT_CHOOSE: Final = "choose_service"
INTENT_PLACE: Final = "inform_place"
INTENT_AGE: Final = "inform_age"
INTENT_RESPONSIBLE: Final = "ask_responsible"
INTENT_APPLY: Final = "apply_online"
INTENT_HUMAN: Final = "request_human"
INTENT_AFFIRM: Final = "affirm"
INTENT_DENY: Final = "deny"
INTENT_SWITCH_LANGUAGE: Final = "switch_language"  # "English please", "Können wir Deutsch sprechen?", a button

#: The intent that asks for each catalogue section (a key of knowledge.vocab.SECTIONS). The processing time is asked
#: for with the deadlines' intent and a `section` entity.
SECTION_INTENTS: Final[dict[str, str]] = {
    "ask_prerequisites": "prerequisites",
    "ask_documents": "documents",
    "ask_costs": "costs",
    "ask_deadlines": "deadlines",
    "ask_procedure": "procedure",
    "ask_legal_basis": "legal_bases",
    "ask_legal_remedy": "legal_remedy",
}
#: The intent a button uses to ask for a section (the reverse of SECTION_INTENTS).
INTENT_OF_SECTION: Final[dict[str, str]] = {section: name for name, section in SECTION_INTENTS.items()} | {
    "processing_time": "ask_deadlines"
}
SECTION_KEYS: Final = frozenset(INTENT_OF_SECTION)

#: Intents that ask something about the case's service rather than describing a situation.
FOLLOW_UP_INTENTS: Final = frozenset({*SECTION_INTENTS, INTENT_RESPONSIBLE, INTENT_APPLY, INTENT_HUMAN})

# --- slots --------------------------------------------------------------------------------------------------------
SLOT_SERVICE: Final = "service_id"  # the chosen service (or the one clearly found)
SLOT_CANDIDATES: Final = "candidate_ids"  # ranked candidate services of the case, best first
SLOT_SCORES: Final = "candidate_scores"  # their scores, same order
SLOT_TURNS: Final = "case_turns"  # what the citizen told about the situation, one text per content turn
SLOT_PLACE: Final = "place"
SLOT_AGS: Final = "ags"
SLOT_VERBAND: Final = "landschaftsverband"
SLOT_AGE: Final = "age"
SLOT_GDB: Final = "gdb"
SLOT_PFLEGEGRAD: Final = "pflegegrad"
SLOT_LEICHT: Final = "leichte_sprache"
SLOT_HANDOFF_OFFERED: Final = "handoff_offered"  # the consent question for the prefill is open
SLOT_HANDOFF_PENDING: Final = "handoff_pending"  # a service handed off while the place was unknown
SLOT_FAILED: Final = "failed_turns"
SLOT_LANGUAGE: Final = "language"  # the conversation's language (Language), kept until the citizen switches

# --- authority ----------------------------------------------------------------------------------------------------
#: Who is responsible for the citizen's service at their place.
Authority = Literal["LVR", "LWL", "Kreis/kreisfreie Stadt", "other"]
AUTHORITIES: Final[tuple[str, ...]] = get_args(Authority)

#: The languages the bot speaks (ISO 639-1), the first is the default; knowledge.vocab.LANGUAGES has their names.
Language = Literal["de", "en"]
LANGUAGE_CODES: Final[tuple[str, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final = "de"


def choose_language(*candidates: object) -> Language:
    """The conversation's language: the first candidate that is a language the bot speaks, else the default.
    Callers pass them in the one order of docs/architecture.md: a switch the citizen asked for, the language detected
    in this message, the conversation's language so far (slot), the page's or partner's hint."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate in LANGUAGE_CODES:
            return cast(Language, candidate)
    return cast(Language, DEFAULT_LANGUAGE)


class MessageMetadata(TypedDict, total=False):
    """What the API sends to Rasa with a user message (REST channel `metadata`); the actions read it."""

    language: Language | None  # the language the API detected in this message; None when too short or unsure
    language_hint: Language | None  # the language the widget or partner asked for (request `language`, page `lang`)
    message_id: str  # set by the API for every turn; Rasa stores it on the UserUttered event (api.rasa_pool)


# --- turn metadata ------------------------------------------------------------------------------------------------
PAYLOAD_KEY: Final = "beratungskompass"

#: What may be passed on to a form (once-only), with the citizen's consent.
PrefillField = Literal["place", "ags", "age", "leika"]
PREFILL_FIELDS: Final = frozenset(get_args(PrefillField))


class Prefill(TypedDict, total=False):
    """What the citizen agreed to pass on; only what the conversation actually contains."""

    place: str  # municipality or Kreis as the bot understood it
    ags: str  # its official key (Gemeinde or Kreis), for routing (FIT-Connect `ags`)
    age: str  # age in years
    leika: str  # LeiKa key of the service, where confirmed (FIT-Connect `leika-key`)


class Handoff(TypedDict):
    """The hand-off to the application of a service, sent as soon as the citizen asks how or where to apply."""

    service_id: str  # the service the citizen applies for
    url: str | None  # the confirmed form address; None when no address is confirmed
    office: str | None  # the office responsible at the citizen's place; None while the place is unknown
    prefill: Prefill | None  # None until the citizen agreed to pass on what they told; then those fields


class TurnMetadata(TypedDict):
    """The contents of `{"beratungskompass": …}`."""

    service_ids: list[str]  # services shown or referred to in this turn, best first
    authority: Authority | None  # who is responsible for the first service at the citizen's place; None when unknown
    handoff: Handoff | None  # set in the turn that hands off (and again when the prefill is agreed)
    fallback: bool  # the bot did not understand, or the request is out of scope
    # The language of this reply: the conversation's language where the actions have texts in it (actions/texts.py,
    # actions/language.py REPLY_LANGUAGES), else German. The actions stamp it on every reply.
    language: NotRequired[Language]


# --- button payloads ----------------------------------------------------------------------------------------------
#: Entities a button payload may carry, per intent. Everything else starting with "/" is not a payload.
PAYLOAD_ENTITIES: Final[dict[str, frozenset[str]]] = {
    INTENT_CHOOSE: frozenset({"service_id"}),
    INTENT_RESPONSIBLE: frozenset({"service_id"}),
    INTENT_APPLY: frozenset({"service_id"}),
    INTENT_HUMAN: frozenset(),
    INTENT_AFFIRM: frozenset(),
    INTENT_DENY: frozenset(),
    "leichte_sprache_on": frozenset(),
    "leichte_sprache_off": frozenset(),
    INTENT_SWITCH_LANGUAGE: frozenset({"language"}),
    **{name: frozenset({"service_id", "section"}) for name in SECTION_INTENTS},
}
_SERVICE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$", re.DOTALL)


class PayloadError(ValueError):
    """Raised when a button payload is built from values outside the grammar."""


@dataclass(frozen=True)
class Payload:
    """A parsed button payload: `/intent` or `/intent{"entity": "value", …}`."""

    intent: str
    entities: dict[str, str] = field(default_factory=dict)

    @property
    def service_id(self) -> str | None:
        return self.entities.get("service_id")


def _valid(intent: str, entities: dict[str, object]) -> bool:
    allowed = PAYLOAD_ENTITIES.get(intent)
    if allowed is None or not set(entities) <= allowed:
        return False
    for key, value in entities.items():
        if not isinstance(value, str):
            return False
        if key == "service_id" and not _SERVICE_ID.match(value):
            return False
        if key == "section" and value not in SECTION_KEYS:
            return False
        if key == "language" and value not in LANGUAGE_CODES:
            return False
    return True


def build_payload(intent: str, **entities: str) -> str:
    """The payload of a button, e.g. `/choose_service{"service_id":"blindengeld"}`; PayloadError outside the grammar."""
    if not _valid(intent, dict(entities)):
        raise PayloadError(f"not a payload of the grammar: {intent} {entities}")
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def parse_payload(message: str) -> Payload | None:
    """The payload a message carries, or None when it is not one of the grammar (it is then plain text)."""
    match = _PAYLOAD.match(message.strip())
    if match is None:
        return None
    entities: dict[str, object] = {}
    if match["entities"]:
        try:
            loaded = json.loads(match["entities"])
        except ValueError:
            return None
        if not isinstance(loaded, dict):
            return None
        entities = loaded
    if not _valid(match["intent"], entities):
        return None
    return Payload(match["intent"], {k: str(v) for k, v in entities.items()})
