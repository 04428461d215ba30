"""Security headers on every response, and a bound on how long the API waits for a request body.

* ``SecurityHeaders``: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` everywhere; a strict
  Content-Security-Policy on HTML pages (scripts, styles, images and requests from this origin only, no inline
  script or style) whose ``frame-ancestors`` are this origin and the partner origins of ``BK_ALLOWED_ORIGINS``; on
  everything else (JSON, scripts, styles) ``default-src 'none'; frame-ancestors 'none'``. A response that already
  carries a Content-Security-Policy (the API docs page, which needs its own) keeps it.
* ``ReceiveTimeout``: a request whose body stops arriving (shorter than its Content-Length, or trickled) gets a JSON
  408 after ``timeout`` seconds instead of holding its connection and task forever.
"""

from __future__ import annotations

import anyio
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The API's own pages (/, /beratung): everything from this origin, nothing inline.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)
#: Anything that is not a page: nothing may be loaded or framed.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"


def page_policy(partner_origins: list[str]) -> str:
    """The CSP of the pages: framing only by this origin and the partner portals."""
    return PAGE_POLICY.format(ancestors=" ".join(["'self'", *partner_origins]))


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, partner_origins: list[str]) -> None:
        self.app = app
        self.page_policy = page_policy(partner_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if "content-security-policy" not in headers:
                    is_page = headers.get("content-type", "").startswith("text/html")
                    headers["Content-Security-Policy"] = self.page_policy if is_page else OTHER_POLICY
                    if is_page:
                        # For browsers without CSP Level 2; frame-ancestors takes precedence where supported.
                        headers["X-Frame-Options"] = "SAMEORIGIN"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTimeout(BaseException):
    """Raised inside ReceiveTimeout when the next piece of a request body does not arrive in time.

    A BaseException so that FastAPI's body parsing (which turns any Exception into a 400) lets it through.
    """


class ReceiveTimeout:
    """ASGI middleware: a JSON 408 when a request body stalls for ``timeout`` seconds."""

    def __init__(self, app: ASGIApp, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        started = False

        async def bounded_receive() -> Message:
            nonlocal body_done
            if body_done:  # after the body only a disconnect can come: no bound on waiting for it
                return await receive()
            message: Message | None = None
            with anyio.move_on_after(self.timeout):
                message = await receive()
            if message is None:
                raise _BodyTimeout
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracking_send)
        except _BodyTimeout:
            if started:
                raise
            detail = f"the request body did not arrive within {self.timeout:g} s"
            response = JSONResponse(
                {"error": "request_timeout", "detail": detail}, status_code=408, headers={"Connection": "close"}
            )
            await response(scope, receive, send)
