"""A simple in-process rate limit: one token bucket per client IP and scope.

Good enough for one API process; with several processes each keeps its own buckets. The key is the client address
as uvicorn gives it: the TCP peer, unless the peer is listed in BK_TRUSTED_PROXIES (then the address its
X-Forwarded-For names; api/__main__.py). Behind a reverse proxy list exactly the proxy there.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 10_000  # buckets kept per scope before full (idle) ones are dropped


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """``capacity`` requests per ``window`` seconds and key, refilled continuously."""

    def __init__(self, capacity: int, window: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.window = window
        self._rate = capacity / window if capacity else 0.0  # tokens per second
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0.0 when allowed, else the seconds until the next token."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= MAX_CLIENTS:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(float(self.capacity), now)
            else:
                bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self._rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self._rate

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self._rate >= self.capacity]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_CLIENTS:  # all busy: forget the oldest half rather than grow without bound
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)[: MAX_CLIENTS // 2]
            for key in oldest:
                del self._buckets[key]


def retry_after_seconds(wait: float) -> int:
    """The Retry-After header value for a wait: whole seconds, at least 1."""
    return max(1, math.ceil(wait))


@dataclass(frozen=True)
class RateLimits:
    """The limiters of one app, by scope."""

    chat: TokenBucketLimiter
    search: TokenBucketLimiter
