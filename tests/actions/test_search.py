"""action_search_services: answer with the best few, or ask back (vague situation, close results)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from action_harness import choose, chosen_ids, run, snapshot

from actions import deps, texts
from actions.talk import ActionSearchServices
from actions.understanding import MOST_ASKED, THRESHOLDS, Findings, content_words, decide, find

ACTION = ActionSearchServices()
LEBENSLAGE_PAYLOADS = [payload(texts.STANDARD) for _, payload in texts.LEBENSLAGE_CHOICES]


# --- the decision rule (pure) ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    service: Any = None


def hits(*scores: float) -> list[Hit]:
    return [Hit(f"s{i}", score) for i, score in enumerate(scores)]


T = THRESHOLDS
STRONG, WEAK, NONE = T.strong * 2, (T.min_evidence + T.strong) / 2, T.min_evidence / 2  # lexical evidence levels
CLOSE = 1 - T.margin / 2  # a score within the margin of the top score 1.0
APART = 1 - T.margin * 2
RELATED = T.related + (1 - T.related) / 4


@pytest.mark.parametrize(
    ("scores", "words", "evidence", "clarified", "kind", "shown"),
    [
        # one clearly best result → answer, with related ones that are not too far behind
        ((1.0, 0.2), 5, STRONG, False, "clear", 1),
        ((1.0, min(APART, RELATED), 0.1), 5, STRONG, False, "clear", 2),
        ((1.0, APART, 0.1), 5, WEAK, False, "clear", 1 + (T.related <= APART)),  # long: weak evidence is enough
        # the best results are within the margin → ask between them
        ((1.0, CLOSE), 5, STRONG, False, "close", 2),
        ((1.0, 1.0, 1.0, 0.5), 5, STRONG, False, "close", 3),
        # few content words and no strong evidence → ask about the situation (offering the hits), but only once
        ((1.0, 0.1), T.min_words - 1, WEAK, False, "vague", 2),
        ((1.0, 0.1), T.min_words - 1, WEAK, True, "options", 2),
        # no content word at all → always vague (the hits would be noise: the most asked services are offered)
        ((1.0, 0.1), 0, STRONG, False, "vague", 0),
        # few words but strong evidence (the service's name) → answer
        ((1.0, 0.1), 1, STRONG, False, "clear", 1),
        # nothing relevant: no hits, or too little evidence
        ((), 5, None, False, "none", 0),
        ((1.0, 0.5), 5, 0.0, False, "none", 0),  # words the catalogue does not know at all
        ((1.0, 0.5), 5, NONE, False, "vague", 2),  # known but unspecific words: a guided choice
        ((1.0, 0.5), 5, NONE, True, "options", 2),
        ((), 0, None, False, "vague", 0),  # no word at all
        ((), 1, None, True, "none", 0),
        # a retriever without lexical evidence: decided by words and scores alone
        ((1.0, 0.2), 5, None, False, "clear", 1),
        ((1.0, 0.2), 1, None, False, "vague", 2),
    ],
)
def test_decide(scores: tuple[float, ...], words: int, evidence: float | None, clarified: bool, kind: str,
                shown: int) -> None:  # fmt: skip
    decision = decide(Findings(hits(*scores), words, evidence), T, clarified=clarified)  # type: ignore[arg-type]
    assert (decision.kind, len(decision.hits)) == (kind, shown)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Hilfe", 0),
        ("Ich brauche Hilfe bei einem Antrag", 0),
        ("Blindengeld", 1),
        ("Ich bin blind und brauche Geld", 2),
        ("Mein Sohn ist 4 und hat Autismus", 2),
    ],
)
def test_content_words(text: str, count: int) -> None:
    assert len(content_words(text)) == count


# --- the action -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected_top", "place", "authority"),
    [
        ("Ich bin seit meiner Geburt blind und wohne in Köln. Wie bekomme ich Blindengeld?", "blindengeld",
         "Köln", "LVR"),
        ("Wo beantrage ich einen Schwerbehindertenausweis? Ich wohne in Troisdorf.", "schwerbehindertenausweis",
         "Troisdorf", "Kreis/kreisfreie Stadt"),
        ("Ich möchte das Persönliche Budget beantragen und wohne in Dortmund.", "persoenliches-budget", "Dortmund",
         "LWL"),
        ("Was ist eine KoKoBe?", "kokobe", None, None),
    ],
)  # fmt: skip
def test_clear_request_is_answered_with_teaser_buttons_and_metadata(
    catalogue: Any, text: str, expected_top: str, place: str | None, authority: str | None
) -> None:
    out = run(ACTION, snapshot(text))
    service = catalogue[expected_top]
    assert out.slots["service_id"] == expected_top
    assert out.slots["candidate_ids"][0] == expected_top
    assert len(out.slots["candidate_ids"]) <= 3
    assert service.teaser in out.text
    assert f'/ask_documents{{"service_id":"{expected_top}"}}' in out.payloads
    assert out.metadata is not None and out.last_is_metadata
    assert out.metadata["service_ids"][0] == expected_top
    assert out.metadata["authority"] == authority
    assert out.metadata["fallback"] is False and out.metadata["handoff"] is None
    if place:
        assert out.slots["place"] == place
    else:
        assert "place" not in out.slots


@pytest.mark.parametrize("text", ["Hilfe", "Ich brauche Hilfe bei einem Antrag", "Ich habe eine Frage"])
def test_vague_situation_gets_a_guided_choice(text: str) -> None:
    """Lebenslagen and the most asked services as buttons: never a dead end."""
    out = run(ACTION, snapshot(text))
    assert out.text == texts.VAGUE_QUESTION(texts.STANDARD)
    offered = chosen_ids(out.payloads)
    assert out.payloads[: len(LEBENSLAGE_PAYLOADS)] == LEBENSLAGE_PAYLOADS and offered == list(MOST_ASKED)
    assert out.slots["case_turns"] == [text] and out.slots["candidate_ids"] == offered
    assert out.slots.get("service_id") is None
    assert out.metadata == {
        "service_ids": offered, "authority": None, "handoff": None, "fallback": False, "language": "de",
    }


def test_broad_content_gets_a_guided_choice_with_what_it_found() -> None:
    """ "Ich habe eine Behinderung, was steht mir zu?" is broad, but the catalogue knows its words: offer those."""
    out = run(ACTION, snapshot("Ich habe eine Behinderung, was steht mir zu?"))
    assert out.text in (texts.VAGUE_QUESTION(texts.STANDARD),) or out.text.startswith("Ich habe mehrere")
    assert out.text != texts.NOTHING_FOUND(texts.STANDARD)
    assert chosen_ids(out.payloads) and out.metadata is not None and out.metadata["fallback"] is False


@pytest.mark.parametrize("text", ["Ich bin blind", "Frühförderung für mein Kind"])
def test_close_results_get_a_choice_between_them(text: str) -> None:
    decision = decide(find(text), THRESHOLDS)
    assert decision.kind == "close", "the example must be close on the real catalogue"
    out = run(ACTION, snapshot(text))
    titles = [h.service.button_title for h in decision.hits]
    options = texts.join_or(titles, texts.STANDARD)
    assert out.text.startswith(f"Ich habe mehrere passende Angebote gefunden. Geht es um {options}?")
    assert chosen_ids(out.payloads) == [h.id for h in decision.hits]
    assert out.slots["case_turns"] == [text] and out.slots.get("service_id") is None
    assert out.metadata is not None and out.metadata["service_ids"] == [h.id for h in decision.hits]


@pytest.mark.parametrize(
    ("situation", "answer", "lebenslagen"),
    [
        ("Ich brauche Hilfe", "Es geht um mein Kind", {"kind-entwicklung", "schule-ausbildung", "familie-adoption",
                                                       "kita-jugendhilfe-traeger"}),
        ("Ich brauche Unterstützung", "Es geht um Arbeit und Beruf", {"arbeit-beruf", "arbeitgeber",
                                                                     "schule-ausbildung"}),
    ],
)  # fmt: skip
def test_answer_to_the_clarifying_question_is_combined_with_the_situation(
    catalogue: Any, situation: str, answer: str, lebenslagen: set[str]
) -> None:
    out = run(ACTION, snapshot(answer, slots={"case_turns": [situation]}))
    shown = out.metadata["service_ids"] if out.metadata else []
    assert shown, "the combined situation must find something"
    assert all(lebenslagen & set(catalogue[i].lebenslagen) for i in shown)
    assert out.text != texts.VAGUE_QUESTION(texts.STANDARD), "never the same clarifying question twice"


def test_a_service_named_that_the_case_had_not_found_starts_a_new_case() -> None:
    state = snapshot("Wie beantrage ich das Blindengeld?",
                     slots={"case_turns": ["Mein Sohn braucht Hilfe in der Schule"],
                            "candidate_ids": ["schulbegleitung"], "service_id": "schulbegleitung",
                            "place": "Köln", "ags": "05315000",
                            "landschaftsverband": "LVR"})  # fmt: skip
    out = run(ACTION, state)
    assert out.slots["service_id"] == "blindengeld"
    assert out.slots["case_turns"] == ["Wie beantrage ich das Blindengeld?"]
    assert "place" not in out.slots, "the place stays"
    assert out.metadata is not None and out.metadata["authority"] == "LVR"


@pytest.fixture
def hybrid(monkeypatch: pytest.MonkeyPatch, catalogue: Any) -> None:
    """The real hybrid retriever (model + FAISS index) behind actions.deps; `make test` builds the index first."""
    from knowledge.errors import IndexError_, ModelLoadError
    from knowledge.search import Retriever

    try:
        retriever = Retriever.load(catalogue=catalogue)
    except (IndexError_, ModelLoadError) as exc:
        pytest.skip(f"no usable index: {exc}")
    monkeypatch.setattr(deps, "get_retriever", lambda: retriever)


@pytest.mark.usefixtures("hybrid")
def test_details_told_over_several_turns_add_up(catalogue: Any) -> None:
    """ "Ich brauche Unterstützung bei der Arbeit", then "Ich sitze im Rollstuhl und unser Büro hat keinen Aufzug":
    the second turn alone is about a wheelchair and a building; together they are about the workplace."""
    first = run(ACTION, snapshot("Ich brauche Unterstützung bei der Arbeit"))
    second = run(ACTION, snapshot("Ich sitze im Rollstuhl und unser Büro hat keinen Aufzug",
                                  slots={**first.slots, "case_turns": first.slots["case_turns"]}))  # fmt: skip
    assert second.slots["case_turns"] == ["Ich brauche Unterstützung bei der Arbeit",
                                          "Ich sitze im Rollstuhl und unser Büro hat keinen Aufzug"]  # fmt: skip
    work = {"arbeit-beruf", "arbeitgeber"}
    alone = find("Ich sitze im Rollstuhl und unser Büro hat keinen Aufzug").hits[0].id
    assert not work & set(catalogue[alone].lebenslagen), "the example: alone it is about housing"
    assert second.metadata is not None and second.metadata["service_ids"]
    best = second.metadata["service_ids"][0]
    assert work & set(catalogue[best].lebenslagen), second.metadata["service_ids"]


def test_nothing_found_is_said_honestly_with_fallback_metadata() -> None:
    out = run(ACTION, snapshot("Quantenchromodynamik Xylophon Zwetschgenkuchen"))
    assert out.text == texts.NOTHING_FOUND(texts.STANDARD)
    assert out.metadata == {
        "service_ids": [], "authority": None, "handoff": None, "fallback": True, "language": "de",
    }


def test_clear_result_for_a_place_dependent_service_asks_for_the_place(catalogue: Any) -> None:
    out = run(ACTION, snapshot("Ich bin seit meiner Geburt blind. Wie bekomme ich Blindengeld?"))
    assert out.slots["service_id"] == "blindengeld"
    assert "Wo wohnen Sie?" in out.visible[-1]["text"]
    assert out.metadata is not None and out.metadata["authority"] is None


def test_leichte_sprache_uses_the_leichte_sprache_text(catalogue: Any) -> None:
    text = "Ich bin seit meiner Geburt blind und wohne in Köln. Wie bekomme ich Blindengeld?"
    out = run(ACTION, snapshot(text, slots={"leichte_sprache": True}))
    assert catalogue["blindengeld"].leichte_sprache in out.text
    assert catalogue["blindengeld"].teaser not in out.text


def test_choose_payload_is_the_contract_format() -> None:
    assert choose("blindengeld") == '/choose_service{"service_id":"blindengeld"}'


@pytest.mark.usefixtures("hybrid")
def test_search_with_the_built_hybrid_index() -> None:
    """On the real hybrid retriever (model + FAISS index), as the action server runs."""
    out = run(
        ACTION, snapshot("Ich bin seit meiner Geburt blind und wohne in Köln. Welches Geld bekomme ich vom Land?")
    )
    assert out.metadata is not None and "blindengeld" in out.metadata["service_ids"]
    assert out.slots["place"] == "Köln"
    assert 1 <= len(out.metadata["service_ids"]) <= 3


@pytest.mark.parametrize(
    ("text", "service_id"),
    [("Blindengeld", "blindengeld"), ("Persönliches Budget", "persoenliches-budget"), ("KoKoBe", "kokobe")],
)
def test_a_service_called_by_its_name_is_answered(text: str, service_id: str) -> None:
    out = run(ACTION, snapshot(text))
    assert out.slots["service_id"] == service_id
    assert out.metadata is not None and out.metadata["service_ids"][0] == service_id


def test_a_stated_age_counts_as_a_fact_of_the_situation(catalogue: Any) -> None:
    """Two content words alone are vague; with the child's age the same message is specific enough to answer."""
    text = "Mein Sohn ist 4 und spricht noch nicht richtig"
    found = find(text)
    assert found.words == T.min_words - 1 and (found.evidence or 0) < T.strong, "the example must be short and weak"

    without_age = run(ACTION, snapshot(text))
    assert without_age.text == texts.VAGUE_QUESTION(texts.STANDARD)

    with_age = run(ACTION, snapshot(text, entities={"age": 4}))
    assert with_age.text != texts.VAGUE_QUESTION(texts.STANDARD)
    best = with_age.metadata["service_ids"][0]
    assert best == found.hits[0].id and "kind-entwicklung" in catalogue[best].lebenslagen


