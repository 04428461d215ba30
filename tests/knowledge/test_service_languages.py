"""The language dimension of a service: texts per language under `translations`, German where one is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bk_knowledge_testkit import SMALL_CATALOGUE
from pydantic import ValidationError

from knowledge.schema import Service


def _entry() -> dict:
    path = sorted(Path(SMALL_CATALOGUE).rglob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("translations", None)  # each test sets its own
    return data


def test_german_and_untranslated_languages_return_the_service_itself() -> None:
    service = Service.model_validate(_entry())
    assert service.in_language("de") is service
    assert service.in_language("en") is service  # no English texts yet: German throughout
    assert service.missing_translations("de") == []
    assert service.missing_translations("en") == ["title", "teaser"]


def test_translated_fields_replace_the_german_ones_and_the_rest_stays_german() -> None:
    data = _entry()
    data["translations"] = {"en": {"title": "Blind allowance (Blindengeld)", "teaser": "Money for blind people."}}
    service = Service.model_validate(data)
    english = service.in_language("en")
    assert (english.title, english.teaser) == ("Blind allowance (Blindengeld)", "Money for blind people.")
    assert english.id == service.id and english.responsible == service.responsible
    assert english.prerequisites == service.prerequisites  # not translated: the German text
    assert service.missing_translations("en") == []


def test_a_translation_adds_no_fact_the_german_entry_lacks() -> None:
    data = _entry()
    data["costs"] = None
    data["translations"] = {"en": {"title": "T", "teaser": "T", "costs": "Free of charge."}}
    assert Service.model_validate(data).in_language("en").costs is None


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ({"fr": {"title": "x"}}, "unknown translation language fr"),
        ({"de": {"title": "x"}}, "unknown translation language de"),
        ({"en": {"teaser": "x" * 301}}, "at most 300"),
        ({"en": {"title_short": "x" * 41}}, "at most 40"),
        ({"en": {"summary": "x"}}, "Extra inputs are not permitted"),
    ],
)
def test_bad_translations_are_rejected_with_a_clear_reason(translations: dict, message: str) -> None:
    data = _entry()
    data["translations"] = translations
    with pytest.raises(ValidationError, match=message):
        Service.model_validate(data)
