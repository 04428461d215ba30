"""Finding services: action_search_services, and the decision between answering and asking back.

    find(query) -> Findings                      hits, content words, lexical evidence, a service named word for word
    decide(findings, THRESHOLDS, clarified=…) -> Decision    pure; the thresholds are explained at THRESHOLDS

The bot answers when one service is clearly best; it asks back instead of guessing when the description is too
vague (few content words and no strong match) or when the best results are close. The answer to a clarifying
question is added to the situation (slot `situation`) and searched again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import deps, metadata, texts
from actions.context import (
    BeratungsAction,
    Button,
    button,
    choose_buttons,
    entity,
    leicht,
    service_by_id,
    slot_text,
    text_button,
    user_text,
)
from actions.responsibility import ActionTellResponsibility, current_place, place_in_message
from actions.service_info import service_buttons, service_summary, tell_responsibility_briefly

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from knowledge.places import PlaceMatch
    from knowledge.schema import Service
    from knowledge.search import SearchHit

DecisionKind = Literal["clear", "close", "vague", "options", "none"]


@dataclass(frozen=True)
class Thresholds:
    """When to answer and when to ask back (chosen by measurement, see THRESHOLDS)."""

    strong: float  # lexical evidence from which a short query names something specific ("Blindengeld")
    min_evidence: float  # below this lexical evidence the query matched nothing in the catalogue
    margin: float  # results within this fraction of the top score count as close to it (Retriever.search scores)
    related: float  # further results down to this fraction of the top score are offered as "auch möglich"
    min_words: int = 3  # fewer content words than this make a description vague


#: Measured with tests/actions/measure_thresholds.py (numbers and reasoning in its module docstring), in short:
#: margin 0.1 — on the held-out dev set the hybrid retriever then never answers confidently without showing a right
#:   service (2 of 33 answers have it under "Vielleicht passt auch"), and 82 % of its clarifying questions offer a
#:   right service; it asks in a third of the dev questions but in 1 % of the catalogue's own example questions.
#: strong 5.5 — above every vague request with content (max 4.9), below 95 % of the services' short names.
#: min_evidence 2.0 — nonsense scores 0, real questions score at least 4.9 (1 % quantile).
THRESHOLDS: Final = Thresholds(strong=5.5, min_evidence=2.0, margin=0.1, related=0.6)

MAX_SHOWN: Final = 3
SEARCH_TOP: Final = 8
MAX_SITUATION_CHARS: Final = 600


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Words that say "I need something" without saying what (folded lemmas); they do not count as content.
GENERIC_WORDS: Final = _wordset(
    "hilfe helfen brauchen brauche benoetigen unterstuetzung unterstuetzen antrag beantragen frage fragen info "
    "infos information informationen leistung leistungen bekommen moechten moechte wissen bitte hallo guten tag "
    "lvr thema problem sache etwas gerne gern suchen suche finden geben gibt kriegen erhalten stellen"
)
#: Words of section, hand-off and responsibility questions; they do not name a service.
QUESTION_WORDS: Final = _wordset(
    "unterlage unterlagen dokument dokumente papier papiere nachweis nachweise kosten kostet kosten gebuehr "
    "gebuehren frist fristen dauer dauern dauert lange bearbeitung ablauf verfahren schritt schritte "
    "rechtsgrundlage gesetz paragraph widerspruch klage rechtsbehelf voraussetzung voraussetzungen zustaendig "
    "zustaendigkeit online internet formular digital ansprechpartner kontakt"
)

#: Answers to the Lebenslage question → Lebenslagen (knowledge.vocab) whose services are preferred.
LEBENSLAGE_WORDS: Final[dict[str, frozenset[str]]] = {
    "kind": frozenset({"kind-entwicklung", "schule-ausbildung", "familie-adoption", "kita-jugendhilfe-traeger"}),
    "sohn": frozenset({"kind-entwicklung", "schule-ausbildung"}),
    "tochter": frozenset({"kind-entwicklung", "schule-ausbildung"}),
    "schule": frozenset({"schule-ausbildung", "kind-entwicklung"}),
    "arbeit": frozenset({"arbeit-beruf", "arbeitgeber", "schule-ausbildung"}),
    "beruf": frozenset({"arbeit-beruf", "arbeitgeber", "schule-ausbildung"}),
    "job": frozenset({"arbeit-beruf", "arbeitgeber"}),
    "wohnen": frozenset({"wohnen-alltag", "mobilitaet", "pflege-alter", "krise-wohnungslosigkeit"}),
    "wohnung": frozenset({"wohnen-alltag", "krise-wohnungslosigkeit"}),
    "alltag": frozenset({"wohnen-alltag", "mobilitaet", "pflege-alter"}),
    "geld": frozenset({"geld-existenz", "sehen-hoeren"}),
}


@dataclass(frozen=True)
class Findings:
    """What a search found for a query."""

    hits: list[SearchHit]  # Retriever.search, best first
    words: int  # content words of the query
    evidence: float | None  # the best raw lexical (BM25F) score: how much of the query the catalogue knows
    named: str | None = None  # the id of the one service the query calls by its name ("Blindengeld")


@dataclass(frozen=True)
class Decision:
    """What to do with the hits: answer (clear), ask between close ones, ask about the situation, offer, give up."""

    kind: DecisionKind
    hits: tuple[SearchHit, ...]  # the services to show or offer, best first (at most MAX_SHOWN)


def decide(found: Findings, thresholds: Thresholds, *, clarified: bool = False) -> Decision:
    """Answer, or ask back. `clarified`: the bot already asked about this situation once (it never asks twice).

    - the query calls one of the best services by its name → "clear" with that service first
    - nothing (no hit, or too little lexical evidence) → "vague" for short queries, else "none"
    - no content word at all, or few and no strong evidence → "vague" ("options" after a clarification)
    - the best results within `margin` of the top score → "close" (ask between them)
    - else "clear": the best, with related results not far behind (at most MAX_SHOWN)
    """
    hits, short = found.hits, found.words < thresholds.min_words
    evidence = found.evidence
    by_name = [h for h in hits[:MAX_SHOWN] if h.id == found.named]  # a tie-breaker among the best, no override
    if by_name:
        others = [h for h in hits if h.id != found.named]
        related = [h for h in others[: MAX_SHOWN - 1] if h.score >= thresholds.related * hits[0].score]
        return Decision("clear", (by_name[0], *related))
    if not hits or (evidence is not None and evidence < thresholds.min_evidence):
        return Decision("vague" if short and not clarified else "none", ())
    if found.words == 0 or (short and (evidence is None or evidence < thresholds.strong)):
        return Decision("options", tuple(hits[:MAX_SHOWN])) if clarified else Decision("vague", ())
    top = hits[0].score
    close = [h for h in hits[:MAX_SHOWN] if top - h.score <= thresholds.margin * top]
    if len(close) >= 2:
        return Decision("close", tuple(close))
    related = [h for h in hits[1:MAX_SHOWN] if h.score >= thresholds.related * top]
    return Decision("clear", (hits[0], *related))


# --- words ----------------------------------------------------------------------------------------------------------
def content_words(text: str, *, ignore: frozenset[str] = frozenset()) -> list[str]:
    """The distinct folded lemmas of a text that say what it is about (no stop words, no generic request words)."""
    from knowledge.text import fold, lemma, stop_words, words

    stop = stop_words()
    found: dict[str, None] = {}
    for word in words(text):
        if len(word) < 3 or not any(c.isalpha() for c in word):
            continue
        folded, base = fold(word), lemma(word)
        if {folded, base} & (stop | GENERIC_WORDS | ignore):
            continue
        found[base] = None
    return list(found)


def _place_words(name: str) -> frozenset[str]:
    """The folded words and lemmas of a place name ("Mülheim an der Ruhr" → muelheim, ruhr, …)."""
    from knowledge.text import fold, lemma, words

    return frozenset(w for word in words(name) for w in (fold(word), lemma(word)))


def named_service(query_words: list[str]) -> str | None:
    """The service whose name (short title, title or synonym) the query contains word for word; None when no
    service or several equally specific ones are named. Lexical ranking alone can put "Blindenhilfe" before
    "Blindengeld" for the query "Blindengeld"; a citizen who names a service means that service."""
    words = set(query_words)
    best: list[tuple[int, str]] = []
    for service_id, names in _service_names(deps.get_catalogue()):
        size = max((len(name) for name in names if name <= words), default=0)
        if size:
            best.append((size, service_id))
    if not best:
        return None
    best.sort(reverse=True)
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None
    return best[0][1]


_NAMES_CACHE: dict[int, list[tuple[str, list[frozenset[str]]]]] = {}


def _service_names(catalogue: Catalogue) -> list[tuple[str, list[frozenset[str]]]]:
    """Per service, the content words of each of its names (cached per catalogue object)."""
    key = id(catalogue)
    if key not in _NAMES_CACHE:
        table: list[tuple[str, list[frozenset[str]]]] = []
        for service in catalogue:
            names = {service.title, service.title_short or "", *service.synonyms}
            sets = {frozenset(content_words(n)) for n in names if n}
            table.append((service.id, [s for s in sets if s]))
        _NAMES_CACHE.clear()
        _NAMES_CACHE[key] = table
    return _NAMES_CACHE[key]


def lebenslagen_of(text: str) -> frozenset[str]:
    """The Lebenslagen an answer like "Es geht um mein Kind" points to."""
    from knowledge.text import fold, lemma, words

    result: set[str] = set()
    for word in words(text):
        for key in {fold(word), lemma(word)}:
            result |= LEBENSLAGE_WORDS.get(key, frozenset())
    return frozenset(result)


# --- search ---------------------------------------------------------------------------------------------------------
def evidence(query: str) -> float | None:
    """The best raw lexical score of the query: scale-free scores (the best hit is always near 1) cannot tell a
    precise question from a vague one, the raw BM25F score can. None if the retriever does not expose it."""
    lexical = getattr(deps.get_retriever(), "lexical", None)
    if lexical is None or not query.strip():
        return None
    return float(lexical.scores(query).max())


def without(text: str, ignore: frozenset[str]) -> str:
    """The text without the words (folded or lemma) in `ignore`, so they neither count nor score."""
    from knowledge.text import fold, lemma, words

    return " ".join(w for w in words(text) if not {fold(w), lemma(w)} & ignore)


def find(query: str, top: int = SEARCH_TOP, *, ignore: frozenset[str] = frozenset()) -> Findings:
    """Search the catalogue; an unusable query (empty, too long) finds nothing. Ignored words (the question's own
    words, the place) are left out of the search as well as of the word count."""
    from knowledge.errors import QueryError

    if ignore:
        query = without(query, ignore)
    words = content_words(query)
    try:
        hits = list(deps.get_retriever().search(query, top=top)) if query.strip() else []
    except QueryError:
        return Findings([], len(words), None)
    return Findings(hits, len(words), evidence(query), named_service(words))


def service_named_in(tracker: Tracker) -> Service | None:
    """The service a question names clearly ("Welche Unterlagen brauche ich für das Blindengeld?"), or None.

    A `service_id` entity (button) wins; otherwise the text is searched, and only a clear winner with strong
    lexical evidence counts. Words of the question itself ("Unterlagen", "zuständig") and the place do not count.
    """
    by_entity = service_by_id(entity(tracker, "service_id"))
    if by_entity is not None:
        return by_entity
    text = user_text(tracker)
    if not text:
        return None
    place = deps.find_place(text)
    ignore = QUESTION_WORDS | _place_words(place.name) if place is not None else QUESTION_WORDS
    found = find(text, top=MAX_SHOWN, ignore=ignore)
    limits = THRESHOLDS
    if found.named is None and (found.words == 0 or found.evidence is None or found.evidence < limits.strong):
        return None
    decision = decide(replace(found, words=max(found.words, limits.min_words)), limits)
    return decision.hits[0].service if decision.kind == "clear" else None


#: Words that only say where someone lives; a message of these and a place is about the place alone.
PLACE_WORDS: Final = _wordset(
    "wohne wohnen wohnt wohnort wohnhaft lebe leben lebt plz postleitzahl umgezogen gezogen ziehen stadt kreis "
    "gemeinde ort"
)


def only_a_place(tracker: Tracker) -> PlaceMatch | None:
    """The place of a message that says nothing but where ("und in 53721?", "was ist mit Bonn?"), else None.

    Such a message asks who is responsible there, whatever intent the NLU gave it: a postal code in a follow-up
    question is easily read as an age or as nonsense. A stated age makes it a situation again.
    """
    place = place_in_message(tracker)
    if place is None or situation_facts(tracker):
        return None
    ignore = QUESTION_WORDS | PLACE_WORDS | _place_words(place.name)
    return None if content_words(user_text(tracker), ignore=ignore) else place


def situation_facts(tracker: Tracker) -> int:
    """Facts of the latest message that describe the situation beyond its words. A stated age ("Mein Sohn ist 4")
    is one: it is no content word (a number) but tells as much as one, e.g. a child before school age. GdB and
    Pflegegrad are not counted: their own words ("GdB", "Pflegegrad") already are content words."""
    return 1 if entity(tracker, "age") is not None else 0


def with_facts(found: Findings, facts: int) -> Findings:
    """The findings with the situation's facts counted like content words."""
    return replace(found, words=found.words + facts) if facts else found


