"""Run `rasa` with the HTTP API token from the environment, and with three fixes of Rasa 3.6 for the production
profile, so that a failing store or action server is reported instead of hidden.

Token: Rasa 3.6 takes the token of its HTTP API only as ``--auth-token <token>``, and a command line is visible to
every local user (``ps``, /proc/<pid>/cmdline). This launcher is started with the Rasa environment's Python
(``.venv-rasa/bin/python scripts/rasa_server.py run …``, see scripts/run_rasa.sh and docker-compose.yml), appends
``--auth-token=<token>`` from ``BK_RASA_TOKEN`` to the arguments inside the process and calls Rasa's own entry
point. The kernel's copy of the command line stays the one without the token. Sanic's worker processes are forked
from this one and show the same command line.

Fixes, applied before Rasa starts (``patch_rasa``):

* **A tracker store that fails makes the turn fail.** Rasa wraps every tracker store in ``FailSafeTrackerStore``,
  which answers a failed read with "no tracker" and a failed write by saving into memory: while PostgreSQL is
  down, a replica would answer a follow-up as the first message of a new conversation (the case forgotten, and
  ``fallback: false``), and log the error's text, which may quote the event (the user's message). Here a failure is
  logged by its class and raised; the channel (bot/channels/token_rest.py) answers HTTP 500 and the API answers
  from the search, saying that the conversation cannot be read.
* **Connections to PostgreSQL are checked before use** (``pool_pre_ping``): after PostgreSQL restarted, the first
  turn of each replica does not fail on a connection of the old server.
* **An action call that could not connect, or whose connection broke, is sent again** (twice, 0.2 and 0.5 s
  later). The action servers of the production profile share one port (SO_REUSEPORT); when one of them dies, a
  connection the kernel had queued for it is reset, and a restarted one may briefly refuse. Sending the call again
  reaches a live one. This is safe because the project's custom actions have no side effects: they read the
  tracker and the catalogue and return events, so running one twice returns the same events. A timeout is not
  retried (the action may still be running, and the turn would take too long).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import sys
from pathlib import Path
from typing import Any

logger = logging.getLogger("bk.rasa_server")
ROOT = Path(__file__).resolve().parent.parent  # the checkout (/app in the container): bot/ is there

ACTION_RETRY_PAUSES = (0.2, 0.5)  # seconds before the second and the third attempt


class TrackerStoreUnavailableError(RuntimeError):
    """The tracker store failed; the message names only the operation and the error's class."""


def _names(exc: BaseException) -> str:
    """The error's classes and its causes', without its message: the channel's helper (imported here, as it needs
    Rasa; ``patch_rasa`` puts the checkout on the path)."""
    from bot.channels.token_rest import exception_names

    return exception_names(exc)


def _fail_loudly(operation: str, exc: Exception) -> TrackerStoreUnavailableError:
    text = f"tracker store {operation} failed ({_names(exc)})"
    logger.error(text)
    return TrackerStoreUnavailableError(text)


def patch_tracker_store() -> None:
    """Make ``FailSafeTrackerStore`` raise instead of falling back to memory."""
    from rasa.core import tracker_store

    safe = tracker_store.FailSafeTrackerStore

    async def retrieve(self: Any, sender_id: str) -> Any:
        try:
            return await self._tracker_store.retrieve(sender_id)
        except Exception as exc:
            raise _fail_loudly("read", exc) from None

    async def retrieve_full_tracker(self: Any, sender_id: str) -> Any:
        try:
            return await self._tracker_store.retrieve_full_tracker(sender_id)
        except Exception as exc:
            raise _fail_loudly("read", exc) from None

    async def save(self: Any, tracker: Any) -> None:
        try:
            await self._tracker_store.save(tracker)
        except Exception as exc:
            raise _fail_loudly("write", exc) from None

    async def keys(self: Any) -> Any:
        try:
            return await self._tracker_store.keys()
        except Exception as exc:
            raise _fail_loudly("listing", exc) from None

    safe.retrieve = retrieve
    safe.retrieve_full_tracker = retrieve_full_tracker
    safe.save = save
    safe.keys = keys

    original_kwargs = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs = dict(original_kwargs(url))
        if tracker_store.is_postgresql_url(url):
            kwargs["pool_pre_ping"] = True
        return kwargs

    tracker_store.create_engine_kwargs = create_engine_kwargs


def patch_action_calls() -> None:
    """Send an action call again when its connection could not be made or broke (see the module's docstring)."""
    import aiohttp
    from rasa.core.actions import action
    from rasa.utils.endpoints import EndpointConfig

    class RetryingEndpointConfig(EndpointConfig):
        async def request(self, *args: Any, **kwargs: Any) -> Any:
            for pause in (*ACTION_RETRY_PAUSES, None):
                try:
                    return await super().request(*args, **kwargs)
                except aiohttp.ClientConnectionError as exc:
                    if pause is None or isinstance(exc, asyncio.TimeoutError):
                        raise
                    logger.warning("action server call failed (%s), sending it again", _names(exc))
                    await asyncio.sleep(pause)
            raise AssertionError("unreachable")

    original_init = action.RemoteAction.__init__

    def init(self: Any, name: str, action_endpoint: Any) -> None:
        if action_endpoint is not None and type(action_endpoint) is EndpointConfig:
            action_endpoint = copy.copy(action_endpoint)  # the same settings, with the retrying request()
            action_endpoint.__class__ = RetryingEndpointConfig
        original_init(self, name, action_endpoint)

    action.RemoteAction.__init__ = init


def patch_rasa() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # bot/ (the channel), as Rasa finds it from its working directory
    patch_tracker_store()
    patch_action_calls()


def rasa_argv(args: list[str], token: str) -> list[str]:
    """Rasa's command line with the token; SystemExit with the reason when it cannot be made."""
    if not token:
        sys.exit("[rasa_server] BK_RASA_TOKEN is not set")
    if any(arg in ("-t", "--auth-token") or arg.startswith(("--auth-token=", "-t=")) for arg in args):
        sys.exit("[rasa_server] do not pass --auth-token: it is read from BK_RASA_TOKEN")
    # One argument with "=": a token that begins with "-" (secrets.token_urlsafe may make one) would otherwise be
    # read by argparse as another option ("argument -t/--auth-token: expected one argument").
    return ["rasa", *args, f"--auth-token={token}"]


def main() -> None:
    sys.argv = rasa_argv(sys.argv[1:], os.environ.get("BK_RASA_TOKEN", ""))
    patch_rasa()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
