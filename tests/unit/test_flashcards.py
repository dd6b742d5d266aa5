"""Flashcards with FSRS: the wrapper matches `fsrs` exactly, the study queue, the daily
new-card limit, and undo in the store.

Everything is real: the `fsrs` package, and SQLite files under `tmp_path`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import fsrs
import pytest

from quizapp.core.decks.loading import load_decks
from quizapp.core.decks.model import Deck
from quizapp.core.flashcards import (
    RATINGS,
    CardState,
    FlashcardScheduler,
    StudyCard,
    build_queue,
    deck_queue,
    next_due,
    relearn_soon,
    start_of_day,
    study_cards,
)
from quizapp.core.store import NotFoundError, ScoreStore, StoredCardState, to_db_time
from tests.conftest import local_timezone
from tests.helpers.clock import Clock

REPO = Path(__file__).resolve().parents[2]
DECKS = REPO / "tests" / "data" / "decks"
FIVE = DECKS / "flashcards" / "five-cards.yaml"
WITH_QUIZ = DECKS / "flashcards" / "include-quiz.yaml"
ALL_TYPES = DECKS / "ui" / "all-types.yaml"

START = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
SEQUENCE = [3, 3, 1, 2, 4, 3, 3]
"""Good, Good, Again, Hard, Easy, Good, Good: learning, review, lapse, relearning, review."""


def load(path: Path) -> Deck:
    result = load_decks([path])
    assert not result.errors, [str(error) for error in result.errors]
    (deck,) = result.decks
    return deck


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> ScoreStore:
    return ScoreStore.open(tmp_path / "quizapp.db", now=clock)


@pytest.fixture
def learner_id(store: ScoreStore) -> int:
    return store.add_learner("Ana").id


def fsrs_reference(
    retention: float, ratings: list[int], start: datetime = START
) -> list[dict[str, Any]]:
    """Card states from calling `fsrs` directly, each review at the previous due time."""
    scheduler = fsrs.Scheduler(enable_fuzzing=False, desired_retention=retention)
    card = fsrs.Card(card_id=0, due=start)
    now = start
    states = []
    for rating in ratings:
        card, log = scheduler.review_card(card, fsrs.Rating(rating), now)
        assert log.review_datetime == now
        states.append(card.to_dict())
        now = card.due
    return states


def rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def review_through_store(
    store: ScoreStore,
    learner_id: int,
    scheduler: FlashcardScheduler,
    deck_id: str,
    card_id: str,
    rating: int,
    now: datetime,
    card_hash: str = "hash-1",
) -> tuple[fsrs.Card, int]:
    """One rating the way the app does it: read the stored state, review, write back."""
    stored = store.card_states(learner_id, deck_id).get(card_id)
    previous = (
        None if stored is None else fsrs.Card.from_dict(stored.state)  # type: ignore[arg-type]
    )
    card, log = scheduler.review(previous, rating, now)
    review_id = store.record_review(
        learner_id,
        deck_id,
        card_id,
        card_hash=card_hash,
        state=card.to_dict(),  # type: ignore[arg-type]
        due=card.due,
        rating=rating,
        reviewed_at=now,
        review=log.to_dict(),  # type: ignore[arg-type]
        previous_state=None if previous is None else previous.to_dict(),  # type: ignore[arg-type]
    )
    return card, review_id


def study(card_id: str, deck_id: str = "d") -> StudyCard:
    return StudyCard(deck_id, card_id, f"front {card_id}", f"back {card_id}", "", f"h-{card_id}")


def scheduled(card_id: str, due: datetime) -> CardState:
    return CardState(card_id, f"h-{card_id}", fsrs.Card(card_id=0, due=due))


# --------------------------------------------------------------------- 1. no drift


@pytest.mark.parametrize("retention", [0.8, 0.9, 0.95])
def test_wrapper_matches_fsrs_exactly(retention: float) -> None:
    expected = fsrs_reference(retention, SEQUENCE)
    scheduler = FlashcardScheduler(retention)
    assert scheduler.fsrs_scheduler.desired_retention == retention
    assert scheduler.fsrs_scheduler.enable_fuzzing is False

    state: fsrs.Card | None = None
    now = START
    for rating, want in zip(SEQUENCE, expected, strict=True):
        state, log = scheduler.review(state, rating, now)
        assert log.rating == RATINGS[rating]
        assert log.review_datetime == now
        # Every field, floats compared exactly: due, stability, difficulty, state, step.
        assert state.to_dict() == want
        now = state.due


@pytest.mark.parametrize("retention", [0.8, 0.95])
def test_store_round_trip_matches_fsrs_exactly(
    store: ScoreStore, learner_id: int, clock: Clock, tmp_path: Path, retention: float
) -> None:
    expected = fsrs_reference(retention, SEQUENCE)
    scheduler = FlashcardScheduler(retention)
    now = START
    for step, (rating, want) in enumerate(zip(SEQUENCE, expected, strict=True)):
        clock.moment = now
        card, _ = review_through_store(store, learner_id, scheduler, "deck", "card", rating, now)
        assert card.to_dict() == want
        # Read back through JSON in the SQLite file: nothing lost, nothing rounded.
        stored = store.card_states(learner_id, "deck")["card"]
        assert stored.state == want
        restored = fsrs.Card.from_dict(stored.state)  # type: ignore[arg-type]
        assert restored.stability == want["stability"]
        assert restored.difficulty == want["difficulty"]
        assert stored.due == datetime.fromisoformat(want["due"])
        assert stored.updated_at == now
        # Times are stored in UTC (`...Z`).
        ((due_text, updated_text),) = rows(
            tmp_path / "quizapp.db", "SELECT due, updated_at FROM card_states"
        )
        assert due_text == to_db_time(stored.due) and due_text.endswith("Z")
        assert updated_text.endswith("Z")
        assert len(store.reviews(learner_id)) == step + 1
        now = stored.due

    logged = store.reviews(learner_id)
    assert [record.rating for record in logged] == SEQUENCE
    assert [record.first_review for record in logged] == [True] + [False] * (len(SEQUENCE) - 1)


def test_retention_changes_review_intervals_not_learning_steps() -> None:
    low, high = fsrs_reference(0.8, SEQUENCE), fsrs_reference(0.95, SEQUENCE)

    def intervals(states: list[dict[str, Any]]) -> list[timedelta]:
        dues = [START] + [datetime.fromisoformat(state["due"]) for state in states]
        return [later - earlier for earlier, later in zip(dues, dues[1:], strict=False)]

    low_gaps, high_gaps = intervals(low), intervals(high)
    review = [i for i, state in enumerate(low) if state["state"] == fsrs.State.Review.value]
    assert review == [1, 4, 5, 6]
    # Learning and relearning steps are fixed minutes; review intervals follow retention.
    for i in range(len(SEQUENCE)):
        if i in review:
            assert low_gaps[i] > high_gaps[i], i
        else:
            assert low_gaps[i] == high_gaps[i] <= timedelta(minutes=15)
    # The wrapper passes retention through: the same split shows in its own results.
    for retention, want in ((0.8, low), (0.95, high)):
        state, _ = FlashcardScheduler(retention).review(None, 3, START)
        state, _ = FlashcardScheduler(retention).review(state, 3, state.due)
        assert state.to_dict() == want[1]
    assert low[1]["due"] != high[1]["due"]


def test_review_accepts_any_utc_offset() -> None:
    # fsrs rejects aware times that are not `timezone.utc`; the wrapper converts.
    scheduler = FlashcardScheduler()
    plus_two = START.astimezone(timezone(timedelta(hours=2)))
    from_utc, _ = scheduler.review(None, 3, START)
    from_offset, _ = scheduler.review(None, 3, plus_two)
    assert from_offset.to_dict() == from_utc.to_dict()
    with pytest.raises(ValueError):
        scheduler.review(None, 3, START.replace(tzinfo=None))


def test_relearn_soon_and_next_due() -> None:
    scheduler = FlashcardScheduler()
    again, _ = scheduler.review(None, 1, START)
    easy, _ = scheduler.review(None, 4, START)
    assert relearn_soon(again, START)
    assert not relearn_soon(easy, START)
    states = {
        "a": CardState("a", "h", again),
        "b": CardState("b", "h", easy),
    }
    assert next_due(states) == again.due == START + timedelta(minutes=1)
    assert next_due({}) is None


# --------------------------------------------------------------------- 2. the queue


def test_build_queue_due_first_most_overdue_first_then_new() -> None:
    cards = [study(card_id) for card_id in ("a", "b", "c", "d", "e", "f", "g")]
    states = {
        "a": scheduled("a", START - timedelta(hours=1)),
        "b": scheduled("b", START + timedelta(minutes=1)),  # not due yet
        "c": scheduled("c", START - timedelta(days=3)),  # most overdue
        "d": scheduled("d", START),  # due exactly now
        "e": scheduled("e", START - timedelta(hours=1)),  # ties with a: deck order
    }
    queue = build_queue(cards, states, START, new_limit=20)
    assert [card.card_id for card in queue] == ["c", "a", "e", "d", "f", "g"]


@pytest.mark.parametrize(
    ("limit", "seen", "new_ids"),
    [
        (20, 0, ["n1", "n2", "n3"]),
        (2, 0, ["n1", "n2"]),
        (3, 1, ["n1", "n2"]),
        (2, 2, []),
        (2, 5, []),
        (0, 0, []),
    ],
)
def test_build_queue_limits_new_cards(limit: int, seen: int, new_ids: list[str]) -> None:
    cards = [study("n1"), study("due"), study("n2"), study("n3")]
    states = {"due": scheduled("due", START - timedelta(days=1))}
    queue = build_queue(cards, states, START, new_limit=limit, new_seen_today=seen)
    # The daily limit never holds back due reviews.
    assert [card.card_id for card in queue] == ["due", *new_ids]


@pytest.mark.parametrize(
    ("limit", "reviewed", "due_ids"),
    [
        (None, 50, ["c", "a", "d"]),
        (3, 0, ["c", "a", "d"]),
        (2, 0, ["c", "a"]),  # the most overdue go first
        (5, 4, ["c"]),
        (2, 2, []),
        (0, 0, []),
    ],
)
def test_build_queue_limits_reviews_of_due_cards(
    limit: int | None, reviewed: int, due_ids: list[str]
) -> None:
    cards = [study(card_id) for card_id in ("a", "new", "c", "d")]
    states = {
        "a": scheduled("a", START - timedelta(hours=1)),
        "c": scheduled("c", START - timedelta(days=3)),
        "d": scheduled("d", START),
    }
    queue = build_queue(
        cards, states, START, new_limit=5, review_limit=limit, reviewed_today=reviewed
    )
    # The review limit never holds back new cards (they have their own limit).
    assert [card.card_id for card in queue] == [*due_ids, "new"]


def test_study_cards_flashcards_only_unless_deck_includes_quiz() -> None:
    five = load(FIVE)
    assert [card.card_id for card in study_cards(five)] == [card.id for card in five.cards]
    first = study_cards(five)[0]
    source = five.card("f-one")
    assert (first.front, first.back) == (source.front, source.back)  # type: ignore[union-attr]
    assert first.card_hash == five.cards[0].content_hash()
    assert first.source is five.cards[0]

    all_types = load(ALL_TYPES)
    assert not all_types.flashcards_include_quiz
    assert [card.card_id for card in study_cards(all_types)] == ["f-gaba"]

    with_quiz = load(WITH_QUIZ)
    assert with_quiz.flashcards_include_quiz
    by_id = {card.card_id: card for card in study_cards(with_quiz)}
    assert list(by_id) == ["q-single", "q-tf", "q-multi", "f-sugar"]
    assert by_id["q-single"].front == "What is metformin mainly used for?"
    assert by_id["q-single"].back == "Type 2 diabetes"
    assert by_id["q-tf"].back == "True"
    assert by_id["q-multi"].back == "Diarrhoea; Nausea"
    assert by_id["q-multi"].explanation == "Stomach upsets are common at first and often settle."
    assert by_id["f-sugar"].back == "Rarely, when taken on its own."
    assert {card.card_hash for card in by_id.values()} == {
        card.content_hash() for card in with_quiz.cards
    }


def test_start_of_day_is_utc_midnight_under_tz_utc() -> None:
    assert start_of_day(START) == datetime(2026, 11, 21, tzinfo=UTC)
    assert start_of_day(datetime(2026, 11, 21, 0, 0, tzinfo=UTC)) == datetime(
        2026, 11, 21, tzinfo=UTC
    )
    assert start_of_day(START).tzinfo == UTC


@pytest.fixture
def tz_minus_five() -> Iterator[None]:
    """Local time five hours behind UTC (a POSIX TZ string, no tz database needed)."""
    with local_timezone("XST5"):
        yield


def test_start_of_day_is_local_midnight(tz_minus_five: None) -> None:
    # 03:00 UTC is 22:00 the day before locally: the day began at 05:00 UTC the day before.
    assert start_of_day(datetime(2026, 11, 21, 3, 0, tzinfo=UTC)) == datetime(
        2026, 11, 20, 5, 0, tzinfo=UTC
    )
    assert start_of_day(START) == datetime(2026, 11, 21, 5, 0, tzinfo=UTC)


def test_new_cards_since_counts_first_reviews_and_resets_at_midnight(
    store: ScoreStore, learner_id: int, clock: Clock
) -> None:
    scheduler = FlashcardScheduler()
    yesterday_late = datetime(2026, 11, 20, 23, 50, tzinfo=UTC)
    for card_id in ("y1", "y2"):
        review_through_store(store, learner_id, scheduler, "deck", card_id, 3, yesterday_late)
    today = start_of_day(START)
    assert store.new_cards_since(learner_id, "deck", today) == 0
    assert store.new_cards_since(learner_id, "deck", today - timedelta(days=1)) == 2

    # Today: two new cards, a second review of one of them and of yesterday's card
    # (not new), and a new card in another deck.
    for card_id in ("t1", "t2", "t1", "y1"):
        review_through_store(store, learner_id, scheduler, "deck", card_id, 3, START)
    review_through_store(store, learner_id, scheduler, "other", "t1", 3, START)
    assert store.new_cards_since(learner_id, "deck", today) == 2
    assert store.new_cards_since(learner_id, "other", today) == 1
    other_learner = store.add_learner("Ben").id
    assert store.new_cards_since(other_learner, "deck", today) == 0

    # Tomorrow the count starts again from zero.
    tomorrow = START + timedelta(days=1)
    assert store.new_cards_since(learner_id, "deck", start_of_day(tomorrow)) == 0
    # Reviews of cards already learnt: the second "t1" and "y1" today.
    assert store.reviews_since(learner_id, "deck", today) == 2
    assert store.reviews_since(learner_id, "other", today) == 0
    assert store.reviews_since(learner_id, "deck", start_of_day(tomorrow)) == 0


def test_deck_queue_from_store_applies_daily_limit(
    store: ScoreStore, learner_id: int, clock: Clock
) -> None:
    deck = load(FIVE)
    scheduler = FlashcardScheduler()
    hashes = {card.id: card.content_hash() for card in deck.cards}
    # Yesterday: f-one Good twice (a review in 2 days), f-two Again (due in a minute).
    yesterday = START - timedelta(days=1)
    for card_id, rating in (("f-one", 3), ("f-one", 3), ("f-two", 1)):
        review_through_store(
            store, learner_id, scheduler, deck.id, card_id, rating, yesterday, hashes[card_id]
        )
    # Today, before now: f-three introduced and rated Easy (days away).
    review_through_store(
        store,
        learner_id,
        scheduler,
        deck.id,
        "f-three",
        4,
        START - timedelta(hours=1),
        hashes["f-three"],
    )

    queue, states = deck_queue(store, learner_id, deck, START, new_limit=2)
    assert set(states) == {"f-one", "f-two", "f-three"}
    assert all(isinstance(state.fsrs_card, fsrs.Card) for state in states.values())
    assert states["f-two"].card_hash == hashes["f-two"]
    # f-two is due; of the new cards only one fits (limit 2, one seen today).
    assert [card.card_id for card in queue] == ["f-two", "f-four"]
    queue, _ = deck_queue(store, learner_id, deck, START, new_limit=20)
    assert [card.card_id for card in queue] == ["f-two", "f-four", "f-five"]
    # Three days on f-one (due in two) is due too; f-two has waited longer, so it leads.
    later = START + timedelta(days=3)
    queue, _ = deck_queue(store, learner_id, deck, later, new_limit=2)
    assert [card.card_id for card in queue][:2] == ["f-two", "f-one"]
    assert [card.card_id for card in queue][2:] == ["f-four", "f-five"]


# --------------------------------------------------------------------- 3. undo


def card_row(db: Path) -> list[tuple[Any, ...]]:
    return rows(
        db,
        "SELECT learner_id, deck_id, card_id, card_hash, state_json, due, updated_at"
        " FROM card_states ORDER BY card_id",
    )


def test_undo_restores_exact_prior_state(
    store: ScoreStore, learner_id: int, tmp_path: Path
) -> None:
    db = tmp_path / "quizapp.db"
    scheduler = FlashcardScheduler()
    first, first_id = review_through_store(store, learner_id, scheduler, "deck", "c", 3, START)
    second, second_id = review_through_store(
        store, learner_id, scheduler, "deck", "c", 3, first.due
    )
    other, _ = review_through_store(store, learner_id, scheduler, "deck", "other", 1, first.due)
    before_rows = card_row(db)
    before: StoredCardState = store.card_states(learner_id, "deck")["c"]
    log_before = rows(db, "SELECT * FROM review_log ORDER BY id")

    # A lapse, reviewed after the card was edited (a new hash).
    _, third_id = review_through_store(
        store, learner_id, scheduler, "deck", "c", 1, second.due, card_hash="hash-2"
    )
    changed = store.card_states(learner_id, "deck")["c"]
    assert changed.card_hash == "hash-2" and changed.state != before.state

    # Only the card's latest review can be undone.
    with pytest.raises(ValueError, match="latest"):
        store.undo_review(second_id)
    with pytest.raises(ValueError):
        store.undo_review(first_id)
    assert len(rows(db, "SELECT id FROM review_log")) == len(log_before) + 1

    store.undo_review(third_id)
    after = store.card_states(learner_id, "deck")["c"]
    assert (after.state, after.due, after.card_hash, after.updated_at) == (
        before.state,
        before.due,
        before.card_hash,
        before.updated_at,
    )
    assert after.state == second.to_dict()
    # Byte for byte, in the file: every card's row, and the log without the undone entry.
    assert card_row(db) == before_rows
    assert rows(db, "SELECT * FROM review_log ORDER BY id") == log_before
    assert third_id not in {record.id for record in store.reviews(learner_id)}
    with pytest.raises(NotFoundError):
        store.undo_review(third_id)

    # The card's next review carries on from the restored state, as fsrs would.
    redo, _ = review_through_store(store, learner_id, scheduler, "deck", "c", 3, second.due)
    direct, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card.from_dict(before.state),
        fsrs.Rating.Good,
        second.due,  # type: ignore[arg-type]
    )
    assert redo.to_dict() == direct.to_dict()
    assert other.to_dict() == store.card_states(learner_id, "deck")["other"].state


def test_undo_first_review_deletes_the_state(
    store: ScoreStore, learner_id: int, tmp_path: Path
) -> None:
    db = tmp_path / "quizapp.db"
    scheduler = FlashcardScheduler()
    review_through_store(store, learner_id, scheduler, "deck", "keep", 4, START)
    keep_rows = card_row(db)
    _, review_id = review_through_store(store, learner_id, scheduler, "deck", "new", 3, START)
    assert store.new_cards_since(learner_id, "deck", start_of_day(START)) == 2

    store.undo_review(review_id)
    assert "new" not in store.card_states(learner_id, "deck")
    assert card_row(db) == keep_rows
    assert [record.card_id for record in store.reviews(learner_id)] == ["keep"]
    # An undone first review no longer counts against the daily new-card limit.
    assert store.new_cards_since(learner_id, "deck", start_of_day(START)) == 1

    # Undo everything: no schedule, no log.
    (keep_id,) = [record.id for record in store.reviews(learner_id)]
    store.undo_review(keep_id)
    assert store.card_states(learner_id, "deck") == {}
    assert store.reviews(learner_id) == []


def test_record_review_rejects_bad_rating(store: ScoreStore, learner_id: int) -> None:
    card, log = FlashcardScheduler().review(None, 3, START)
    with pytest.raises(ValueError):
        store.record_review(
            learner_id,
            "deck",
            "c",
            card_hash="h",
            state=card.to_dict(),  # type: ignore[arg-type]
            due=card.due,
            rating=5,
            reviewed_at=START,
            review=log.to_dict(),  # type: ignore[arg-type]
            previous_state=None,
        )
    assert store.card_states(learner_id, "deck") == {}


def test_review_json_is_plain_json(store: ScoreStore, learner_id: int, tmp_path: Path) -> None:
    review_through_store(store, learner_id, FlashcardScheduler(), "deck", "c", 2, START)
    ((state_json, review_json, previous),) = rows(
        tmp_path / "quizapp.db",
        "SELECT s.state_json, l.review_json, l.previous_state_json FROM card_states s"
        " JOIN review_log l USING (learner_id, deck_id, card_id)",
    )
    assert json.loads(state_json)["due"] == (START + timedelta(minutes=5, seconds=30)).isoformat()
    assert json.loads(review_json)["rating"] == 2
    assert previous is None
