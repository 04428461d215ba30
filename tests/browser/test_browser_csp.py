"""The widget under a partner's strict Content-Security-Policy, and the API's own pages under theirs.

The partner page allows scripts, styles and requests from the API origin only (nothing inline, no eval, no images
or fonts): what docs/widget.md tells partners to allow. The chat must work and the browser must report no CSP
violation. ``securitypolicyviolation`` events are collected by a Playwright init script, which CSP does not govern.
"""

from __future__ import annotations

from typing import Any

import pytest
from bk_browser_kit import WIDGET, NewPage, Product, open_widget, send_text

pytestmark = pytest.mark.browser

STRICT_PAGE = """<!doctype html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="{policy}">
  <title>Partnerportal mit strenger CSP (Test)</title>
  <script src="{api}/widget.js" data-api="{api}" defer></script>
</head>
<body><main><h1>Partnerportal mit strenger CSP</h1></main></body>
</html>
"""

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
}, true);
"""


def _watch(page: Any) -> list[str]:
    """Collect CSP violations: the DOM events (also from the shadow root: they bubble to the document) and any
    console message about the policy."""
    console: list[str] = []
    page.add_init_script(COLLECT_VIOLATIONS)
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    return console


def _violations(page: Any, console: list[str]) -> list[str]:
    events: list[str] = page.evaluate("() => window.__cspViolations")
    return events + console


def test_widget_works_under_a_strict_partner_csp(new_page: NewPage, product: Product) -> None:
    policy = (
        f"default-src 'none'; script-src {product.url}; style-src {product.url}; connect-src {product.url}; "
        "img-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
    )
    (product.partner.directory / "strict.html").write_text(
        STRICT_PAGE.format(policy=policy, api=product.url), encoding="utf-8"
    )
    page = new_page()
    console = _watch(page)
    page.goto(f"{product.partner.origin}/strict.html")
    open_widget(page)
    send_text(page, "Ich bin gehörlos und möchte Geld beantragen")
    bot = page.locator(f"{WIDGET} .bk-bot .bk-text").all_inner_texts()
    assert bot and all(text.strip() for text in bot)
    assert page.locator(f"{WIDGET} .bk-error-notice").count() == 0
    # the widget's stylesheet was applied (it is hidden until widget.css loads)
    display = page.locator(f"{WIDGET} .bk-primary").evaluate("el => getComputedStyle(el).display")
    assert display != "none"
    page.wait_for_timeout(300)
    assert _violations(page, console) == []


def test_the_guard_sees_a_violation(new_page: NewPage, product: Product) -> None:
    """The check above can fail: the same page without the API in connect-src reports the blocked request."""
    policy = f"default-src 'none'; script-src {product.url}; style-src {product.url}; connect-src 'none'"
    (product.partner.directory / "too-strict.html").write_text(
        STRICT_PAGE.format(policy=policy, api=product.url), encoding="utf-8"
    )
    page = new_page()
    console = _watch(page)
    page.goto(f"{product.partner.origin}/too-strict.html")
    open_widget(page)
    page.locator(f"{WIDGET} .bk-input").fill("Hallo")
    page.locator(f"{WIDGET} .bk-input").press("Enter")
    page.wait_for_function("() => window.__cspViolations.length > 0", timeout=10_000)
    assert any("connect-src" in v for v in _violations(page, console))


@pytest.mark.parametrize("path", ["/", "/beratung"])
def test_own_pages_run_under_their_own_csp(new_page: NewPage, product: Product, path: str) -> None:
    page = new_page()
    console = _watch(page)
    response = page.goto(product.url + path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    if path == "/":
        open_widget(page)
        send_text(page, "Ich bin blind")
    else:
        page.locator("input[type=search], input").first.fill("Blindengeld")
        page.wait_for_timeout(800)
    assert _violations(page, console) == []


def test_privacy_notice_states_the_retention_period(new_page: NewPage, product: Product) -> None:
    """The notice names the server's BK_RETENTION_DAYS (default 30), fetched from GET /api/v1/privacy."""
    page = new_page()
    page.goto(product.url + "/")
    open_widget(page)
    notice = page.locator(f"{WIDGET} .bk-privacy-server")
    page.wait_for_function(
        "(name) => document.querySelector(name).shadowRoot.querySelector('.bk-privacy-server')"
        ".textContent.includes('30 Tage')",
        arg=WIDGET,
    )
    assert "löscht die Unterhaltung 30 Tage nach Ihrer letzten Nachricht" in notice.inner_text()
