"""HTML pages and widget files from api/static/, served when present (they are written separately).

/                    api/static/index.html      (else a small JSON pointer to /docs and /health)
/beratung            api/static/beratung.html   caseworker search page
/beratung/{id}       api/static/beratung.html   the same page, opened on one service (404 for an unknown id)
/widget.js           api/static/widget.js       the embeddable widget (one script tag), and /widget.css beside it
/static/…            api/static/…               everything else (pages' scripts and styles)
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
    return _page(settings.static_dir, "beratung.html")


def _asset(static_dir: Path, name: str, media_type: str) -> FileResponse:
    path = static_dir / name
    if not path.is_file():
        raise ApiError(404, "not_found", f"{name} is not installed")
    # Partner pages load the widget cross-origin; a short cache keeps updates quick to arrive.
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=300"})


@router.get("/widget.js")
def widget_script(settings: SettingsDep) -> FileResponse:
    return _asset(settings.static_dir, "widget.js", "text/javascript; charset=utf-8")


@router.get("/widget.css")
def widget_styles(settings: SettingsDep) -> FileResponse:
    return _asset(settings.static_dir, "widget.css", "text/css; charset=utf-8")


def static_files(static_dir: Path) -> OptionalStaticFiles:
    """The app for the /static mount (no file system access until the first request)."""
    return OptionalStaticFiles(directory=os.fspath(static_dir), check_dir=False)
