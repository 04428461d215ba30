"""GET /docs: Swagger UI for the OpenAPI description, with a Content-Security-Policy of its own.

FastAPI's page loads Swagger UI from the jsDelivr CDN and starts it with one inline script. Instead of allowing
inline scripts, the policy names that script by its SHA-256 hash, so nothing else inline can run on the page.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

CDN = "https://cdn.jsdelivr.net"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(html: str) -> str:
    """The CSP of the docs page: Swagger UI from the CDN, the page's own inline scripts by hash, no framing."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src {CDN} {hashes}; style-src {CDN}; "
        "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root_path = request.scope.get("root_path", "").rstrip("/")
    openapi_url = request.app.openapi_url or "/openapi.json"
    page = get_swagger_ui_html(openapi_url=root_path + openapi_url, title=f"{request.app.title} - Swagger UI")
    html = bytes(page.body).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": docs_policy(html)})
