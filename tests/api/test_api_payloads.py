"""api.payloads: a message reaches Rasa as a payload only when the bot offered it in this conversation."""

from __future__ import annotations

import pytest

from api.payloads import OfferedPayloads, admitted
from knowledge.catalogue import Catalogue

CHOOSE = '/choose_service{"service_id":"blindengeld"}'


@pytest.fixture
def offered() -> OfferedPayloads:
    store = OfferedPayloads(sessions=2, per_session=3)
    store.add("s1", [CHOOSE, "/affirm"])
    return store


@pytest.mark.parametrize(
    ("message", "sent"),
    [
        (CHOOSE, CHOOSE),  # offered: a payload
        ("/affirm", "/affirm"),
        ("/leichte_sprache_on", "/leichte_sprache_on"),  # the widget's own switch
        ('/switch_language{"language":"en"}', '/switch_language{"language":"en"}'),  # the widget's language switch
        ('/switch_language{"language":"de"}', '/switch_language{"language":"de"}'),
        ('/switch_language{"language":"fr"}', "switch_language"),  # not a language of the bot: text
        ("/deny", "deny"),  # not offered: text
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ('/inform_place{"place":"Bielefeld"}', "inform_place"),  # no values smuggled in as text
        ('/choose_service{"service_id":"../../etc"}', "choose_service"),
        ("/restart@0.9", "restart"),
        ("//", "?"),
        ("Ich bin blind", "Ich bin blind"),
    ],
)
def test_only_offered_payloads_pass(offered: OfferedPayloads, catalogue: Catalogue, message: str, sent: str) -> None:
    assert admitted(message, "s1", offered, catalogue) == sent


def test_payloads_are_per_conversation_and_bounded(offered: OfferedPayloads, catalogue: Catalogue) -> None:
    assert admitted(CHOOSE, "s2", offered, catalogue) == "choose_service", "offered to another conversation"
    offered.add("s1", ["/a", "/b", "/c"])  # per_session 3: the oldest are dropped
    assert not offered.offered("s1", CHOOSE)
    offered.add("s2", ["/x"])
    offered.add("s3", ["/y"])  # sessions 2: s1 is the least recent
    assert not offered.offered("s1", "/a") and offered.offered("s3", "/y")
    offered.forget("s3")
    assert not offered.offered("s3", "/y")


def test_an_offered_payload_of_an_unknown_service_is_text(catalogue: Catalogue) -> None:
    store = OfferedPayloads()
    gone = '/choose_service{"service_id":"gibt-es-nicht"}'
    store.add("s", [gone])
    assert admitted(gone, "s", store, catalogue) == "choose_service"
