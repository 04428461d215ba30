"""Which messages may reach Rasa as button payloads: only those the bot offered in this conversation.

Rasa reads any message starting with "/" as an intent with entities ("/restart" wipes the conversation,
'/inform_place{"place":"Bielefeld"}' sets the town). The API lets a message through as a payload only when

- it is a payload of the grammar (contract.chat.parse_payload) with known values (a catalogue service id), and
- the bot offered exactly this payload as a button in this conversation, or it is one of the widget's own controls
  (the Leichte-Sprache switch, the language switch: WIDGET_CONTROLS).

Anything else starting with "/" is plain text: the slashes are taken off, so that Rasa's NLU reads the words, and a
JSON object after an intent-like name is dropped (no slot values smuggled in as text either).
The offered payloads are kept in this process (a bounded LRU over conversations): a conversation continued on
another API process can still type, but its old buttons count as text there.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from threading import Lock
from typing import Final

from contract.chat import INTENT_SWITCH_LANGUAGE, LANGUAGE_CODES, build_payload, parse_payload
from knowledge.catalogue import Catalogue

#: What Rasa would read as an intent with entities: a name and a JSON object ("inform_place{…}").
_PAYLOAD_SHAPE: Final = re.compile(r"^(?P<name>[\w.-]+)\s*[{\[@].*$", re.DOTALL)
#: Payloads the widget sends by its own controls, not as answers to a bot's buttons.
WIDGET_CONTROLS: Final = frozenset(
    {
        "/leichte_sprache_on",
        "/leichte_sprache_off",
        *(build_payload(INTENT_SWITCH_LANGUAGE, language=code) for code in LANGUAGE_CODES),
    }
)


class OfferedPayloads:
    """The payloads offered per conversation, at most `per_session` each, for the `sessions` most recent ones."""

    def __init__(self, sessions: int = 20_000, per_session: int = 64) -> None:
        self._offered: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()
        self._sessions = sessions
        self._per_session = per_session
        self._lock = Lock()

    def add(self, session_id: str, payloads: Iterable[str]) -> None:
        with self._lock:
            known = self._offered.pop(session_id, OrderedDict())
            for payload in payloads:
                known.pop(payload, None)
                known[payload] = None
            while len(known) > self._per_session:
                known.popitem(last=False)
            self._offered[session_id] = known
            while len(self._offered) > self._sessions:
                self._offered.popitem(last=False)

    def offered(self, session_id: str, payload: str) -> bool:
        with self._lock:
            return payload in self._offered.get(session_id, ())

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._offered.pop(session_id, None)


def admitted(message: str, session_id: str, offered: OfferedPayloads, catalogue: Catalogue) -> str:
    """The message as it may go to Rasa: an offered payload unchanged, any other "/…" as plain text."""
    text = message.strip()
    if not text.startswith("/"):
        return message
    payload = parse_payload(text)
    known = payload is not None and (payload.service_id is None or payload.service_id in catalogue)
    if known and (text in WIDGET_CONTROLS or offered.offered(session_id, text)):
        return text
    words = text.lstrip("/").strip()
    if (shaped := _PAYLOAD_SHAPE.match(words)) is not None:  # '/inform_place{"place":…}': no values smuggled in
        words = shaped["name"]
    return words or "?"
