"""Health: GET /health says only up/degraded/down; GET /health/details has every component for the operator.

Both answer 200 only when all required components are up, else 503. The test client is not a loopback address, so
the details are asked for with the operator token here; loopback callers are tested through the real process in
tests/e2e/test_e2e_hardening.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bk_api_testkit import TOKEN, MakeClient, StartServer, rasa_routes
from fastapi.testclient import TestClient

from knowledge.catalogue import Catalogue

OPERATOR_TOKEN = "operator-secret-for-tests"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


@pytest.fixture
def operator_client(make_client: MakeClient) -> MakeClient:
    """make_client with the operator token configured."""

    def make(**overrides: Any) -> TestClient:
        return make_client(operator_token=OPERATOR_TOKEN, **overrides)

    return make


def test_public_health_says_only_the_state(make_client: MakeClient, closed_port: int) -> None:
    up = make_client().get("/health")
    assert (up.status_code, up.json()) == (200, {"status": "up"})
    client = make_client(chat_backend="rasa", rasa_url=f"http://127.0.0.1:{closed_port}", actions_port=closed_port)
    degraded = client.get("/health")
    assert (degraded.status_code, degraded.json()) == (503, {"status": "degraded"})
    assert str(closed_port) not in degraded.text


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": OPERATOR_TOKEN}], ids=["none", "wrong", "raw"]
)
def test_details_are_hidden_without_the_operator_token(operator_client: MakeClient, headers: dict[str, str]) -> None:
    response = operator_client().get("/health/details", headers=headers)
    assert response.status_code == 404
    assert "components" not in response.text


def test_search_only_mode_is_up_without_rasa(operator_client: MakeClient, catalogue: Catalogue) -> None:
    response = operator_client().get("/health/details", headers=OPERATOR)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "up"
    assert body["chat_backend"] == "none"
    assert body["components"]["catalogue"] == {"status": "up", "count": len(catalogue)}
    assert body["components"]["retriever"]["mode"] == "lexical-only"
    assert body["components"]["rasa"]["status"] == "disabled"
    assert body["components"]["action_server"]["status"] == "disabled"
    assert body["components"]["tracker_store"]["status"] == "disabled"


def test_all_up_with_rasa_and_action_server(operator_client: MakeClient, fake_server: StartServer) -> None:
    rasa = fake_server(routes=rasa_routes((200, [])))
    actions = fake_server(routes={"GET /health": (200, {"status": "ok"})})
    client = operator_client(chat_backend="rasa", rasa_url=rasa.url, actions_port=actions.port)
    response = client.get("/health/details", headers=OPERATOR)
    assert response.status_code == 200, response.json()
    components = response.json()["components"]
    assert components["rasa"] == {"status": "up", "url": rasa.url}
    assert components["action_server"] == {"status": "up", "url": f"{actions.url}/health"}
    assert components["tracker_store"] == {"status": "up", "mode": "sqlite"}  # no file yet: Rasa creates it
    [status] = [r for r in rasa.requests if r.path == "/status"]
    assert status.query == {"token": [TOKEN]}


def test_a_tracker_store_that_fails_is_down_without_its_address(
    operator_client: MakeClient, fake_server: StartServer, closed_port: int, tmp_path: Path
) -> None:
    rasa = fake_server(routes=rasa_routes((200, [])))
    actions = fake_server(routes={"GET /health": (200, {"status": "ok"})})
    url = f"postgresql+psycopg2://bk:pw-not-to-show@127.0.0.1:{closed_port}/bk"
    client = operator_client(chat_backend="rasa", rasa_url=rasa.url, actions_port=actions.port, tracker_url=url)
    response = client.get("/health/details", headers=OPERATOR)
    assert response.status_code == 503
    store = response.json()["components"]["tracker_store"]
    assert store["status"] == "down" and store["mode"] == "postgresql"
    assert "not reachable" in store["reason"]
    assert "pw-not-to-show" not in response.text and str(closed_port) not in response.text
    assert client.get("/health").json() == {"status": "degraded"}
    broken = tmp_path / "tracker.db"
    broken.write_bytes(b"this is not a SQLite database" * 100)
    client = operator_client(chat_backend="rasa", rasa_url=rasa.url, actions_port=actions.port, tracker_db=broken)
    store = client.get("/health/details", headers=OPERATOR).json()["components"]["tracker_store"]
    assert (store["status"], store["mode"]) == ("down", "sqlite")


def test_rasa_and_action_server_down_is_503_with_reasons(operator_client: MakeClient, closed_port: int) -> None:
    client = operator_client(chat_backend="rasa", rasa_url=f"http://127.0.0.1:{closed_port}", actions_port=closed_port)
    response = client.get("/health/details", headers=OPERATOR)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["rasa"]["status"] == "down"
    assert body["components"]["rasa"]["reason"]
    assert body["components"]["action_server"]["status"] == "down"
    assert body["components"]["catalogue"]["status"] == "up"
    assert TOKEN not in response.text


def test_rasa_without_a_model_is_down(operator_client: MakeClient, fake_server: StartServer) -> None:
    rasa = fake_server(routes={"GET /status": (409, {"message": "No agent loaded"})})
    actions = fake_server(routes={"GET /health": (200, {"status": "ok"})})
    client = operator_client(chat_backend="rasa", rasa_url=rasa.url, actions_port=actions.port)
    response = client.get("/health/details", headers=OPERATOR)
    assert response.status_code == 503
    assert "409" in response.json()["components"]["rasa"]["reason"]


def test_slow_rasa_does_not_hang_health(operator_client: MakeClient, fake_server: StartServer) -> None:
    rasa = fake_server(routes=rasa_routes((200, [])), delay=2.0)
    actions = fake_server(routes={"GET /health": (200, {"status": "ok"})})
    client = operator_client(chat_backend="rasa", rasa_url=rasa.url, actions_port=actions.port, health_timeout=0.2)
    response = client.get("/health/details", headers=OPERATOR)
    assert response.status_code == 503
    assert response.json()["components"]["rasa"]["status"] == "down"
    assert response.json()["components"]["action_server"]["status"] == "up"


def test_missing_index_starts_lexical_only_and_reports_degraded(operator_client: MakeClient, tmp_path: Path) -> None:
    client = operator_client(search_mode="hybrid", index_dir=tmp_path / "no-index-here")
    response = client.get("/health/details", headers=OPERATOR)
    assert response.status_code == 503
    retriever = response.json()["components"]["retriever"]
    assert retriever["status"] == "degraded"
    assert retriever["mode"] == "lexical-only"
    assert retriever["reason"].startswith("index missing")
    assert retriever["rebuild"] == "make index"
    # and the API still serves searches
    search = client.get("/api/v1/services/search", params={"q": "Hilfe"})
    assert search.status_code == 200
    assert search.json()["mode"] == "lexical-only"


def test_each_replica_is_reported_and_one_down_is_degraded(
    operator_client: MakeClient, fake_server: StartServer, closed_port: int
) -> None:
    rasa = fake_server(routes=rasa_routes((200, [])))
    actions = fake_server(routes={"GET /health": (200, {"status": "ok"})})
    dead = f"http://127.0.0.1:{closed_port}"
    client = operator_client(chat_backend="rasa", rasa_urls=[rasa.url, dead], actions_port=actions.port)
    response = client.get("/health/details", headers=OPERATOR)
    assert response.status_code == 503
    component = response.json()["components"]["rasa"]
    assert (component["status"], component["reason"]) == ("degraded", "1 of 2 replicas down")
    up, down = component["replicas"]
    assert (up["url"], up["status"]) == (rasa.url, "up")
    assert (down["url"], down["status"]) == (dead, "down") and "not reachable" in down["reason"]
    assert isinstance(down["last_failure"], float)
    assert client.get("/health").json() == {"status": "degraded"}
