"""The widget's languages without Rasa: `lang` and `dir` of every message, its own texts following the conversation,
the language hint of each chat turn, the language switch, read-aloud voices, and a right-to-left language fed
through the same path (faked list of languages and faked reply: the product serves no right-to-left language yet).

The search-only API answers in the language of the message (api/dialogue.py), with `metadata.language` set, so the
English turns here are real answers; the full English dialogue through Rasa is test_browser_dialogue.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bk_browser_kit import WIDGET, NewPage, Product, fake_reply, open_widget, send_text, session_state, widget_active

pytestmark = pytest.mark.browser

ENGLISH = "My mother is going blind and lives in Bonn"
GERMAN = "Meine Mutter wird blind und wohnt in Bonn"
ARABIC = "مرحبا، كيف يمكنني المساعدة؟"  # "Hello, how can I help?": a right-to-left text for the faked reply


def _chat_requests(page: Any) -> list[dict[str, Any]]:
    """The bodies of the widget's chat turns so far (recorded by ``_record_chat``)."""
    bodies: list[dict[str, Any]] = page.evaluate("() => window.__chatBodies")
    return bodies


def _record_chat(page: Any) -> None:
    """Record every POST /api/v1/chat body the page sends (before the page loads)."""
    page.add_init_script(
        """window.__chatBodies = [];
        const original = window.fetch;
        window.fetch = (url, options) => {
            if (String(url).endsWith('/api/v1/chat') && options && options.method === 'POST') {
                window.__chatBodies.push(JSON.parse(options.body));
            }
            return original(url, options);
        };"""
    )


def _language_events(page: Any) -> list[str]:
    """The languages of the widget's ``language-changed`` events, as the demo page lists them."""
    events = [json.loads(item) for item in page.locator("#demo-events code").all_inner_texts()]
    return [e["language"] for e in events if e["type"] == "beratungskompass:language-changed"]


def _languages_of(page: Any, selector: str) -> list[list[str]]:
    """[lang, dir] of every element matching ``selector`` inside the widget."""
    pairs: list[list[str]] = page.locator(f"{WIDGET} {selector}").evaluate_all(
        "els => els.map(e => [e.getAttribute('lang'), e.getAttribute('dir')])"
    )
    return pairs


def _interface(page: Any) -> dict[str, Any]:
    """The widget's own texts as shown, and the host's language."""
    texts: dict[str, Any] = page.evaluate(
        """(name) => {
            const host = document.querySelector(name);
            const root = host.shadowRoot;
            return {lang: host.lang, dir: host.dir, send: root.querySelector('.bk-primary').textContent,
                    placeholder: root.querySelector('.bk-input').placeholder,
                    remove: root.querySelector('.bk-danger-link').textContent,
                    privacy: root.querySelector('.bk-privacy-title').textContent,
                    region: root.querySelector('aside').getAttribute('aria-label'),
                    read: [...root.querySelectorAll('.bk-bot .bk-small')].map(b => b.textContent),
                    switches: [...root.querySelectorAll('.bk-language')].map(b => b.textContent)};
        }""",
        WIDGET,
    )
    return texts


def _wait_for_switch(page: Any) -> None:
    """The language switch appears once GET /api/v1/languages answered."""
    page.locator(f"{WIDGET} .bk-language").first.wait_for(state="visible")


