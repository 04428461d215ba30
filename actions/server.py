"""The action server: rasa-sdk's own Sanic app, bound to loopback, guarded by a token.

    python -m actions --port 28000

- Every request except `GET /health` must carry `?token=<BK_ACTIONS_TOKEN>` when that variable is set (the Rasa
  server sends it: `action_endpoint.token` in endpoints.yml); otherwise the answer is 401.
- The catalogue and the retriever are loaded once before the server starts (`deps.warm_up`); without a usable
  index the retriever falls back to lexical-only search and says so in the log.
- One process (no Sanic worker processes), so the loaded retriever is shared by all requests.
- ``--reuse-port`` (the production profile of scripts/run.py): several action servers listen on one port
  (SO_REUSEPORT) and the kernel spreads new connections over them; a process that died no longer gets any. The
  socket is bound only after the warm-up, so a starting server gets no connections it cannot serve yet.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import socket
from collections.abc import Sequence

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

TOKEN_ENV = "BK_ACTIONS_TOKEN"
PORT_ENV = "BK_ACTIONS_PORT"
DEFAULT_PORT = 28000  # PORT (8000) + 20000, docs/architecture.md
HOST = "127.0.0.1"
HOST_ENV = "BK_ACTIONS_HOST"  # only docker-compose sets another bind address (its private network)
OPEN_PATHS = frozenset({"/health"})

logger = logging.getLogger("actions.server")


def create_executor() -> object:
    """An ActionExecutor with every action of this package registered."""
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


def create_app(token: str | None) -> Sanic:
    """rasa-sdk's app (routes /health, /webhook, /actions) with the token check in front of it."""
    from rasa_sdk.constants import DEFAULT_KEEP_ALIVE_TIMEOUT
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from rasa_sdk.executor import ActionExecutor

    executor = create_executor()
    assert isinstance(executor, ActionExecutor)
    app = create_sdk_app(executor, cors_origins="")  # loopback only: no cross-origin callers
    app.config.KEEP_ALIVE_TIMEOUT = DEFAULT_KEEP_ALIVE_TIMEOUT

    async def check_token(request: Request) -> HTTPResponse | None:
        if token is None or request.path in OPEN_PATHS:
            return None
        given = request.args.get("token") or ""
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        return response.json({"error": "invalid or missing token"}, status=401)

    app.register_middleware(check_token, "request", priority=100)
    return app


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m actions", description="LVR-Beratungskompass action server")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get(PORT_ENV, DEFAULT_PORT)), help="port on 127.0.0.1"
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    parser.add_argument(
        "--reuse-port", action="store_true", help="share the port with other action servers (SO_REUSEPORT)"
    )
    return parser.parse_args(argv)


def shared_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port with SO_REUSEPORT (Sanic listens on it): other processes of the same user
    that set the option may listen on the same port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from actions import deps

    deps.warm_up()
    token = os.environ.get(TOKEN_ENV) or None
    if token is None:
        logger.warning("%s is not set: the action server accepts requests without a token", TOKEN_ENV)
    app = create_app(token)
    host = os.environ.get(HOST_ENV) or HOST
    logger.info("action server listening on http://%s:%d%s", host, args.port, " (shared)" if args.reuse_port else "")
    if args.reuse_port:
        app.run(sock=shared_socket(host, args.port), single_process=True, access_log=False, motd=False)
    else:
        app.run(host=host, port=args.port, single_process=True, access_log=False, motd=False)
