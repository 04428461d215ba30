"""The application: wiring only. ``create_app`` does no I/O; the lifespan loads knowledge and opens clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import anyio.to_thread
import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import handlers
from api.knowledge_state import load_knowledge
from api.payloads import OfferedPayloads
from api.rasa_client import RasaClient
from api.rasa_pool import RasaPool
from api.ratelimit import RateLimits, TokenBucketLimiter
from api.retention import retention_job
from api.routes import chat, docs, health, languages, pages, privacy, services
from api.security import ReceiveTimeout, SecurityHeaders
from api.settings import Settings, get_settings

MAX_BODY_BYTES = 64 * 1024  # request bodies; a chat turn needs a few KiB at most

DESCRIPTION = """
API of the **LVR-Beratungskompass** chatbot.

* **services** – search and read the service catalogue (caseworker page, partner portals).
* **chat** – one chat turn for the widget and partner portals; the turn metadata names the services, the responsible
  authority and a handoff.
* **health** – up, degraded or down (the details per component for the operator).

All texts are plain text (render with `textContent`). Errors are JSON: `{"error": code, "detail": reason, …}`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load catalogue, index and model once; open the shared HTTP client; close it on shutdown."""
    settings: Settings = app.state.settings
    app.state.knowledge = await anyio.to_thread.run_sync(load_knowledge, settings)
    timeout = httpx.Timeout(settings.rasa_read_timeout, connect=settings.rasa_connect_timeout)
    # No keep-alive to Rasa: a kept connection stays with the Sanic worker that accepted it, busy or not; a new
    # loopback connection per turn is accepted by a free worker. Measured with 2 workers and 16 conversations
    # (README, "Chat benchmark"): p95 741-869 ms instead of 796-1,327 ms, for ~0.4 ms more API CPU per turn.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False) as http:
        app.state.http = http
        app.state.rasa = _rasa_pool(settings, http) if settings.chat_backend == "rasa" else None
        async with AsyncExitStack() as stack:
            if app.state.rasa is not None:
                await stack.enter_async_context(app.state.rasa.running())
            await stack.enter_async_context(retention_job(settings))
            yield


def _rasa_pool(settings: Settings, http: httpx.AsyncClient) -> RasaPool:
    """The Rasa replicas of BK_RASA_URLS (or the one of BK_RASA_URL)."""
    token = settings.rasa_token.get_secret_value()
    clients = [RasaClient(http, url, token, status_timeout=settings.health_timeout) for url in settings.rasa_urls]
    return RasaPool(clients, backoff=settings.rasa_backoff, backoff_max=settings.rasa_backoff_max)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app for these settings (default: from the environment)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="LVR-Beratungskompass API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.routes.docs, with a CSP that admits exactly its own inline script
        redoc_url=None,
        openapi_tags=[
            {"name": "services", "description": "Service catalogue: search, list, detail, vocabularies"},
            {"name": "chat", "description": "Chat gateway for the widget and partner portals"},
            {"name": "health", "description": "Component health"},
        ],
    )
    app.state.settings = settings
    app.state.offered = OfferedPayloads()
    app.state.rate_limits = RateLimits(
        chat=TokenBucketLimiter(settings.chat_rate_limit, settings.rate_limit_window),
        search=TokenBucketLimiter(settings.search_rate_limit, settings.rate_limit_window),
    )
    handlers.install(app)
    app.add_middleware(handlers.BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(ReceiveTimeout, timeout=settings.body_timeout)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, partner_origins=settings.allowed_origins)  # outermost: on every answer
    app.include_router(services.router)
    app.include_router(chat.router)
    app.include_router(privacy.router)
    app.include_router(languages.router)
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(settings.static_dir), name="static")
    return app
