"""FlashcardSession without a UI: today's queue, requeue, undo and counters, and the
writes `recording` makes for it.

Everything is real: the `fsrs` package, the test decks, and SQLite files under `tmp_path`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest

from quizapp.core import recording
from quizapp.core.decks.loading import load_decks
from quizapp.core.decks.model import Deck
from quizapp.core.flashcards import FlashcardSession
from quizapp.core.store import ScoreStore

DECKS = Path(__file__).resolve().parents[1] / "data" / "decks" / "flashcards"
FIVE = DECKS / "five-cards.yaml"
WITH_QUIZ = DECKS / "include-quiz.yaml"
START = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
FIVE_IDS = ["f-one", "f-two", "f-three", "f-four", "f-five"]


def load(path: Path) -> Deck:
    result = load_decks([path])
    assert not result.errors, [str(error) for error in result.errors]
    (deck,) = result.decks
    return deck


@pytest.fixture
def store(tmp_path: Path) -> ScoreStore:
    return ScoreStore.open(tmp_path / "quizapp.db", now=lambda: START)


@pytest.fixture
def learner_id(store: ScoreStore) -> int:
    return store.add_learner("Ana").id


def session_at(
    store: ScoreStore, learner_id: int, now: datetime, *decks: Deck, new_limit: int = 20
) -> FlashcardSession:
    return FlashcardSession.load(
        store, learner_id, decks, now, new_limit=new_limit, desired_retention=0.9
    )


def ids(session: FlashcardSession) -> list[str]:
    return [card.card_id for card in session.queue]


def stored(store: ScoreStore, learner_id: int, deck_id: str) -> dict[str, dict[str, Any]]:
    return {card_id: row.state for card_id, row in store.card_states(learner_id, deck_id).items()}


def test_a_first_session_is_new_cards_in_deck_order_up_to_the_limit(
    store: ScoreStore, learner_id: int
) -> None:
    deck = load(FIVE)
    session = session_at(store, learner_id, START, deck, new_limit=3)
    assert ids(session) == FIVE_IDS[:3]
    assert session.current is not None and session.current.card_id == "f-one"
    assert session.state_of(session.current) is None
    assert (session.reviewed, session.again, session.can_undo) == (0, 0, False)
    assert session.next_due() is None


def test_again_requeues_the_card_and_counts_it(store: ScoreStore, learner_id: int) -> None:
    session = session_at(store, learner_id, START, load(FIVE), new_limit=2)
    rated = session.rate(1, START)
    # fsrs brings an "Again" back within minutes: it is asked again at the end.
    assert rated.requeued
    assert ids(session) == ["f-two", "f-one"]
    assert (session.reviewed, session.again) == (1, 1)
    assert session.next_due() == rated.state.due == START + timedelta(minutes=1)

    rated = session.rate(4, START)  # Easy: days away, not again today
    assert not rated.requeued
    assert ids(session) == ["f-one"]
    assert (session.reviewed, session.again) == (2, 1)


def test_ratings_follow_fsrs_exactly(store: ScoreStore, learner_id: int) -> None:
    session = session_at(store, learner_id, START, load(FIVE), new_limit=1)
    scheduler = fsrs.Scheduler(enable_fuzzing=False, desired_retention=0.9)
    reference = fsrs.Card(card_id=0, due=START)
    now = START
    for rating in (3, 3, 1, 3):
        if session.current is None:  # graduated: it comes back on a later day
            session = session_at(store, learner_id, now, load(FIVE), new_limit=0)
        rated = session.rate(rating, now)
        recording.record_review(store, learner_id, rated)
        reference, _ = scheduler.review_card(reference, fsrs.Rating(rating), now)
        assert rated.state.fsrs_card.to_dict() == reference.to_dict()
        # What is stored is what was computed, and the due column agrees with the state.
        row = store.card_states(learner_id, "test-flash-five")["f-one"]
        assert row.state == reference.to_dict()
        assert row.due == reference.due
        now = reference.due


def test_undo_restores_queue_counters_state_and_store(store: ScoreStore, learner_id: int) -> None:
    deck = load(FIVE)
    first = session_at(store, learner_id, START, deck, new_limit=2)
    recording.record_review(store, learner_id, first.rate(4, START))
    later = START + timedelta(days=30)
    before = stored(store, learner_id, deck.id)

    session = session_at(store, learner_id, later, deck, new_limit=2)
    # Due first, then new ones: a new day, so two more new cards.
    assert ids(session) == ["f-one", "f-two", "f-three"]
    previous = session.state_of(session.queue[0])
    assert previous is not None

    rated = session.rate(1, later)
    recording.record_review(store, learner_id, rated)
    assert rated.review_id and rated.previous == previous
    assert ids(session) == ["f-two", "f-three", "f-one"]
    assert stored(store, learner_id, deck.id) != before

    undone = session.undo()
    assert undone is rated
    recording.undo_review(store, undone)
    # The card is back in front, once (its requeued copy is gone), with its old state.
    assert ids(session) == ["f-one", "f-two", "f-three"]
    assert session.state_of(session.queue[0]) == previous
    assert (session.reviewed, session.again, session.can_undo) == (0, 0, False)
    assert stored(store, learner_id, deck.id) == before
    assert session.undo() is None


def test_undo_of_a_new_card_forgets_its_state(store: ScoreStore, learner_id: int) -> None:
    deck = load(FIVE)
    session = session_at(store, learner_id, START, deck, new_limit=1)
    rated = session.rate(3, START)
    recording.record_review(store, learner_id, rated)
    recording.undo_review(store, session.undo())  # type: ignore[arg-type]
    assert session.state_of(session.queue[0]) is None
    assert session.next_due() is None
    assert stored(store, learner_id, deck.id) == {}


def test_a_bad_rating_changes_nothing(store: ScoreStore, learner_id: int) -> None:
    session = session_at(store, learner_id, START, load(FIVE), new_limit=2)
    with pytest.raises(ValueError, match="1-4"):
        session.rate(5, START)
    assert ids(session) == ["f-one", "f-two"]
    assert (session.reviewed, session.can_undo) == (0, False)


def test_several_decks_keep_their_cards_apart(store: ScoreStore, learner_id: int) -> None:
    five, with_quiz = load(FIVE), load(WITH_QUIZ)
    session = session_at(store, learner_id, START, five, with_quiz, new_limit=2)
    assert [(card.deck_id, card.card_id) for card in session.queue][:2] == [
        (five.id, "f-one"),
        (five.id, "f-two"),
    ]
    assert {card.deck_id for card in session.queue[2:]} == {with_quiz.id}
    assert set(session.decks) == {five.id, with_quiz.id}
    while session.current is not None and session.current.deck_id == five.id:
        recording.record_review(store, learner_id, session.rate(4, START))
    assert set(stored(store, learner_id, five.id)) == {"f-one", "f-two"}
    assert stored(store, learner_id, with_quiz.id) == {}
