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
from typing import Any

import pytest
from bk_browser_kit import WIDGET, NewPage, Product, open_widget, send_text

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def _axe_script() -> str:
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError as exc:  # pragma: no cover - a set-up error, reported clearly
        raise AssertionError("axe-playwright-python is missing: run `make setup-test` (.[dev] extras)") from exc
    return str(AXE_SCRIPT)


def scan(page: Any, name: str, artifacts: Path) -> list[dict[str, Any]]:
    """Run axe on the page; print and save every violation; return them."""
    page.evaluate(_axe_script())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return {version: axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                help: v.help, nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200),
                summary: n.failureSummary}))}))};
        }""",
        TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    (artifacts / f"axe-{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\naxe-core {result['version']} on {name}: {len(violations)} violation(s)")
    for v in violations:
        print(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} node(s))")
        for node in v["nodes"][:5]:
            print(f"      {node['target']}: {node['html']}")
    return violations


def _blocking(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in BLOCKING
    ]


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
    assert not _blocking(violations), _blocking(violations)


def test_demo_page_widget_closed_and_narrow(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{product.url}/")
    page.locator(f"{WIDGET} .bk-launcher").wait_for(state="visible")
    violations = scan(page, "demo-widget-closed-320px", artifacts)
    assert not _blocking(violations), _blocking(violations)


def test_partner_page_english(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page()
    page.goto(product.partner_page)
    open_widget(page)
    send_text(page, "I am deaf and need help")
    # Only the widget: the partner test page itself is deliberately hostile (forced colours), not ours to judge.
    violations = scan_widget_only(page, "partner-widget-en", artifacts)
    assert not _blocking(violations), _blocking(violations)


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
    assert not _blocking(violations), _blocking(violations)


def test_widget_with_a_right_to_left_message(new_page: NewPage, product: Product, artifacts: Path) -> None:
    """A faked Arabic reply (dir="rtl") inside the German interface, and the switch listing a right-to-left
    language: the mixed directions must not break a rule either."""
    languages = {
        "default": "de",
        "languages": [{"code": "de", "name": "Deutsch", "rtl": False}, {"code": "ar", "name": "العربية", "rtl": True}],
    }
    reply = {
        "session_id": "rtlaxe12345678",
        "messages": [{"text": "مرحبا، كيف يمكنني المساعدة؟", "buttons": [{"title": "نعم", "payload": "/affirm"}]}],
        "metadata": {"service_ids": [], "authority": None, "handoff": None, "fallback": False, "language": "ar"},
    }
    page = new_page()
    page.route("**/api/v1/languages", lambda r: r.fulfill(content_type="application/json", body=json.dumps(languages)))
    page.route("**/api/v1/chat", lambda r: r.fulfill(content_type="application/json", body=json.dumps(reply)))
    page.goto(f"{product.url}/")
    open_widget(page)
    page.locator(f"{WIDGET} .bk-language").first.wait_for(state="visible")
    send_text(page, "مرحبا")
    assert page.locator(f"{WIDGET} .bk-bot").get_attribute("dir") == "rtl"
    violations = scan_widget_only(page, "widget-rtl", artifacts)
    assert not _blocking(violations), _blocking(violations)


def scan_widget_only(page: Any, name: str, artifacts: Path) -> list[dict[str, Any]]:
    page.evaluate(_axe_script())
    result = page.evaluate(
        """async ([tags, host]) => {
            const r = await axe.run({include: [[host]]}, {runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations']});
            return {version: axe.version, violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                help: v.help, nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200)}))}))};
        }""",
        [TAGS, WIDGET],
    )
    violations: list[dict[str, Any]] = result["violations"]
    (artifacts / f"axe-{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\naxe-core {result['version']} on {name}: {len(violations)} violation(s)")
    for v in violations:
        print(f"  [{v['impact']}] {v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:5]}")
    return violations


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
    assert not _blocking(violations), _blocking(violations)


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