def prefer_lebenslagen(found: Findings, preferred: frozenset[str]) -> Findings:
    """Only the hits in the preferred Lebenslagen (all hits if none is)."""
    kept = [h for h in found.hits if preferred & set(h.service.lebenslagen)]
    return replace(found, hits=kept or found.hits)


def _lines(hits: tuple[SearchHit, ...], is_leicht: bool) -> str:
    if is_leicht:
        return texts.bullet_lines(h.service.button_title for h in hits)
    return texts.bullet_lines(f"{h.service.button_title} – {texts.first_sentence(h.service.teaser)}" for h in hits)


def lebenslage_buttons(is_leicht: bool) -> list[Button]:
    return [text_button(simple if is_leicht else title, payload) for title, simple, payload in texts.LEBENSLAGE_CHOICES]


class ActionSearchServices(BeratungsAction):
    """describe_situation: search the catalogue; answer with the best few, or ask a clarifying question."""

    def name(self) -> str:
        return "action_search_services"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if only_a_place(tracker) is not None:  # "und in 53721?" read as a situation or an age
            return ActionTellResponsibility().respond(dispatcher, tracker)
        is_leicht = leicht(tracker)
        text = user_text(tracker)[:MAX_SITUATION_CHARS]
        situation = slot_text(tracker, "situation")
        place, events = current_place(tracker)

        limits = THRESHOLDS
        clarified = situation is not None
        query = f"{situation} {text}".strip() if situation else text
        facts = situation_facts(tracker)
        found = with_facts(find(query), facts)
        if clarified and text:
            alone = with_facts(find(text), facts)
            if decide(alone, limits).kind == "clear" and (alone.named or (alone.evidence or 0) >= limits.strong):
                query, found, clarified = text, alone, False  # a new, clear request replaces the situation
            elif preferred := lebenslagen_of(text):
                found = prefer_lebenslagen(find(query, top=3 * SEARCH_TOP), preferred)
        decision = decide(found, limits, clarified=clarified)
        shown = [h.service for h in decision.hits]

        def keep(slot: str, value: object) -> None:
            if tracker.get_slot(slot) != value:
                events.append(SlotSet(slot, value))

        keep("candidate_ids", [s.id for s in shown])
        if tracker.get_slot("handoff_offered"):
            events.append(SlotSet("handoff_offered", False))

        if decision.kind == "clear":
            best, others = shown[0], shown[1:]
            title = best.button_title if is_leicht else best.title
            dispatcher.utter_message(
                text=texts.FOUND_ONE(is_leicht, title=title, text=service_summary(best, is_leicht)),
                buttons=service_buttons(best, is_leicht),
            )
            if others:
                dispatcher.utter_message(
                    text=texts.ALSO_POSSIBLE(is_leicht, lines=_lines(decision.hits[1:], is_leicht)),
                    buttons=choose_buttons(others),
                )
            authority = tell_responsibility_briefly(dispatcher, best, place, is_leicht)
            metadata.emit(dispatcher, [s.id for s in shown], authority=authority)
            keep("service_id", best.id)
            keep("situation", None)
            return events

        keep("service_id", None)
        if decision.kind == "close":
            options = texts.join_or([s.button_title for s in shown])
            dispatcher.utter_message(
                text=texts.CLOSE_QUESTION(is_leicht, options=options, lines=_lines(decision.hits, is_leicht)),
                buttons=choose_buttons(shown),
            )
            keep("situation", query[-MAX_SITUATION_CHARS:])
            metadata.emit(dispatcher, [s.id for s in shown])
        elif decision.kind == "options":
            dispatcher.utter_message(
                text=texts.OPTIONS_AFTER_CLARIFY(is_leicht, lines=_lines(decision.hits, is_leicht)),
                buttons=choose_buttons(shown),
            )
            keep("situation", query[-MAX_SITUATION_CHARS:])
            metadata.emit(dispatcher, [s.id for s in shown])
        elif decision.kind == "vague":
            dispatcher.utter_message(text=texts.VAGUE_QUESTION(is_leicht), buttons=lebenslage_buttons(is_leicht))
            keep("situation", query[-MAX_SITUATION_CHARS:] or None)
            metadata.emit(dispatcher)
        else:  # nothing found is a failed understanding too: the second in a row gives a contact
            from actions.fallback import not_understood

            human = [button(texts.BUTTON_HUMAN(is_leicht), "request_human")]
            events += not_understood(dispatcher, tracker, texts.NOTHING_FOUND(is_leicht), human)
            keep("situation", None)
        return events
