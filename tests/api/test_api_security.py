"""Security headers (api.security.SecurityHeaders), the docs page's own CSP, and the body timeout (ReceiveTimeout).

The same headers are checked through the real process in tests/e2e/test_e2e_hardening.py, and the widget under a
partner's strict CSP in tests/browser/test_browser_csp.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from pathlib import Path

import pytest
from bk_api_testkit import MakeClient
from starlette.types import Message

from api.security import ReceiveTimeout

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
PARTNER = "https://partner.example"


@pytest.mark.parametrize(
    "path", ["/", "/beratung", "/widget.js", "/widget.css", "/static/demo.js", "/health", "/api/v1/vocab", "/nope"]
)
def test_every_answer_says_nosniff_and_no_referrer(make_client: MakeClient, path: str) -> None:
    response = make_client(static_dir=STATIC).get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize("path", ["/", "/beratung"])
def test_pages_have_a_strict_csp_framed_only_by_self_and_partners(make_client: MakeClient, path: str) -> None:
    response = make_client(static_dir=STATIC, allowed_origins=PARTNER).get(path)
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";") if part.strip()
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == f"'self' {PARTNER}"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    # and the pages indeed need nothing inline
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), "inline script"
    assert "<style" not in response.text and " style=" not in response.text


def test_json_cannot_be_framed_or_load_anything(make_client: MakeClient) -> None:
    response = make_client().get("/api/v1/vocab")
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_docs_page_allows_exactly_its_inline_script_by_hash(make_client: MakeClient) -> None:
    response = make_client().get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    [script] = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert "/openapi.json" in script


def test_a_stalled_body_gets_408_after_the_timeout() -> None:
    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        while True:
            message = await receive()  # type: ignore[operator]
            if not message.get("more_body"):
                return

    sent: list[Message] = []
    first = True

    async def receive() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"{", "more_body": True}
        await asyncio.sleep(30)  # the rest never comes
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    async def run() -> None:
        await asyncio.wait_for(ReceiveTimeout(app, timeout=0.2)({"type": "http", "headers": []}, receive, send), 5)

    asyncio.run(run())
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 408
