"""Close spellings of typed answers: small typos accepted, other words and numbers never."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.core.decks.loading import load_decks
from quizapp.core.decks.model import TypedCard
from quizapp.core.quiz import QuizSession, QuizSettings
from quizapp.core.spelling import close_spelling, deck_terms

ALL_TYPES = Path(__file__).resolve().parents[1] / "data" / "decks" / "ui" / "all-types.yaml"


def typed_card(*accepted: str) -> TypedCard:
    (deck,) = load_decks([ALL_TYPES]).decks
    card = deck.card("q-typed")
    assert isinstance(card, TypedCard)
    return card.model_copy(update={"accepted": list(accepted)})


@pytest.mark.parametrize(
    ("accepted", "typed", "spelled"),
    [
        (["protracted withdrawal"], "protacted withdrawal", "protracted withdrawal"),
        (["agoraphobia"], "agorafobia", "agoraphobia"),
        (["diazepam"], "diazepan", "diazepam"),
        (["GABA", "gamma-aminobutyric acid"], "gamma-aminobutyric acd", "gamma-aminobutyric acid"),
    ],
)
def test_small_typos_of_an_accepted_answer_are_accepted(
    accepted: list[str], typed: str, spelled: str
) -> None:
    match = close_spelling(typed_card(*accepted), typed)
    assert match is not None and match.accepted == spelled


@pytest.mark.parametrize(
    ("accepted", "typed", "others"),
    [
        (["GABA"], "GAVA", set()),  # short words get no leeway
        (["diazepam"], "lorazepam", set()),  # another medicine
        (["lorazepam"], "clonazepam", set()),
        (["diazepam"], "diazepan", {"diazepan"}),  # as close to another deck term
        (["oxazepam"], "oxazepan", {"oxazepin"}),  # ...or a tie with one
        (["1-800-222-1222"], "1-800-222-1223", set()),  # numbers are exact
        (["five days"], "nine days", set()),  # a different number in words
        (["5 days"], "6 days", set()),
    ],
)
def test_other_words_and_numbers_are_never_accepted(
    accepted: list[str], typed: str, others: set[str]
) -> None:
    assert close_spelling(typed_card(*accepted), typed, others) is None


def test_the_session_grades_a_close_spelling_right_and_deck_terms_block_others() -> None:
    (deck,) = load_decks([ALL_TYPES]).decks
    assert "opioidpainmedicine" in deck_terms(deck)
    session = QuizSession.start(deck, QuizSettings(shuffle=False))
    while session.current.id != "q-typed":
        session.answer("x")
        session.advance()
    assert session.answer("gamma-aminobutyric acd").correct
