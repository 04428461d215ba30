"""Hand-off to the application: at once when asked (form or office), the prefill only after an explicit "Ja"."""

from __future__ import annotations

from typing import Any

import pytest
from action_harness import run, snapshot

from actions import deps, texts
from actions.talk import ActionHandoffConsent, ActionHandoffDecline, ActionOfferHandoff, ActionTellResponsibility
from knowledge.catalogue import Catalogue

OFFER = ActionOfferHandoff()
CONSENT = ActionHandoffConsent()
DECLINE = ActionHandoffDecline()
ONLINE = "eingliederungshilfe-antrag"
LVR_OFFICE = "LVR-Dezernat Soziales, LVR-Fallmanagement"
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


def test_asking_how_to_apply_hands_off_at_once_and_asks_only_about_the_prefill(catalogue: Any) -> None:
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots=KOELN_45))
    assert out.metadata is not None
    assert out.metadata["handoff"] == {"service_id": ONLINE, "url": None, "office": LVR_OFFICE, "prefill": None}
    assert out.metadata["service_ids"] == [ONLINE] and out.metadata["authority"] == "LVR"
    first_line = out.visible[0]["text"].split("\n")[0]
    assert "nicht bestätigt" in first_line and "https://" not in first_line  # no invented form address
    assert texts.DOCUMENTS_UNKNOWN(texts.STANDARD, office=LVR_OFFICE) in out.text
    assert "Wohnort: Köln" in out.text and "Alter: 45 Jahre" in out.text
    assert f"Leistung: {catalogue[ONLINE].button_title}" in out.text
    assert out.payloads[-2:] == ["/affirm", "/deny"]
    assert out.slots["handoff_offered"] is True and out.slots["service_id"] == ONLINE


@pytest.mark.usefixtures("confirmed_url")
def test_a_confirmed_form_address_is_given_and_handed_off() -> None:
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots=KOELN_45))
    assert FORM_URL in out.visible[0]["text"]
    assert out.metadata is not None and out.metadata["handoff"]["url"] == FORM_URL


@pytest.mark.parametrize(("url_fixture", "url"), [(False, None), (True, FORM_URL)])
def test_consent_hands_off_again_with_the_prefill(request: pytest.FixtureRequest, url_fixture: bool,
                                                  url: str | None) -> None:  # fmt: skip
    if url_fixture:
        request.getfixturevalue("confirmed_url")
    state = snapshot("Ja", intent="affirm", slots={**KOELN_45, "service_id": ONLINE, "handoff_offered": True})
    out = run(CONSENT, state)
    assert out.metadata is not None
    assert out.metadata["handoff"] == {
        "service_id": ONLINE,
        "url": url,
        "office": LVR_OFFICE,
        "prefill": {"place": "Köln", "ags": KOELN_45["ags"], "age": "45"},
    }
    assert "Wohnort: Köln" in out.text and "Alter: 45 Jahre" in out.text
    assert out.slots == {"handoff_offered": False}
    assert out.last_is_metadata


def test_decline_passes_nothing() -> None:
    state = snapshot("Nein", intent="deny", slots={**KOELN_45, "service_id": ONLINE, "handoff_offered": True})
    out = run(DECLINE, state)
    assert out.text.startswith(texts.CONSENT_DECLINED(texts.STANDARD))
    assert "Köln" not in out.text and "45" not in out.text
    assert out.metadata is not None and out.metadata["handoff"] is None
    assert out.slots == {"handoff_offered": False}


@pytest.mark.parametrize("action", [CONSENT, DECLINE])
def test_yes_or_no_without_an_offer_passes_nothing(action: Any) -> None:
    out = run(action, snapshot("Ja", intent="affirm", slots={**KOELN_45, "service_id": ONLINE}))
    assert out.text == texts.NOTHING_TO_CONFIRM(texts.STANDARD)
    assert out.metadata is not None and out.metadata["handoff"] is None
    assert "handoff_offered" not in out.slots


def test_service_without_online_application_hands_off_to_the_office(catalogue: Any) -> None:
    service = catalogue["blindengeld"]
    out = run(OFFER, snapshot('/apply_online{"service_id":"blindengeld"}', slots=KOELN_45))
    for step in service.procedure:
        assert step in out.text
    assert "LVR-Dezernat Soziales" in out.text
    assert "/affirm" not in out.payloads, "no form to pre-fill: nothing to consent to"
    assert out.slots["handoff_offered"] is False
    assert out.metadata is not None and out.metadata["authority"] == "LVR"
    assert out.metadata["handoff"] == {"service_id": "blindengeld", "url": None, "office": "LVR-Dezernat Soziales",
                                       "prefill": None}  # fmt: skip


def test_lvr_form_is_not_offered_in_westfalen() -> None:
    slots = {"place": "Dortmund", "ags": "05913000", "landschaftsverband": "LWL"}
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots=slots))
    assert texts.APPLY_OTHER_REGION(texts.STANDARD) in out.text and "LWL" in out.text
    assert "/affirm" not in out.payloads
    assert out.metadata is not None and out.metadata["authority"] == "LWL"
    assert out.metadata["handoff"]["url"] is None and "LWL" in out.metadata["handoff"]["office"]


def test_without_the_place_the_handoff_asks_for_it_and_comes_again_with_the_office() -> None:
    out = run(OFFER, snapshot(f'/apply_online{{"service_id":"{ONLINE}"}}', slots={"leichte_sprache": True}))
    assert out.metadata is not None
    assert out.metadata["handoff"] == {"service_id": ONLINE, "url": None, "office": None, "prefill": None}
    assert texts.PLACE_QUESTION(texts.LEICHT) in out.text
    assert out.slots["handoff_pending"] == ONLINE
    slots = {**out.slots, "leichte_sprache": True}
    place = run(ActionTellResponsibility(), snapshot("Ich wohne in Bonn", intent="inform_place",
                                                     entities={"place": "Bonn"}, slots=slots))  # fmt: skip
    assert place.metadata is not None and place.metadata["authority"] == "LVR"
    assert place.metadata["handoff"] == {"service_id": ONLINE, "url": None, "office": LVR_OFFICE, "prefill": None}
    assert place.slots["handoff_pending"] is None
