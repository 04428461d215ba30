"""The app factory and its wiring: no I/O in create_app, lifespan loading, CORS, OpenAPI documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
from bk_api_testkit import MakeClient, MakeSettings
from fastapi.testclient import TestClient

from api.main import create_app
from knowledge.errors import CatalogueError

PARTNER = "https://partner.example"


def test_create_app_does_no_io(make_settings: MakeSettings, tmp_path: Path) -> None:
    # Paths that do not exist: nothing is read before the lifespan runs.
    app = create_app(make_settings(catalogue_dir=tmp_path / "nope", static_dir=tmp_path / "nope", search_mode="hybrid"))
    assert app.title
    assert not hasattr(app.state, "knowledge")


def test_lifespan_refuses_an_invalid_catalogue(make_settings: MakeSettings, tmp_path: Path) -> None:
    broken = tmp_path / "catalogue"
    broken.mkdir()
    (broken / "x.yaml").write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError), TestClient(create_app(make_settings(catalogue_dir=broken))):
        pass


def test_cors_allows_exactly_the_configured_origins(make_client: MakeClient) -> None:
    client = make_client(allowed_origins=[PARTNER, "http://localhost:3000"])
    allowed = client.get("/api/v1/vocab", headers={"Origin": PARTNER})
    assert allowed.headers["access-control-allow-origin"] == PARTNER
    refused = client.get("/api/v1/vocab", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in refused.headers

    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = client.options("/api/v1/chat", headers={"Origin": PARTNER, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == PARTNER
    assert "POST" in ok.headers["access-control-allow-methods"]
    bad = client.options("/api/v1/chat", headers={"Origin": "https://evil.example", **preflight})
    assert bad.status_code == 400
    assert "access-control-allow-origin" not in bad.headers


def test_no_cors_headers_without_configured_origins(client: TestClient) -> None:
    response = client.get("/api/v1/vocab", headers={"Origin": PARTNER})
    assert "access-control-allow-origin" not in response.headers


def test_openapi_documents_endpoints_with_examples(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/services/search", "get"),
        ("/api/v1/services", "get"),
        ("/api/v1/services/{service_id}", "get"),
        ("/api/v1/vocab", "get"),
        ("/api/v1/chat", "post"),
        ("/api/v1/chat/{session_id}", "delete"),
        ("/health", "get"),
    ]:
        assert method in paths[path], path
    q = next(p for p in paths["/api/v1/services/search"]["get"]["parameters"] if p["name"] == "q")
    assert q["examples"]
    lebenslage = next(p for p in paths["/api/v1/services/search"]["get"]["parameters"] if p["name"] == "lebenslage")
    assert "leben-mit-behinderung" in str(lebenslage["schema"])
    chat = paths["/api/v1/chat"]["post"]
    assert chat["requestBody"]["content"]["application/json"]["examples"]
    assert "textContent" in chat["description"]
    schemas = spec["components"]["schemas"]
    for name in (
        "SearchResponse",
        "ChatResponse",
        "ChatRequest",
        "HealthResponse",
        "ErrorBody",
        "ServiceList",
        "Vocab",
    ):
        assert schemas[name].get("examples"), name
    metadata = schemas["TurnMetadata"]["properties"]
    for field in ("service_ids", "authority", "handoff", "fallback"):
        assert metadata[field]["description"], field
    assert "422" in paths["/api/v1/services/search"]["get"]["responses"]
    assert "503" in paths["/api/v1/chat/{session_id}"]["delete"]["responses"]
