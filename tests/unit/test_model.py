"""The deck model: card types, cross-field rules, answer matching, the JSON Schema."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from quizapp.core.decks.model import (
    MISSION_TOPICS,
    TOPIC_TITLES,
    Deck,
    FlashCard,
    TypedCard,
    consistency_problems,
    deck_json_schema,
    normalize_answer,
)


def _typed(*accepted: str) -> TypedCard:
    return TypedCard.model_validate(
        {
            "id": "t-1",
            "type": "typed",
            "topic": "mechanism",
            "prompt": "Which messenger?",
            "accepted": list(accepted),
            "explanation": "Because.",
            "sources": [{"id": "src"}],
        }
    )


def _errors(raw: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        Deck.model_validate(raw)
    return caught.value.errors(include_url=False)


# --- typed answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    ["GABA", "gaba", " g a b a ", "G.A.B.A.", "gaba!", "Gaba-", "\tGABA\n", "ＧＡＢＡ"],
)
def test_typed_answer_ignores_case_space_and_punctuation(response: str) -> None:
    assert _typed("GABA").matches(response)


@pytest.mark.parametrize(
    "response", ["GABA-A receptor", "gamma aminobutyric acid", "GammaAminobutyric-Acid"]
)
def test_typed_answer_matches_any_accepted_answer(response: str) -> None:
    assert _typed("GABA", "gamma-aminobutyric acid", "GABA A receptor").matches(response)


@pytest.mark.parametrize("response", ["", "   ", "?!", "GAB", "GABAA", "glutamate"])
def test_typed_answer_rejects_wrong_or_empty_responses(response: str) -> None:
    assert not _typed("GABA").matches(response)


def test_normalize_answer() -> None:
    assert normalize_answer("  GABA-A, Receptor! ") == "gabaareceptor"
    assert normalize_answer("Straße") == normalize_answer("STRASSE")
    assert normalize_answer("5 mg") == "5mg"
    assert normalize_answer("...") == ""


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec="ascii", categories=["L", "N", "P", "Zs"]), max_size=60
    ).filter(lambda text: normalize_answer(text) != ""),
    st.sampled_from([str.upper, str.lower, str.title]),
    st.text(alphabet=" .,;:!?-'\"()", max_size=4),
)
def test_typed_answer_matches_itself_with_noise(answer: str, case: Any, noise: str) -> None:
    card = _typed(answer)
    assert card.matches(case(answer))
    assert card.matches(noise + answer.replace(" ", "") + noise)
    assert not card.matches(answer + "x")


def test_typed_accepted_answers_must_differ_after_normalising() -> None:
    with pytest.raises(ValidationError, match="matches an earlier one"):
        _typed("GABA", "g.a.b.a")
    with pytest.raises(ValidationError, match="no letters or digits"):
        _typed("?!")


# --- cards and decks ---------------------------------------------------------------------


def test_sample_deck_validates(sample_raw: dict[str, Any]) -> None:
    deck = Deck.model_validate(sample_raw)
    assert deck.language == "en"
    assert deck.reviewed == dt.date(2026, 11, 21)
    assert deck.pass_mark == 0.8
    assert consistency_problems(deck) == []


def test_choice_shorthand_and_answer_by_text(sample_raw: dict[str, Any]) -> None:
    deck = Deck.model_validate(sample_raw)
    card = deck.card("mech-gaba")
    assert card.choice_texts() == ["Makes GABA work better", "Replaces GABA"]
    assert card.choices[0].feedback is None
    assert card.choices[1].feedback == "It does not act in place of GABA."
    assert card.answer == "Makes GABA work better"


def test_deck_helpers(sample_raw: dict[str, Any]) -> None:
    deck = Deck.model_validate(sample_raw)
    assert [c.id for c in deck.flashcards] == ["mech-flash"]
    assert all(c.type != "flashcard" for c in deck.quiz_cards) and len(deck.quiz_cards) == 5
    assert [c.type for c in deck.flashcards] == ["flashcard"]
    assert isinstance(deck.card("mech-flash"), FlashCard)
    assert deck.cards_per_topic() == {"mechanism": 2, "stopping-safely": 3}
    assert deck.source("dailymed-valium").year == "2024"
    with pytest.raises(KeyError):
        deck.card("nope")
    with pytest.raises(KeyError):
        deck.source("nope")


def test_content_hash_changes_with_content_only(sample_raw: dict[str, Any]) -> None:
    deck = Deck.model_validate(sample_raw)
    again = Deck.model_validate(copy.deepcopy(sample_raw))
    assert deck.cards[0].content_hash() == again.cards[0].content_hash()
    assert len(deck.cards[0].content_hash()) == 16
    sample_raw["cards"][0]["prompt"] += " (edited)"
    edited = Deck.model_validate(sample_raw)
    assert edited.cards[0].content_hash() != deck.cards[0].content_hash()
    assert edited.cards[1].content_hash() == deck.cards[1].content_hash()


def test_models_are_strict(sample_raw: dict[str, Any]) -> None:
    sample_raw["version"] = 1  # no silent int -> str coercion
    sample_raw["cards"][2]["answer"] = "false"  # no silent str -> bool coercion
    kinds = {(tuple(e["loc"]), e["type"]) for e in _errors(sample_raw)}
    assert (("version",), "string_type") in kinds
    assert (("cards", 2, "true_false", "answer"), "bool_type") in kinds


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["cards"][1].__setitem__("id", "mech-gaba"), "already used by card 1"),
        (lambda d: d["cards"][0].__setitem__("topic", "uses"), "not in the deck's topics"),
        (
            lambda d: d["cards"][0]["sources"][0].__setitem__("id", "other"),
            "not in the deck's sources",
        ),
        (lambda d: d["sources"].append(dict(d["sources"][0])), "listed twice"),
        (lambda d: d["topics"].append("mechanism"), "a topic is listed twice"),
    ],
)
def test_cross_field_rules(sample_raw: dict[str, Any], change: Any, expected: str) -> None:
    change(sample_raw)
    (error,) = _errors(sample_raw)
    assert error["type"] == "deck_consistency"
    assert expected in error["ctx"]["summary"]


@pytest.mark.parametrize(
    ("card_index", "field", "value", "expected"),
    [
        (0, "answer", "Replaces gaba", "not one of the choices"),
        (0, "choices", ["x", "X"], "appears twice"),
        (0, "choices", ["only"], "at least 2"),
        (1, "answers", ["a", "a"], "listed twice"),
        (1, "answers", [], "at least 1"),
        (4, "steps", ["a", "b", "A"], "two steps are the same"),
        (4, "steps", list("abcdefg"), "at most 6"),
    ],
)
def test_card_rules(
    sample_raw: dict[str, Any], card_index: int, field: str, value: Any, expected: str
) -> None:
    sample_raw["cards"][card_index][field] = value
    messages = " | ".join(e["msg"] for e in _errors(sample_raw))
    assert expected in messages


def test_topics() -> None:
    assert MISSION_TOPICS == ("mechanism", "uses", "adverse-effects", "stopping-safely")
    assert set(MISSION_TOPICS) <= set(TOPIC_TITLES)
    assert {"daily-use", "emergencies"} <= set(TOPIC_TITLES)


def test_json_schema_allows_choice_shorthand() -> None:
    schema = deck_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"type": "string", "minLength": 1} in schema["$defs"]["Choice"]["anyOf"]
    assert schema["additionalProperties"] is False


def test_card_reviewed_date_is_optional_and_leaves_the_hash_alone(
    sample_raw: dict[str, Any],
) -> None:
    deck = Deck.model_validate(copy.deepcopy(sample_raw))
    assert deck.cards[0].reviewed is None
    sample_raw["cards"][0]["reviewed"] = dt.date(2026, 10, 2)
    dated = Deck.model_validate(copy.deepcopy(sample_raw))
    assert dated.cards[0].reviewed == dt.date(2026, 10, 2)
    # A new review date does not make the card "changed since answered" in statistics,
    # and cards stored before the field existed keep their hashes.
    assert dated.cards[0].content_hash() == deck.cards[0].content_hash()
    sample_raw["cards"][0]["reviewed"] = "last week"
    kinds = {(tuple(e["loc"][-1:]), e["type"]) for e in _errors(sample_raw)}
    assert (("reviewed",), "date_type") in kinds


def test_source_drugs_and_deck_together_are_optional(sample_raw: dict[str, Any]) -> None:
    deck = Deck.model_validate(copy.deepcopy(sample_raw))
    assert deck.together == [] and all(source.drugs is None for source in deck.sources)
    sample_raw["together"] = [["note the time", "watch their breathing"]]
    sample_raw["sources"][0]["drugs"] = ["diazepam"]
    deck = Deck.model_validate(copy.deepcopy(sample_raw))
    assert deck.together == [["note the time", "watch their breathing"]]
    assert deck.sources[0].drugs == ["diazepam"]
    sample_raw["together"] = [["alone"]]
    assert any(e["loc"][0] == "together" for e in _errors(sample_raw))


def test_json_schema_describes_the_new_fields() -> None:
    defs = deck_json_schema()["$defs"]
    assert "together" in deck_json_schema()["properties"]
    assert "drugs" in defs["Source"]["properties"]
    assert "reviewed" in defs["SingleCard"]["properties"]
