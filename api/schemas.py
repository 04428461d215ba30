"""Request and response models of the public API (what crosses the wire), with OpenAPI examples.

All text fields are plain text: clients render them as text (``textContent``), never as HTML. The API neither
interprets HTML nor escapes it into the text; see api.text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.text import clean_text
from contract.chat import Authority, Language, Prefill
from knowledge.schema import Service
from knowledge.search import MAX_QUERY_CHARS

QUERY_MAX = MAX_QUERY_CHARS  # characters of a search query: the retriever's own limit
MESSAGE_MAX = 5000  # characters of a chat message (a citizen may tell a long story)
TOP_MAX = 50  # results of one search
SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
#: A message or query must hold at least one character that survives api.text.clean_text (not a space, control
#: character, bidi mark or BOM); the same rule in the schema, so that clients know it (JSON Schema: unanchored).
HAS_TEXT_PATTERN = r"[^\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"

ComponentState = Literal["up", "degraded", "down", "disabled"]


#: Output models list every field as required in the OpenAPI schema (FastAPI renders response models in
#: serialization mode): the API always sends every field, with null where a value is unknown, so a generated client
#: can type them as present. Request models keep their defaults optional.
OUTPUT_CONFIG = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


class _Out(BaseModel):
    model_config = OUTPUT_CONFIG


# --- errors ---------------------------------------------------------------------------------------------------


class ErrorBody(_Out):
    """The body of every error answer (4xx, 503). Only `error` and `detail` are always there; the others only where
    they apply."""

    model_config = ConfigDict(
        json_schema_serialization_defaults_required=False,
        json_schema_extra={
            "examples": [
                {
                    "error": "unknown_filter_value",
                    "detail": "unknown lebenslage 'urlaub'",
                    "parameter": "lebenslage",
                    "allowed": ["leben-mit-behinderung", "kind-entwicklung", "…"],
                },
                {"error": "rate_limited", "detail": "too many requests; retry in 3 s", "retry_after": 3},
            ]
        }
    )

    error: str = Field(description="Stable machine-readable code, e.g. `invalid_request`, `not_found`.")
    detail: str = Field(description="Human-readable reason (English).")
    parameter: str | None = Field(default=None, description="The request parameter at fault, when there is one.")
    allowed: list[str] | None = Field(default=None, description="The allowed values of that parameter.")
    retry_after: int | None = Field(default=None, description="Seconds to wait (also in the Retry-After header).")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Field-level validation errors (loc, msg, type)."
    )


# --- services -------------------------------------------------------------------------------------------------


class SearchResult(_Out):
    """One hit of a search."""

    id: str = Field(description="Catalogue id of the service.")
    title: str  # the full service title
    teaser: str  # chat-sized summary, at most 300 characters
    provider: str = Field(description="Who delivers the service (one of the providers of /api/v1/vocab).")
    score: float = Field(description="Relevance; comparable within one answer only.")
    language: Language = Field(
        description="The language of this hit's `title` and `teaser` (ISO 639-1): the requested `lang` where the "
        "catalogue has both texts in it, else `de` (the German texts). Set `lang` on the elements that show them."
    )


class SearchResponse(_Out):
    """Answer of GET /api/v1/services/search."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "Blindengeld beantragen",
                    "mode": "hybrid",
                    "results": [
                        {
                            "id": "blindengeld",
                            "title": "Blindengeld und Hilfe für hochgradig sehbehinderte Menschen",
                            "teaser": "Blinde und hochgradig sehbehinderte Menschen im Rheinland erhalten vom LVR "
                            "Blindengeld oder Hilfe für hochgradig Sehbehinderte.",
                            "provider": "LVR",
                            "score": 0.83,
                            "language": "de",
                        }
                    ],
                    "language": "de",
                }
            ]
        }
    )

    query: str = Field(description="The query as searched (control characters removed, trimmed).")
    mode: Literal["hybrid", "lexical-only"] = Field(
        description="`lexical-only` while the semantic index is unavailable (see /health)."
    )
    results: list[SearchResult]
    language: Language = Field(
        description="The requested `lang`: the language asked for; each hit says in `language` which one it has."
    )


class ServiceSummary(_Out):
    """A service in a list."""

    id: str
    title: str
    title_short: str | None  # for buttons, at most 40 characters
    teaser: str
    provider: str
    lebenslagen: list[str]  # ids of /api/v1/vocab lebenslagen
    target_groups: list[str]  # ids of /api/v1/vocab target_groups
    verified: bool  # every claim confirmed by an editor against a primary source
    claims_total: int = Field(description="Number of concrete claims of the entry (amounts, deadlines, § …).")
    claims_confirmed: int = Field(description="How many of them an editor confirmed against their source.")


