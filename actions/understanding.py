"""Understanding a turn against the case: what the citizen said, how it changes the case, and what to answer.

    understand(tracker, asked) -> Turn     the updated case and the kind of reply (the action Rasa chose asks for
                                           one kind; the message can turn it into another, see below)
    find(query) -> Findings                one search over the catalogue
    search_case(turns, facts) -> Findings  the accumulated situation: every content turn, weighted toward the recent
    decide(findings, THRESHOLDS, clarified=…) -> Decision    answer, or ask back (pure)

Rules, in the order they apply (docs/architecture.md, "How a turn is understood", says the same in prose):
- The place is read from every message, whatever the intent: the text first, the NLU's entities add; when a
  message names several places, one other than the case's place is a move ("Und wenn wir nach Essen ziehen?").
- "Noch was anderes: …", "Zweiter Fall: …" start a new case (the place stays).
- A message that says nothing but where ("Wir wohnen in Lemgo", "und in 53721?"), or a move that is no new topic,
  asks who is responsible there, for the case's service or candidates; so does an out-of-scope reading of it.
- "Wo finde ich den Antrag?" hands off, whatever the NLU read.
- A follow-up (sections, applying, responsibility, a person) is about the service it names, else the case's
  service, else the best candidate — never a fresh search over the follow-up's own words; with content of its own
  it is a content turn. A message the NLU took for a situation (or did not understand) without content of its own
  ("Geht das auch im Internet?") is such a follow-up too, read from its question words.
- "das zweite", "das Erste, was Sie genannt haben", "die mit der Werkstatt" pick a candidate.
- A content turn is added to the case, and the case is searched as a whole; a service the message names that the
  case had not found starts a new case. Broad content gets a guided question; "nothing found" only when the
  catalogue knows none of the words. A message the NLU did not understand is searched when the catalogue has its
  words as written; an out-of-scope reading is overruled by a named service or very strong evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
from rasa_sdk import Tracker

from actions import deps
from actions.case import Case
from actions.texts import Voice
from actions.tracker import entity, failed_before, intent, leicht, service_by_id, user_text
from contract.chat import SECTION_INTENTS, Language

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from knowledge.places import PlaceMatch
    from knowledge.schema import Service
    from knowledge.search import SearchHit

TurnKind = Literal[
    "search", "show", "section", "responsibility", "apply", "consent", "decline", "human", "fallback",
    "out_of_scope", "leichte", "language",
]  # fmt: skip
FOLLOW_UPS: Final[frozenset[str]] = frozenset({"section", "responsibility", "apply", "human"})
DecisionKind = Literal["clear", "close", "vague", "options", "none"]


# --- thresholds -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    """When to answer and when to ask back (chosen by measurement, see THRESHOLDS)."""

    strong: float  # lexical evidence from which a short query names something specific ("Blindengeld")
    min_evidence: float  # below this lexical evidence the query matched nothing in the catalogue
    margin: float  # results within this fraction of the top score count as close to it
    related: float  # further results down to this fraction of the top score are offered as "auch möglich"
    min_words: int = 3  # fewer content words than this make a description vague


#: Measured with tests/actions/measure_thresholds.py (numbers and reasoning in its module docstring), in short:
#: margin 0.1 — on the held-out dev set the hybrid retriever then never answers confidently without showing a right
#:   service, and 82 % of its clarifying questions offer a right service.
#: strong 5.5 — above every vague request with content (max 4.9), below 95 % of the services' short names.
#: min_evidence 2.0 — nonsense scores 0, real questions score at least 4.9 (1 % quantile).
THRESHOLDS: Final = Thresholds(strong=5.5, min_evidence=2.0, margin=0.1, related=0.6)

MAX_SHOWN: Final = 3
SEARCH_TOP: Final = 8
#: Offered with the guided question when a message says too little to search (the most asked services).
MOST_ASKED: Final = ("eingliederungshilfe-antrag", "schwerbehindertenausweis", "fruehfoerderung-interdisziplinaer")
#: Weight of each content turn in the case search, latest first (older turns still add up, the latest leads).
RECENCY: Final = (1.0, 0.5, 0.35, 0.25)
#: A long story is searched in parts of about this many characters (each part a query of the retriever).
PART_CHARS: Final = 700


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Words that say "I need something" without saying what (folded lemmas); they do not count as content.
GENERIC_WORDS: Final = _wordset(
    "hilfe helfen brauchen brauche benoetigen unterstuetzung unterstuetzen antrag beantragen frage fragen info "
    "infos information informationen leistung leistungen bekommen moechten moechte wissen bitte hallo guten tag "
    "lvr lwl thema problem sache etwas gerne gern suchen suche finden geben gibt kriegen erhalten stellen "
    "denken dachte glauben glaube meinen meinte "
    # English
    "help helps need needs needed support want wanted know get getting receive please hello thing things problem "
    "question questions information service services benefit benefits apply"
)
#: Words of section, hand-off and responsibility questions; they do not name a service.
QUESTION_WORDS: Final = _wordset(
    "unterlage unterlagen dokument dokumente papier papiere nachweis nachweise kosten kostet kosten gebuehr "
    "gebuehren frist fristen dauer dauern dauert lange bearbeitung ablauf verfahren schritt schritte "
    "rechtsgrundlage gesetz paragraph widerspruch klage rechtsbehelf voraussetzung voraussetzungen zustaendig "
    "zustaendigkeit online internet formular digital ansprechpartner kontakt einreichen beilegen mitbringen "
    "anrufen telefon telefonisch sprechen reden mensch person jemand jemanden antragstellung beantragt beantrage "
    "abgeben zahlen zahlt bezahlen bezahlt uebernehmen uebernimmt rueckwirkend unterschreiben wohin wenden "
    "einkommen vermoegen offenlegen anrechnen angerechnet bedingung bedingungen "
    # English
    "document documents paper papers paperwork proof certificate certificates evidence submit bring cost costs fee "
    "fees charge charges pay pays paid price deadline deadlines long time process procedure step steps legal law "
    "objection appeal requirement requirements condition conditions eligible eligibility qualify income savings "
    "assets responsible charge online internet digital form forms website contact call phone telephone talk speak "
    "person human someone somebody application applying applied sign"
)
#: Words that only say where someone lives; a message of these and a place is about the place alone.
PLACE_WORDS: Final = _wordset(
    "wohne wohnen wohnt wohnort wohnhaft lebe leben lebt plz postleitzahl umgezogen gezogen ziehen ziehn zieht "
    "umziehen stadt kreis gemeinde ort gemeldet melden heim dort hier naechstes jahr monat "
    # English
    "live lives living lived move moved moving town city district postcode zip municipality registered next year "
    "month"
)

#: Question words → the follow-up they ask for, for messages without content of their own (folded lemmas/words).
CUES: Final[tuple[tuple[str, str | None, frozenset[str]], ...]] = (
    ("apply", None, _wordset("online internet digital formular onlineantrag "
                             "form forms website")),
    ("human", None, _wordset("anrufen telefon telefonisch ansprechpartner ansprechperson mensch menschen jemand "
                              "jemanden reden besprechen "
                              "call phone telephone talk speak person human someone somebody")),
    ("section", "documents", _wordset("unterlage unterlagen dokument dokumente papier papiere nachweis nachweise "
                                      "einreichen beilegen mitbringen arztbrief arztbriefe "
                                      "document documents papers paperwork proof certificate certificates evidence "
                                      "submit bring")),
    ("section", "costs", _wordset("kosten kostet gebuehr gebuehren eigenanteil "
                                  "cost costs fee fees charge charges pay pays price")),
    ("section", "prerequisites", _wordset("voraussetzung voraussetzungen bedingung bedingungen einkommen vermoegen "
                                          "offenlegen anrechnen angerechnet "
                                          "requirement requirements condition conditions eligible eligibility "
                                          "qualify income savings assets")),
    ("section", "deadlines", _wordset("frist fristen rueckwirkend dauer dauert lange "
                                      "deadline deadlines long retroactive retroactively")),
    ("responsibility", None, _wordset("zustaendig zustaendigkeit zustaendige wohin wenden "
                                      "responsible charge")),
    ("section", "procedure", _wordset("antrag antragstellung beantragen beantragt beantrage abgeben unterschreiben "
                                      "machen tun vorgehen ablauf "
                                      "apply application applying procedure process steps")),
)  # fmt: skip

#: Asking where the application is: a hand-off, whatever else the NLU read ("Wo finde ich den Antrag dafür?").
APPLY_QUESTION: Final = re.compile(
    r"\b(?:wo|woher|wie)\b[^.?!]{0,40}\b(?:antrag|antragsformular|formular|formulare|vordruck)\b|"
    r"\b(?:antrag|antragsformular|formular)\b[^.?!]{0,40}\b(?:finden|finde|bekommen|bekomme|herunterladen|ausfüllen)\b|"
    r"\b(?:where|how)\b[^.?!]{0,40}\b(?:application|form|forms)\b|"
    r"\b(?:application|form)\b[^.?!]{0,40}\b(?:find|get|download|fill)\b",
    re.IGNORECASE,
)
#: "Noch was anderes: …" and the like: the citizen starts a new topic.
NEW_CASE: Final = re.compile(
    r"\b(?:noch\s+(?:et)?was\s+anderes|(?:dann|jetzt)\s+(?:et)?was\s+anderes|andere\s+frage|anderes\s+thema|"
    r"zweiter\s+fall|neuer\s+fall|anderer\s+fall|nebenbei|am\s+rande|ganz\s+andere|"
    r"something\s+else|something\s+different|another\s+question|different\s+question|other\s+topic|"
    r"different\s+topic|new\s+case|second\s+case|one\s+more\s+thing|another\s+thing|by\s+the\s+way)",
    re.IGNORECASE,
)
#: Matters of other offices that no service of the catalogue covers (the Ausländerbehörde, the Bürgeramt, the
#: Familienkasse, the Kfz-Zulassung, …). A request about one of them, with nothing else the catalogue knows, is out of
#: scope even when the NLU read it otherwise ("where do I renew my residence permit?" has "permit", which the
#: catalogue knows from the Kita-Betriebserlaubnis). Not here: what an LVR service touches (Führerschein:
#: Kraftfahrzeughilfe; Steuer: Denkmalpflege, Ausgleichsabgabe).
OUTSIDE_MATTERS: Final = re.compile(
    r"\b(?:reisepass\w*|personalausweis\w*|aufenthalts(?:titel|erlaubnis|genehmigung)\w*|niederlassungserlaubnis|"
    r"visum|visa|einbürgerung\w*|staatsangehörigkeit|kfz-zulassung|autozulassung|zulassungsstelle|"
    r"(?:auto|wagen|fahrzeug)\s+(?:an|um|ab)melden|wohnsitz\w*|meldebescheinigung|ummeldung|kindergeld\w*|"
    r"elterngeld\w*|hundesteuer|baugenehmigung\w*|führungszeugnis\w*|wohngeld\w*|"
    r"passports?|identity\s+cards?|national\s+id|residence\s+(?:permit|title|card)s?|visas?|citizenship|"
    r"naturali[sz]ation|(?:car|vehicle)\s+registration|register\s+(?:my|a|the|our)\s+(?:car|vehicle|address)|"
    r"child\s+benefit|parental\s+allowance|dog\s+tax|building\s+permit|housing\s+benefit|"
    r"certificate\s+of\s+good\s+conduct|criminal\s+record)\b",
    re.IGNORECASE,
)
#: What one does with such a matter (folded lemmas): no content of its own beside it ("renew", "verlängern").
ERRAND_WORDS: Final = _wordset(
    "verlaengern verlaengerung erneuern neu neuen neue beantragen beantrage abholen aendern aenderung verloren "
    "anmelden ummelden abmelden ausstellen ander anderes "
    "renew renewal extend extension replace replacement new apply get lost change collect issue register thing more"
)
#: Ordinals that pick a shown option ("das zweite", "eher das Erste", "Nummer 3").
ORDINALS: Final[dict[str, int]] = {
    "erste": 0, "ersten": 0, "erstes": 0, "erster": 0, "1.": 0,
    "zweite": 1, "zweiten": 1, "zweites": 1, "zweiter": 1, "2.": 1,
    "dritte": 2, "dritten": 2, "drittes": 2, "dritter": 2, "3.": 2,
    "letzte": -1, "letzten": -1, "letztes": -1, "1": 0, "2": 1, "3": 2,
    "first": 0, "second": 1, "third": 2, "last": -1,
}  # fmt: skip
_ORDINAL = re.compile(
    r"\b(?:das|die|den|der|eher|nummer|option|the|number)\s+"
    r"(erste[nrs]?|zweite[nrs]?|dritte[nrs]?|letzte[ns]?|first|second|third|last|[123]\.?)"
    r"(?=\s*(?:[,.;:!?–-]|$|(?:bitte|davon|glaube|was|wo|option|angebot|möglichkeit|hilfe|leistung|vorschlag|"
    r"one|please|service|offer)\b))",
    re.IGNORECASE,
)
#: "die mit der Werkstatt", "das mit dem Wohnen": a candidate called by a word of its name.
_BY_WORD = re.compile(
    r"\b(?:(?:die|das|den|der)\s+mit\s+(?:der|dem|den|die|das)|the\s+one\s+(?:with|about|for)(?:\s+the)?)\s+"
    r"([\wäöüÄÖÜß-]+)",
    re.IGNORECASE,
)

#: Answers to the Lebenslage question → Lebenslagen (knowledge.vocab) whose services are preferred.
_GERMAN_LEBENSLAGE_WORDS: Final[dict[str, frozenset[str]]] = {
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
#: The English words of those answers (actions.texts.LEBENSLAGE_CHOICES) → the German word they mean.
_ENGLISH_LEBENSLAGE_WORDS: Final = {
    "child": "kind", "children": "kind", "kid": "kind", "son": "sohn", "daughter": "tochter", "school": "schule",
    "work": "arbeit", "career": "beruf", "employment": "arbeit", "job": "job", "housing": "wohnen", "home": "wohnen",
    "flat": "wohnung", "apartment": "wohnung", "daily": "alltag", "money": "geld",
}  # fmt: skip
LEBENSLAGE_WORDS: Final[dict[str, frozenset[str]]] = _GERMAN_LEBENSLAGE_WORDS | {
    english: _GERMAN_LEBENSLAGE_WORDS[german] for english, german in _ENGLISH_LEBENSLAGE_WORDS.items()
}


# --- facts of the situation ---------------------------------------------------------------------------------------
#: Visual acuity told as a percentage ("auf dem besseren Auge 4 Prozent") or as a Visus ("Visus 0,02"), in a sentence
#: about seeing. The GHBG NRW draws the lines (knowledge/catalogue/blinde-gehoerlose): at most 2 % on the better eye
#: counts as blind (Blindengeld), at most 5 % as highly visually impaired (Hilfe für hochgradig Sehbehinderte).
_SIGHT = re.compile(
    r"\b(?:auge|augen|sehschärfe|sehschaerfe|sehkraft|sehvermögen|sieht|sehen|visus|augenarzt|"
    r"eye|eyes|eyesight|sight|vision|visual|see|sees|seeing)",
    re.I,
)
_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d)?)\s*(?:%|prozent|percent|per\s+cent)", re.I)
_VISUS = re.compile(r"visus\s*(?:von\s*|unter\s*|<\s*)*0[.,](\d{1,2})", re.I)
BLIND_PERCENT: Final = 2.0
LOW_VISION_PERCENT: Final = 5.0
ACUITY_SERVICES: Final = {"blind": "blindengeld", "low_vision": "hilfe-hochgradig-sehbehinderte"}


def visual_acuity(turns: tuple[str, ...]) -> float | None:
    """The visual acuity (percent) the citizen told last, if any."""
    found: float | None = None
    for text in turns:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if not _SIGHT.search(sentence):
                continue
            if match := _VISUS.search(sentence):
                found = float(f"0.{match.group(1)}") * 100
            elif match := _PERCENT.search(sentence):
                found = float(match.group(1).replace(",", "."))
    return found


def by_acuity(found: Findings, acuity: float | None) -> Findings:
    """The hits with the service the told acuity qualifies for first among the sight services (if it was found)."""
    if acuity is None or acuity > LOW_VISION_PERCENT:
        return found
    wanted = ACUITY_SERVICES["blind" if acuity <= BLIND_PERCENT else "low_vision"]
    other = ACUITY_SERVICES["low_vision" if acuity <= BLIND_PERCENT else "blind"]
    ids = [h.id for h in found.hits]
    if wanted in ids and other in ids and ids.index(other) < ids.index(wanted):
        hits = list(found.hits)
        i, j = ids.index(other), ids.index(wanted)
        hits[i], hits[j] = replace(hits[j], score=hits[i].score), replace(hits[i], score=hits[j].score)
        return replace(found, hits=hits)
    return found


#: Who the case is about. A child noun with an age ("Sohn ist 24", "Tochter (3)", "Patient, 45", "5-jähriger Sohn")
#: gives the person's age; "Ich bin 27" only when the case names nobody else.
_CHILD_NOUNS = (
    "sohn|tochter|kind|kinder|baby|enkel|enkelin|enkelkind|junge|mädchen|maedchen|zwillinge|schüler|schueler|"
    "schülerin|schuelerin|"
    "son|daughter|child|kid|kids|grandson|granddaughter|grandchild|boy|girl|twins|pupil"
)
_PERSON_NOUNS = (
    _CHILD_NOUNS + "|vater|mutter|mama|papa|mann|frau|ehemann|ehefrau|partner|partnerin|freund|freundin|bruder|"
    "schwester|oma|opa|großvater|großmutter|schwiegervater|schwiegermutter|onkel|tante|klient|klientin|patient|"
    "patientin|mitarbeiter|mitarbeiterin|geselle|beschäftigte|beschäftigter|bewohner|bewohnerin|"
    "father|mother|mom|mum|dad|husband|wife|boyfriend|girlfriend|brother|sister|grandma|grandpa|grandmother|"
    "grandfather|uncle|aunt|client|patient|employee|resident"
)
_NOUN_AGE = re.compile(
    rf"\b(?P<noun>{_PERSON_NOUNS})\b(?:\s*[(,]\s*|[^.!?\d]{{0,20}}?\b(?:ist|wird|is|turns|turned)\s+"
    rf"(?:jetzt\s+|erst\s+|schon\s+|now\s+|only\s+|already\s+|just\s+)?)"
    rf"(?P<age>\d{{1,3}})\b(?!\s*(?:%|prozent|percent|euro|€|stunden|wochen|monate|tage|hours|weeks|months|days))",
    re.IGNORECASE,
)
_AGE_NOUN = re.compile(
    rf"\b(?P<age>\d{{1,3}})(?:[- ]?jährige[rn]?|[- ]years?[- ]old)\s+(?P<noun>{_PERSON_NOUNS})\b", re.IGNORECASE
)
_SELF_AGE = re.compile(
    r"\b(?:ich\s+bin|i\s+am|i'm|im)\s+(?:jetzt\s+|erst\s+|schon\s+|now\s+|only\s+)?(?P<age>\d{1,3})\b"
    r"(?!\s*(?:%|prozent|percent))",
    re.I,
)
_ANY_PERSON = re.compile(rf"\b(?:{_PERSON_NOUNS})\b", re.IGNORECASE)
_PARENTHOOD = re.compile(
    r"\b(?:kind|kinder|baby|schwanger|schwangerschaft|geburt|eltern|elternteil|wickeln|stillen|adoption|adoptieren|"
    r"sohn|tochter|mutter werden|vater werden|"
    r"child|children|kid|kids|pregnant|pregnancy|parent|parents|adopt|adoption|son|daughter)\b",
    re.IGNORECASE,
)
ADULT_AGE: Final = 18
#: How much a service for another age group (or for parents, in a case without children) keeps of its score.
MISMATCH: Final = 0.5


def subject_age(turns: tuple[str, ...]) -> int | None:
    """The age of the person the case is about, when the citizen told it unambiguously (latest first)."""
    for text in reversed(turns):
        for pattern in (_NOUN_AGE, _AGE_NOUN):
            if (match := pattern.search(text)) is not None and 0 <= int(match["age"]) <= 110:
                return int(match["age"])
    if any(_ANY_PERSON.search(t) for t in turns):
        return None  # "Ich bin 35, mein Sohn …": the age is the writer's, not the case's
    for text in reversed(turns):
        if (match := _SELF_AGE.search(text)) is not None and int(match["age"]) <= 110:
            return int(match["age"])
    return None


def fit_weights(turns: tuple[str, ...]) -> np.ndarray:
    """Per service, how well it fits the case's person: a service for children in a case about an adult, one for
    adults in a case about a child, and one for parents in a case without children keep MISMATCH of their score."""
    services = list(deps.get_catalogue())
    weights = np.ones(len(services), dtype=np.float32)
    age = subject_age(turns)
    parenthood = any(_PARENTHOOD.search(t) for t in turns)
    for i, service in enumerate(services):
        groups = set(service.target_groups)
        children = "kinder-jugendliche" in groups
        adults = bool(groups & {"erwachsene", "senioren", "beschaeftigte", "alle", "gewaltbetroffene"})
        for_children_only = children and not adults
        for_adults_only = adults and not children and "eltern" not in groups
        if (
            (age is not None and age >= ADULT_AGE and for_children_only)
            or (age is not None and age < ADULT_AGE and for_adults_only)
            or (not parenthood and "familie-adoption" in service.lebenslagen and not children)
        ):
            weights[i] = MISMATCH
    return weights


# --- findings and decisions -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Findings:
    """What a search found."""

    hits: list[SearchHit]  # best first
    words: int  # content words of the query (and facts that count like them)
    evidence: float | None  # the best raw lexical (BM25F) score: how much of the query the catalogue knows
    named: str | None = None  # the id of the one service the query calls by its name ("Blindengeld")


@dataclass(frozen=True)
class Decision:
    """What to do with the hits: answer (clear), ask between close ones, ask about the situation, offer, give up."""

    kind: DecisionKind
    hits: tuple[SearchHit, ...]  # the services to show or offer, best first (at most MAX_SHOWN)


def decide(found: Findings, thresholds: Thresholds, *, clarified: bool = False) -> Decision:
    """Answer, or ask back. `clarified`: the case was already asked about (the bot never asks the same twice).

    - the query calls a service it found by its name → "clear" with that service first
    - too little lexical evidence → "none" when the catalogue knows none of the words, else "vague" / "options"
    - no content word at all, or few and no strong evidence → "vague" ("options" after a clarification)
    - the best results within `margin` of the top score → "close" (ask between them)
    - else "clear": the best, with related results not far behind (at most MAX_SHOWN)
    """
    hits, short = found.hits, found.words < thresholds.min_words
    evidence = found.evidence
    by_name = [h for h in hits if h.id == found.named]  # the citizen named it: first
    if found.named and not by_name and hits and (service := deps.get_catalogue().get(found.named)) is not None:
        from knowledge.search import SearchHit

        by_name = [SearchHit(service.id, hits[0].score, service)]
    if by_name:
        others = [h for h in hits if h.id != found.named]
        related = [h for h in others[: MAX_SHOWN - 1] if h.score >= thresholds.related * hits[0].score]
        return Decision("clear", (by_name[0], *related))
    if not hits or (evidence is not None and evidence < thresholds.min_evidence):
        # no content words: ask what it is about; only words the catalogue does not know at all: nothing found;
        # a few known but unspecific words: a guided choice (asked once, then the options)
        if found.words == 0 and not clarified:
            return Decision("vague", ())
        if not hits or not evidence:
            return Decision("none", ())
        return Decision("options" if clarified else "vague", tuple(hits[:MAX_SHOWN]))
    if found.words == 0 and not clarified:
        return Decision("vague", ())  # nothing said about the situation: the hits would be noise
    if found.words == 0 or (short and (evidence is None or evidence < thresholds.strong)):
        return Decision("options" if clarified else "vague", tuple(hits[:MAX_SHOWN]))
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
        skip = stop | GENERIC_WORDS | ignore
        if {folded, base} & skip or ("-" in folded and all(p in skip for p in folded.split("-") if p)):
            continue
        found[base] = None
    return list(found)


def folded_words(text: str) -> set[str]:
    """Every word of a text, folded and as lemma."""
    from knowledge.text import fold, lemma, words

    return {w for word in words(text) for w in (fold(word), lemma(word))}


def place_ignore(text: str) -> frozenset[str]:
    """The words of the places a text names, to leave out of its content: the names' folded words and lemmas
    ("Mülheim an der Ruhr" → muelheim, ruhr, …) and districts written with them ("Bielefeld-Sennestadt")."""
    from knowledge.places import find_places
    from knowledge.text import fold, words

    names = {w for place in find_places(text) for w in folded_words(place.name)} if text else set()
    districts = {fold(w) for w in words(text) if "-" in w and fold(w).split("-", 1)[0] in names}
    return frozenset(names | districts)


def named_service(query_words: list[str]) -> str | None:
    """The service whose name (short title, title or synonym) the query contains word for word; None when no
    service or several equally specific ones are named. A citizen who names a service means that service."""
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
            for texts in service.translations.values():  # "the blind allowance" names Blindengeld too
                names |= {texts.title or "", texts.title_short or ""}
            sets = {frozenset(content_words(n)) for n in names if n}
            table.append((service.id, [s for s in sets if s]))
        _NAMES_CACHE.clear()
        _NAMES_CACHE[key] = table
    return _NAMES_CACHE[key]


def lebenslagen_of(text: str) -> frozenset[str]:
    """The Lebenslagen a short answer like "Es geht um mein Kind" points to."""
    result: set[str] = set()
    for key in folded_words(text):
        result |= LEBENSLAGE_WORDS.get(key, frozenset())
    return frozenset(result)


def without(text: str, ignore: frozenset[str]) -> str:
    """The text without the words (folded or lemma) in `ignore`, so they neither count nor score."""
    from knowledge.text import fold, lemma, words

    return " ".join(w for w in words(text) if not {fold(w), lemma(w)} & ignore)


# --- search ---------------------------------------------------------------------------------------------------------
def known_terms(text: str) -> list[str]:
    """The words of a text the catalogue has as written: whole words, neither corrected nor split into compound
    parts ("restart" is neither "Rente" nor "Rest" + "Art")."""
    from knowledge.stemmer import stem
    from knowledge.text import lemma, words

    lexical = getattr(deps.get_retriever(), "lexical", None)
    if lexical is None:
        return content_words(text)
    return [w for w in words(text) if stem(lemma(w)) in lexical.term_rows]


def evidence(query: str) -> float | None:
    """The best raw lexical score of the query: scale-free scores (the best hit is always near 1) cannot tell a
    precise question from a vague one, the raw BM25F score can. None if the retriever does not expose it."""
    lexical = getattr(deps.get_retriever(), "lexical", None)
    if lexical is None or not query.strip():
        return None
    return float(lexical.scores(query).max())


def parts(text: str, size: int = PART_CHARS) -> list[str]:
    """A long text cut into parts of about `size` characters at sentence ends (a short text is one part)."""
    if len(text) <= size:
        return [text]
    sentences = re.split(r"(?<=[.!?])\s+", text)
    out: list[str] = []
    for sentence in sentences:
        while len(sentence) > size:  # a run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > 0 else size
            out.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if out and len(out[-1]) + len(sentence) + 1 <= size:
            out[-1] = f"{out[-1]} {sentence}"
        elif sentence:
            out.append(sentence)
    return out


def text_scores(text: str) -> tuple[np.ndarray | None, float | None]:
    """Retriever scores of every service for a text (a long one part by part), and its lexical evidence."""
    retriever = deps.get_retriever()
    total: np.ndarray | None = None
    best_evidence: float | None = None
    for part in parts(text):
        if not part.strip():
            continue
        scores = retriever.scores(part)
        total = scores if total is None else total + scores
        found = evidence(part)
        if found is not None:
            best_evidence = found if best_evidence is None else max(best_evidence, found)
    return total, best_evidence


def _hits(scores: np.ndarray | None, top: int) -> list[SearchHit]:
    from knowledge.search import SearchHit

    if scores is None:
        return []
    high = float(scores.max()) if scores.size else 0.0
    if high <= 0:
        return []
    normalised = np.round(scores / high, 6)
    services = list(deps.get_catalogue())
    order = np.argsort(-normalised, kind="stable")
    return [SearchHit(services[i].id, float(normalised[i]), services[i]) for i in order[:top] if normalised[i] > 0]


def find(query: str, top: int = SEARCH_TOP, *, ignore: frozenset[str] = frozenset()) -> Findings:
    """Search the catalogue for one text; ignored words (question words, the place) neither count nor score."""
    if ignore:
        query = without(query, ignore)
    words = content_words(query)
    if not query.strip():
        return Findings([], len(words), None)
    scores, found_evidence = text_scores(query)
    return Findings(_hits(scores, top), len(words), found_evidence, named_service(words))


def search_case(turns: tuple[str, ...], facts: int, ignore: frozenset[str], top: int = SEARCH_TOP) -> Findings:
    """The accumulated situation, searched two ways and added up (each normalised to its best):

    - the recent content turns read together, as a caseworker reads the whole story (details told over several
      turns add up, like in one long message);
    - each turn on its own, weighted toward the recent (RECENCY) and by how much the catalogue knows of it (its
      lexical evidence up to THRESHOLDS.strong), at half the weight: a turn that says little moves little.

    Measured on the public dialogue set's service checks (top 3, every turn searched): the turns together 0.88,
    each on its own with the weights 0.80, both added up 0.91 — the latest turn alone 0.62.

    Then the services that do not fit the person (fit_weights) lose.
    """
    recent = [without(t, ignore | place_ignore(t)) for t in turns[-len(RECENCY):]]
    words: set[str] = set()
    for text in recent:
        words |= set(content_words(text))
    if not words:
        return Findings([], facts, None)
    together, _ = text_scores(" ".join(t for t in recent if t.strip()))
    total = _normalised(together)
    fit = fit_weights(turns)
    each: np.ndarray | None = None
    evidences: list[float] = []
    for age, text in enumerate(reversed(recent)):
        if not content_words(text):
            continue
        scores, found_evidence = text_scores(text)
        if scores is None or found_evidence is None:
            continue
        evidences.append(found_evidence)
        weighted = RECENCY[age] * min(1.0, found_evidence / THRESHOLDS.strong) * _normalised(scores)
        each = weighted if each is None else each + weighted
    if each is not None:
        total = total + 0.5 * _normalised(each)
    total = total * fit
    named = named_service(content_words(recent[-1])) if recent else None
    return Findings(_hits(total, top), len(words) + facts, max(evidences) if evidences else None, named)


def _normalised(scores: np.ndarray | None) -> np.ndarray:
    """Scores divided by their best (zeros when there is none)."""
    if scores is None:
        return np.zeros(len(deps.get_catalogue()), dtype=np.float32)
    high = float(scores.max()) if scores.size else 0.0
    return scores / high if high > 0 else scores


def prefer_lebenslagen(found: Findings, preferred: frozenset[str]) -> Findings:
    """Only the hits in the preferred Lebenslagen (all hits if none is)."""
    kept = [h for h in found.hits if preferred & set(h.service.lebenslagen)]
    return replace(found, hits=kept or found.hits)


# --- the turn -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Turn:
    """One understood turn: the updated case and what to answer."""

    kind: TurnKind
    case: Case
    text: str  # the message as typed ("" for a button payload)
    voice: Voice  # the reply's language and level
    intent: str | None
    service: Service | None = None  # the service a follow-up is about
    section: str | None = None  # the section a "section" turn asks for
    decision: Decision | None = None  # the search decision of a content turn
    place: PlaceMatch | None = None  # the place the message named (None: it named none)
    moved: bool = False  # the message named a place other than the case's
    failed: int = 0  # turns not understood in a row right before this one


def understand(tracker: Tracker, asked: TurnKind, *, language: Language) -> Turn:
    """Update the case with the latest message and decide what kind of reply it gets (see the module docstring);
    the reply speaks `language` (actions.language.resolve)."""
    case = Case.from_tracker(tracker)
    text = user_text(tracker)
    named_intent = intent(tracker)
    voice = Voice.of(language, leicht(tracker))
    base = Turn(asked, case, text, voice, named_intent, failed=failed_before(tracker))

    place, moved = _place_of(tracker, case, text)
    if place is not None:
        case = case.with_place(place)
    if text and NEW_CASE.search(text):
        case = case.fresh()
    turn = replace(base, case=case, place=place, moved=moved)
    if asked in {"consent", "decline", "leichte", "language"}:
        return turn
    if asked == "out_of_scope":
        return _in_scope_after_all(turn, tracker)

    button_service = service_by_id(entity(tracker, "service_id"))
    if asked == "show":
        service = button_service or case.focus
        if service is None:
            return _content(turn)
        return replace(turn, case=case.choose(service), service=service)

    places = place_ignore(text)
    ignore = QUESTION_WORDS | PLACE_WORDS | places  # what does not count as the message's own content
    own = content_words(text, ignore=ignore) if text else []
    facts = 1 if entity(tracker, "age") is not None else 0
    focus = case.focus
    named_here = _named_in(text, places)  # a service the message calls by its name

    open_to_other_matters = focus is None or asked == "fallback"  # no case yet, or the NLU did not understand
    if named_here is None and not button_service and open_to_other_matters and _only_outside_matters(text, ignore):
        return replace(turn, kind="out_of_scope")  # "Where do I renew my residence permit?"

    about_place = asked in {"search", "responsibility", "fallback"}
    if about_place and place is not None and not own and not facts:
        return replace(turn, kind="responsibility", service=focus)  # "Wir wohnen in Lemgo", "und in 53721?"
    if moved and focus is not None and not button_service and not _new_topic(text, places, case, named_here):
        asked_for, _ = cue(text)
        if about_place or asked_for in (None, "responsibility"):  # the NLU may read "Und wenn wir nach …?" as anything
            return replace(turn, kind="responsibility", service=focus)  # "Und wenn wir nach Minden ziehen?"

    if asked in FOLLOW_UPS | {"search", "fallback"} and text and APPLY_QUESTION.search(text) and len(own) <= 1:
        asked = "apply"  # "Wo finde ich den Antrag dafür?" is answered with the hand-off
        turn = replace(turn, kind="apply")

    if asked in FOLLOW_UPS:
        named = button_service or named_here
        if named is None and len(own) >= (2 if focus is None or asked == "responsibility" else THRESHOLDS.min_words):
            found = _content(turn, ignore=places, facts=facts)  # "Gibt es dafür Zuschüsse? Wer ist zuständig?"
            if asked == "responsibility" or found.decision is None or found.decision.kind != "clear":
                return found
            return replace(found, kind=asked, section=_section(tracker, named_intent) if asked == "section" else None)
        service = named or focus
        if service is not None and (named is not None or asked in {"section", "apply"}) and service.id != case.service:
            case = case.choose(service)  # asked about one service: it is the chosen one now
        section = _section(tracker, named_intent) if asked == "section" else None
        return replace(turn, case=case, service=service, section=section)

    if asked == "fallback":
        kind, section = cue(text) if focus is not None and len(own) <= 1 else (None, None)
        if kind is not None:  # "Gibt es dafür ein Online-Formular?" read as nonsense
            return replace(turn, kind=kind, service=focus, section=section)
        alone = find(text, ignore=places) if own and known_terms(" ".join(own)) else None
        if alone is None or not alone.evidence:
            return turn  # nothing the catalogue knows (as written): not understood
        turn = replace(turn, kind="search")  # content the catalogue knows: searched (broad content: a guided choice)

    # a content turn (describe_situation, inform_age, inform_place with more to say, or an understood fallback)
    if focus is not None and len(own) <= 1 and not facts and named_here is None:
        kind, section = cue(text)
        if kind is not None:  # "Geht das auch im Internet?", "Was muss ich da einreichen?"
            return replace(turn, kind=kind, service=focus, section=section)
    picked = _picked(text, case, own)
    if picked is not None:
        return replace(turn, kind="show", case=case.told(text).choose(picked), service=picked)
    if not own and not facts and focus is not None:
        return replace(turn, kind="show", service=focus)
    if asked == "responsibility" and not facts and (evidence(" ".join(own)) or 0) < THRESHOLDS.min_evidence:
        return replace(turn, kind="fallback")  # "Wird es am Samstag in Xanten regnen?" read as a place
    return _content(turn, ignore=places, facts=facts)


def _only_outside_matters(text: str, ignore: frozenset[str]) -> bool:
    """The message asks about a matter of another office (OUTSIDE_MATTERS) and says nothing else the catalogue
    knows: without those words, too little lexical evidence is left."""
    if not text or not OUTSIDE_MATTERS.search(text):
        return False
    rest = content_words(NEW_CASE.sub(" ", OUTSIDE_MATTERS.sub(" ", text)), ignore=ignore | ERRAND_WORDS)
    if not rest:
        return True
    found = evidence(" ".join(rest))
    return found is not None and found < THRESHOLDS.min_evidence


def _in_scope_after_all(turn: Turn, tracker: Tracker) -> Turn:
    """An out-of-scope reading overruled: a place or a move for the case's service is a question of responsibility,
    and a message that names a service or finds one with very strong evidence is a content turn ("Wir sind eine
    Bäckerei … Gibt es dafür einen Lohnkostenzuschuss?" read as out of scope)."""
    text, case, place = turn.text, turn.case, turn.place
    places = place_ignore(text)
    own = content_words(text, ignore=QUESTION_WORDS | PLACE_WORDS | places) if text else []
    moved_on = turn.moved and not _new_topic(text, places, case, _named_in(text, places))
    if case.focus is not None and place is not None and (not own or moved_on):
        return replace(turn, kind="responsibility", service=case.focus)
    if len(own) >= THRESHOLDS.min_words:
        found = find(text, ignore=places)
        decision = decide(found, THRESHOLDS)
        if found.named or ((found.evidence or 0) >= 2 * THRESHOLDS.strong and decision.kind == "clear"):
            facts = 1 if entity(tracker, "age") is not None else 0
            return _content(turn, ignore=places, facts=facts)
    return turn


def _content(turn: Turn, ignore: frozenset[str] = frozenset(), facts: int = 0) -> Turn:
    """Add the message to the case and search the whole case; a service the message names that the case had not
    found starts a new case."""
    before = turn.case
    case = before.told(turn.text)
    found = search_case(case.turns, facts, ignore)
    clarified = len(case.turns) > 1
    if clarified:
        alone = find(turn.text, ignore=ignore)
        if alone.named is not None and alone.named not in before.candidates[:MAX_SHOWN]:
            case, clarified = before.fresh().told(turn.text), False  # a new, different request
            found = replace(alone, words=alone.words + facts)
        elif (preferred := lebenslagen_of(turn.text)) and len(content_words(turn.text)) <= 3:
            found = prefer_lebenslagen(found, preferred)
    found = by_acuity(found, visual_acuity(case.turns))
    decision = decide(found, THRESHOLDS, clarified=clarified)
    if decision.kind == "vague" and not decision.hits:
        decision = replace(decision, hits=tuple(_offered(MOST_ASKED)))
    shown = [h.service for h in decision.hits]
    chosen = shown[0].id if decision.kind == "clear" else None
    if decision.kind == "none":
        case = before  # nothing the catalogue knows: the case stays as it was
    else:
        case = case.found([s.id for s in shown], [h.score for h in decision.hits], chosen)
    return replace(turn, kind="search", case=case, decision=decision, service=shown[0] if shown else None)


def _offered(ids: tuple[str, ...]) -> list[SearchHit]:
    from knowledge.search import SearchHit

    found = [deps.get_catalogue().get(i) for i in ids]
    return [SearchHit(s.id, 0.0, s) for s in found if s is not None]


def _place_of(tracker: Tracker, case: Case, text: str) -> tuple[PlaceMatch | None, bool]:
    """The place the message names (a move when it is another than the case's), and whether it is a move."""
    from knowledge.places import find_places

    found: list[PlaceMatch] = find_places(text) if text else []  # in the order of knowledge.places
    for name in ("plz", "place"):  # the NLU's entities add what the text search missed
        value = entity(tracker, name)
        match = deps.find_place(value) if value else None
        if match is not None and match not in found:
            found.append(match)
    if not found:
        return None, False
    current = case.place
    others = [p for p in found if p.name != current]
    if not others:
        return found[0], False
    return others[0], current is not None


def _new_topic(text: str, ignore: frozenset[str], case: Case, named: Service | None) -> bool:
    """Whether a message is about something the case has not been about: it names another service (`named`), or it
    alone finds one clearly and with strong evidence that is not among the case's candidates."""
    if named is not None:
        return named.id not in case.candidates
    found = find(text, ignore=ignore)
    if found.words < THRESHOLDS.min_words or (found.evidence or 0) < THRESHOLDS.strong:
        return False
    decision = decide(found, THRESHOLDS)
    return decision.kind == "clear" and decision.hits[0].id not in case.candidates


def _named_in(text: str, ignore: frozenset[str]) -> Service | None:
    """The service a question calls by its name ("Welche Unterlagen brauche ich für das Blindengeld?"), or None."""
    if not text:
        return None
    return service_by_id(named_service(content_words(without(text, ignore))))


def _section(tracker: Tracker, named_intent: str | None) -> str:
    """The section of a section question: a `section` entity (button), else by intent, else by its words."""
    from knowledge.vocab import SECTIONS

    value = entity(tracker, "section")
    if value and value in SECTIONS:
        return value
    if named_intent in SECTION_INTENTS:
        return SECTION_INTENTS[named_intent]
    return cue(user_text(tracker))[1] or "procedure"


def cue(text: str) -> tuple[TurnKind | None, str | None]:
    """The follow-up a message without content of its own asks for, from its question words."""
    words = folded_words(text)
    words |= {part for word in words for part in word.split("-")}
    for kind, section, cue in CUES:
        if words & cue:
            return kind, section  # type: ignore[return-value]
    return None, None


def _picked(text: str, case: Case, own: list[str]) -> Service | None:
    """The candidate a message picks: by its place in the list ("das zweite", "eher das Erste") or by a word of its
    name ("die mit der Werkstatt"). A pick that the rest of the message contradicts (it describes something the
    picked service is not about, by the search) is no pick."""
    options = case.candidate_services()
    if not options or not text:
        return None
    found = _ORDINAL.search(text)
    if found is not None:
        index = ORDINALS.get(found.group(1).lower().rstrip("."))
        picked = options[index] if index is not None and index < len(options) else None
    elif (found := _BY_WORD.search(text)) is not None:  # called by name: no doubt about it
        wanted = set(content_words(found.group(1)))
        matching = [s for s in options if wanted and wanted <= _name_words(s)]
        if wanted and not matching:  # not among the options: a service of that name, the best for the case
            named = {s.id for s in deps.get_catalogue() if wanted <= _name_words(s)}
            every = search_case((*case.turns, text), 0, frozenset(), top=len(deps.get_catalogue())).hits
            matching = [h.service for h in every if h.id in named][:1]
        return matching[0] if len(matching) == 1 else None
    else:
        return None
    if picked is None or len(own) < THRESHOLDS.min_words:
        return picked
    best = search_case((*case.turns, text), 0, frozenset()).hits
    return picked if best and best[0].id == picked.id else None


def _name_words(service: Service) -> set[str]:
    names = [service.title, service.title_short or "", *service.synonyms]
    return {w for name in names for w in content_words(name)}
