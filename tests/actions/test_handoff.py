"""Hand-off to the online form: offer → explicit consent → metadata handoff; decline → nothing passed."""

from __future__ import annotations

from typing import Any

import pytest
from action_harness import run, snapshot

from actions import deps, texts
from actions.talk import ActionHandoffConsent, ActionHandoffDecline, ActionOfferHandoff
from knowledge.catalogue import Catalogue

OFFER = ActionOfferHandoff()
CONSENT = ActionHandoffConsent()
DECLINE = ActionHandoffDecline()
ONLINE = "eingliederungshilfe-antrag"
KOELN_45 = {"place": "Köln", "ags": "05315000", "landschaftsverband": "LVR", "age": 45.0}
FORM_URL = "https://formulare.example.org/eingliederungshilfe"


@pytest.fixture
def confirmed_url(monkeypatch: pytest.MonkeyPatch, catalogue: Any) -> None:
    """The catalogue with a confirmed form address for the online service (no entry has one yet)."""
    service = catalogue[ONLINE]
    online = service.online_service.model_copy(update={"form_url": FORM_URL, "form_url_verified": True})
    changed = service.model_copy(update={"online_service": online})
    patched = Catalogue([changed if s.id == ONLINE else s for s in catalogue])
    monkeypatch.setattr(deps, "get_catalogue", lambda: patched)


def test_offer_without_confirmed_url_says_so_lists_documents_and_asks_consent(catalogue: Any) -> None:
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots=KOELN_45))
    assert "nicht bestätigt" in out.text and "LVR-Beratungskompass" in out.text
    assert "https://" not in out.visible[0]["text"]  # no invented form address
    assert texts.DOCUMENTS_UNKNOWN(False, office="LVR-Dezernat Soziales, LVR-Fallmanagement") in out.text
    assert "Wohnort: Köln" in out.text and "Alter: 45 Jahre" in out.text
    assert f"Leistung: {catalogue[ONLINE].button_title}" in out.text
    assert out.payloads[-2:] == ["/affirm", "/deny"]
    assert out.slots == {"handoff_offered": True, "service_id": ONLINE}
    assert out.metadata == {"service_ids": [ONLINE], "authority": "LVR", "handoff": None, "fallback": False}


@pytest.mark.usefixtures("confirmed_url")
def test_offer_with_confirmed_url_gives_the_link() -> None:
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots=KOELN_45))
    assert FORM_URL in out.visible[0]["text"]


@pytest.mark.parametrize(("url_fixture", "url"), [(False, None), (True, FORM_URL)])
def test_consent_emits_the_handoff(request: pytest.FixtureRequest, url_fixture: bool, url: str | None) -> None:
    if url_fixture:
        request.getfixturevalue("confirmed_url")
    state = snapshot("Ja", intent="affirm", slots={**KOELN_45, "service_id": ONLINE, "handoff_offered": True})
    out = run(CONSENT, state)
    assert out.metadata is not None
    assert out.metadata["handoff"] == {
        "service_id": ONLINE,
        "url": url,
        "data": {"place": "Köln", "ags": KOELN_45["ags"], "age": "45"},
    }
    assert "Wohnort: Köln" in out.text and "Alter: 45 Jahre" in out.text
    assert out.events == [{"event": "slot", "timestamp": None, "name": "handoff_offered", "value": False}]
    assert out.last_is_metadata


def test_decline_passes_nothing() -> None:
    state = snapshot("Nein", intent="deny", slots={**KOELN_45, "service_id": ONLINE, "handoff_offered": True})
    out = run(DECLINE, state)
    assert out.text.startswith(texts.CONSENT_DECLINED(False))
    assert "Köln" not in out.text and "45" not in out.text
    assert out.metadata is not None and out.metadata["handoff"] is None
    assert out.slots == {"handoff_offered": False}


@pytest.mark.parametrize("action", [CONSENT, DECLINE])
def test_yes_or_no_without_an_offer_passes_nothing(action: Any) -> None:
    out = run(action, snapshot("Ja", intent="affirm", slots={**KOELN_45, "service_id": ONLINE}))
    assert out.text == texts.NOTHING_TO_CONFIRM(False)
    assert out.metadata is not None and out.metadata["handoff"] is None
    assert out.events == []


def test_service_without_online_application_names_procedure_and_office(catalogue: Any) -> None:
    service = catalogue["blindengeld"]
    out = run(OFFER, snapshot('/apply_online{"service_id":"blindengeld"}', slots=KOELN_45))
    for step in service.procedure:
        assert step in out.text
    assert "LVR-Dezernat Soziales" in out.text
    assert "/affirm" not in out.payloads
    assert "handoff_offered" not in out.slots
    assert out.metadata == {"service_ids": ["blindengeld"], "authority": "LVR", "handoff": None, "fallback": False}


def test_lvr_form_is_not_offered_in_westfalen() -> None:
    slots = {"place": "Dortmund", "ags": "05913000", "landschaftsverband": "LWL"}
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots=slots))
    assert texts.APPLY_OTHER_REGION(False) in out.text and "LWL" in out.text
    assert "/affirm" not in out.payloads
    assert out.metadata is not None and out.metadata["authority"] == "LWL"


def test_offer_in_leichte_sprache() -> None:
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots={"leichte_sprache": True}))
    assert "Ich gebe nur etwas weiter, wenn Sie Ja sagen." in out.text
    assert "Wohn-Ort" not in out.text  # no place known: nothing to pass but the service
