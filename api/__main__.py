"""``python -m api``: serve the API with uvicorn on BK_HOST (default 127.0.0.1) and PORT; Ctrl-C stops cleanly."""

from __future__ import annotations

import logging
import sys

import uvicorn
from pydantic import ValidationError

from api.main import create_app
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
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=10,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
