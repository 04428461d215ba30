"""The widget embedded on a partner portal of another origin: postMessage events (schema v1), English interface,
host CSS kept out; a page of an origin that is not allowed is refused by CORS."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from bk_browser_kit import WIDGET, NewPage, Product, open_widget, send_text

pytestmark = pytest.mark.browser

SITUATION = "Ich bin gehörlos und möchte Geld beantragen"


def _events(page: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = page.evaluate("() => window.__events")
    return events


def _cors_header(product: Product, origin: str) -> str | None:
    request = urllib.request.Request(f"{product.url}/api/v1/vocab", headers={"Origin": origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        value: str | None = response.headers.get("Access-Control-Allow-Origin")
        return value


def test_partner_page_receives_events(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page()
    page.goto(product.partner_page)
    open_widget(page)  # data-open="true": already open

    # English interface before the first reply: the page is lang="en".
    assert page.locator(WIDGET).get_attribute("lang") == "en"
    assert page.locator(f"{WIDGET} .bk-primary").inner_text() == "Send"

    # The host's hostile CSS does not reach the widget.
    style = page.locator(f"{WIDGET} .bk-primary").evaluate(
        "el => { const s = getComputedStyle(el); return [s.display, s.fontSize, s.color, s.letterSpacing]; }"
    )
    assert style[0] != "none" and float(style[1].removesuffix("px")) >= 14, style
    assert style[2] == "rgb(255, 255, 255)" and style[3] == "normal", style

    send_text(page, SITUATION)
    page.wait_for_function("() => window.__events.length >= 2")
    # The first reply sets the conversation's language (German here), then names the services.
    language, first = _events(page)[:2]
    assert language["origin"] == product.partner.origin
    assert language["data"] == {"type": "beratungskompass:language-changed", "version": 1, "language": "de"}
    assert first["origin"] == product.partner.origin
    assert first["data"]["type"] == "beratungskompass:service-selected"
    assert first["data"]["version"] == 1
    assert first["data"]["serviceIds"] and all(isinstance(i, str) for i in first["data"]["serviceIds"])
    # A German message gets a German answer: the messages are marked German, and the widget's texts follow.
    bot_langs = page.locator(f"{WIDGET} .bk-bot").evaluate_all("els => els.map(e => e.lang)")
    assert set(bot_langs) == {"de"}
    assert page.locator(WIDGET).get_attribute("lang") == "de"
    assert page.locator(f"{WIDGET} .bk-primary").inner_text() == "Senden"
    page.wait_for_timeout(400)  # smooth scrolling settles
    page.screenshot(path=str(artifacts / "widget-partner-en.png"))

    # Choose the first offered service: an event naming exactly that service.
    page.locator(f"{WIDGET} .bk-choice").first.click()
    page.wait_for_function("() => window.__events.length >= 3")
    second = _events(page)[2]["data"]
    assert second["type"] == "beratungskompass:service-selected" and len(second["serviceIds"]) >= 1

    # Delete the conversation: the host hears of it.
    page.locator(f"{WIDGET} .bk-danger-link").click()
    page.locator(f"{WIDGET} .bk-danger").click()
    page.wait_for_function(
        "() => window.__events.some(e => e.data.type === 'beratungskompass:conversation-deleted')"
    )
    deleted = next(e for e in _events(page) if e["data"]["type"] == "beratungskompass:conversation-deleted")
    assert deleted["origin"] == product.partner.origin
    assert deleted["data"] == {"type": "beratungskompass:conversation-deleted", "version": 1}


def test_handoff_event_and_form_link(new_page: NewPage, product: Product) -> None:
    """A turn with handoff metadata (as the full dialogue sends after consent): link shown, event sent."""
    page = new_page()
    url = "https://www.example.org/antrag?x=1"

    def fake_chat(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        body = {
            "session_id": "handofftest123",
            "messages": [{"text": "Hier geht es zum Online-Antrag.", "buttons": []}],
            "metadata": {
                "service_ids": ["eingliederungshilfe-antrag"],
                "authority": "LVR",
                "handoff": {"service_id": "eingliederungshilfe-antrag", "url": url},
                "fallback": False,
            },
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/api/v1/chat", fake_chat)
    page.goto(product.partner_page)
    open_widget(page)
    send_text(page, "yes")
    page.wait_for_function("() => window.__events.some(e => e.data.type === 'beratungskompass:handoff')")
    handoff = next(e["data"] for e in _events(page) if e["data"]["type"] == "beratungskompass:handoff")
    assert handoff == {
        "type": "beratungskompass:handoff",
        "version": 1,
        "serviceId": "eingliederungshilfe-antrag",
        "url": url,
        "office": None,  # the faked answer names no office
    }
    link = page.locator(f"{WIDGET} a.bk-form-link")
    assert link.get_attribute("href") == url
    assert link.get_attribute("target") == "_blank"
    assert "opens in a new tab" in link.inner_text()
    # The faked answer names no language: the interface stays in the page's English, with the German name.
    authority = page.locator(f"{WIDGET} .bk-authority").inner_text()
    assert authority.startswith("Responsible for you:") and "(LVR, Landschaftsverband Rheinland)" in authority


def test_origin_not_allowed_is_refused(new_page: NewPage, product: Product) -> None:
    # Plain HTTP: the allowed origin gets the CORS header, any other origin does not.
    assert _cors_header(product, product.partner.origin) == product.partner.origin
    assert _cors_header(product, product.foreign.origin) is None

    # In the browser: a fetch from the foreign page fails; the widget there says the service is unreachable.
    page = new_page()
    page.goto(product.foreign_page)
    outcome = page.evaluate(
        """async (api) => {
            try { const r = await fetch(api + '/api/v1/vocab'); return 'status ' + r.status; }
            catch (error) { return error.name; }
        }""",
        product.url,
    )
    assert outcome == "TypeError", outcome
    open_widget(page)
    send_text(page, "Hallo")
    assert "nicht erreichbar" in page.locator(f"{WIDGET} .bk-error-notice").inner_text()

    # The same fetch from the partner page works (the control).
    partner = new_page()
    partner.goto(product.partner_page)
    status = partner.evaluate("async (api) => (await fetch(api + '/api/v1/vocab')).status", product.url)
    assert status == 200
