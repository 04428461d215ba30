"""The caseworker API over the real catalogue (lexical search): search, filters, list, detail, vocabularies."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from bk_api_testkit import MakeClient
from fastapi.testclient import TestClient

from api.routes.services import search_result
from api.schemas import QUERY_MAX, TOP_MAX
from knowledge.catalogue import Catalogue
from knowledge.review import load_service, record, service_file
from knowledge.schema import Confirmation, Service
from knowledge.vocab import LEBENSLAGEN, PROVIDERS, SECTIONS, TARGET_GROUPS

SEARCH = "/api/v1/services/search"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _some_service_with_title_words(catalogue: Catalogue) -> tuple[str, str]:
    """A service id and a query made from its own title."""
    service = next(iter(catalogue))
    return service.id, service.title


def test_search_finds_a_service_by_its_title(client: TestClient, catalogue: Catalogue) -> None:
    for service in list(catalogue)[:10]:
        response = client.get(SEARCH, params={"q": service.title, "top": 5})
        assert response.status_code == 200
        body = response.json()
        assert body["mode"] == "lexical-only"
        assert body["query"] == service.title
        ids = [r["id"] for r in body["results"]]
        assert service.id in ids, f"{service.id} not found by its own title"


def test_search_result_fields_come_from_the_catalogue(client: TestClient, catalogue: Catalogue) -> None:
    _, query = _some_service_with_title_words(catalogue)
    results = client.get(SEARCH, params={"q": query}).json()["results"]
    assert results
    for result in results:
        assert set(result) == {"id", "title", "teaser", "provider", "score", "language"}
        assert result["language"] == "de"  # German unless another language is asked for
        service = catalogue[result["id"]]
        assert result["title"] == service.title
        assert result["teaser"] == service.teaser
        assert result["provider"] == service.responsible.provider
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("top", [1, 3, TOP_MAX])
def test_search_top_bounds_the_number_of_results(client: TestClient, catalogue: Catalogue, top: int) -> None:
    query = " ".join(s.title for s in list(catalogue)[:5])[:QUERY_MAX]
    results = client.get(SEARCH, params={"q": query, "top": top}).json()["results"]
    assert 1 <= len(results) <= top


def test_search_filters_by_lebenslage(client: TestClient, catalogue: Catalogue) -> None:
    service = next(iter(catalogue))
    lebenslage = service.lebenslagen[0]
    results = client.get(SEARCH, params={"q": service.title, "lebenslage": lebenslage, "top": 50}).json()["results"]
    assert service.id in [r["id"] for r in results]
    assert all(lebenslage in catalogue[r["id"]].lebenslagen for r in results)


def test_search_filters_by_provider(client: TestClient, catalogue: Catalogue) -> None:
    for provider in PROVIDERS:
        services = [s for s in catalogue if s.responsible.provider == provider]
        if not services:
            continue
        query = " ".join(s.title for s in services)[:QUERY_MAX]
        results = client.get(SEARCH, params={"q": query, "provider": provider, "top": 50}).json()["results"]
        assert results
        assert {r["provider"] for r in results} == {provider}


def test_list_returns_every_service(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get("/api/v1/services").json()
    assert body["count"] == len(catalogue) == len(body["services"])
    assert [s["id"] for s in body["services"]] == catalogue.ids


@pytest.mark.parametrize("parameter", ["lebenslage", "provider", "target_group"])
def test_list_filters(client: TestClient, catalogue: Catalogue, parameter: str) -> None:
    def values(service: Any) -> list[str]:
        return {
            "lebenslage": service.lebenslagen,
            "provider": [service.responsible.provider],
            "target_group": service.target_groups,
        }[parameter]

    used = sorted({v for s in catalogue for v in values(s)})
    assert used
    for value in used:
        body = client.get("/api/v1/services", params={parameter: value}).json()
        expected = [s.id for s in catalogue if value in values(s)]
        assert [s["id"] for s in body["services"]] == expected
        assert body["count"] == len(expected)


def test_list_filters_combine(client: TestClient, catalogue: Catalogue) -> None:
    service = next(iter(catalogue))
    params = {
        "lebenslage": service.lebenslagen[0],
        "target_group": service.target_groups[0],
        "provider": service.responsible.provider,
    }
    ids = [s["id"] for s in client.get("/api/v1/services", params=params).json()["services"]]
    assert service.id in ids
    for sid in ids:
        other = catalogue[sid]
        assert params["lebenslage"] in other.lebenslagen and params["target_group"] in other.target_groups


def test_detail_is_the_full_record_plus_derived_fields(client: TestClient, catalogue: Catalogue) -> None:
    for service in catalogue:
        response = client.get(f"/api/v1/services/{service.id}")
        assert response.status_code == 200
        body = response.json()
        record = service.model_dump(mode="json")
        assert {k: body[k] for k in record} == record
        assert body["provider"] == service.responsible.provider
        assert [x["id"] for x in body["lebenslagen_labels"]] == service.lebenslagen
        assert all(x["label"] == LEBENSLAGEN[x["id"]] for x in body["lebenslagen_labels"])
        assert all(x["label"] == TARGET_GROUPS[x["id"]] for x in body["target_groups_labels"])
        assert [r["id"] for r in body["related_services"]] == [i for i in service.related if i in catalogue]
        assert body["page_url"] == f"/beratung/{service.id}"


@pytest.mark.parametrize("service_id", ["does-not-exist", "BLINDENGELD", "a" * 300, "..%2F..%2Fetc", "%3Cscript%3E"])
def test_detail_of_an_unknown_id_is_404(client: TestClient, service_id: str) -> None:
    response = client.get(f"/api/v1/services/{service_id}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_vocab_lists_all_values_with_labels_and_counts(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get("/api/v1/vocab").json()
    assert [(e["id"], e["label"]) for e in body["lebenslagen"]] == list(LEBENSLAGEN.items())
    assert [(e["id"], e["label"]) for e in body["target_groups"]] == list(TARGET_GROUPS.items())
    assert [e["id"] for e in body["providers"]] == list(PROVIDERS)
    assert [(e["id"], e["label"]) for e in body["sections"]] == list(SECTIONS.items())
    for entry in body["lebenslagen"]:
        assert entry["count"] == sum(entry["id"] in s.lebenslagen for s in catalogue)
    assert sum(e["count"] for e in body["providers"]) == len(catalogue)


# --- bad input: a clear 4xx with a JSON reason ----------------------------------------------------------------

BAD_SEARCHES: list[tuple[dict[str, Any], int, str, str]] = [
    # params, status, error code, parameter named in the answer
    ({}, 422, "invalid_request", "q"),
    ({"q": ""}, 422, "invalid_request", "q"),  # minLength and the has-text pattern of the OpenAPI schema
    ({"q": "   "}, 422, "invalid_request", "q"),
    ({"q": "\x00\x01\x7f"}, 422, "invalid_request", "q"),
    ({"q": "a" * (QUERY_MAX + 1)}, 422, "invalid_request", "q"),
    ({"q": "Hilfe", "top": 0}, 422, "invalid_request", "top"),
    ({"q": "Hilfe", "top": TOP_MAX + 1}, 422, "invalid_request", "top"),
    ({"q": "Hilfe", "top": -1}, 422, "invalid_request", "top"),
    ({"q": "Hilfe", "top": "drei"}, 422, "invalid_request", "top"),
    ({"q": "Hilfe", "top": "2.5"}, 422, "invalid_request", "top"),
    ({"q": "Hilfe", "lebenslage": "urlaub"}, 422, "unknown_filter_value", "lebenslage"),
    ({"q": "Hilfe", "provider": "lvr"}, 422, "unknown_filter_value", "provider"),
    ({"q": "Hilfe", "lang": "fr"}, 422, "unsupported_language", "lang"),
    ({"q": "Hilfe", "lang": "EN"}, 422, "unsupported_language", "lang"),
    ({"q": "Hilfe", "lang": ""}, 422, "unsupported_language", "lang"),
]


@pytest.mark.parametrize(("params", "status", "error", "parameter"), BAD_SEARCHES)
def test_bad_search_input(client: TestClient, params: dict[str, Any], status: int, error: str, parameter: str) -> None:
    response = client.get(SEARCH, params=params)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == error
    assert body["parameter"] == parameter
    assert body["detail"]


def test_query_of_exactly_the_limit_is_accepted(client: TestClient) -> None:
    assert client.get(SEARCH, params={"q": "Hilfe " * (QUERY_MAX // 6)}).status_code == 200


@pytest.mark.parametrize(
    ("parameter", "allowed"),
    [("lebenslage", list(LEBENSLAGEN)), ("provider", list(PROVIDERS)), ("target_group", list(TARGET_GROUPS))],
)
def test_unknown_filter_value_lists_the_allowed_values(client: TestClient, parameter: str, allowed: list[str]) -> None:
    response = client.get("/api/v1/services", params={parameter: "gibt-es-nicht"})
    assert response.status_code == 422
    body = response.json()
    assert body == {
        "error": "unknown_filter_value",
        "detail": f"unknown {parameter} 'gibt-es-nicht'",
        "parameter": parameter,
        "allowed": allowed,
    }


def test_list_counts_the_confirmed_claims(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get("/api/v1/services").json()
    for summary in body["services"]:
        service = catalogue[summary["id"]]
        assert summary["claims_total"] == len(service.claims) > 0
        assert summary["claims_confirmed"] == service.confirmed_claims


def test_list_filters_by_verification(make_client: MakeClient, tmp_path: Path) -> None:
    """A copy of the fixture catalogue in which a test (in an editor's place) confirmed every claim of one entry."""
    directory = tmp_path / "catalogue"
    shutil.copytree(FIXTURES / "catalogue_small", directory)
    path = service_file(directory, "lvr-museen")
    claims = load_service(path).claims
    record(path, {c.id: [Confirmation(by="Test", source=c.source or "", date=dt.date(2025, 1, 1))] for c in claims})
    client = make_client(catalogue_dir=directory)
    verified = client.get("/api/v1/services", params={"verified": "true"}).json()
    assert [s["id"] for s in verified["services"]] == ["lvr-museen"]
    assert verified["services"][0]["claims_confirmed"] == verified["services"][0]["claims_total"] == len(claims)
    open_ = client.get("/api/v1/services", params={"verified": "false"}).json()
    assert "lvr-museen" not in [s["id"] for s in open_["services"]]
    assert open_["count"] == client.get("/api/v1/services").json()["count"] - 1
    assert client.get("/api/v1/services", params={"verified": "vielleicht"}).status_code == 422
    detail = client.get("/api/v1/services/lvr-museen").json()
    assert detail["verified"] is True
    assert detail["claims"][0]["confirmations"] == [
        {"by": "Test", "source": "testquelle", "date": "2025-01-01", "note": None}
    ]


def test_no_source_names_the_internal_research_file(client: TestClient, catalogue: Catalogue) -> None:
    for service in catalogue:
        body = client.get(f"/api/v1/services/{service.id}").json()
        shown = [s["title"] + str(s["url"]) + str(s["url_note"]) for s in body["sources"]]
        shown += [str(b["url"]) + str(b["url_note"]) for b in body["legal_bases"]]
        assert not [text for text in shown if "lvr-facts" in text or "shared/research" in text], service.id


def test_a_query_without_text_is_refused_with_a_readable_reason(client: TestClient) -> None:
    body = client.get(SEARCH, params={"q": " \u200e "}).json()
    assert body["detail"] == "q: must contain text, not only spaces or control characters", body


# --- search in another language (issue 11) ----------------------------------------------------------------------


def test_search_in_english_returns_the_english_texts(client: TestClient, catalogue: Catalogue) -> None:
    body = client.get(SEARCH, params={"q": "blind allowance", "lang": "en"}).json()
    assert body["language"] == "en"
    assert body["results"]
    for result in body["results"]:
        english = catalogue[result["id"]].translations["en"]  # every real entry has English title and teaser
        assert (result["title"], result["teaser"], result["language"]) == (english.title, english.teaser, "en")
    german = client.get(SEARCH, params={"q": "blind allowance"}).json()
    assert german["language"] == "de"
    assert [r["id"] for r in german["results"]] == [r["id"] for r in body["results"]]  # lang changes texts only
    assert {r["language"] for r in german["results"]} == {"de"}


def test_unsupported_language_names_the_supported_ones(client: TestClient) -> None:
    body = client.get(SEARCH, params={"q": "Hilfe", "lang": "tr"}).json()
    assert body["allowed"] == ["de", "en"]
    assert "unsupported lang 'tr'" in body["detail"]


def test_a_hit_without_english_texts_stays_german() -> None:
    """The catalogue refuses an entry without English title and teaser, so the fallback is for a language whose texts
    are still being written: checked on the hit builder with an entry read without the catalogue's checks."""
    data = yaml.safe_load(service_file(FIXTURES / "catalogue_small", "lvr-museen").read_text(encoding="utf-8"))
    english = data.pop("translations")["en"]
    untranslated = Service.model_validate(data)
    hit = search_result(untranslated, 0.5, "en")
    assert (hit.title, hit.teaser, hit.language) == (untranslated.title, untranslated.teaser, "de")
    data["translations"] = {"en": {"title": english["title"]}}  # a title alone: not half English, half German
    hit = search_result(Service.model_validate(data), 0.5, "en")
    assert (hit.title, hit.language) == (untranslated.title, "de")
    data["translations"] = {"en": english}
    hit = search_result(Service.model_validate(data), 0.5, "en")
    assert (hit.title, hit.teaser, hit.language) == (english["title"], english["teaser"], "en")


def test_openapi_documents_the_search_language(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    parameters = schema["paths"][SEARCH]["get"]["parameters"]
    lang = next(p for p in parameters if p["name"] == "lang")
    assert lang["schema"]["enum"] == ["de", "en"] and lang["schema"]["default"] == "de"
    assert lang["required"] is False
    result = schema["components"]["schemas"]["SearchResult"]
    assert "language" in result["required"] and "language" in result["properties"]
    assert "language" in schema["components"]["schemas"]["SearchResponse"]["required"]


def test_service_detail_in_english_marks_the_language_of_each_text(client: TestClient, catalogue: Catalogue) -> None:
    service = next(s for s in catalogue if s.related and s.translations["en"].full_text)
    english = service.translations["en"]
    body = client.get(f"/api/v1/services/{service.id}", params={"lang": "en"}).json()
    assert body["language"] == "en"
    assert (body["title"], body["teaser"], body["full_text"]) == (english.title, english.teaser, english.full_text)
    languages = body["text_languages"]
    assert languages["title"] == languages["teaser"] == languages["full_text"] == "en"
    for name, language in languages.items():  # a text the translation lacks is German and marked so
        expected = "en" if getattr(english, name) is not None else "de"
        assert language == expected, name
        assert body[name] == (getattr(english, name) if expected == "en" else getattr(service, name))
    related = {r["id"]: r["title"] for r in body["related_services"]}
    assert related == {i: catalogue[i].translations["en"].title for i in service.related if i in catalogue}


def test_service_detail_stays_german_by_default(client: TestClient, catalogue: Catalogue) -> None:
    service = next(iter(catalogue))
    body = client.get(f"/api/v1/services/{service.id}").json()
    assert (body["language"], body["title"], body["teaser"]) == ("de", service.title, service.teaser)
    assert set(body["text_languages"].values()) == {"de"}
    assert "title" in body["text_languages"] and "full_text" in body["text_languages"]
    refused = client.get(f"/api/v1/services/{service.id}", params={"lang": "ar"})
    assert refused.status_code == 422 and refused.json()["error"] == "unsupported_language"
