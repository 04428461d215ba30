"""The citizen widget on the demo page: a whole conversation by keyboard, text-only rendering, persistence and
deletion, Leichte Sprache, error states, reflow at 320 px and 200 % zoom (with screenshots)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from bk_browser_kit import (
    WIDGET,
    NewPage,
    PageErrors,
    Product,
    last_source_box,
    open_by_keyboard,
    open_widget,
    press_choice_by_keyboard,
    screenshot_last_answer,
    send_text,
    session_state,
    type_by_keyboard,
    widget_active,
)

pytestmark = pytest.mark.browser

SITUATION = "Ich bin blind und brauche Geld zum Leben"
KEYBOARD_SITUATION = "Ich bin blind, wohne in Köln und brauche Geld zum Leben"
PLACE = "Ich wohne in Köln"
XSS = "<img src=x onerror=alert(1)>"


def _office_or_form(page: Any) -> bool:
    """The latest provenance box names the responsible office, or a form link was offered."""
    if page.locator(f"{WIDGET} a.bk-form-link").count():
        return True
    if not page.locator(f"{WIDGET} .bk-source").count():
        return False
    return bool(last_source_box(page).locator(".bk-detail", has_text=re.compile("Zuständige Stelle")).count())


def test_whole_conversation_by_keyboard(new_page: NewPage, product: Product, artifacts: Path) -> None:
    """Launcher → situation → quick reply → office or form link, by keyboard only, with the ``product`` backend
    (search-only by default). The same walk through the full Rasa dialogue, up to the hand-off, is
    test_browser_dialogue.py."""
    page = new_page()
    page.goto(f"{product.url}/")

    # Tab from the top of the page to the launcher, open it with Enter: focus goes to the message field.
    open_by_keyboard(page)
    privacy = page.locator(f"{WIDGET} .bk-privacy")
    assert privacy.is_visible()
    assert "bis Sie die Unterhaltung löschen oder den Tab schließen" in privacy.inner_text()

    # Describe the situation, send with Enter; the answer comes without moving the focus.
    type_by_keyboard(page, KEYBOARD_SITUATION)
    assert page.locator(f"{WIDGET} .bk-bot").count() >= 1
    assert page.locator(f"{WIDGET} [role=log][aria-live=polite]").count() == 1

    # Go back (Shift+Tab) from the input to the nearest button and press Enter; repeat until the answer names the
    # responsible office or hands over to a form (search-only mode: after one service button; the full dialogue may
    # ask for the place first, which is answered by typing).
    pressed: list[str] = []
    for _ in range(6):
        if pressed and _office_or_form(page):
            break
        if page.locator(f"{WIDGET} .bk-choice").count():
            pressed.append(press_choice_by_keyboard(page))
        else:
            type_by_keyboard(page, PLACE)
    assert pressed, "no quick-reply button was offered"
    assert _office_or_form(page), "the conversation did not reach the office or a form link"
    form_links = page.locator(f"{WIDGET} a.bk-form-link")
    if form_links.count():
        href = form_links.last.get_attribute("href") or ""
        assert href.startswith(("https://", "http://")), href
        assert form_links.last.get_attribute("rel") == "noopener noreferrer"
    else:
        source = last_source_box(page)
        text = source.inner_text()
        assert "Grundlage dieser Antwort" in text
        assert "Zuständige Stelle:" in text, text
    screenshot_last_answer(page, artifacts / "widget-conversation-1280.png")


def test_html_in_messages_is_shown_as_text(new_page: NewPage, product: Product, page_errors: PageErrors) -> None:
    page = new_page()
    # A bot answer that carries markup and a javascript: handoff URL (the API never sends that; the widget must
    # cope anyway). Only the chat call is replaced; service details come from the real API.
    bot_text = f"Antwort mit {XSS} und <b>fett</b>"

    def fake_chat(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        body = {
            "session_id": "xsstest12345",
            "messages": [{"text": bot_text, "buttons": [{"title": XSS, "payload": "/affirm"}]}],
            "metadata": {
                "service_ids": ["blindengeld"],
                "authority": "LVR",
                "handoff": {"service_id": "blindengeld", "url": "javascript:alert(1)"},
                "fallback": False,
            },
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, XSS)  # the real API first: the user's own text, and the search answer to it
    page.route("**/api/v1/chat", fake_chat)
    send_text(page, XSS)

    assert page.locator(f"{WIDGET} .bk-user .bk-text").first.inner_text() == XSS
    assert page.locator(f"{WIDGET} .bk-bot .bk-text").last.inner_text() == bot_text
    assert page.locator(f"{WIDGET} .bk-choice").last.inner_text() == XSS
    counts = page.evaluate(
        """(name) => ({
            page: document.querySelectorAll('img, b').length,
            widget: document.querySelector(name).shadowRoot.querySelectorAll('img, b').length,
            links: [...document.querySelector(name).shadowRoot.querySelectorAll('a')].map(a => a.href),
        })""",
        WIDGET,
    )
    assert counts["page"] == 0 and counts["widget"] == 0, counts
    assert not any(href.startswith("javascript:") for href in counts["links"]), counts["links"]
    assert "kein Online-Antrag bestätigt" in last_source_box(page).inner_text()
    page.wait_for_timeout(200)
    assert page_errors.dialogs == [], "a dialog fired: markup was executed"


def test_conversation_survives_reload_and_is_deleted(new_page: NewPage, product: Product) -> None:
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, SITUATION)
    state = session_state(page)
    assert state is not None and state["sessionId"]
    rendered = page.locator(f"{WIDGET} .bk-msg").all_inner_texts()

    page.reload()
    page.locator(f"{WIDGET} .bk-input").wait_for(state="visible")  # still open
    assert page.locator(f"{WIDGET} .bk-msg").all_inner_texts() == rendered
    assert session_state(page)["sessionId"] == state["sessionId"]  # type: ignore[index]

    # Delete: two steps (button, then confirm), DELETE on the server, nothing left in the tab.
    page.locator(f"{WIDGET} .bk-danger-link").click()
    with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        page.locator(f"{WIDGET} .bk-danger").click()
    assert deleted.value.status == 204
    assert deleted.value.url.endswith(f"/api/v1/chat/{state['sessionId']}")
    assert page.locator(f"{WIDGET} .bk-msg").count() == 0
    assert session_state(page) is None
    assert "gelöscht" in page.locator(f"{WIDGET} .bk-status").inner_text()
    page.reload()
    page.locator(f"{WIDGET} .bk-launcher").wait_for(state="visible")
    assert page.locator(f"{WIDGET} .bk-msg").count() == 0


def test_delete_keeps_the_conversation_when_the_server_cannot_delete(new_page: NewPage, product: Product) -> None:
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, SITUATION)
    page.route(
        "**/api/v1/chat/*",
        lambda route: route.fulfill(
            status=503, content_type="application/json", body='{"error":"unavailable","detail":"rasa down"}'
        ),
    )
    page.locator(f"{WIDGET} .bk-danger-link").click()
    page.locator(f"{WIDGET} .bk-danger").click()
    notice = page.locator(f"{WIDGET} .bk-error-notice")
    notice.wait_for()
    assert "nicht gelöscht" in notice.inner_text()
    assert page.locator(f"{WIDGET} .bk-user").count() == 1
    assert session_state(page) is not None


def test_rate_limit_is_explained(new_page: NewPage, product: Product) -> None:
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    page.route(
        "**/api/v1/chat",
        lambda route: route.fulfill(
            status=429, headers={"Retry-After": "7"}, content_type="application/json", body='{"error":"rate_limited"}'
        ),
    )
    send_text(page, "Hallo")
    assert "7 Sekunden" in page.locator(f"{WIDGET} .bk-error-notice").inner_text()


def test_leichte_sprache_switch_sends_the_intent_and_shows_the_state(new_page: NewPage, product: Product) -> None:
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    switch = page.locator(f"{WIDGET} [role=switch]")
    assert switch.get_attribute("aria-checked") == "false"
    with page.expect_request(lambda r: r.url.endswith("/api/v1/chat") and r.method == "POST") as sent:
        switch.focus()
        page.keyboard.press("Enter")
    assert json.loads(sent.value.post_data or "{}")["message"] == "/leichte_sprache_on"
    page.wait_for_function(
        "(n) => document.querySelector(n).shadowRoot.querySelector('[role=switch]').ariaChecked === 'true'", arg=WIDGET
    )
    assert switch.locator(".bk-switch-state").inner_text().strip() == "an"
    page.reload()
    assert page.locator(f"{WIDGET} [role=switch]").get_attribute("aria-checked") == "true"
    with page.expect_request(lambda r: r.url.endswith("/api/v1/chat") and r.method == "POST") as sent:
        page.locator(f"{WIDGET} [role=switch]").click()
    assert json.loads(sent.value.post_data or "{}")["message"] == "/leichte_sprache_off"


def test_read_aloud_and_languages(new_page: NewPage, product: Product) -> None:
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, SITUATION)
    has_speech = page.evaluate("() => 'speechSynthesis' in window")
    read = page.locator(f"{WIDGET} .bk-bot .bk-small")
    if has_speech:
        assert read.count() == page.locator(f"{WIDGET} .bk-bot .bk-text").count()
        page.evaluate(
            """() => { window.__spoken = []; speechSynthesis.speak = (u) => window.__spoken.push({text: u.text,
                lang: u.lang}); }"""
        )
        read.first.click()
        spoken = page.evaluate("() => window.__spoken")
        assert spoken and spoken[0]["lang"] == "de"  # headless Chromium has no voices: the message's language
        assert read.first.inner_text() == "Vorlesen beenden"
        read.first.click()
        assert read.first.inner_text() == "Vorlesen"
    # every bot message is marked German, left to right; the host element carries the interface language
    langs = page.locator(f"{WIDGET} .bk-bot").evaluate_all("els => els.map(e => [e.lang, e.dir])")
    assert {tuple(x) for x in langs} == {("de", "ltr")}
    assert page.locator(WIDGET).get_attribute("lang") == "de"


def test_escape_closes_and_returns_focus(new_page: NewPage, product: Product) -> None:
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    page.locator(f"{WIDGET} .bk-input").focus()
    page.keyboard.press("Escape")
    assert not page.locator(f"{WIDGET} .bk-panel").is_visible()
    active = widget_active(page)
    assert active is not None and "bk-launcher" in active["cls"]
    assert page.locator(f"{WIDGET} .bk-launcher").get_attribute("aria-expanded") == "false"


def _no_horizontal_overflow(page: Any) -> dict[str, Any]:
    overflow: dict[str, Any] = page.evaluate(
        """(name) => {
            const root = document.querySelector(name).shadowRoot;
            const panel = root.querySelector('.bk-panel');
            const wide = [...root.querySelectorAll('.bk-panel *')].filter(el => {
                const r = el.getBoundingClientRect();
                return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1);
            }).map(el => el.className || el.tagName);
            return {viewport: window.innerWidth, panel: panel.getBoundingClientRect().width,
                    scroll: panel.scrollWidth, client: panel.clientWidth, wide};
        }""",
        WIDGET,
    )
    return overflow


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [("320px", {"width": 320, "height": 640}, 1), ("zoom200", {"width": 640, "height": 400}, 2)],
)
def test_reflow_small_screen_and_zoom(
    new_page: NewPage, product: Product, artifacts: Path, name: str, viewport: dict[str, int], scale: int
) -> None:
    # 200 % zoom of a 1280×800 window = a 640×400 CSS-pixel viewport at device scale factor 2.
    page = new_page(viewport=viewport, device_scale_factor=scale)
    page.goto(f"{product.url}/")
    page.locator(f"{WIDGET} .bk-launcher").wait_for(state="visible")
    page.screenshot(path=str(artifacts / f"widget-closed-{name}.png"))
    open_widget(page)
    send_text(page, SITUATION)
    overflow = _no_horizontal_overflow(page)
    assert overflow["scroll"] <= overflow["client"] + 1, overflow
    assert overflow["wide"] == [], overflow
    assert overflow["panel"] <= viewport["width"], overflow
    # the controls stay reachable: input, send and delete are visible inside the viewport
    for selector in (".bk-input", ".bk-primary", ".bk-danger-link", ".bk-icon-button", "[role=switch]"):
        box = page.locator(f"{WIDGET} {selector}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, (selector, box)
    # The full-screen panel covers the page: Tab and Shift+Tab stay inside it.
    page.locator(f"{WIDGET} .bk-icon-button").focus()
    for key in ("Shift+Tab", "Tab"):
        page.keyboard.press(key)
        assert widget_active(page) is not None, f"{key} left the full-screen panel"
    page.locator(f"{WIDGET} .bk-danger-link").focus()
    page.keyboard.press("Tab")
    assert widget_active(page) is not None, "Tab left the full-screen panel"
    page.wait_for_timeout(400)  # smooth scrolling settles
    page.screenshot(path=str(artifacts / f"widget-open-{name}.png"))


def test_reduced_motion_disables_animation(new_page: NewPage, product: Product) -> None:
    page = new_page(reduced_motion="reduce")
    page.goto(f"{product.url}/")
    open_widget(page)
    animation = page.locator(f"{WIDGET} .bk-panel").evaluate("el => getComputedStyle(el).animationName")
    assert animation == "none"
