"""Several Rasa replicas behind the API: spread the turns, notice a dead replica at once, retry a turn safely.

The replicas share one tracker store (PostgreSQL) and one lock store (Redis), so any of them can take any turn of
any conversation. ``RasaPool`` sends each turn to the up replica with the fewest turns in flight (ties in turn);
a replica whose request fails (connection refused, timeout, broken connection, HTTP 5xx, a body that is no answer)
is marked down at once and left alone for a back-off that grows while it stays down (``backoff`` doubling up to
``backoff_max``); a background prober (``running``) asks a due replica for ``GET /status`` and takes it back.

Why re-sending a turn is safe (docs/architecture.md, "Several Rasa replicas: why a retried turn is safe"): every
turn carries a ``message_id`` in its metadata, which Rasa stores on the ``UserUttered`` event. Whenever the failed
request may have reached Rasa, the pool first reads the conversation's tracker through another replica; a saved
turn is answered from the tracker's events (``api.rasa_client.replay_turn``), never processed twice. A request
that never reached Rasa (connection refused) is re-sent without that check. After a timeout the first replica may
still be running the turn, and would save it after a re-sent copy: then the turn is not re-sent; the caller
answers without the dialogue assistant.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal

from api.errors import RasaError, RasaResponseError, RasaTimeoutError, RasaUnavailableError, RasaUnreachableError
from api.rasa_client import RasaClient, RasaMessage, replay_turn

logger = logging.getLogger(__name__)

ReplicaState = Literal["up", "down"]


@dataclass
class Replica:
    """One Rasa server of the pool and what the API knows about it."""

    client: RasaClient
    state: ReplicaState = "up"  # up until a request fails
    reason: str | None = None  # why it was marked down (the last failure)
    last_failure: float | None = None  # Unix time of the last failure
    failures: int = 0  # failures in a row (the back-off grows with them)
    retry_at: float = 0.0  # monotonic time from which the prober asks it again
    in_flight: int = 0  # turns sent and not answered yet

    @property
    def url(self) -> str:
        return self.client.base_url


def _may_have_run(exc: RasaError) -> bool:
    """Whether the failed request may have reached Rasa's processing (then the tracker is read before a re-send)."""
    if isinstance(exc, RasaUnreachableError):
        return False
    # A 4xx was refused before the turn ran: the REST channel checks token and body first.
    return not (isinstance(exc, RasaResponseError) and exc.status_code is not None and 400 <= exc.status_code < 500)