class ServiceList(_Out):
    """Answer of GET /api/v1/services."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "count": 1,
                    "services": [
                        {
                            "id": "eingliederungshilfe-antrag",
                            "title": "Unterstützung für volljährige Menschen mit Behinderung beantragen "
                            "(Eingliederungshilfe)",
                            "title_short": "Eingliederungshilfe beantragen",
                            "teaser": "Erwachsene mit einer Behinderung können beim LVR Eingliederungshilfe "
                            "beantragen.",
                            "provider": "LVR",
                            "lebenslagen": ["leben-mit-behinderung", "wohnen-alltag"],
                            "target_groups": ["menschen-mit-behinderung", "erwachsene"],
                            "verified": False,
                            "claims_total": 9,
                            "claims_confirmed": 0,
                        }
                    ],
                }
            ]
        }
    )

    count: int
    services: list[ServiceSummary]


class Label(_Out):
    """An id of a vocabulary with its German label."""

    id: str
    label: str


class ServiceRef(_Out):
    """A link to another service."""

    id: str
    title: str
    url: str  # path of the detail page, e.g. /beratung/persoenliches-budget


class ServiceDetail(Service):
    """The full catalogue record (knowledge.schema.Service) plus fields derived for the detail page."""

    model_config = OUTPUT_CONFIG

    provider: str = Field(description="Copy of responsible.provider, for convenience.")
    lebenslagen_labels: list[Label] = Field(description="The lebenslagen with their German labels.")
    target_groups_labels: list[Label] = Field(description="The target groups with their German labels.")
    related_services: list[ServiceRef] = Field(description="The related services with titles.")
    page_url: str = Field(description="Path of the detail page of this service.")
    language: Language = Field(default="de", description="The requested `lang`.")
    text_languages: dict[str, Language] = Field(
        default_factory=dict,
        description="The language of each text field that has a value (title, teaser, full_text, the sections …): "
        "the requested `lang` where the catalogue has the text in it, else `de`. Related services' titles follow the "
        "same rule; labels stay German.",
    )


class VocabEntry(_Out):
    """A filter value with its label and how many services carry it."""

    id: str  # the value to pass as filter
    label: str  # German label to show
    count: int  # services in the catalogue with this value


class Vocab(_Out):
    """Answer of GET /api/v1/vocab: the filter values of the caseworker page."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lebenslagen": [{"id": "leben-mit-behinderung", "label": "Leben mit Behinderung", "count": 12}],
                    "target_groups": [{"id": "eltern", "label": "Eltern und Familien", "count": 9}],
                    "providers": [{"id": "LVR", "label": "LVR", "count": 40}],
                    "sections": [{"id": "documents", "label": "Erforderliche Unterlagen"}],
                }
            ]
        }
    )

    lebenslagen: list[VocabEntry]
    target_groups: list[VocabEntry]
    providers: list[VocabEntry]
    sections: list[Label]  # sections of a service a citizen can ask about


# --- chat -----------------------------------------------------------------------------------------------------


class Button(_Out):
    """A reply button: show `title`, send `payload` back as the next message when clicked."""

    title: str = Field(description="Plain text label.")
    payload: str = Field(
        description='Send as `message` when clicked, e.g. `/choose_service{"service_id":"blindengeld"}`.'
    )


class ChatMessage(_Out):
    """One bot message (plain text; render with textContent, never as HTML)."""

    text: str = Field(description="Plain text; may contain line breaks. Never HTML.")
    buttons: list[Button] = Field(default_factory=list)


class Handoff(_Out):
    """The hand-off to the application of a service (contract v1, extended compatibly): sent as soon as the citizen
    asks how or where to apply, and again with `prefill` when they agreed to pass on what they told."""

    service_id: str = Field(description="Catalogue id of the service handed over to.")
    url: str | None = Field(description="The online form, or null where no form address is confirmed.")
    office: str | None = Field(
        default=None,
        description="The office responsible at the citizen's place (German name), or null while the place is "
        "unknown (the bot then asks for it and hands off again once it is given).",
        examples=["LVR-Dezernat Soziales", "Stadt Leverkusen (Sozialamt)"],
    )
    prefill: Prefill | None = Field(
        default=None,
        description=(
            "Once-only: null until the citizen explicitly agreed to pass on what they told; then exactly those "
            "fields, for the form to pre-fill: place (town or Kreis), ags (its official key, for FIT-Connect "
            "routing), age (years), leika (LeiKa key of the service, where confirmed)."
        ),
        examples=[{"place": "Köln", "ags": "05315000", "age": "45"}],
    )
    data: Prefill = Field(
        default_factory=lambda: Prefill(),
        description="Deprecated alias of `prefill` from contract v1.0: the same fields, `{}` while `prefill` is null.",
        deprecated=True,
    )


