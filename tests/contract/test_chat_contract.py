"""The chat contract (contract/chat.py): the button payload grammar, built and parsed, and the shared names."""

from __future__ import annotations

import json

import pytest

from contract.chat import (
    AUTHORITIES,
    INTENT_OF_SECTION,
    PAYLOAD_ENTITIES,
    SECTION_INTENTS,
    Payload,
    PayloadError,
    build_payload,
    parse_payload,
)


@pytest.mark.parametrize(
    ("intent", "entities", "payload"),
    [
        ("affirm", {}, "/affirm"),
        ("choose_service", {"service_id": "blindengeld"}, '/choose_service{"service_id":"blindengeld"}'),
        ("ask_deadlines", {"service_id": "blindengeld", "section": "processing_time"},
         '/ask_deadlines{"service_id":"blindengeld","section":"processing_time"}'),
        ("switch_language", {"language": "en"}, '/switch_language{"language":"en"}'),
    ],
)  # fmt: skip
def test_payloads_round_trip(intent: str, entities: dict[str, str], payload: str) -> None:
    assert build_payload(intent, **entities) == payload
    assert parse_payload(payload) == Payload(intent, entities)


@pytest.mark.parametrize(
    ("intent", "entities"),
    [
        ("restart", {}),  # Rasa's own control intents are not buttons of this bot
        ("session_start", {}),
        ("inform_place", {"place": "Bielefeld"}),  # entities a button never carries
        ("choose_service", {"service_id": "../../etc"}),  # not an id
        ("ask_documents", {"service_id": "blindengeld", "section": "passwort"}),  # not a section
        ("affirm", {"service_id": "blindengeld"}),
        ("switch_language", {"language": "fr"}),  # not a language the bot speaks
        ("switch_language", {"language": "../en"}),
    ],
)
def test_values_outside_the_grammar_are_refused(intent: str, entities: dict[str, str]) -> None:
    with pytest.raises(PayloadError):
        build_payload(intent, **entities)


    text = f"/{intent}" + (json.dumps(entities) if entities else "")
    assert parse_payload(text) is None, "not a payload: plain text"


@pytest.mark.parametrize("text", ["Blindengeld", "/", "/choose_service{kaputt", "/affirm extra", '/affirm["x"]'])
def test_other_text_is_no_payload(text: str) -> None:
    assert parse_payload(text) is None


def test_every_section_has_its_asking_intent_and_every_intent_a_grammar() -> None:
    from knowledge.vocab import SECTIONS

    assert set(INTENT_OF_SECTION) == set(SECTIONS)
    assert all(intent in PAYLOAD_ENTITIES for intent in SECTION_INTENTS)
    assert AUTHORITIES == ("LVR", "LWL", "Kreis/kreisfreie Stadt", "other")


def test_the_contract_languages_are_the_catalogue_languages() -> None:
    from contract.chat import DEFAULT_LANGUAGE, LANGUAGE_CODES
    from knowledge.vocab import DEFAULT_LANGUAGE as CATALOGUE_DEFAULT
    from knowledge.vocab import LANGUAGES

    assert tuple(LANGUAGES) == LANGUAGE_CODES
    assert DEFAULT_LANGUAGE == CATALOGUE_DEFAULT == LANGUAGE_CODES[0]

