"""The per-client token bucket: unit behaviour with a fake clock, and 429 + Retry-After through the API."""

from __future__ import annotations

from bk_api_testkit import MakeClient

from api.ratelimit import TokenBucketLimiter, retry_after_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_capacity_then_refills() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(3, 6.0, clock=clock)  # one token every 2 s
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("a")
    assert wait == 2.0
    assert limiter.acquire("b") == 0.0  # other clients are not affected
    clock.now += 2.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0


def test_disabled_limiter_never_limits() -> None:
    limiter = TokenBucketLimiter(0, 10.0)
    assert all(limiter.acquire("a") == 0.0 for _ in range(1000))


def test_retry_after_is_whole_seconds_at_least_one() -> None:
    assert retry_after_seconds(0.01) == 1
    assert retry_after_seconds(2.2) == 3


def test_chat_limit_answers_429_with_retry_after(make_client: MakeClient) -> None:
    client = make_client(chat_rate_limit=2, rate_limit_window=60)
    for _ in range(2):
        assert client.post("/api/v1/chat", json={"message": "Hallo"}).status_code == 200
    response = client.post("/api/v1/chat", json={"message": "Hallo"})
    assert response.status_code == 429
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 30
    assert response.json() == {
        "error": "rate_limited",
        "detail": f"too many requests; retry in {retry_after} s",
        "retry_after": retry_after,
    }
    # search has its own bucket, health none
    assert client.get("/api/v1/vocab").status_code == 200
    assert client.get("/health").status_code == 200


def test_search_limit_is_separate(make_client: MakeClient) -> None:
    client = make_client(search_rate_limit=3, rate_limit_window=60)
    statuses = [client.get("/api/v1/services/search", params={"q": "Hilfe"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/services").status_code == 429
    assert client.post("/api/v1/chat", json={"message": "Hallo"}).status_code == 200