class TurnMetadata(_Out):
    """What the turn was about: the contract for the widget and partner portals."""

    service_ids: list[str] = Field(
        default_factory=list,
        description="Catalogue ids the reply is about (best first); details at /api/v1/services/{id}.",
    )
    authority: Authority | None = Field(
        default=None,
        description="Who is responsible for the citizen, once known from their place: `LVR` (Rheinland), `LWL` "
        "(Westfalen-Lippe), `Kreis/kreisfreie Stadt`, `other` (e.g. Pflegekasse); null while unknown.",
    )
    handoff: Handoff | None = Field(
        default=None,
        description="Set in the turn that hands off to the application (at once when asked how or where to apply), "
        "and again with `prefill` after the citizen agreed to pass on data; else null.",
    )
    fallback: bool = Field(
        default=False,
        description="True when the answer did not come from the dialogue assistant (assistant unavailable, or "
        "search-only mode) or the assistant did not understand; the messages then come from the search.",
    )
    language: Language = Field(
        default="de",
        description="The language of this reply (ISO 639-1): the conversation's language as the assistant keeps it; "
        "without the assistant the language detected in the message, else the request's `language`, else the "
        "conversation's last language, else `de`. Widgets set `lang` on the message elements from it.",
    )


class ChatRequest(BaseModel):
    """One user turn."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"session_id": None, "message": "Ich bin blind und wohne in Köln. Gibt es Geld vom LVR?"},
                {
                    "session_id": "3f2a9c1e8b7d4a6f9e0c1b2a3d4e5f60",
                    "message": '/choose_service{"service_id":"blindengeld"}',
                },
            ]
        }
    )

    session_id: str | None = Field(
        default=None,
        pattern=SESSION_ID_PATTERN,
        description="Conversation id from the previous answer; null starts a new conversation.",
    )
    message: str = Field(
        min_length=1,
        max_length=MESSAGE_MAX,
        pattern=HAS_TEXT_PATTERN,
        description=f"The user's text or a button payload; at most {MESSAGE_MAX} characters. Plain text: control "
        "characters are removed, HTML is passed on as text and never interpreted.",
    )

    language: Language | None = Field(
        default=None,
        description="Hint for the conversation's language (ISO 639-1), e.g. the page's `lang` or the widget's "
        "setting. The language detected in a clear message wins; the hint decides for short messages and the "
        "start. null: no hint.",
    )

    @field_validator("message")
    @classmethod
    def _clean_message(cls, value: str) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise ValueError("message is empty (after removing control characters and spaces)")
        return cleaned


class ChatResponse(_Out):
    """The bot's answer to one turn."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "session_id": "3f2a9c1e8b7d4a6f9e0c1b2a3d4e5f60",
                    "messages": [
                        {
                            "text": "Blinde Menschen im Rheinland bekommen vom LVR Blindengeld. Wo wohnen Sie?",
                            "buttons": [
                                {
                                    "title": "Welche Unterlagen?",
                                    "payload": '/ask_documents{"service_id":"blindengeld"}',
                                }
                            ],
                        }
                    ],
                    "metadata": {
                        "service_ids": ["blindengeld"],
                        "authority": "LVR",
                        "handoff": None,
                        "fallback": False,
                        "language": "de",
                    },
                }
            ]
        }
    )

    session_id: str = Field(description="Send it with the next message of this conversation.")
    messages: list[ChatMessage] = Field(description="Bot messages of this turn, in order.")
    metadata: TurnMetadata


# --- health ---------------------------------------------------------------------------------------------------


class ReplicaHealth(_Out):
    """State of one Rasa replica (GET /health/details)."""

    url: str  # the replica's loopback address (no token)
    status: Literal["up", "down"]
    reason: str | None = None  # why it is down (its last failure)
    last_failure: float | None = None  # Unix time of its last failure, also when up again


class ComponentHealth(_Out):
    """State of one component; the optional fields are left out where they do not apply."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    status: ComponentState  # disabled: not used in this configuration, not required
    reason: str | None = None  # why not up
    count: int | None = None  # catalogue: number of services
    mode: str | None = None  # retriever: hybrid | lexical-only; tracker store: postgresql | sqlite
    rebuild: str | None = None  # retriever: command that rebuilds the index
    url: str | None = None  # rasa / action server: the probed loopback address (no token)
    replicas: list[ReplicaHealth] | None = None  # rasa: every replica


class HealthResponse(_Out):
    """Answer of GET /health/details (operator): HTTP 200 when every required component is up, else 503."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "degraded",
                    "chat_backend": "rasa",
                    "components": {
                        "catalogue": {"status": "up", "count": 62},
                        "retriever": {
                            "status": "degraded",
                            "mode": "lexical-only",
                            "reason": "index missing: knowledge/build/index/manifest.json",
                            "rebuild": "make index",
                        },
                        "rasa": {"status": "up", "url": "http://127.0.0.1:18000"},
                        "action_server": {"status": "up", "url": "http://127.0.0.1:28000/health"},
                    },
                }
            ]
        }
    )

    status: Literal["up", "degraded"]  # up only when every required component is up
    chat_backend: Literal["rasa", "none"]
    components: dict[str, ComponentHealth]
