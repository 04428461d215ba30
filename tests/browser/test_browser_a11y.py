"""axe-core scans (WCAG 2.0/2.1 A and AA rules plus best practices) of the demo page with the widget open and a
conversation in it (in German and in English), of the English partner page, of a right-to-left message (faked), and
of the caseworker page (list and detail view).

axe-core scans open shadow roots, so the widget's UI is included. Every violation found is printed and written to
tests/artifacts/browser/axe-<name>.json; the test fails on violations of impact "serious" or "critical".
axe-core comes bundled in the PyPI package axe-playwright-python (dev dependency); nothing is downloaded at test time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bk_browser_kit import WIDGET, NewPage, Product, blocking, fake_reply, open_widget, scan, send_text

pytestmark = pytest.mark.browser


def test_demo_page_with_open_widget(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, "Mein Kind ist blind. Welche Hilfen gibt es?")
    page.locator(f"{WIDGET} .bk-choice").first.click()
    page.wait_for_function(
        "(n) => document.querySelector(n).shadowRoot.querySelectorAll('.bk-source').length >= 2", arg=WIDGET
    )
    page.locator(f"{WIDGET} .bk-danger-link").click()  # the confirmation step is part of the UI too
    violations = scan(page, "demo-widget-open", artifacts)
    assert not blocking(violations), blocking(violations)


def test_demo_page_widget_closed_and_narrow(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{product.url}/")
    page.locator(f"{WIDGET} .bk-launcher").wait_for(state="visible")
    violations = scan(page, "demo-widget-closed-320px", artifacts)
    assert not blocking(violations), blocking(violations)


def test_partner_page_english(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page()
    page.goto(product.partner_page)
    open_widget(page)
    send_text(page, "I am deaf and need help")
    # Only the widget: the partner test page itself is deliberately hostile (forced colours), not ours to judge.
    violations = scan(page, "partner-widget-en", artifacts, widget_only=True)
    assert not blocking(violations), blocking(violations)


def test_demo_page_with_the_widget_in_english(new_page: NewPage, product: Product, artifacts: Path) -> None:
    """An English conversation on the German demo page: English messages and interface inside a German page."""
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, "My child is blind. What help is there?")
    assert page.locator(WIDGET).get_attribute("lang") == "en"
    page.locator(f"{WIDGET} .bk-choice").first.click()
    page.wait_for_function(
        "(n) => document.querySelector(n).shadowRoot.querySelectorAll('.bk-source').length >= 2", arg=WIDGET
    )
    assert set(page.locator(f"{WIDGET} .bk-bot").evaluate_all("els => els.map(e => e.lang)")) == {"en"}
    page.locator(f"{WIDGET} .bk-danger-link").click()
    violations = scan(page, "demo-widget-english", artifacts)
    assert violations == [], blocking(violations) or violations  # none of any impact


def test_widget_with_a_right_to_left_message(new_page: NewPage, product: Product, artifacts: Path) -> None:
    """A faked Arabic reply (dir="rtl") inside the German interface, and the switch listing a right-to-left
    language: the mixed directions must not break a rule either."""
    languages = {
        "default": "de",
        "languages": [{"code": "de", "name": "Deutsch", "rtl": False}, {"code": "ar", "name": "العربية", "rtl": True}],
    }
    page = new_page()
    page.route("**/api/v1/languages", lambda r: r.fulfill(content_type="application/json", body=json.dumps(languages)))
    page.route("**/api/v1/chat", lambda r: fake_reply(r, "مرحبا، كيف يمكنني المساعدة؟", "ar", yes="نعم"))
    page.goto(f"{product.url}/")
    open_widget(page)
    page.locator(f"{WIDGET} .bk-language").first.wait_for(state="visible")
    send_text(page, "مرحبا")
    assert page.locator(f"{WIDGET} .bk-bot").get_attribute("dir") == "rtl"
    violations = scan(page, "widget-rtl", artifacts, widget_only=True)
    assert violations == [], blocking(violations) or violations  # none of any impact


@pytest.mark.parametrize("path", ["/beratung?q=blind", "/beratung/blindengeld"], ids=["list", "detail"])
def test_caseworker_page(new_page: NewPage, product: Product, artifacts: Path, path: str) -> None:
    page = new_page()
    page.goto(f"{product.url}{path}")
    page.wait_for_function(
        "() => !document.getElementById('results').hasAttribute('aria-busy')"
        " && document.getElementById('result-status').textContent.length > 0"
    )
    if "/beratung/" in path:
        page.wait_for_function("() => document.getElementById('detail-title')?.textContent.length > 0")
    name = "caseworker-" + ("detail" if "/beratung/" in path else "list")
    violations = scan(page, name, artifacts)
    assert not blocking(violations), blocking(violations)


def test_axe_sees_inside_the_widget(new_page: NewPage, product: Product, artifacts: Path) -> None:
    """Guard of the method: a defect planted in the widget's shadow root is found (open shadow roots are scanned)."""
    page = new_page()
    page.goto(f"{product.url}/")
    open_widget(page)
    page.evaluate(
        "(n) => document.querySelector(n).shadowRoot.querySelector('.bk-footer')"
        ".append(Object.assign(document.createElement('button'), {className: 'planted'}))",
        WIDGET,
    )
    violations = scan(page, "planted-defect", artifacts)
    assert any(v["id"] == "button-name" and "planted" in json.dumps(v["nodes"]) for v in violations), violations