def test_an_english_message_turns_the_conversation_and_the_widget_english(
    new_page: NewPage, product: Product, artifacts: Path
) -> None:
    page = new_page()
    _record_chat(page)
    page.goto(f"{product.url}/")  # the demo page is German (<html lang="de">)
    open_widget(page)
    before = _interface(page)
    assert (before["lang"], before["send"], before["privacy"]) == ("de", "Senden", "Hinweis zum Datenschutz")

    send_text(page, ENGLISH)
    assert _chat_requests(page)[0]["language"] == "de", "before a reply the page's language is the hint"
    bots = _languages_of(page, ".bk-bot")
    assert bots and all(pair == ["en", "ltr"] for pair in bots), bots
    assert _languages_of(page, ".bk-user") == [["en", "ltr"]], "the user's message is in the reply's language"
    after = _interface(page)
    assert after["lang"] == "en" and after["dir"] == "ltr"
    assert after["send"] == "Send" and after["placeholder"] == "Describe your situation …"
    assert after["remove"] == "Delete conversation" and after["region"] == "Chat: LVR-Beratungskompass"
    assert after["read"] == [] or set(after["read"]) == {"Read aloud"}, after["read"]
    # The widget's own words inside a message keep the interface's language.
    assert set(map(tuple, _languages_of(page, ".bk-bot > .bk-visually-hidden"))) == {("en", "ltr")}
    assert page.locator(f"{WIDGET} .bk-bot .bk-visually-hidden").first.text_content() == "Beratungskompass: "
    assert page.locator(f"{WIDGET} .bk-user .bk-visually-hidden").first.text_content() == "You: "
    # The provenance box is labelled in English; the catalogue's German office names stay marked German.
    assert "This answer is based on" in page.locator(f"{WIDGET} .bk-source").last.inner_text()
    page.wait_for_timeout(400)  # smooth scrolling settles
    page.screenshot(path=str(artifacts / "widget-english-1280.png"))

    # The next turn carries the conversation's language as the hint; a German message turns everything back.
    send_text(page, GERMAN)
    assert _chat_requests(page)[1]["language"] == "en"
    assert _languages_of(page, ".bk-user")[-1] == ["de", "ltr"]
    assert _languages_of(page, ".bk-bot")[-1] == ["de", "ltr"]
    assert _interface(page)["send"] == "Senden"
    assert _language_events(page) == ["en", "de"], "the host page hears of each change"
    # The earlier English messages keep their language; their labels follow the interface.
    assert _languages_of(page, ".bk-bot")[0] == ["en", "ltr"]
    assert page.locator(f"{WIDGET} .bk-user .bk-visually-hidden").first.text_content() == "Sie: "

    # After a reload the conversation comes back with its languages.
    state = session_state(page)
    assert state is not None and state["language"] == "de"
    page.reload()
    page.locator(f"{WIDGET} .bk-input").wait_for(state="visible")
    assert _languages_of(page, ".bk-user") == [["en", "ltr"], ["de", "ltr"]]


def test_the_data_language_attribute_sets_the_first_hint_and_the_texts(new_page: NewPage, product: Product) -> None:
    """A German page that embeds the widget with data-language="en": English texts and hint before any reply."""
    page_html = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Partner (Test)</title>'
        f'<script src="{product.url}/widget.js" data-api="{product.url}" data-language="en-GB" defer></script>'
        "</head><body><main><h1>Partnerportal</h1></main></body></html>"
    )
    (product.partner.directory / "data-language.html").write_text(page_html, encoding="utf-8")
    page = new_page()
    _record_chat(page)
    page.goto(f"{product.partner.origin}/data-language.html")
    open_widget(page)
    assert _interface(page)["send"] == "Send"
    assert page.locator(WIDGET).get_attribute("lang") == "en"
    send_text(page, "ok")  # too short to detect: the hint decides the reply's language
    assert _chat_requests(page)[0]["language"] == "en"
    assert _languages_of(page, ".bk-bot")[-1] == ["en", "ltr"]


