"""The caseworker page /beratung: search as you type, filters, the detail view with every section, deep links,
history, print view, the verification view (claims, sources, confirmations; with screenshots)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bk_browser_kit import NewPage, Product

pytestmark = pytest.mark.browser

#: Headings of the detail view, one per section of the record (knowledge/schema.py).
SECTIONS = [
    "Kurzbeschreibung",
    "Beschreibung",
    "In Leichter Sprache",
    "Voraussetzungen",
    "Erforderliche Unterlagen",
    "Kosten",
    "Fristen",
    "Bearbeitungsdauer",
    "Verfahrensablauf",
    "Rechtsgrundlagen",
    "Rechtsbehelf",
    "Hinweise",
    "Zuständige Stelle und Kontakt",
    "Online-Antrag",
    "LeiKa-Schlüssel",
    "Einordnung",
    "Verwandte Leistungen",
    "Angaben und Quellen",
    "Quellen",
    "Stand und Prüfung",
]


def _api(product: Product, path: str) -> Any:
    with urllib.request.urlopen(f"{product.url}{path}", timeout=10) as response:
        return json.load(response)


def _result_ids(page: Any) -> list[str]:
    ids: list[str] = page.locator("#results > li").evaluate_all("els => els.map(e => e.dataset.serviceId)")
    return ids


def _wait_results_settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.getElementById('results').hasAttribute('aria-busy')"
        " && document.getElementById('result-status').textContent.length > 0"
    )


def test_search_filter_detail_and_deep_link(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page()
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/api/v1/services/search" in r.url else None)
    page.goto(f"{product.url}/beratung")
    _wait_results_settled(page)
    catalogue = _api(product, "/api/v1/services")
    assert len(_result_ids(page)) == catalogue["count"], "an empty query lists the whole catalogue"

    # Search as you type: the skip link leads to the field; one request for the whole word (debounced).
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("blind", delay=40)
    page.wait_for_function("() => document.getElementById('result-status').textContent.includes('„blind“')")
    _wait_results_settled(page)
    assert 1 <= len(searches) <= 2, f"typing five letters sent {len(searches)} searches (not debounced?)"
    assert parse_qs(urlsplit(searches[-1]).query)["q"] == ["blind"]
    ids = _result_ids(page)
    assert "blindengeld" in ids
    assert parse_qs(urlsplit(page.url).query)["q"] == ["blind"], "the query is kept in the address"

    # A filter narrows the hits to that Lebenslage.
    page.locator("#f-lebenslage").select_option("sehen-hoeren")
    page.wait_for_function("() => new URL(location.href).searchParams.get('lebenslage') === 'sehen-hoeren'")
    _wait_results_settled(page)
    allowed = {s["id"] for s in _api(product, "/api/v1/services?lebenslage=sehen-hoeren")["services"]}
    filtered = _result_ids(page)
    assert filtered and set(filtered) <= allowed, (filtered, allowed)
    # The target-group filter (not supported by the search endpoint) is applied on the page.
    page.locator("#f-target").select_option("arbeitgeber")
    _wait_results_settled(page)
    employers = {s["id"] for s in _api(product, "/api/v1/services?target_group=arbeitgeber")["services"]}
    assert set(_result_ids(page)) <= employers
    page.locator("#f-target").select_option("")
    _wait_results_settled(page)
    page.screenshot(path=str(artifacts / "caseworker-search-1280.png"))

    # Open a record by keyboard: focus its link, Enter; the address becomes the deep link, focus goes to the title.
    link = page.locator("#results li[data-service-id='blindengeld'] a")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('detail-title')?.textContent.length > 0")
    assert urlsplit(page.url).path == "/beratung/blindengeld"
    assert page.evaluate("document.activeElement.id") == "detail-title"
    assert link.get_attribute("aria-current") == "true"
    record = _api(product, "/api/v1/services/blindengeld")
    assert page.locator("#detail-title").inner_text() == record["title"]
    headings = page.locator("#detail h3").all_inner_texts()
    assert headings == SECTIONS
    badge_text = "geprüft" if record["verified"] else "nicht geprüft"
    assert page.locator("#detail .detail-meta .badge").inner_text() == badge_text
    assert page.locator("#detail .badge").first.is_visible()
    stand = record["stand"].split("-")
    assert f"Stand: {stand[2]}.{stand[1]}.{stand[0]}" in page.locator("#detail .detail-meta").inner_text()
    for prerequisite in record["prerequisites"]:
        assert prerequisite in page.locator("#detail").inner_text()
    page.screenshot(path=str(artifacts / "caseworker-detail-1280.png"), full_page=True)

    # Back: the list without a record; forward again: the record.
    page.go_back()
    page.wait_for_function("() => document.getElementById('detail').hidden")
    assert urlsplit(page.url).path == "/beratung"
    page.go_forward()
    page.wait_for_function(
        "(t) => !document.getElementById('detail').hidden"
        " && document.getElementById('detail-title')?.textContent === t",
        arg=record["title"],
    )

    # Print view: the record only.
    page.emulate_media(media="print")
    assert not page.locator("#search-form").is_visible()
    assert page.locator("#detail-title").is_visible()
    assert "Ausdruck aus dem LVR-Beratungskompass" in page.locator("#print-note").inner_text()
    page.pdf(path=str(artifacts / "caseworker-detail-print.pdf"))
    page.screenshot(path=str(artifacts / "caseworker-detail-print.png"), full_page=True)


def test_deep_link_loads_the_record(new_page: NewPage, product: Product) -> None:
    page = new_page()
    page.goto(f"{product.url}/beratung/blindengeld?q=blind")
    page.wait_for_function("() => document.getElementById('detail-title')?.textContent.length > 0")
    record = _api(product, "/api/v1/services/blindengeld")
    assert page.locator("#detail-title").inner_text() == record["title"]
    assert page.locator("#q").input_value() == "blind"
    assert record["title"] in page.title()
    _wait_results_settled(page)
    assert urlsplit(page.url).path == "/beratung/blindengeld", "the deep link stays in the address"
    # a related service opens in place
    related = page.locator("#detail .detail-section a[href^='/beratung/']").first
    target = related.get_attribute("href")
    related.click()
    page.wait_for_url(f"**{target}*")
    assert urlsplit(page.url).path == target
    page.wait_for_function("(t) => document.getElementById('detail-title').textContent !== t", arg=record["title"])


def test_unknown_record_is_a_404(new_page: NewPage, product: Product) -> None:
    page = new_page()
    response = page.goto(f"{product.url}/beratung/gibt-es-nicht")
    assert response is not None and response.status == 404


def test_caseworker_page_reflows_at_320px(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{product.url}/beratung/blindengeld")
    page.wait_for_function("() => document.getElementById('detail-title')?.textContent.length > 0")
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scrolling at 320 px: {width}"
    page.screenshot(path=str(artifacts / "caseworker-detail-320px.png"))


def test_verification_view_and_filter(new_page: NewPage, product: Product, artifacts: Path) -> None:
    page = new_page()
    page.goto(f"{product.url}/beratung")
    _wait_results_settled(page)
    everything = _api(product, "/api/v1/services")
    first = everything["services"][0]
    count = f"{first['claims_confirmed']} von {first['claims_total']} Angaben bestätigt"
    assert count in page.locator(f"#results li[data-service-id='{first['id']}'] .result-meta").inner_text()

    # "Nur ungeprüfte": the list of the API with verified=false, kept in the address; "nur geprüfte" likewise.
    for value in ("false", "true"):
        page.locator("#f-verified").select_option(value)
        page.wait_for_function("(v) => new URL(location.href).searchParams.get('verified') === v", arg=value)
        _wait_results_settled(page)
        expected = [s["id"] for s in _api(product, f"/api/v1/services?verified={value}")["services"]]
        assert sorted(_result_ids(page)) == sorted(expected)
    # the search applies the filter too
    page.locator("#f-verified").select_option("false")
    page.locator("#q").fill("Blindenhilfe")
    page.wait_for_function("() => document.getElementById('result-status').textContent.includes('Blindenhilfe')")
    _wait_results_settled(page)
    unverified = {s["id"] for s in _api(product, "/api/v1/services?verified=false")["services"]}
    assert _result_ids(page) and set(_result_ids(page)) <= unverified

    # The detail view: every claim with its source, date and state. One confirmation is added to the answer of the
    # API in the browser (the catalogue itself is never marked), to show how a confirmed claim looks.
    record = _api(product, "/api/v1/services/blindenhilfe")
    dated = next(c for c in record["claims"] if c["kind"] == "amount" and c["valid_from"])
    source = next(b for b in record["legal_bases"] if b["citation"] == dated["source"])
    unlinked = next(b for b in record["legal_bases"] if not b["url"])

    def confirm_one(route: Any) -> None:
        body = route.fetch().json()
        for claim in body["claims"]:
            if claim["id"] == dated["id"]:
                claim["confirmations"] = [{"by": "Erika Muster", "source": claim["source"], "date": "2026-12-01"}]
        route.fulfill(json=body)

    page.route("**/api/v1/services/blindenhilfe", confirm_one)
    page.goto(f"{product.url}/beratung/blindenhilfe")
    page.wait_for_function("() => document.querySelectorAll('#detail .claim').length > 0")
    total = len(record["claims"])
    assert f"1 von {total} Angaben bestätigt" in page.locator("#detail .detail-meta").inner_text()
    assert page.locator("#detail .claim").count() == total
    item = page.locator(f"#detail .claim[data-claim-id='{dated['id']}']")
    assert item.get_attribute("data-confirmed") == "true"
    text = item.inner_text()
    y, m, d = dated["valid_from"].split("-")
    assert dated["text"] in text and f"Stand {d}.{m}.{y}" in text
    assert "bestätigt von Erika Muster am 01.12.2026" in text
    assert item.locator(".claim-source a").get_attribute("href") == source["url"]
    others = page.locator("#detail .claim[data-confirmed='false']")
    assert others.count() == total - 1
    assert "nicht bestätigt" in others.first.inner_text()
    legal = page.locator("#detail .detail-section", has=page.locator("h3", has_text="Rechtsgrundlagen")).inner_text()
    assert f"{unlinked['citation']}" in legal and "kein Paragraphenlink" in legal
    claims_section = page.locator("#detail .detail-section", has=page.locator("h3", has_text="Angaben und Quellen"))
    claims_section.screenshot(path=str(artifacts / "caseworker-claims-1280.png"))
