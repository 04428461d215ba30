"""The turn metadata that every service-related reply sends last, as one Rasa custom payload (`json_message`).

Contract (contract.chat, docs/architecture.md "Metadata of a turn"): the API merges the custom payloads of one turn
(later keys win), strips them from the visible messages and returns them as `metadata` of `POST /api/v1/chat`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rasa_sdk.executor import CollectingDispatcher

from contract.chat import PAYLOAD_KEY, Authority, Handoff, Language, TurnMetadata


def build(
    service_ids: Iterable[str] = (),
    *,
    authority: Authority | None = None,
    handoff: Handoff | None = None,
    fallback: bool = False,
    language: Language | None = None,
) -> dict[str, TurnMetadata]:
    """The custom payload `{"beratungskompass": {...}}`. The language is stamped by actions.language afterwards."""
    payload = TurnMetadata(
        service_ids=list(dict.fromkeys(service_ids)),
        authority=authority,
        handoff=handoff,
        fallback=fallback,
    )
    if language is not None:
        payload["language"] = language
    return {PAYLOAD_KEY: payload}


def emit(
    dispatcher: CollectingDispatcher,
    service_ids: Iterable[str] = (),
    *,
    authority: Authority | None = None,
    handoff: Handoff | None = None,
    fallback: bool = False,
) -> None:
    """Send the metadata payload; call it last in a reply."""
    dispatcher.utter_message(json_message=build(service_ids, authority=authority, handoff=handoff, fallback=fallback))