def test_the_language_switch_by_keyboard(new_page: NewPage, product: Product) -> None:
    page = new_page()
    _record_chat(page)
    page.goto(f"{product.url}/")
    open_widget(page)
    _wait_for_switch(page)
    switch = page.locator(f"{WIDGET} .bk-language")
    assert switch.count() == 1, "German conversation: one button, for English"
    # Its name says what it does; the language's own name is marked with its language.
    name = switch.evaluate("el => el.textContent")
    assert name == "Sprache wechseln: English"
    assert switch.locator("[lang]").evaluate("el => [el.lang, el.dir, el.textContent]") == ["en", "ltr", "English"]

    switch.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(n) => document.querySelector(n).shadowRoot.querySelector('.bk-status').textContent.includes('English')",
        arg=WIDGET,
    )
    sent = _chat_requests(page)[-1]
    assert sent["message"] == '/switch_language{"language":"en"}' and sent["language"] == "en", sent
    assert page.locator(f"{WIDGET} .bk-status").inner_text() == "The conversation is now in English."
    assert page.locator(f"{WIDGET} .bk-user .bk-text").last.inner_text() == "English"
    assert _languages_of(page, ".bk-user")[-1] == ["en", "ltr"]
    assert _languages_of(page, ".bk-bot")[-1] == ["en", "ltr"]
    assert _interface(page)["send"] == "Send"
    # The switch now offers German, and the focus stayed on it.
    assert _interface(page)["switches"] == ["Change language: Deutsch"]
    active = widget_active(page)
    assert active is not None and "bk-language" in active["cls"], active

    page.keyboard.press("Enter")
    page.wait_for_function(
        "(n) => document.querySelector(n).shadowRoot.querySelector('.bk-status').textContent.includes('Deutsch')",
        arg=WIDGET,
    )
    assert _chat_requests(page)[-1]["message"] == '/switch_language{"language":"de"}'
    assert page.locator(f"{WIDGET} .bk-status").inner_text() == "Die Unterhaltung ist jetzt auf Deutsch."
    assert _interface(page)["send"] == "Senden"
    assert _language_events(page) == ["en", "de"]


VOICES = """
window.__spoken = [];
const voices = [
    {name: "Anna", lang: "de-DE", default: true, localService: true},
    {name: "Samantha", lang: "en-US", default: false, localService: true},
    {name: "Daniel", lang: "en-GB", default: false, localService: true},
];
window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ""; this.voice = null; }
};
const synth = window.speechSynthesis || {};
synth.getVoices = () => voices;
synth.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name});
synth.cancel = () => {};
if (!window.speechSynthesis) Object.defineProperty(window, "speechSynthesis", {value: synth});
"""


def test_read_aloud_speaks_each_message_with_a_voice_of_its_language(new_page: NewPage, product: Product) -> None:
    """The browser's voices are faked (headless Chromium has none): an English message gets the English voice the
    user's browser languages prefer (en-GB), a German one the German voice."""
    page = new_page(locale="en-GB")
    page.add_init_script(VOICES)
    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, ENGLISH)
    page.locator(f"{WIDGET} .bk-bot .bk-small").first.click()
    send_text(page, GERMAN)
    page.locator(f"{WIDGET} .bk-bot .bk-small").last.click()
    spoken = page.evaluate("() => window.__spoken")
    assert [(s["voice"], s["lang"]) for s in spoken] == [("Daniel", "en-GB"), ("Anna", "de-DE")], spoken


RTL_LANGUAGES = {
    "default": "de",
    "languages": [
        {"code": "de", "name": "Deutsch", "rtl": False},
        {"code": "en", "name": "English", "rtl": False},
        {"code": "ar", "name": "العربية", "rtl": True},
    ],
}


