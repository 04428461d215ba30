"""Turning a Rasa answer into the public reply; answering from the search alone."""

from __future__ import annotations

from typing import Any

import pytest

from actions.presenter import section_body
from actions.texts import STANDARD
from api import dialogue
from api.rasa_client import RasaMessage
from contract.chat import build_payload
from knowledge.catalogue import Catalogue
from knowledge.search import Retriever
from knowledge.vocab import SECTIONS


def _answer(*messages: dict[str, Any]) -> list[RasaMessage]:
    return [RasaMessage(**m) for m in messages]  # type: ignore[typeddict-item]


def test_custom_payloads_are_metadata_not_messages(catalogue: Catalogue) -> None:
    sid = catalogue.ids[0]
    reply = dialogue.from_rasa(
        _answer({"text": "Hallo"}, {"custom": {"beratungskompass": {"service_ids": [sid], "fallback": True}}}),
        catalogue,
    )
    assert reply is not None
    messages, metadata = reply
    assert [m.text for m in messages] == ["Hallo"]
    assert metadata.service_ids == [sid]
    assert metadata.fallback is True


def test_later_keys_win_and_missing_keys_keep_earlier_values(catalogue: Catalogue) -> None:
    a, b = catalogue.ids[:2]
    parts: list[dict[str, Any]] = [
        {"custom": {"beratungskompass": {"service_ids": [a], "authority": "LWL"}}},
        {"custom": {"beratungskompass": {"service_ids": [b]}}},
        {"custom": {"other_widget": {"x": 1}}},
        {"text": "ok"},
    ]
    reply = dialogue.from_rasa(_answer(*parts), catalogue)
    assert reply is not None
    assert reply[1].service_ids == [b]
    assert reply[1].authority == "LWL"


@pytest.mark.parametrize(
    "answer",
    [[], [{"custom": {"beratungskompass": {}}}], [{"text": "   "}], [{"text": "\x00"}], [{"image": "https://x/y.png"}]],
)
def test_nothing_to_show_is_none(catalogue: Catalogue, answer: list[dict[str, Any]]) -> None:
    assert dialogue.from_rasa(_answer(*answer), catalogue) is None


def test_malformed_buttons_are_skipped(catalogue: Catalogue) -> None:
    buttons = [
        {"title": "Ja", "payload": "/affirm"},
        {"title": 1, "payload": "/x"},
        "Nein",
        {"title": "", "payload": "/y"},
    ]
    reply = dialogue.from_rasa(_answer({"text": "Frage?", "buttons": buttons}), catalogue)
    assert reply is not None
    assert [b.title for b in reply[0][0].buttons] == ["Ja"]


def test_lone_surrogates_from_rasa_are_removed(catalogue: Catalogue) -> None:
    reply = dialogue.from_rasa(_answer({"text": "Hallo \ud800Welt"}), catalogue)
    assert reply is not None
    assert reply[0][0].text == "Hallo Welt"
    reply[0][0].model_dump_json()  # encodable


def test_payload_format() -> None:
    assert build_payload("affirm") == "/affirm"
    assert build_payload("choose_service", service_id="blindengeld") == '/choose_service{"service_id":"blindengeld"}'


@pytest.mark.parametrize(("intent", "section"), list(dialogue.SECTION_INTENTS.items()))
def test_section_questions_without_the_dialogue(
    catalogue: Catalogue, retriever: Retriever, intent: str, section: str
) -> None:
    for service in catalogue:
        messages, metadata = dialogue.from_search(
            build_payload(intent, service_id=service.id), retriever, catalogue, unavailable=False
        )
        assert metadata.service_ids == [service.id]
        text = messages[-1].text
        if section_body(service, section, STANDARD) is None:  # worded as the action server words it
            assert text.startswith(f"Zu „{SECTIONS[section]}“") and "keine bestätigten Angaben" in text
        else:
            assert text.startswith(f"{SECTIONS[section]} – {service.button_title}:")


def test_unavailable_notice_comes_first(catalogue: Catalogue, retriever: Retriever) -> None:
    service = next(iter(catalogue))
    messages, metadata = dialogue.from_search(service.title, retriever, catalogue, unavailable=True)
    assert messages[0].text == dialogue.UNAVAILABLE_NOTICE
    assert metadata.fallback is True
    messages, _ = dialogue.from_search(
        build_payload("choose_service", service_id=service.id), retriever, catalogue, unavailable=True
    )
    assert messages[0].text == dialogue.UNAVAILABLE_SHORT
