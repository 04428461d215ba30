"""Dependencies of the routes, as ``Annotated`` aliases so that signatures read like sentences.

Everything comes from ``app.state``, filled by ``create_app`` (settings, rate limits) and the lifespan
(knowledge, HTTP client, Rasa replicas). Tests replace any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from api.errors import ApiError
from api.knowledge_state import KnowledgeState
from api.payloads import OfferedPayloads
from api.rasa_pool import RasaPool
from api.ratelimit import RateLimits, TokenBucketLimiter, retry_after_seconds
from api.settings import Settings
from knowledge.catalogue import Catalogue
from knowledge.search import Retriever


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_knowledge(request: Request) -> KnowledgeState:
    """Catalogue and retriever loaded in the lifespan."""
    knowledge: KnowledgeState = request.app.state.knowledge
    return knowledge


def get_catalogue(knowledge: Annotated[KnowledgeState, Depends(get_knowledge)]) -> Catalogue:
    return knowledge.catalogue


def get_retriever(knowledge: Annotated[KnowledgeState, Depends(get_knowledge)]) -> Retriever:
    return knowledge.retriever


def get_http_client(request: Request) -> httpx.AsyncClient:
    """The shared HTTP client for loopback calls."""
    http: httpx.AsyncClient = request.app.state.http
    return http


def get_rasa(request: Request) -> RasaPool | None:
    """The Rasa replicas, or None in search-only mode (BK_CHAT_BACKEND=none)."""
    rasa: RasaPool | None = request.app.state.rasa
    return rasa


def get_offered(request: Request) -> OfferedPayloads:
    """The button payloads offered per conversation (api.payloads)."""
    offered: OfferedPayloads = request.app.state.offered
    return offered


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
KnowledgeDep = Annotated[KnowledgeState, Depends(get_knowledge)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
HttpClientDep = Annotated[httpx.AsyncClient, Depends(get_http_client)]
RasaDep = Annotated[RasaPool | None, Depends(get_rasa)]
OfferedDep = Annotated[OfferedPayloads, Depends(get_offered)]


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _enforce(limiter: TokenBucketLimiter, request: Request) -> None:
    wait = limiter.acquire(_client_key(request))
    if wait > 0:
        seconds = retry_after_seconds(wait)
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
            retry_after=seconds,
        )


async def limit_chat(request: Request) -> None:
    """Rate limit of the chat endpoints (per client IP)."""
    limits: RateLimits = request.app.state.rate_limits
    _enforce(limits.chat, request)


async def limit_search(request: Request) -> None:
    """Rate limit of the service and vocabulary endpoints (per client IP)."""
    limits: RateLimits = request.app.state.rate_limits
    _enforce(limits.search, request)
