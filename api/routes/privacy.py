"""GET /api/v1/privacy: what the widget's privacy notice states about the server, from the settings."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import SettingsDep

router = APIRouter(prefix="/api/v1", tags=["chat"])


class PrivacyInfo(BaseModel):
    """How long the server keeps a conversation."""

    retention_days: int = Field(description="a conversation is deleted this many days after its last message")


@router.get("/privacy", response_model=PrivacyInfo, summary="Retention period of conversations")
def privacy(settings: SettingsDep) -> JSONResponse:
    """The retention period the widget's privacy notice names (``BK_RETENTION_DAYS``)."""
    body = PrivacyInfo(retention_days=settings.retention_days).model_dump()
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})
