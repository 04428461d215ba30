"""The widget against the full stack (API → Rasa → action server, started like `make run`): a whole conversation
by keyboard only, from a life situation through a service choice, the town and the consent to the hand-off, in
German and in English (messages marked `lang="en"`, the widget's own texts in English, axe without violations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bk_browser_kit import (
    WIDGET,
    NewPage,
    Product,
    blocking,
    last_source_box,
    open_by_keyboard,
    press_choice_by_keyboard,
    scan,
    screenshot_last_answer,
    tab_to,
    type_by_keyboard,
    wait_bot_turns,
    widget_active,
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


# --- English ----------------------------------------------------------------------------------------------------

LVR_EN = "Landschaftsverband Rheinland"  # in the English name "Regional Association of Rhineland (LVR, …)"


def _languages(page: Any, selector: str) -> list[str]:
    langs: list[str] = page.locator(f"{WIDGET} {selector}").evaluate_all("els => els.map(e => e.lang)")
    return langs


def _assert_english(page: Any) -> None:
    """Every message of the conversation is marked English, and the widget's own texts are English."""
    bots = _languages(page, ".bk-bot")
    assert bots and set(bots) == {"en"}, f"bot messages {bots}; last text: {_bot_texts(page)[-1]!r}"
    users = _languages(page, ".bk-user")
    assert set(users) == {"en"}, users
    assert page.locator(WIDGET).get_attribute("lang") == "en"
    assert page.locator(f"{WIDGET} .bk-primary").inner_text() == "Send"
    assert page.locator(f"{WIDGET} .bk-input").get_attribute("placeholder") == "Describe your situation …"
    assert page.locator(f"{WIDGET} .bk-danger-link").inner_text() == "Delete conversation"


def test_english_conversation_by_keyboard_to_the_handoff(
    new_page: NewPage, rasa_product: Product, artifacts: Path
) -> None:
    """On the German demo page: "Hello, do you speak English?", a mother going blind in Bonn, the service chosen by
    its button, "How do I apply?" (the procedure), "Where can I get the application form?": the hand-off, everything
    in English, by keyboard only. Blindengeld has no online application, so there is no consent question here (the
    English consent is the next test)."""
    service = load_catalogue()["blindengeld"]
    office = service.responsible.unit
    assert office and not service.online_service.available, "update this test"
    page = new_page()
    page.goto(f"{rasa_product.url}/")
    open_by_keyboard(page)
    assert page.locator(f"{WIDGET} .bk-primary").inner_text() == "Senden", "German page, German widget first"

    type_by_keyboard(page, "Hello, do you speak English?", TURN_TIMEOUT)
    _assert_english(page)

    type_by_keyboard(page, "My mother is going blind and lives in Bonn", TURN_TIMEOUT)
    assert service.id in _source_ids(page), _bot_texts(page)[-1]
    english_title = service.in_language("en").button_title
    assert english_title in _choices(page), _choices(page)

    press_choice_by_keyboard(page, lambda a: a["text"] == english_title, TURN_TIMEOUT)
    assert _source_ids(page) == [service.id]
    assert LVR_EN in last_source_box(page).locator(".bk-authority").inner_text(), "Bonn is in the Rheinland"

    # "How do I apply?" asks for the procedure (as "Wie beantrage ich das?"); asking for the form hands off.
    type_by_keyboard(page, "How do I apply?", TURN_TIMEOUT)
    assert _source_ids(page) == [service.id]
    assert not last_source_box(page).locator(".bk-handoff").count(), _bot_texts(page)[-1]
    type_by_keyboard(page, "Where can I get the application form?", TURN_TIMEOUT)
    handoff = last_source_box(page).locator(".bk-handoff")
    assert handoff.count() == 1, _bot_texts(page)[-1]
    assert "No confirmed online application" in handoff.inner_text()
    assert office in handoff.locator(".bk-detail").inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#demo-events code')].some(c => c.textContent.includes(':handoff'))"
    )
    assert _events(page)[-1] == {"type": "beratungskompass:handoff", "version": 1, "serviceId": service.id,
                                 "url": None, "office": office}  # fmt: skip
    _assert_english(page)
    screenshot_last_answer(page, artifacts / "widget-dialogue-english-handoff-1280.png")


def test_english_consent_by_keyboard_to_the_prefill(new_page: NewPage, rasa_product: Product, artifacts: Path) -> None:
    """The German hand-off test in English: the situation, "Apply for integration assistance" by its button, the
    town, "Can I apply online?", "yes" typed: the prefill event; every message English; axe finds nothing."""
    service = load_catalogue()[SERVICE]
    office = service.responsible.unit
    page = new_page()
    page.goto(f"{rasa_product.url}/")
    open_by_keyboard(page)

    type_by_keyboard(page, "I have an intellectual disability and need help in everyday life", TURN_TIMEOUT)
    english_title = service.in_language("en").button_title
    assert english_title in _choices(page), _choices(page)
    _assert_english(page)

    press_choice_by_keyboard(page, lambda a: a["text"] == english_title, TURN_TIMEOUT)
    assert _source_ids(page) == [SERVICE]

    type_by_keyboard(page, f"We live in {TOWN}", TURN_TIMEOUT)
    assert LVR_EN in last_source_box(page).locator(".bk-authority").inner_text()

    type_by_keyboard(page, "Can I apply online?", TURN_TIMEOUT)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#demo-events code')].some(c => c.textContent.includes(':handoff'))"
    )
    assert _events(page)[-1] == {"type": "beratungskompass:handoff", "version": 1, "serviceId": SERVICE, "url": None,
                                 "office": office}  # fmt: skip
    assert TOWN in _bot_texts(page)[-1], "the consent question lists what would be passed on"

    type_by_keyboard(page, "yes", TURN_TIMEOUT)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#demo-events code')].some(c => c.textContent.includes('prefill'))"
    )
    prefill = {"place": TOWN, "ags": "05315000"}
    assert _events(page)[-1] == {"type": "beratungskompass:handoff-prefill", "version": 1, "serviceId": SERVICE,
                                 "url": None, "office": office, "prefill": prefill}  # fmt: skip
    _assert_english(page)
    page.locator(f"{WIDGET} .bk-danger-link").click()  # the confirmation step is part of the UI too
    violations = scan(page, "dialogue-english", artifacts)
    assert violations == [], blocking(violations) or violations


def test_language_switch_button_through_the_dialogue(new_page: NewPage, rasa_product: Product) -> None:
    """The switch by keyboard: Rasa gets the switch payload, answers in English, the widget follows and says so."""
    page = new_page()
    page.goto(f"{rasa_product.url}/")
    open_by_keyboard(page)
    page.locator(f"{WIDGET} .bk-language").wait_for(state="visible")
    tab_to(page, lambda a: "bk-language" in a["cls"], backwards=True)
    page.keyboard.press("Enter")
    wait_bot_turns(page, 1, TURN_TIMEOUT)
    _assert_english(page)
    assert page.locator(f"{WIDGET} .bk-status").inner_text() == "The conversation is now in English."
    active = widget_active(page)
    assert active is not None and active["text"] == "Change language: Deutsch", active
