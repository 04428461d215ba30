"""Caseworker API: search the catalogue, list and filter services, read one record, the filter vocabularies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Query
from fastapi.openapi.models import Example

from api.deps import CatalogueDep, KnowledgeDep, limit_search
from api.errors import ApiError
from api.schemas import (
    HAS_TEXT_PATTERN,
    QUERY_MAX,
    TOP_MAX,
    ErrorBody,
    Label,
    SearchResponse,
    SearchResult,
    ServiceDetail,
    ServiceList,
    ServiceRef,
    ServiceSummary,
    Vocab,
    VocabEntry,
)
from api.text import clean_line
from contract.chat import LANGUAGE_CODES, Language
from knowledge.catalogue import Catalogue
from knowledge.errors import QueryError
from knowledge.schema import TRANSLATED_FIELDS, Service
from knowledge.vocab import DEFAULT_LANGUAGE, LEBENSLAGEN, PROVIDERS, SECTIONS, TARGET_GROUPS

router = APIRouter(prefix="/api/v1", tags=["services"], dependencies=[Depends(limit_search)])

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ErrorBody,
        "description": "Invalid parameter (the body names it and, for filters, the allowed values)",
    },
    429: {"model": ErrorBody, "description": "Rate limit reached; see the Retry-After header"},
}

_QUERY_EXAMPLES = {
    "situation": Example(summary="A life situation", value="Mein Sohn ist 4 und spricht noch nicht richtig"),
    "service": Example(summary="A service name", value="Blindengeld"),
    "caseworker": Example(summary="Caseworker wording", value="Budget für Arbeit Lohnkostenzuschuss"),
}

Lebenslage = Annotated[
    str | None,
    Query(
        description="Only services of this Lebenslage (an id of /api/v1/vocab).",
        json_schema_extra={"enum": list(LEBENSLAGEN)},
    ),
]
Provider = Annotated[
    str | None,
    Query(description="Only services of this provider.", json_schema_extra={"enum": list(PROVIDERS)}),
]
TargetGroup = Annotated[
    str | None,
    Query(description="Only services for this target group.", json_schema_extra={"enum": list(TARGET_GROUPS)}),
]


SearchLanguage = Annotated[
    str,
    Query(
        description="Language of the texts in the answer (ISO 639-1); German where the catalogue has no "
        "translation, and the answer says which language each text has. A query may be in any of them.",
        json_schema_extra={"enum": list(LANGUAGE_CODES)},
    ),
]


def _check_language(value: str) -> Language:
    """The requested language; 422 naming the supported ones for any other."""
    if value in LANGUAGE_CODES:
        return cast(Language, value)
    raise ApiError(
        422,
        "unsupported_language",
        f"unsupported lang {value[:20]!r}; the catalogue has texts in: {', '.join(LANGUAGE_CODES)}",
        parameter="lang",
        allowed=list(LANGUAGE_CODES),
    )


def search_result(service: Service, score: float, language: Language) -> SearchResult:
    """A search hit with its title and teaser in `language` when the catalogue has both there, else German."""
    translated = service.in_language(language)
    has_both = language != DEFAULT_LANGUAGE and not service.missing_translations(language)
    shown, shown_language = (translated, language) if has_both else (service, cast(Language, DEFAULT_LANGUAGE))
    return SearchResult(
        id=service.id,
        title=shown.title,
        teaser=shown.teaser,
        provider=service.responsible.provider,
        score=round(score, 4),
        language=shown_language,
    )


def _check_filter(parameter: str, value: str | None, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise ApiError(
            422,
            "unknown_filter_value",
            f"unknown {parameter} {value[:100]!r}",
            parameter=parameter,
            allowed=allowed,
        )


def _summary(service: Service) -> ServiceSummary:
    return ServiceSummary(
        id=service.id,
        title=service.title,
        title_short=service.title_short,
        teaser=service.teaser,
        provider=service.responsible.provider,
        lebenslagen=service.lebenslagen,
        target_groups=service.target_groups,
        verified=service.verified,
        claims_total=len(service.claims),
        claims_confirmed=service.confirmed_claims,
    )


def page_url(service_id: str) -> str:
    """Path of the detail page of a service."""
    return f"/beratung/{service_id}"


def text_languages(service: Service, language: Language) -> dict[str, Language]:
    """The language of each translatable text of `service.in_language(language)` that has a value."""
    shown = service.in_language(language)
    texts = service.translations.get(language) if language != DEFAULT_LANGUAGE else None
    out: dict[str, Language] = {}
    for name in TRANSLATED_FIELDS:
        value = getattr(shown, name)
        if value in (None, [], ""):
            continue
        translated = texts is not None and getattr(texts, name) is not None and value == getattr(texts, name)
        out[name] = language if translated else cast(Language, DEFAULT_LANGUAGE)
    return out


def _detail(original: Service, catalogue: Catalogue, language: Language = "de") -> ServiceDetail:
    service = original.in_language(language)
    related = [catalogue[i].in_language(language) for i in original.related if i in catalogue]
    return ServiceDetail.model_validate(
        {
            **service.model_dump(),
            "language": language,
            "text_languages": text_languages(original, language),
            "provider": service.responsible.provider,
            "lebenslagen_labels": [Label(id=i, label=LEBENSLAGEN[i]) for i in service.lebenslagen],
            "target_groups_labels": [Label(id=i, label=TARGET_GROUPS[i]) for i in service.target_groups],
            "related_services": [ServiceRef(id=r.id, title=r.title, url=page_url(r.id)) for r in related],
            "page_url": page_url(service.id),
        }
    )


@router.get(
    "/services/search",
    summary="Search services",
    response_model=SearchResponse,
    responses=_ERRORS,
)
def search_services(
    knowledge: KnowledgeDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=QUERY_MAX,
            pattern=HAS_TEXT_PATTERN,
            description=f"What the person is looking for, in their own words (1–{QUERY_MAX} characters).",
            openapi_examples=_QUERY_EXAMPLES,
        ),
    ],
    top: Annotated[int, Query(ge=1, le=TOP_MAX, description=f"Number of results (1–{TOP_MAX}).")] = 5,
    lebenslage: Lebenslage = None,
    provider: Provider = None,
    lang: SearchLanguage = DEFAULT_LANGUAGE,
) -> SearchResponse:
    """Hybrid (semantic + lexical) search over the catalogue; lexical only while the index is unavailable. Results
    in `lang` where the catalogue has the texts (the caseworker page asks for German, the default)."""
    language = _check_language(lang)
    _check_filter("lebenslage", lebenslage, LEBENSLAGEN)
    _check_filter("provider", provider, PROVIDERS)
    query = clean_line(q)
    if not query:
        raise ApiError(422, "invalid_query", "the query is empty", parameter="q")
    try:
        hits = knowledge.retriever.search(query, top, lebenslage=lebenslage, provider=provider)
    except QueryError as exc:
        raise ApiError(422, "invalid_query", str(exc), parameter="q") from None
    results = [search_result(hit.service, float(hit.score), language) for hit in hits]
    return SearchResponse(
        query=query,
        mode="hybrid" if knowledge.search_mode == "hybrid" else "lexical-only",
        results=results,
        language=language,
    )


@router.get("/services", summary="List services", response_model=ServiceList, responses=_ERRORS)
def list_services(
    catalogue: CatalogueDep,
    lebenslage: Lebenslage = None,
    provider: Provider = None,
    target_group: TargetGroup = None,
    verified: Annotated[
        bool | None,
        Query(description="Only verified services (true) or only those with unconfirmed claims (false)."),
    ] = None,
) -> ServiceList:
    """All services of the catalogue (ordered by id), optionally filtered; filters combine with AND."""
    _check_filter("lebenslage", lebenslage, LEBENSLAGEN)
    _check_filter("provider", provider, PROVIDERS)
    _check_filter("target_group", target_group, TARGET_GROUPS)
    services = [
        _summary(s)
        for s in catalogue
        if (lebenslage is None or lebenslage in s.lebenslagen)
        and (provider is None or s.responsible.provider == provider)
        and (target_group is None or target_group in s.target_groups)
        and (verified is None or s.verified == verified)
    ]
    return ServiceList(count=len(services), services=services)


@router.get(
    "/services/{service_id}",
    summary="One service",
    response_model=ServiceDetail,
    responses={404: {"model": ErrorBody, "description": "No service with this id"}, **_ERRORS},
)
def get_service(service_id: str, catalogue: CatalogueDep, lang: SearchLanguage = DEFAULT_LANGUAGE) -> ServiceDetail:
    """The full catalogue record, plus labels, related services and the detail page path; its texts in `lang` where
    the catalogue has them (`text_languages` says which), German otherwise and by default."""
    language = _check_language(lang)
    service = catalogue.get(service_id)
    if service is None:
        raise ApiError(404, "not_found", f"no service with id {service_id[:100]!r}", parameter="service_id")
    return _detail(service, catalogue, language)


@router.get("/vocab", summary="Filter vocabularies", response_model=Vocab, responses={429: _ERRORS[429]})
def get_vocab(catalogue: CatalogueDep) -> Vocab:
    """Lebenslagen, target groups and providers with German labels and service counts; the section names."""
    lebenslagen = Counter(i for s in catalogue for i in s.lebenslagen)
    groups = Counter(i for s in catalogue for i in s.target_groups)
    providers = Counter(s.responsible.provider for s in catalogue)
    return Vocab(
        lebenslagen=[VocabEntry(id=i, label=label, count=lebenslagen[i]) for i, label in LEBENSLAGEN.items()],
        target_groups=[VocabEntry(id=i, label=label, count=groups[i]) for i, label in TARGET_GROUPS.items()],
        providers=[VocabEntry(id=p, label=p, count=providers[p]) for p in PROVIDERS],
        sections=[Label(id=i, label=label) for i, label in SECTIONS.items()],
    )
