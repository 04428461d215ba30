"""Log hygiene: nothing a citizen typed reaches a log at the default level.

The API itself never logs message texts, places or ages. uvicorn's access log would write the query string of every
request, and the caseworker search sends its text as ``?q=…``; ``DropQueryString`` keeps only the path.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class DropQueryString(logging.Filter):
    """Removes the query string from uvicorn's access log lines (args: client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


def install_access_log_filter() -> None:
    """Add the filter to uvicorn's access logger (after uvicorn configured logging)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryString) for f in logger.filters):
        logger.addFilter(DropQueryString())
