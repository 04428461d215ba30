"""The conversation's language (issue 11): the slot `language` per turn and TurnMetadata.language on every reply."""

from __future__ import annotations

from typing import Any

import pytest
from action_harness import run, snapshot

from actions.language import spoken
from actions.talk import ActionDefaultFallback, ActionSearchServices, ActionSetLeichteSprache, ActionShowService

SEARCH = ActionSearchServices()


def _language(state: dict[str, Any], action: Any = SEARCH) -> tuple[str | None, Any]:
    """The language the reply's metadata says, and the slot event (None when the slot is unchanged)."""
    out = run(action, state)
    assert out.metadata is not None, out.messages
    return out.metadata.get("language"), out.slots.get("language")


@pytest.mark.parametrize(
    ("metadata", "slot", "expected"),
    [
        (None, None, "de"),  # nothing known: German
        ({"language": "en"}, None, "en"),  # the API detected English
        ({"language": None, "language_hint": "en"}, None, "en"),  # too short to tell: the page's hint
        ({"language": None, "language_hint": "en"}, "de", "de"),  # the conversation's language beats the hint
        ({"language": None}, "en", "en"),  # unsure: keep the conversation's language
        ({"language": "de"}, "en", "de"),  # the citizen wrote German: German
        ({"language": "fr", "language_hint": "xx"}, None, "de"),  # unsupported codes are ignored
    ],
)
def test_the_language_of_a_turn(metadata: dict[str, Any] | None, slot: str | None, expected: str) -> None:
    state = snapshot("Mein Kind ist gehörlos", metadata=metadata, slots={"language": slot})
    said, stored = _language(state)
    assert said == spoken(expected)  # the reply's real language (German until the English texts exist)
    unchanged = slot == expected or (slot is None and expected == "de")  # the default alone is not stored
    assert stored == (None if unchanged else expected)


def test_the_switch_payload_beats_the_detected_language() -> None:
    state = snapshot('/switch_language{"language":"en"}', metadata={"language": "de"}, slots={"language": "de"})
    said, stored = _language(state)
    assert (said, stored) == (spoken("en"), "en")


def test_a_switch_without_a_known_language_keeps_the_conversation_s_language() -> None:
    state = snapshot("/switch_language", intent="switch_language", slots={"language": "en"})
    assert _language(state) == (spoken("en"), None)


@pytest.mark.parametrize("action", [ActionDefaultFallback(), ActionSetLeichteSprache(), ActionShowService()])
def test_every_reply_says_its_language(action: Any) -> None:
    state = snapshot("xyz", intent="nlu_fallback", metadata={"language": "en"})
    out = run(action, state)
    assert out.metadata is not None and out.metadata["language"] == spoken("en"), out.messages
    assert out.slots["language"] == "en"


def test_a_reply_is_marked_with_the_language_its_text_is_in() -> None:
    """The conversation is English (slot), the texts are German so far: the reply says German, not English."""
    from actions.language import REPLY_LANGUAGES

    state = snapshot("Mein Kind ist gehörlos", metadata={"language": "en"}, slots={"language": None})
    said, stored = _language(state)
    assert stored == "en"
    assert said == ("en" if "en" in REPLY_LANGUAGES else "de")

