"""Health: HTTP 200 only when every required component is up, else 503.

* ``GET /health`` (public, for load balancers and compose): only ``{"status": "up" | "degraded" | "down"}``.
* ``GET /health/details`` (operator): every component with its probed internal URL and failure reason. Answered to
  loopback callers whose request came through no proxy, or with ``Authorization: Bearer <BK_OPERATOR_TOKEN>``;
  anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from typing import Literal

import anyio
import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api import tracker_store
from api.deps import HttpClientDep, KnowledgeDep, RasaDep, SettingsDep
from api.errors import ApiError, TrackerStoreError
from api.knowledge_state import KnowledgeState
from api.rasa_pool import RasaPool
from api.schemas import ComponentHealth, ComponentState, HealthResponse, ReplicaHealth
from api.settings import Settings

router = APIRouter(tags=["health"])

PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


class PublicHealth(BaseModel):
    """Answer of GET /health: up (everything works), degraded (answers, with less: e.g. chat from the search only),
    down (no answers possible)."""

    status: Literal["up", "degraded", "down"]


async def _probe_rasa(rasa: RasaPool) -> ComponentHealth:
    """Every replica probed now. All up: up; some up: degraded (the chat works fully, with less capacity and no
    spare); none: down. One replica alone keeps the single-server form (url and reason)."""
    replicas = [
        ReplicaHealth(url=r.url, status=r.state, reason=r.reason, last_failure=r.last_failure)
        for r in await rasa.probe_all()
    ]
    up = sum(r.status == "up" for r in replicas)
    if len(replicas) == 1:
        only = replicas[0]
        return ComponentHealth(status=only.status, url=only.url, reason=only.reason)
    status: ComponentState = "up" if up == len(replicas) else "degraded" if up else "down"
    reason = None if status == "up" else f"{len(replicas) - up} of {len(replicas)} replicas down"
    return ComponentHealth(status=status, reason=reason, replicas=replicas)


async def _probe_actions(http: httpx.AsyncClient, settings: Settings) -> ComponentHealth:
    url = settings.actions_health_url
    try:
        response = await http.get(url, timeout=settings.health_timeout)
    except httpx.HTTPError as exc:
        return ComponentHealth(status="down", url=url, reason=f"not reachable ({type(exc).__name__})")
    if response.status_code != 200:
        return ComponentHealth(status="down", url=url, reason=f"answered HTTP {response.status_code}")
    return ComponentHealth(status="up", url=url)


async def _probe_tracker_store(settings: Settings) -> ComponentHealth:
    """Rasa's tracker store as the API reads it for degraded answers: PostgreSQL (BK_TRACKER_URL) must answer a query,
    the SQLite file must be readable. Its URL is not shown (it may hold a password); ``mode`` names the kind."""
    url = settings.tracker_url.get_secret_value()
    try:
        kind = await anyio.to_thread.run_sync(lambda: tracker_store.ping(db=settings.tracker_db, url=url))
    except TrackerStoreError as exc:
        return ComponentHealth(status="down", mode="postgresql" if url else "sqlite", reason=str(exc))
    return ComponentHealth(status="up", mode=kind)


async def _components(
    knowledge: KnowledgeState, settings: Settings, http: httpx.AsyncClient, rasa: RasaPool | None
) -> dict[str, ComponentHealth]:
    components = {
        "catalogue": ComponentHealth(status="up", count=len(knowledge.catalogue)),
        "retriever": knowledge.retriever_health,
    }
    if rasa is None:
        reason = "BK_CHAT_BACKEND=none (search-only chat)"
        components["rasa"] = ComponentHealth(status="disabled", reason=reason)
        components["action_server"] = ComponentHealth(status="disabled", reason=reason)
        components["tracker_store"] = ComponentHealth(status="disabled", reason=reason)
    else:
        components["rasa"], components["action_server"], components["tracker_store"] = await asyncio.gather(
            _probe_rasa(rasa), _probe_actions(http, settings), _probe_tracker_store(settings)
        )
    return components


def _all_up(components: dict[str, ComponentHealth]) -> bool:
    return all(c.status in ("up", "disabled") for c in components.values())


def _is_operator(request: Request, settings: Settings) -> bool:
    """A loopback caller not behind a proxy, or the operator token."""
    token = settings.operator_token.get_secret_value()
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if any(name in request.headers for name in PROXY_HEADERS):
        return False  # relayed by a proxy on this host: the real caller is somewhere else
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get(
    "/health",
    summary="Overall health",
    response_model=PublicHealth,
    responses={503: {"model": PublicHealth, "description": "A required component is degraded or down"}},
)
async def health(
    knowledge: KnowledgeDep, settings: SettingsDep, http: HttpClientDep, rasa: RasaDep
) -> JSONResponse:
    """up, degraded or down; nothing about the components, their addresses or why they fail."""
    components = await _components(knowledge, settings, http, rasa)
    if _all_up(components):
        status = "up"
    elif components["catalogue"].status == "down":
        status = "down"
    else:
        status = "degraded"
    return JSONResponse({"status": status}, status_code=200 if status == "up" else 503)


@router.get(
    "/health/details",
    summary="Component health (operator)",
    response_model=HealthResponse,
    response_model_exclude_none=True,
    responses={
        503: {"model": HealthResponse, "description": "A required component is degraded or down"},
        404: {"description": "Not a loopback caller and no valid operator token"},
    },
)
async def health_details(
    request: Request, knowledge: KnowledgeDep, settings: SettingsDep, http: HttpClientDep, rasa: RasaDep
) -> JSONResponse:
    """Catalogue (count), retriever (hybrid or lexical-only, with the reason and rebuild command), Rasa (each
    replica), the action server and Rasa's tracker store (the three disabled, and not required, when
    BK_CHAT_BACKEND=none), with probed URLs and reasons.
    Loopback callers without proxy headers, or ``Authorization: Bearer <BK_OPERATOR_TOKEN>``."""
    if not _is_operator(request, settings):
        raise ApiError(404, "not_found", "not found")
    components = await _components(knowledge, settings, http, rasa)
    up = _all_up(components)
    body = HealthResponse(status="up" if up else "degraded", chat_backend=settings.chat_backend, components=components)
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=200 if up else 503)