@pytest.mark.parametrize(
    ("text", "intent", "entities", "place", "authority"),
    [
        ("und wie ist das bei 50667", "inform_age", {"plz": "50667"}, "Köln", "LVR"),  # a postal code read as an age
        ("und wenn ich in Bielefeld wohne?", "describe_situation", {"place": "Bielefeld"}, "Bielefeld", "LWL"),
    ],
)
def test_a_message_with_only_a_place_gets_the_responsibility(
    text: str, intent: str, entities: dict[str, str], place: str, authority: str
) -> None:
    out = run(ACTION, snapshot(text, intent=intent, entities=entities, slots={"service_id": "blindengeld"}))
    assert out.slots["place"] == place
    assert out.metadata is not None
    assert out.metadata["service_ids"] == ["blindengeld"] and out.metadata["authority"] == authority
    assert out.text != texts.VAGUE_QUESTION(texts.STANDARD)


@pytest.mark.parametrize(
    ("text", "entities", "place"),
    [
        ("Ich bin blind und wohne in Köln", {"place": "Köln"}, "Köln"),
        ("Er ist 4, wir wohnen in Bonn", {"age": 4, "place": "Bonn"}, "Bonn"),
    ],
)
def test_a_place_with_more_to_say_is_still_searched(text: str, entities: dict[str, Any], place: str) -> None:
    """Content words or a stated age make it a situation: it is added to the case and searched (the place kept)."""
    out = run(ACTION, snapshot(text, entities=entities, slots={"service_id": "schulbegleitung",
                                                               "candidate_ids": ["schulbegleitung"]}))  # fmt: skip
    assert out.slots["case_turns"] == [text] and out.slots["place"] == place
    assert out.metadata is not None and out.metadata["service_ids"] and out.metadata["fallback"] is False
    assert out.text != texts.NOTHING_FOUND(texts.STANDARD)
    assert out.slots["place"] == entities["place"]
