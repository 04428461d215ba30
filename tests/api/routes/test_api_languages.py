"""GET /api/v1/languages: the widget's one source for language names and writing direction (knowledge.vocab)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from contract.chat import LANGUAGE_CODES
from knowledge import vocab

LANGUAGES = "/api/v1/languages"


def test_the_served_languages_come_from_the_vocabulary(client: TestClient) -> None:
    response = client.get(LANGUAGES)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.json()
    assert body["default"] == vocab.DEFAULT_LANGUAGE
    assert body["languages"][0]["code"] == vocab.DEFAULT_LANGUAGE
    assert [item["code"] for item in body["languages"]] == list(LANGUAGE_CODES)
    for item in body["languages"]:
        assert item == {"code": item["code"], **vocab.LANGUAGES[item["code"]]}


def test_the_rtl_flag_is_passed_on_unchanged(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A language flagged right-to-left in the vocabulary is right-to-left for the widget: no second list."""
    monkeypatch.setitem(vocab.LANGUAGES, "en", {"name": "English", "rtl": True})
    flags = {item["code"]: item["rtl"] for item in client.get(LANGUAGES).json()["languages"]}
    assert flags == {"de": False, "en": True}


def test_the_schema_documents_every_field_as_required(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "get" in spec["paths"][LANGUAGES]
    schemas = spec["components"]["schemas"]
    assert set(schemas["Languages"]["required"]) == {"default", "languages"}
    assert set(schemas["LanguageInfo"]["required"]) == {"code", "name", "rtl"}
    assert schemas["LanguageInfo"]["properties"]["code"]["enum"] == list(LANGUAGE_CODES)
