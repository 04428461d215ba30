"""Answers without Rasa that know the case: read from the SQLite tracker store (api.case_state), used by
api.dialogue.from_search for follow-up questions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from api import dialogue
from api.case_state import StoredCase, read_case
from api.errors import TrackerStoreError
from knowledge.catalogue import Catalogue
from knowledge.search import Retriever


def _store(path: Path, events: list[tuple[str, dict[str, object]]]) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
        for sender, event in events:
            db.execute("INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
                       (sender, event["event"], json.dumps(event)))  # fmt: skip
    return path


def _slot(name: str, value: object) -> dict[str, object]:
    return {"event": "slot", "name": name, "value": value}


def test_the_last_value_of_each_case_slot_is_read(tmp_path: Path) -> None:
    db = _store(tmp_path / "tracker.db", [
        ("a", _slot("candidate_ids", ["blindenhilfe", "blindengeld"])),
        ("a", _slot("service_id", "blindenhilfe")),
        ("b", _slot("service_id", "kokobe")),
        ("a", {"event": "user", "text": "Köln"}),
        ("a", _slot("place", "Köln")),
        ("a", _slot("service_id", "blindengeld")),
    ])  # fmt: skip
    assert read_case(db, "a") == StoredCase("blindengeld", ["blindenhilfe", "blindengeld"], "Köln")
    assert read_case(db, "nobody") is None
    assert read_case(tmp_path / "missing.db", "a") is None
    (tmp_path / "broken.db").write_text("not a database")
    with pytest.raises(TrackerStoreError):
        read_case(tmp_path / "broken.db", "a")


def test_a_follow_up_without_rasa_is_answered_for_the_stored_case(catalogue: Catalogue, retriever: Retriever) -> None:
    case = StoredCase(service_id="blindengeld", place="Köln")
    messages, metadata = dialogue.from_search(
        "Welche Unterlagen brauche ich?", retriever, catalogue, unavailable=True, case=case
    )
    assert messages[0].text == dialogue.UNAVAILABLE_SHORT
    assert metadata.service_ids == ["blindengeld"] and metadata.authority == "LVR" and metadata.fallback is True
    assert "Erforderliche Unterlagen" in messages[1].text and "Köln" in messages[1].text


def test_a_new_question_without_rasa_is_searched_as_before(catalogue: Catalogue, retriever: Retriever) -> None:
    case = StoredCase(service_id="blindengeld", place="Köln")
    text = "Mein Sohn ist vier und spricht noch nicht richtig, braucht er Frühförderung?"
    with_case = dialogue.from_search(text, retriever, catalogue, unavailable=True, case=case)
    without = dialogue.from_search(text, retriever, catalogue, unavailable=True)
    assert with_case[1].service_ids == without[1].service_ids != ["blindengeld"]
