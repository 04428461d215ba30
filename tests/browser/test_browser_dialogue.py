"""The widget against the full stack (API → Rasa → action server, started like `make run`): a whole conversation
by keyboard only, from a life situation through a service choice, the town and the consent to the hand-off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bk_browser_kit import (
    WIDGET,
    NewPage,
    Product,
    last_source_box,
    open_by_keyboard,
    press_choice_by_keyboard,
    screenshot_last_answer,
    type_by_keyboard,
)

from actions.texts import BUTTON_YES, STANDARD
from knowledge import load_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.rasa]

SITUATION = "Ich habe eine geistige Behinderung und brauche Hilfe im Alltag"
SERVICE = "eingliederungshilfe-antrag"  # the one citizen service with an online application (form URL unconfirmed)
TOWN = "Köln"
TURN_TIMEOUT = 90.0  # seconds per answer: Rasa and the action server share two cores with the rest of the tests
LVR = "Landschaftsverband Rheinland (LVR)"  # how the widget names the authority "LVR"


def _bot_texts(page: Any) -> list[str]:
    texts: list[str] = page.locator(f"{WIDGET} .bk-bot .bk-text").all_inner_texts()
    return texts


def _source_ids(page: Any) -> list[str]:
    """The service ids in the provenance box of the latest answer that has one."""
    ids: list[str] = (
        last_source_box(page).locator("li[data-service-id]").evaluate_all("els => els.map(e => e.dataset.serviceId)")
    )
    return ids


def _events(page: Any) -> list[dict[str, Any]]:
    """The widget's postMessage events as the demo page lists them (docs/widget.md, schema v1)."""
    raw: list[str] = page.locator("#demo-events code").all_inner_texts()
    return [json.loads(item) for item in raw]


def _choices(page: Any) -> list[str]:
    titles: list[str] = page.locator(f"{WIDGET} .bk-bot").last.locator(".bk-choice").all_inner_texts()
    return titles


def test_whole_dialogue_by_keyboard_to_the_handoff(new_page: NewPage, rasa_product: Product, artifacts: Path) -> None:
    """Tab to the launcher, type the situation, choose "Eingliederungshilfe beantragen" among the offered services,
    name the town, ask to apply online (the hand-off), say "Ja" to passing the data on (the prefill): all with Tab /
    Shift+Tab / Enter / typing.

    No service of the catalogue has a confirmed form URL (``form_url`` is null everywhere), so the hand-off carries
    ``url: null``: the widget then shows no link but the notice that no online application is confirmed, with the
    responsible office, and still tells the host page (postMessage ``handoff``, ``url`` null, with the ``office``;
    after the "Ja" ``handoff-prefill`` with the agreed data).
    When a form URL is confirmed, the widget shows a link instead and this test fails on purpose at that point.
    """
    service = load_catalogue()[SERVICE]
    assert service.online_service.available and service.online_service.form_url is None, "update this test"
    office = service.responsible.unit
    assert office
    page = new_page()
    page.goto(f"{rasa_product.url}/")
    open_by_keyboard(page)

    # The situation: Rasa asks which of the matching services is meant, with one button per service.
    type_by_keyboard(page, SITUATION, TURN_TIMEOUT)
    assert SERVICE in _source_ids(page), _bot_texts(page)[-1]
    assert service.button_title in _choices(page), _choices(page)

    # Choose the service with its quick reply: the answer is about that service and asks for the town.
    press_choice_by_keyboard(page, lambda a: a["text"] == service.button_title, TURN_TIMEOUT)
    assert _source_ids(page) == [SERVICE]
    assert not page.locator(f"{WIDGET} .bk-authority").count(), "the authority is known only after the town"

    # The town decides the authority: Köln is in the Rheinland, so the LVR.
    type_by_keyboard(page, f"Ich wohne in {TOWN}", TURN_TIMEOUT)
    assert TOWN in _bot_texts(page)[-1]
    assert LVR in last_source_box(page).locator(".bk-authority").inner_text()
    assert _source_ids(page) == [SERVICE]

    # Asking to apply online: the hand-off at once (no form address is confirmed: the office instead), and the
    # question whether to pass the town on; nothing is passed on without a "Ja".
    type_by_keyboard(page, "Kann ich den Antrag online stellen?", TURN_TIMEOUT)
    source = last_source_box(page)
    assert _source_ids(page) == [SERVICE]
    assert LVR in source.locator(".bk-authority").inner_text()
    handoff = source.locator(".bk-handoff")
    assert handoff.count() == 1
    assert "kein Online-Antrag bestätigt" in handoff.inner_text()
    assert office in handoff.locator(".bk-detail").inner_text()
    assert not page.locator(f"{WIDGET} a.bk-form-link").count(), "no link without a confirmed form URL"
    page.wait_for_function(
        "() => [...document.querySelectorAll('#demo-events code')].some(c => c.textContent.includes(':handoff'))"
    )
    events = _events(page)
    assert {"type": "beratungskompass:service-selected", "version": 1, "serviceIds": [SERVICE]} in events
    assert events[-1] == {"type": "beratungskompass:handoff", "version": 1, "serviceId": SERVICE, "url": None,
                          "office": office}  # fmt: skip
    yes = BUTTON_YES(STANDARD)
    assert yes in _choices(page), _choices(page)
    assert TOWN in _bot_texts(page)[-1], "the question lists what would be passed on"
    assert all(e["type"] != "beratungskompass:handoff-prefill" for e in events)

    # Consent by keyboard: the prefill, for the host page to fill the form with.
    press_choice_by_keyboard(page, lambda a: a["text"] == yes, TURN_TIMEOUT)
    assert TOWN in _bot_texts(page)[-1], "what is passed on is listed after the consent"
    page.wait_for_function(
        "() => [...document.querySelectorAll('#demo-events code')].some(c => c.textContent.includes('prefill'))"
    )
    events = _events(page)
    assert events[-1] == {"type": "beratungskompass:handoff-prefill", "version": 1, "serviceId": SERVICE,
                          "url": None, "office": office, "prefill": {"place": TOWN, "ags": "05315000"}}  # fmt: skip
    screenshot_last_answer(page, artifacts / "widget-dialogue-handoff-1280.png")
