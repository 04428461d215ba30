"""GET /health: the state of every component, HTTP 200 only when every required one is up, else 503."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import HttpClientDep, KnowledgeDep, RasaClientDep, SettingsDep
from api.errors import RasaError
from api.rasa_client import RasaClient
from api.schemas import ComponentHealth, HealthResponse
from api.settings import Settings

router = APIRouter(tags=["health"])


async def _probe_rasa(rasa: RasaClient) -> ComponentHealth:
    try:
        await rasa.status()
    except RasaError as exc:
        return ComponentHealth(status="down", url=rasa.base_url, reason=str(exc))
    return ComponentHealth(status="up", url=rasa.base_url)


async def _probe_actions(http: httpx.AsyncClient, settings: Settings) -> ComponentHealth:
    url = settings.actions_health_url
    try:
        response = await http.get(url, timeout=settings.health_timeout)
    except httpx.HTTPError as exc:
        return ComponentHealth(status="down", url=url, reason=f"not reachable ({type(exc).__name__})")
    if response.status_code != 200:
        return ComponentHealth(status="down", url=url, reason=f"answered HTTP {response.status_code}")
    return ComponentHealth(status="up", url=url)


@router.get(
    "/health",
    summary="Component health",
    response_model=HealthResponse,
    response_model_exclude_none=True,
    responses={503: {"model": HealthResponse, "description": "A required component is degraded or down"}},
)
async def health(
    knowledge: KnowledgeDep, settings: SettingsDep, http: HttpClientDep, rasa: RasaClientDep
) -> JSONResponse:
    """Catalogue (count), retriever (hybrid or lexical-only, with the reason and rebuild command), Rasa and the
    action server (disabled, and not required, when BK_CHAT_BACKEND=none)."""
    components = {
        "catalogue": ComponentHealth(status="up", count=len(knowledge.catalogue)),
        "retriever": knowledge.retriever_health,
    }
    if rasa is None:
        reason = "BK_CHAT_BACKEND=none (search-only chat)"
        components["rasa"] = ComponentHealth(status="disabled", reason=reason)
        components["action_server"] = ComponentHealth(status="disabled", reason=reason)
    else:
        components["rasa"], components["action_server"] = await asyncio.gather(
            _probe_rasa(rasa), _probe_actions(http, settings)
        )
    up = all(c.status in ("up", "disabled") for c in components.values())
    body = HealthResponse(status="up" if up else "degraded", chat_backend=settings.chat_backend, components=components)
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=200 if up else 503)
