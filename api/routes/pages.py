"""HTML pages and widget files from api/static/, served when present (they are written separately).

/                    api/static/index.html      (else a small JSON pointer to /docs and /health)
/beratung            api/static/beratung.html   caseworker search page
/beratung/{id}       api/static/service.html    detail page of one service (404 for an unknown id)
/static/…            api/static/…               widget.js, widget.css, images
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from api.deps import CatalogueDep, SettingsDep
from api.errors import ApiError

router = APIRouter(include_in_schema=False)


class OptionalStaticFiles(StaticFiles):
    """StaticFiles that answers 404 instead of failing while the folder does not exist (yet)."""

    async def check_config(self) -> None:
        return None


def _page(static_dir: Path, name: str) -> FileResponse:
    path = static_dir / name
    if not path.is_file():
        raise ApiError(404, "not_found", f"page {name} is not installed")
    return FileResponse(path, media_type="text/html; charset=utf-8")


@router.get("/", response_model=None)
def index(settings: SettingsDep) -> FileResponse | JSONResponse:
    if (settings.static_dir / "index.html").is_file():
        return _page(settings.static_dir, "index.html")
    return JSONResponse({"name": "LVR-Beratungskompass API", "docs": "/docs", "health": "/health"})


@router.get("/beratung")
def caseworker_page(settings: SettingsDep) -> FileResponse:
    return _page(settings.static_dir, "beratung.html")


@router.get("/beratung/{service_id}")
def service_page(service_id: str, settings: SettingsDep, catalogue: CatalogueDep) -> FileResponse:
    if service_id not in catalogue:
        raise ApiError(404, "not_found", f"no service with id {service_id[:100]!r}")
    return _page(settings.static_dir, "service.html")


def static_files(static_dir: Path) -> OptionalStaticFiles:
    """The app for the /static mount (no file system access until the first request)."""
    return OptionalStaticFiles(directory=os.fspath(static_dir), check_dir=False)
