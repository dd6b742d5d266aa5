"""The card browser's core and the studying helpers: search over the bundled decks (checked
against the YAML files read independently), filters, keeping the index in step, practice
sessions from a selection, interval previews and the progress series."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.core.card_browser import (
    can_suspend,
    card_record,
    deck_index_hash,
    indexed_card,
    practice_sessions,
    resolve,
    sync_index,
)
from quizapp.core.decks.loading import load_decks
from quizapp.core.decks.model import Deck
from quizapp.core.flashcards import (
    FlashcardScheduler,
    deck_queue,
    format_interval,
    interval_previews,
    rating_labels,
    study_cards,
)
from quizapp.core.progress import current_streak, forecast, load_progress
from quizapp.core.store import CardFilters, ScoreStore
from tests.helpers.deck_text import BUNDLED, cards_containing

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def bundled() -> list[Deck]:
    result = load_decks([BUNDLED])
    assert not result.errors
    return list(result.decks)


@pytest.fixture
def store(tmp_path: Path) -> ScoreStore:
    return ScoreStore.open(tmp_path / "quizapp.db", now=lambda: NOW)


def found(store: ScoreStore, learner: int | None = None, **filters: object) -> set[tuple[str, str]]:
    rows = store.search_cards(CardFilters(**filters), learner, NOW)  # type: ignore[arg-type]
    return {(row.deck_id, row.card_id) for row in rows}


@pytest.mark.parametrize("word", ["naloxone", "NALOXONE", "Naloxone", "988", "seizure"])
def test_search_finds_exactly_the_cards_whose_text_contains_the_word(
    store: ScoreStore, bundled: list[Deck], word: str
) -> None:
    sync_index(store, bundled)
    expected = cards_containing(word)
    assert found(store, text=word) == expected
    if word.lower() == "naloxone":
        # Across decks, not one deck only.
        assert len({deck for deck, _ in expected}) >= 2


def test_short_and_special_searches_match_literally(store: ScoreStore, bundled: list[Deck]) -> None:
    sync_index(store, bundled)
    # Under three characters: LIKE instead of trigrams, same meaning.
    assert found(store, text="91") == cards_containing("91")
    # FTS5 query syntax is searched for as text, never parsed.
    for text in ('"', "NOT", "a*", "OR (", "%", "_"):
        assert found(store, text=text) == cards_containing(text), text
    assert found(store, text="") == {(d.id, c.id) for d in bundled for c in d.cards}


def test_filters_combine(store: ScoreStore, bundled: list[Deck]) -> None:
    sync_index(store, bundled)
    deck = bundled[0]
    assert found(store, deck_id=deck.id) == {(deck.id, c.id) for c in deck.cards}
    critical = {(d.id, c.id) for d in bundled for c in d.cards if c.critical}
    assert critical and found(store, critical=True) == critical
    topic = deck.cards[0].topic
    assert found(store, deck_id=deck.id, topic=topic) == {
        (deck.id, c.id) for c in deck.cards if c.topic == topic
    }
    flashcards = {(d.id, c.id) for d in bundled for c in d.cards if c.type == "flashcard"}
    assert found(store, card_type="flashcard") == flashcards


def test_learner_filters_due_wrong_and_suspended(store: ScoreStore, bundled: list[Deck]) -> None:
    sync_index(store, bundled)
    deck = bundled[0]
    ann = store.add_learner("Ann").id
    quiz = [c for c in deck.cards if c.type != "flashcard"][:2]
    attempt = store.start_attempt(ann, deck.id, deck.version, deck.title, "practice", {})
    for card, correct in zip(quiz, (False, True), strict=True):
        store.record_answer(
            attempt,
            deck_id=deck.id,
            card_id=card.id,
            card_hash=card.content_hash(),
            topic=card.topic,
            critical=card.critical,
            response="x",
            correct=correct,
            points=float(correct),
            elapsed_ms=1000,
        )
    assert found(store, ann, wrong_only=True) == {(deck.id, quiz[0].id)}
    assert found(store, None, wrong_only=True) == set()

    study = study_cards(deck)[0]
    scheduler = FlashcardScheduler()
    state, log = scheduler.review(None, 1, NOW - timedelta(days=1))
    store.record_review(
        ann,
        deck.id,
        study.card_id,
        card_hash=study.card_hash,
        state=state.to_dict(),
        due=state.due,
        rating=1,
        reviewed_at=NOW - timedelta(days=1),
        review=log.to_dict(),
        previous_state=None,
    )
    assert found(store, ann, due_only=True) == {(deck.id, study.card_id)}
    store.suspend_card(ann, deck.id, study.card_id, True)
    assert found(store, ann, suspended_only=True) == {(deck.id, study.card_id)}
    rows = store.search_cards(CardFilters(text="", deck_id=deck.id), ann, NOW)
    by_id = {row.card_id: row for row in rows}
    assert by_id[study.card_id].suspended and by_id[study.card_id].due == state.due
    assert by_id[quiz[0].id].last_correct is False and by_id[quiz[1].id].last_correct is True


def test_suspended_cards_leave_the_review_queue(store: ScoreStore, bundled: list[Deck]) -> None:
    deck = next(d for d in bundled if study_cards(d))
    ann = store.add_learner("Ann").id
    queue, _ = deck_queue(store, ann, deck, NOW, new_limit=1000)
    first = queue[0].card_id
    store.suspend_card(ann, deck.id, first, True)
    queue_after, _ = deck_queue(store, ann, deck, NOW, new_limit=1000)
    assert first not in [c.card_id for c in queue_after]
    assert len(queue_after) == len(queue) - 1
    store.suspend_card(ann, deck.id, first, False)
    assert deck_queue(store, ann, deck, NOW, new_limit=1000)[0] == queue


def test_the_index_follows_deck_changes(store: ScoreStore, bundled: list[Deck]) -> None:
    assert sorted(sync_index(store, bundled)) == sorted(d.id for d in bundled)
    assert sync_index(store, bundled) == []  # unchanged: nothing rewritten
    deck = bundled[0]
    card = deck.cards[0]
    edited_card = card.model_copy(update={"explanation": card.explanation + " Zebrafinch."})
    edited = deck.model_copy(update={"cards": [edited_card, *deck.cards[1:]]})
    assert deck_index_hash(edited) != deck_index_hash(deck)
    assert sync_index(store, [edited, *bundled[1:]]) == [deck.id]
    assert found(store, text="zebrafinch") == {(deck.id, card.id)}
    # A deck no longer loaded leaves the index.
    assert sync_index(store, bundled[1:]) == [deck.id]
    assert found(store, deck_id=deck.id) == set()
    assert store.card_index_hashes() == {d.id: deck_index_hash(d) for d in bundled[1:]}


def test_indexed_text_of_each_card_type(bundled: list[Deck]) -> None:
    for deck in bundled:
        for card in deck.cards:
            record = indexed_card(card)
            assert record.card_type == card.type and record.card_hash == card.content_hash()
            if card.type == "flashcard":
                assert (record.prompt, record.answers) == (card.front, card.back)
            else:
                assert record.prompt == card.prompt and record.answers


def test_practice_sessions_ask_just_the_selected_quiz_cards(
    store: ScoreStore, bundled: list[Deck]
) -> None:
    sync_index(store, bundled)
    rows = store.search_cards(CardFilters(text="naloxone"), None, NOW)
    selected = resolve(bundled, rows)
    sessions = practice_sessions(selected)
    asked = {(s.deck.id, card_id) for s in sessions for card_id in s.card_ids}
    expected = {(r.deck_id, r.card_id) for r in rows if r.card_type != "flashcard"}
    assert asked == expected and asked
    assert all(s.settings.mode == "review" and not s.settings.shuffle for s in sessions)
    # Rows of decks that are no longer loaded are skipped.
    assert resolve(bundled[1:], rows) == [s for s in selected if s.deck.id != bundled[0].id]


# --------------------------------------------------------------------------- interval previews


def test_interval_previews_are_what_fsrs_schedules() -> None:
    scheduler = FlashcardScheduler(desired_retention=0.9)
    plain = fsrs.Scheduler(desired_retention=0.9, enable_fuzzing=False)
    state, _ = scheduler.review(None, 3, NOW)
    state, _ = scheduler.review(state, 3, state.due)
    when = state.due + timedelta(days=1)
    before = state.to_dict()
    previews = interval_previews(scheduler, state, when)
    assert state.to_dict() == before  # previewing changes nothing
    for rating, interval in previews.items():
        card, _ = plain.review_card(state, fsrs.Rating(rating), when)
        assert interval == card.due - when
    assert previews[1] < previews[2] < previews[3] < previews[4]
    # A higher desired retention means shorter intervals.
    strict = interval_previews(FlashcardScheduler(desired_retention=0.97), state, when)
    assert strict[3] < previews[3]


def test_new_card_previews_show_learning_steps() -> None:
    previews = interval_previews(FlashcardScheduler(), None, NOW)
    labels = [format_interval(previews[r]) for r in (1, 2, 3, 4)]
    assert labels[:3] == ["<1m", "<6m", "<10m"]
    assert labels[3].endswith("d")


@pytest.mark.parametrize(
    ("interval", "label"),
    [
        (timedelta(seconds=20), "<1m"),
        (timedelta(minutes=10), "<10m"),
        (timedelta(hours=3), "3h"),
        (timedelta(days=4, hours=2), "4d"),
        (timedelta(days=75), "2.5mo"),
        (timedelta(days=90), "3mo"),
        (timedelta(days=400), "1.1y"),
    ],
)
def test_format_interval(interval: timedelta, label: str) -> None:
    assert format_interval(interval) == label


# --------------------------------------------------------------------------- progress


def test_current_streak() -> None:
    today = date(2025, 3, 10)
    days = {today - timedelta(days=n) for n in (0, 1, 2, 4)}
    assert current_streak(days, today) == 3
    assert current_streak(days - {today}, today) == 2  # nothing yet today: up to yesterday
    assert current_streak(set(), today) == 0


def test_forecast_counts_overdue_cards_today() -> None:
    today = date(2025, 3, 10)
    series = forecast({date(2025, 3, 1): 2, today: 1, date(2025, 3, 12): 4}, today, days=5)
    assert series == [
        (today, 3),
        (date(2025, 3, 11), 0),
        (date(2025, 3, 12), 4),
        (date(2025, 3, 13), 0),
        (date(2025, 3, 14), 0),
    ]


def test_load_progress_for_a_learner_with_weeks_of_history(
    tmp_path: Path, bundled: list[Deck]
) -> None:
    clock = [NOW - timedelta(days=20)]
    store = ScoreStore.open(tmp_path / "quizapp.db", now=lambda: clock[0])
    ann = store.add_learner("Ann").id
    deck = bundled[0]
    cards = deck.quiz_cards[:3]  # an attempt takes one answer per card
    studied = [20, 19, 18, 10, 2, 1, 0]  # days ago
    for days_ago in studied:
        clock[0] = NOW - timedelta(days=days_ago)
        attempt = store.start_attempt(ann, deck.id, deck.version, deck.title, "practice", {})
        for n, card in enumerate(cards):
            store.record_answer(
                attempt,
                deck_id=deck.id,
                card_id=card.id,
                card_hash="h",
                topic=card.topic,
                critical=False,
                response="x",
                correct=n > 0,
                points=1.0,
                elapsed_ms=900,
            )
    progress = load_progress(store, ann, NOW)
    assert progress.today == date(2025, 3, 1)
    assert len(progress.history) == 30 and progress.history[-1].day == progress.today
    assert sum(d.answered for d in progress.history) == 3 * len(studied)
    assert {d.day for d in progress.history if d.answered} == {
        progress.today - timedelta(days=n) for n in studied
    }
    assert all(d.accuracy == pytest.approx(2 / 3) for d in progress.history if d.answered)
    assert progress.streak == 3
    assert len(progress.forecast) == 30
    assert progress.study_days == {progress.today - timedelta(days=n) for n in studied}


def test_rating_labels_name_each_key_with_its_interval() -> None:
    labels = rating_labels(FlashcardScheduler(), None, NOW)
    assert labels[1] == "Again <1m" and labels[3] == "Good <10m"
    assert labels[4].startswith("Easy ") and labels[4].endswith("d")


def test_card_record_reads_answers_schedule_and_suspension(
    store: ScoreStore, bundled: list[Deck]
) -> None:
    deck = next(d for d in bundled if study_cards(d))
    study = study_cards(deck)[0]
    ann = store.add_learner("Ann").id
    empty = card_record(store, ann, deck.id, study.card_id)
    assert (empty.answers, empty.schedule, empty.suspended) == ([], None, False)

    scheduler = FlashcardScheduler()
    state, log = scheduler.review(None, 3, NOW)
    store.record_review(
        ann,
        deck.id,
        study.card_id,
        card_hash=study.card_hash,
        state=state.to_dict(),
        due=state.due,
        rating=3,
        reviewed_at=NOW,
        review=log.to_dict(),
        previous_state=None,
    )
    store.suspend_card(ann, deck.id, study.card_id, True)
    record = card_record(store, ann, deck.id, study.card_id)
    assert record.suspended
    assert record.schedule is not None
    assert record.schedule.state == state.state.name == "Learning"
    assert record.schedule.due == state.due
    assert record.schedule.stability == state.stability
    assert record.schedule.difficulty == state.difficulty
    assert record.schedule.last_review == NOW
    assert can_suspend(deck, deck.card(study.card_id))
