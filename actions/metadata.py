"""The turn metadata that every service-related action sends last, as one Rasa custom payload (`json_message`).

Contract (docs/architecture.md, "Metadata of a turn"): the API merges the custom payloads of one turn (later keys
win), strips them from the visible messages and returns them as `metadata` of `POST /api/v1/chat`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypedDict

from rasa_sdk.executor import CollectingDispatcher

#: Who is responsible for the service(s) of the turn.
Authority = Literal["LVR", "LWL", "Kreis/kreisfreie Stadt", "other"]

PAYLOAD_KEY = "beratungskompass"


class HandoffData(TypedDict, total=False):
    """What the citizen agreed to pass on (once-only); only what the conversation actually contains."""

    place: str  # municipality or Kreis as the bot understood it
    ags: str  # its official key (Gemeinde or Kreis), for routing (FIT-Connect `ags`)
    age: str  # age in years
    leika: str  # LeiKa key of the service, where confirmed (FIT-Connect `leika-key`)


class Handoff(TypedDict):
    """The hand-off to an online form, sent only after the citizen's explicit consent."""

    service_id: str  # the service the citizen applies for
    url: str | None  # the confirmed form address; None when the address is not confirmed
    data: HandoffData  # the consented data, for the form to pre-fill


class TurnMetadata(TypedDict):
    """The contents of `{"beratungskompass": …}`."""

    service_ids: list[str]  # services shown or referred to in this turn, best first
    authority: Authority | None  # who is responsible for the (first) service; None when unknown
    handoff: Handoff | None  # set only in the turn the citizen consented
    fallback: bool  # the bot did not understand, or the request is out of scope


def build(
    service_ids: Iterable[str] = (),
    *,
    authority: Authority | None = None,
    handoff: Handoff | None = None,
    fallback: bool = False,
) -> dict[str, TurnMetadata]:
    """The custom payload `{"beratungskompass": {...}}`."""
    return {
        PAYLOAD_KEY: TurnMetadata(
            service_ids=list(dict.fromkeys(service_ids)),
            authority=authority,
            handoff=handoff,
            fallback=fallback,
        )
    }


def emit(
    dispatcher: CollectingDispatcher,
    service_ids: Iterable[str] = (),
    *,
    authority: Authority | None = None,
    handoff: Handoff | None = None,
    fallback: bool = False,
) -> None:
    """Send the metadata payload; call it last in an action."""
    dispatcher.utter_message(json_message=build(service_ids, authority=authority, handoff=handoff, fallback=fallback))
