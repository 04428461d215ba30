"""Hardening of the public API, through the real process (`python -m api`, search-only chat) on loopback.

Security headers, the public and the operator health, the rate limit against forged X-Forwarded-For, and the bounds
on slow and oversized clients. Every network test is bounded in count (at most a few hundred connections) and time.
The parts that need the whole stack (secrets, Redis, retention, logs) are in test_e2e_stack_security.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import free_port, stop_group  # noqa: E402

pytestmark = [pytest.mark.e2e]

CHAT_LIMIT = 5
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
MAX_CONNECTIONS = 300
PARTNER = "https://partner.example"


@dataclass
class Api:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    port = free_port()
    log = tmp_path_factory.mktemp("api") / "api.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BK_") and k != "PORT"}
    env.update(
        {
            "PORT": str(port),
            "BK_CHAT_BACKEND": "none",
            "BK_SEARCH_MODE": "lexical",
            "BK_TRACKER_DB": "",
            "BK_CHAT_RATE_LIMIT": str(CHAT_LIMIT),
            "BK_RATE_LIMIT_WINDOW": "60",
            "BK_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
            "BK_BODY_TIMEOUT": str(BODY_TIMEOUT),
            "BK_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
            "BK_ALLOWED_ORIGINS": PARTNER,
            "PYTHONUNBUFFERED": "1",
        }
    )
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "api"], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Api(port, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the API did not start in 90 s"
            try:
                if httpx.get(f"{running.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield running
    finally:
        stop_group(process)


def _connect(api: Api) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", api.port), timeout=5)
    return sock


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (or ``timeout`` passes: then what came)."""
    sock.settimeout(timeout)
    chunks: list[bytes] = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (TimeoutError, ConnectionResetError):
        pass
    return b"".join(chunks)


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server closed (or reset) the connection; never blocks."""
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
        return True  # EOF
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


# --- finding 2: security headers ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/beratung", "/docs"])
def test_pages_carry_a_strict_csp_and_cannot_be_framed_by_strangers(api: Api, path: str) -> None:
    response = httpx.get(api.url + path)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    ancestors = next(p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors"))
    expected = "frame-ancestors 'none'" if path == "/docs" else f"frame-ancestors 'self' {PARTNER}"
    assert ancestors == expected


@pytest.mark.parametrize("path", ["/widget.js", "/widget.css", "/health", "/api/v1/services", "/openapi.json"])
def test_every_other_answer_says_nosniff_and_may_not_be_framed(api: Api, path: str) -> None:
    response = httpx.get(api.url + path)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "server" not in response.headers  # no product and version for strangers


# --- finding 5: X-Forwarded-For is not believed ----------------------------------------------------------------


def test_forged_forwarded_for_does_not_choose_the_rate_limit_bucket(api: Api) -> None:
    statuses = []
    with httpx.Client(base_url=api.url, timeout=10) as client:
        for i in range(CHAT_LIMIT + 5):
            forged = {"X-Forwarded-For": f"203.0.113.{i + 1}", "Forwarded": f"for=198.51.100.{i + 1}"}
            response = client.post("/api/v1/chat", json={"message": "Ich bin blind"}, headers=forged)
            statuses.append(response.status_code)
    assert statuses[:CHAT_LIMIT] == [200] * CHAT_LIMIT
    assert set(statuses[CHAT_LIMIT:]) == {429}, statuses


# --- finding 7: health for strangers and for the operator ------------------------------------------------------


def test_public_health_is_only_the_state_and_details_are_for_loopback_without_proxy(api: Api) -> None:
    public = httpx.get(f"{api.url}/health")
    assert public.json() == {"status": "up"}
    details = httpx.get(f"{api.url}/health/details")
    assert details.status_code == 200
    assert set(details.json()["components"]) == {"catalogue", "retriever", "rasa", "action_server", "tracker_store"}
    # a request relayed by a proxy on this host comes from somewhere else: no details
    relayed = httpx.get(f"{api.url}/health/details", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 404 and "components" not in relayed.text


# --- finding 6: slow and oversized clients ---------------------------------------------------------------------


def test_an_oversized_header_is_refused_with_431(api: Api) -> None:
    with _connect(api) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        try:
            for _ in range(8 * 16):  # up to 8 MiB in 64 KiB pieces; the server closes long before
                sock.sendall(b"a" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_all(sock, timeout=5)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    assert time.monotonic() - started < 5


def test_unfinished_headers_are_closed_after_the_header_timeout(api: Api) -> None:
    socks = [_connect(api) for _ in range(200)]
    try:
        for sock in socks:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never the empty line that ends the headers
        time.sleep(0.5)
        # meanwhile the API answers others
        assert httpx.get(f"{api.url}/health", timeout=5).status_code == 200
        deadline = time.monotonic() + HEADER_TIMEOUT + 5
        open_socks = list(socks)
        while open_socks and time.monotonic() < deadline:
            open_socks = [s for s in open_socks if not _closed_by_server(s)]
            time.sleep(0.2)
        assert not open_socks, f"{len(open_socks)} of 200 half-open connections still open"
    finally:
        for sock in socks:
            sock.close()


def test_a_trickling_client_cannot_keep_its_headers_open(api: Api) -> None:
    with _connect(api) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        closed = False
        while time.monotonic() - started < HEADER_TIMEOUT + 5:
            try:
                sock.sendall(b"X: y\r\n")  # one header line every 0.5 s resets no timer
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.5)
            if _closed_by_server(sock):
                closed = True
                break
            sock.setblocking(True)
        assert closed and time.monotonic() - started < HEADER_TIMEOUT + 3


def test_a_body_shorter_than_its_content_length_gets_408(api: Api) -> None:
    with _connect(api) as sock:
        started = time.monotonic()
        sock.sendall(
            b"POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            b'{"message": "Hallo'
        )
        answer = _read_all(sock, timeout=BODY_TIMEOUT + 5)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request_timeout" in answer
    assert time.monotonic() - started < BODY_TIMEOUT + 3


def test_connections_beyond_the_limit_are_closed_at_once_and_the_api_recovers(api: Api) -> None:
    socks: list[socket.socket] = []
    try:
        for _ in range(MAX_CONNECTIONS + 50):
            socks.append(_connect(api))
        time.sleep(1.0)
        refused = [s for s in socks if _closed_by_server(s)]
        assert len(refused) >= 50, f"only {len(refused)} of {len(socks)} connections refused"
    finally:
        for sock in socks:
            sock.close()
    deadline = time.monotonic() + HEADER_TIMEOUT + 5
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api.url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("the API did not answer again after the connections were gone")


# --- finding 8 (log part): nothing typed reaches the log ----------------------------------------------------------


def test_search_and_chat_texts_stay_out_of_the_log(api: Api) -> None:
    marker = "Kolibri" + os.urandom(4).hex()
    search = httpx.get(f"{api.url}/api/v1/services/search", params={"q": f"Hilfe für mein Kind in Solingen {marker}"})
    assert search.status_code == 200
    time.sleep(0.5)
    log = api.log.read_text(errors="replace")
    assert "GET /api/v1/services/search HTTP/1.1" in log  # the request is logged, without its query
    assert marker not in log and "Solingen" not in log
