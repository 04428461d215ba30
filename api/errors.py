"""Exceptions of the api package and the JSON error body they become.

    ApiError                 an HTTP error answer with a stable code (handled into ErrorBody JSON)
    RasaError                the dialogue backend cannot be used
    ├── RasaUnavailableError     network error after the request was sent (the turn may have run)
    │   ├── RasaUnreachableError     connection refused, connect timeout: the request never reached Rasa
    │   └── RasaTimeoutError         no answer in time: the turn may still be running
    └── RasaResponseError        unexpected HTTP status or body
    TrackerStoreError        the tracker store (SQLite or PostgreSQL) cannot be read or written

Every error answer of the API has the body ``{"error": code, "detail": reason, ...}``; see api.schemas.ErrorBody.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Raised by a route to answer with an HTTP error and a JSON reason."""

    def __init__(
        self,
        status_code: int,
        error: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.error = error
        self.detail = detail
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"error": self.error, "detail": self.detail, **self.extra}


class RasaError(Exception):
    """Raised when the Rasa server cannot be used for a request."""


class RasaUnavailableError(RasaError):
    """Raised when the Rasa server cannot be reached in time (connection error, timeout)."""


class RasaUnreachableError(RasaUnavailableError):
    """Raised when the request never reached the Rasa server (connection refused, connect timeout)."""


class RasaTimeoutError(RasaUnavailableError):
    """Raised when the Rasa server did not answer in time; it may still be processing the request."""


class RasaResponseError(RasaError):
    """Raised when the Rasa server answers with an unexpected status or body."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class TrackerStoreError(Exception):
    """Raised when Rasa's tracker store (SQLite file or PostgreSQL) cannot be read or written."""