def test_a_right_to_left_language_gets_dir_rtl_from_the_served_list(
    new_page: NewPage, product: Product, artifacts: Path
) -> None:
    """The list of languages says Arabic is right-to-left; a reply marked "ar" is rendered right to left, the user's
    message too, while the widget's own texts (it has none in Arabic) stay German and left to right."""
    page = new_page()
    _record_chat(page)

    page.route(
        "**/api/v1/languages",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(RTL_LANGUAGES)),
    )
    page.route("**/api/v1/chat", lambda route: fake_reply(route, ARABIC, "ar", yes="نعم"))
    page.goto(f"{product.url}/")
    open_widget(page)
    _wait_for_switch(page)
    assert _interface(page)["switches"] == ["Sprache wechseln: English", "Sprache wechseln: العربية"]
    arabic = page.locator(f"{WIDGET} .bk-language").nth(1).locator("[lang]")
    assert arabic.evaluate("el => [el.lang, el.dir]") == ["ar", "rtl"]

    send_text(page, "مرحبا")
    assert _languages_of(page, ".bk-bot") == [["ar", "rtl"]]
    assert _languages_of(page, ".bk-user") == [["ar", "rtl"]]
    layout = page.locator(f"{WIDGET} .bk-bot").evaluate(
        """el => {
            const group = el.querySelector('.bk-choices').getBoundingClientRect();
            const choice = el.querySelector('.bk-choice').getBoundingClientRect();
            return {direction: getComputedStyle(el.querySelector('.bk-text')).direction,
                    gapStart: group.right - choice.right, gapEnd: choice.left - group.left};
        }"""
    )
    assert layout["direction"] == "rtl", layout
    # The quick reply is narrower than the message: right to left, it starts at the right edge.
    assert layout["gapStart"] <= 1 < layout["gapEnd"], f"the reply must start at the right edge: {layout}"
    # The widget has no Arabic texts: its own words stay German, marked German and left to right.
    interface = _interface(page)
    assert (interface["lang"], interface["dir"], interface["send"]) == ("de", "ltr", "Senden")
    assert set(map(tuple, _languages_of(page, ".bk-bot > .bk-visually-hidden"))) == {("de", "ltr")}
    assert interface["switches"] == ["Sprache wechseln: Deutsch", "Sprache wechseln: English"]
    page.wait_for_timeout(400)  # smooth scrolling settles
    page.screenshot(path=str(artifacts / "widget-rtl-message-1280.png"))

    # The next turn's hint is the conversation's language; after a reload the directions come back.
    send_text(page, "نعم")
    assert _chat_requests(page)[-1]["language"] == "ar"
    page.reload()
    page.locator(f"{WIDGET} .bk-input").wait_for(state="visible")
    page.wait_for_function(
        "(n) => document.querySelector(n).shadowRoot.querySelector('.bk-bot').dir === 'rtl'", arg=WIDGET
    )
    assert _languages_of(page, ".bk-bot") == [["ar", "rtl"], ["ar", "rtl"]]


def test_a_language_the_list_does_not_know_is_left_to_the_browser(new_page: NewPage, product: Product) -> None:
    """A reply in a language outside the served list (never sent by the API, but the widget must cope): dir="auto",
    the widget's texts in German."""
    page = new_page()

    page.route("**/api/v1/chat", lambda route: fake_reply(route, "Bonjour", "fr"))
    page.goto(f"{product.url}/")
    open_widget(page)
    _wait_for_switch(page)
    send_text(page, "Bonjour")
    assert _languages_of(page, ".bk-bot") == [["fr", "auto"]]
    assert _interface(page)["send"] == "Senden"


def test_a_button_title_keeps_the_language_of_its_message(new_page: NewPage, product: Product) -> None:
    """The user's turn shows a quick reply's title: it is in the language of the message that offered it, whatever
    the language of the reply; typed words take the reply's language."""
    page = new_page()
    replies = iter(["de", "en", "en"])

    def fake_chat(route: Any) -> None:
        language = next(replies)
        fake_reply(route, {"de": "Möchten Sie weiter?", "en": "Shall we go on?"}[language], language, yes="Ja")

    page.route("**/api/v1/chat", fake_chat)
    page.goto(f"{product.url}/")
    open_widget(page)
    send_text(page, "Hallo zusammen")
    page.locator(f"{WIDGET} .bk-choice").first.click()  # "Ja" of the German message; the reply is English
    page.wait_for_function("(n) => document.querySelector(n).shadowRoot.querySelectorAll('.bk-bot').length >= 2",
                           arg=WIDGET)  # fmt: skip
    send_text(page, "thank you very much")
    assert page.locator(f"{WIDGET} .bk-user .bk-text").all_inner_texts() == ["Hallo zusammen", "Ja",
                                                                              "thank you very much"]  # fmt: skip
    assert [pair[0] for pair in _languages_of(page, ".bk-user")] == ["de", "de", "en"]
    assert [pair[0] for pair in _languages_of(page, ".bk-bot")] == ["de", "en", "en"]
