"""The case: what one conversation is about, kept in Rasa slots and rebuilt from them at the start of every action.

    Case.from_tracker(tracker) -> Case     the case as the slots hold it
    case.events(tracker) -> [SlotSet]      the slot events that store the changed case

A case holds what the citizen told about the situation (the content turns, oldest first), the facts found so far
(place with its AGS and Landschaftsverband; age, GdB and Pflegegrad come from Rasa's entity mappings), the ranked
candidate services with their scores, and the chosen service. Every turn updates it (actions.understanding) and
every reply is derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import deps
from actions.tracker import service_by_id, slot_list, slot_number, slot_text
from contract.chat import (
    SLOT_AGE,
    SLOT_AGS,
    SLOT_CANDIDATES,
    SLOT_GDB,
    SLOT_HANDOFF_PENDING,
    SLOT_PFLEGEGRAD,
    SLOT_PLACE,
    SLOT_SCORES,
    SLOT_SERVICE,
    SLOT_TURNS,
    SLOT_VERBAND,
)

if TYPE_CHECKING:
    from knowledge.places import PlaceMatch
    from knowledge.schema import Service

#: Content turns kept per case (older ones weigh little in the search and would only grow the tracker).
MAX_TURNS: Final = 4
#: Characters kept per content turn (the API accepts 5,000; the search reads a long story in parts).
MAX_TURN_CHARS: Final = 5000
#: The value of the slot `landschaftsverband` for a place outside NRW.
OUTSIDE: Final = "outside"


@dataclass(frozen=True)
class Case:
    """One conversation's case (immutable: updates return a new case)."""

    turns: tuple[str, ...] = ()  # what the citizen told about the situation, oldest first
    candidates: tuple[str, ...] = ()  # candidate service ids, best first (what the last search showed or offered)
    scores: tuple[float, ...] = ()  # their scores, same order
    service: str | None = None  # the chosen service (clearly found, picked, or asked about)
    place: str | None = None  # the place as understood (municipality, Kreis, postal code, place outside NRW)
    ags: str | None = None
    verband: str | None = None  # "LVR", "LWL", OUTSIDE, or None
    age: float | None = None
    gdb: float | None = None
    pflegegrad: float | None = None
    handoff_pending: str | None = None  # a service handed off before the place was known
    _place_match: Any = field(default=None, compare=False, repr=False)  # PlaceMatch cache

    # --- slots ------------------------------------------------------------------------------------------------
    @classmethod
    def from_tracker(cls, tracker: Tracker) -> Case:
        ids = [str(i) for i in slot_list(tracker, SLOT_CANDIDATES) if isinstance(i, str)]
        raw_scores = slot_list(tracker, SLOT_SCORES)
        scores = [float(s) if isinstance(s, int | float) else 0.0 for s in raw_scores][: len(ids)]
        scores += [0.0] * (len(ids) - len(scores))
        return cls(
            turns=tuple(str(t) for t in slot_list(tracker, SLOT_TURNS) if isinstance(t, str) and t)[-MAX_TURNS:],
            candidates=tuple(ids),
            scores=tuple(scores),
            service=slot_text(tracker, SLOT_SERVICE),
            place=slot_text(tracker, SLOT_PLACE),
            ags=slot_text(tracker, SLOT_AGS),
            verband=slot_text(tracker, SLOT_VERBAND),
            age=slot_number(tracker, SLOT_AGE),
            gdb=slot_number(tracker, SLOT_GDB),
            pflegegrad=slot_number(tracker, SLOT_PFLEGEGRAD),
            handoff_pending=slot_text(tracker, SLOT_HANDOFF_PENDING),
        )

    def slots(self) -> dict[str, Any]:
        """The slot values of this case (age, GdB and Pflegegrad are Rasa's: filled from entities)."""
        return {
            SLOT_TURNS: list(self.turns) or None,
            SLOT_CANDIDATES: list(self.candidates) or None,
            SLOT_SCORES: [round(s, 4) for s in self.scores] or None,
            SLOT_SERVICE: self.service,
            SLOT_PLACE: self.place,
            SLOT_AGS: self.ags,
            SLOT_VERBAND: self.verband,
            SLOT_HANDOFF_PENDING: self.handoff_pending,
        }

    def events(self, tracker: Tracker) -> list[EventType]:
        """SlotSet events for every slot whose value differs from the tracker's."""
        return [
            SlotSet(name, value)
            for name, value in self.slots().items()
            if _normalised(tracker.get_slot(name)) != _normalised(value)
        ]

    # --- reading ----------------------------------------------------------------------------------------------
    @property
    def chosen(self) -> Service | None:
        return service_by_id(self.service)

    @property
    def focus(self) -> Service | None:
        """The service follow-up questions are about: the chosen one, else the best candidate."""
        return self.chosen or next(iter(self.candidate_services()), None)

    def candidate_services(self) -> list[Service]:
        found = [service_by_id(i) for i in self.candidates]
        return [s for s in found if s is not None]

    def about(self, limit: int = 3) -> list[Service]:
        """The services the case is about, best first: the chosen one and the other candidates."""
        chosen = self.chosen
        rest = [s for s in self.candidate_services() if chosen is None or s.id != chosen.id]
        return ([chosen] if chosen else [])[:limit] + rest[: limit - (1 if chosen else 0)]

    @property
    def place_match(self) -> PlaceMatch | None:
        """The stored place, re-resolved (by name, checked against the AGS)."""
        if self._place_match is not None or not self.place:
            return self._place_match
        match = _resolve_place(self.place, self.ags, self.verband)
        object.__setattr__(self, "_place_match", match)
        return match

    # --- updating ---------------------------------------------------------------------------------------------
    def with_place(self, place: PlaceMatch) -> Case:
        verband = OUTSIDE if place.kind == "outside_nrw" else place.landschaftsverband
        return replace(self, place=place.name, ags=place.ags, verband=verband, _place_match=place)

    def told(self, text: str) -> Case:
        """The case with one more content turn."""
        text = text.strip()[:MAX_TURN_CHARS]
        return replace(self, turns=(*self.turns, text)[-MAX_TURNS:]) if text else self

    def found(self, ids: list[str], scores: list[float], service: str | None) -> Case:
        """The case after a search: its candidates and the service chosen from them (None: still open)."""
        return replace(self, candidates=tuple(ids), scores=tuple(scores), service=service)

    def choose(self, service: Service) -> Case:
        """The case with the service the citizen picked or named: the other candidates are settled."""
        return replace(self, service=service.id, candidates=(service.id,), scores=(1.0,))

    def fresh(self) -> Case:
        """A new case for a new situation: the place (and Rasa's facts) stay, the rest is forgotten."""
        return replace(self, turns=(), candidates=(), scores=(), service=None, handoff_pending=None)


def _normalised(value: object) -> object:
    if isinstance(value, list | tuple):
        return [_normalised(v) for v in value] or None
    if isinstance(value, float) and value.is_integer():
        return value
    return value if value != "" else None


def _resolve_place(name: str, ags: str | None, verband: str | None) -> PlaceMatch | None:
    match = deps.find_place(name)
    if match is not None and (ags is None or match.ags in (None, ags)):
        return match
    from knowledge.places import PlaceMatch, gemeinden

    if ags:
        for g in gemeinden():
            if g.ags == ags:
                return PlaceMatch("gemeinde", g.name, (g.name,), g.kreis, g.kreis_ags, g.landschaftsverband, g.ags)
    if verband == OUTSIDE:
        return PlaceMatch("outside_nrw", name)
    return match
