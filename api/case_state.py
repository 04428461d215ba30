"""The case of a conversation as the tracker store last saved it, for answers while Rasa is unavailable.

While no Rasa process answers, the API still knows what the conversation was about: the slots the action server
stored (contract/chat.py) are events in Rasa's SQL tracker store. ``read_case`` reads the last value of each case
slot from it (api.tracker_store: the SQLite file var/tracker.db of `make run`, or PostgreSQL at BK_TRACKER_URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from api.tracker_store import slot_events
from contract.chat import SLOT_CANDIDATES, SLOT_LANGUAGE, SLOT_PLACE, SLOT_SERVICE

_SLOTS = (SLOT_SERVICE, SLOT_CANDIDATES, SLOT_PLACE, SLOT_LANGUAGE)


@dataclass(frozen=True)
class StoredCase:
    """The slots of a conversation's case that an answer without Rasa needs."""

    service_id: str | None = None  # the chosen service
    candidate_ids: list[str] = field(default_factory=list)  # the candidates, best first
    place: str | None = None  # the place as the bot understood it
    language: str | None = None  # the conversation's language (contract.chat.SLOT_LANGUAGE), as the actions kept it

    @property
    def focus(self) -> str | None:
        """The service a follow-up is about: the chosen one, else the best candidate."""
        return self.service_id or next(iter(self.candidate_ids), None)


def read_case(db: Path | None, session_id: str, *, url: str = "") -> StoredCase | None:
    """The stored case of a conversation (PostgreSQL when ``url`` is set, else the SQLite file ``db``); None when
    there is no store or no case. api.errors.TrackerStoreError when the store cannot be read."""
    values: dict[str, object] = {}
    for event in slot_events(session_id, db=db, url=url):
        name = event.get("name")
        if isinstance(name, str) and name in _SLOTS:
            values[name] = event.get("value")
    if not values:
        return None
    service = values.get(SLOT_SERVICE)
    candidates = values.get(SLOT_CANDIDATES)
    place = values.get(SLOT_PLACE)
    language = values.get(SLOT_LANGUAGE)
    return StoredCase(
        service_id=service if isinstance(service, str) else None,
        candidate_ids=[c for c in candidates if isinstance(c, str)] if isinstance(candidates, list) else [],
        place=place if isinstance(place, str) else None,
        language=language if isinstance(language, str) else None,
    )
