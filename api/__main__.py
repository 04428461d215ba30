"""``python -m api``: serve the API with uvicorn on BK_HOST (default 127.0.0.1) and PORT; Ctrl-C stops cleanly.

uvicorn runs with the bounded protocol of api.server (header size and time, connection count) and reads proxy
headers only from the addresses in BK_TRUSTED_PROXIES (none by default: the client is the TCP peer).
"""

from __future__ import annotations

import logging
import sys

import uvicorn
from pydantic import ValidationError

from api.logs import install_access_log_filter
from api.main import create_app
from api.server import bounded_protocol
from api.settings import get_settings


def main() -> int:
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"invalid settings:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs request URLs at INFO, and the Rasa token travels in the query string.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # uvicorn handles SIGINT/SIGTERM itself: it stops accepting, finishes open requests and runs the lifespan exit.
    protocol = bounded_protocol(
        max_header_bytes=settings.max_header_bytes,
        header_timeout=settings.header_timeout,
        max_connections=settings.max_connections,
    )
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        http=protocol,
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: any local caller, or a proxy that passes the
        # header on, could choose its own rate-limit bucket. Proxy headers only from configured proxies.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or "",
        limit_concurrency=settings.max_connections,  # requests in flight beyond it get a 503
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
    )
    install_access_log_filter()  # uvicorn.Config has configured logging by now
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