class RasaPool:
    """The Rasa replicas of the API (one or more), with failover and safe retries."""

    def __init__(
        self,
        clients: Sequence[RasaClient],
        *,
        backoff: float = 1.0,
        backoff_max: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not clients:
            raise ValueError("a Rasa pool needs at least one replica")
        self.replicas = [Replica(client) for client in clients]
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._clock = clock
        self._next = 0  # round-robin start among equally busy replicas

    @property
    def urls(self) -> list[str]:
        """The replicas' addresses (without token)."""
        return [r.url for r in self.replicas]

    # --- state -------------------------------------------------------------------------------------------------

    def mark_down(self, replica: Replica, exc: Exception) -> None:
        """Take a replica out of the rotation for a back-off that doubles with each failure in a row."""
        replica.failures += 1
        delay = min(self._backoff * 2 ** (replica.failures - 1), self._backoff_max)
        if replica.state == "up":
            logger.warning("Rasa replica %s marked down for %.1f s: %s", replica.url, delay, exc)
        replica.state = "down"
        replica.reason = str(exc)
        replica.last_failure = time.time()
        replica.retry_at = self._clock() + delay

    def mark_up(self, replica: Replica) -> None:
        """Put a replica back into the rotation."""
        if replica.state == "down":
            logger.info("Rasa replica %s is up again", replica.url)
        replica.state = "up"
        replica.failures = 0
        replica.reason = None

    def _pick(self, exclude: Sequence[Replica]) -> Replica | None:
        """The up replica with the fewest turns in flight, not in ``exclude``; ties in round-robin order."""
        count = len(self.replicas)
        order = [self.replicas[(self._next + i) % count] for i in range(count)]
        candidates = [r for r in order if r.state == "up" and r not in exclude]
        if not candidates:
            return None
        chosen = min(candidates, key=lambda r: r.in_flight)  # min keeps the first of equals
        self._next = (self.replicas.index(chosen) + 1) % count
        return chosen

    @contextmanager
    def _busy(self, replica: Replica) -> Iterator[None]:
        replica.in_flight += 1
        try:
            yield
        finally:
            replica.in_flight -= 1

    # --- requests ----------------------------------------------------------------------------------------------

    async def send(self, sender: str, message: str, *, metadata: Mapping[str, Any] | None = None) -> list[RasaMessage]:
        """One turn through the REST channel of an up replica, failing over to the others; the bot messages.

        ``metadata`` goes with the message (contract.chat.MessageMetadata); its ``message_id`` is set here unless
        given. RasaError when no replica gave an answer (the last failure)."""
        message_id = str((metadata or {}).get("message_id") or uuid.uuid4().hex)
        meta = {**(metadata or {}), "message_id": message_id}
        tried: list[Replica] = []
        last: RasaError = RasaUnavailableError("no Rasa replica is up")
        may_have_run = False  # a failed request may have processed the turn: read the tracker before a re-send
        timed_out: RasaTimeoutError | None = None  # ... and may even still be processing it
        while (replica := self._pick(tried)) is not None:
            tried.append(replica)
            if may_have_run:
                try:
                    tracker = await replica.client.tracker(sender)
                except RasaError as exc:
                    self.mark_down(replica, exc)
                    continue
                self.mark_up(replica)
                done = replay_turn(tracker, message_id)
                if done is not None:
                    logger.info("a retried turn had been saved before its replica failed: answered from the tracker")
                    return done
                if timed_out is not None:
                    raise timed_out  # not re-sent: the slow replica could still save it after a re-sent copy
            try:
                with self._busy(replica):
                    answer = await replica.client.send(sender, message, metadata=meta)
            except RasaError as exc:
                self.mark_down(replica, exc)
                last = exc
                may_have_run = may_have_run or _may_have_run(exc)
                if isinstance(exc, RasaTimeoutError):
                    timed_out = exc
            else:
                self.mark_up(replica)
                return answer
        raise last

    async def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation's tracker from the first up replica that answers."""
        return await self._any(lambda client: client.tracker(sender))

    async def reset(self, sender: str) -> None:
        """Empty the conversation's tracker (Rasa takes the conversation's lock; doing it twice does no harm)."""
        await self._any(lambda client: client.reset(sender))

    async def _any(self, call: Callable[[RasaClient], Any]) -> Any:
        tried: list[Replica] = []
        last: RasaError = RasaUnavailableError("no Rasa replica is up")
        while (replica := self._pick(tried)) is not None:
            tried.append(replica)
            try:
                result = await call(replica.client)
            except RasaError as exc:
                self.mark_down(replica, exc)
                last = exc
            else:
                self.mark_up(replica)
                return result
        raise last

    # --- probing -----------------------------------------------------------------------------------------------

    async def probe(self, replica: Replica) -> None:
        """Ask one replica for /status and record the result."""
        try:
            await replica.client.status()
        except RasaError as exc:
            self.mark_down(replica, exc)
        else:
            self.mark_up(replica)

    async def probe_all(self) -> list[Replica]:
        """Probe every replica now (health); the replicas with their new state."""
        await asyncio.gather(*(self.probe(r) for r in self.replicas))
        return self.replicas

    async def probe_due(self) -> None:
        """Probe the down replicas whose back-off is over."""
        now = self._clock()
        due = [r for r in self.replicas if r.state == "down" and r.retry_at <= now]
        if due:
            await asyncio.gather(*(self.probe(r) for r in due))

    @asynccontextmanager
    async def running(self, interval: float = 0.5) -> AsyncIterator[RasaPool]:
        """Run the background prober while the block runs."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(interval)
                try:
                    await self.probe_due()
                except Exception:  # the prober must not die; the log has the bug
                    logger.exception("probing the Rasa replicas failed")

        task = asyncio.create_task(loop(), name="rasa-prober")
        try:
            yield self
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
