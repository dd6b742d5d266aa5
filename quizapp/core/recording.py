"""Every write the UI triggers, in one place: attempts, answers, flashcard reviews.

One place decides which facts of an attempt, an answer and a review are stored (deck
version, card hash, topic, must-know flag, fsrs state, ...), so the screens and anything
else that records (seeded test data, imports) cannot drift apart. Screens call these
functions (on a background thread) and never the store's write methods directly.

Every function here blocks on SQLite: call it off the UI thread.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from quizapp.core.decks.model import Deck, QuizCard
from quizapp.core.flashcards import RatedCard
from quizapp.core.pending import Outcome, PendingWrites
from quizapp.core.quiz import GradedAnswer, QuizResult, QuizSession
from quizapp.core.store import ScoreStore


def start_attempt(store: ScoreStore, learner_id: int, session: QuizSession) -> int:
    """Store a new attempt for `session`, with the plan needed to resume it.

    Returns:
        The attempt id.
    """
    deck, mode = session.deck, session.mode
    return store.start_attempt(
        learner_id,
        deck.id,
        deck.version,
        deck.title,
        mode,
        session.settings.to_plan(session.card_ids),
        pass_mark=deck.pass_mark if mode == "exam" else None,
    )


def queue_start(
    pending: PendingWrites, learner_id: int, session: QuizSession, *, owner: str | None = None
) -> tuple[str, Outcome]:
    """Start the attempt for `session` through the pending writes (saved now, or kept).

    Returns:
        The attempt's ref (answers name their attempt by it until the start is saved)
        and the outcome (its `row_id` is the attempt id once saved).
    """
    deck, mode = session.deck, session.mode
    ref = secrets.token_hex(8)
    outcome = pending.start(
        ref,
        learner_id,
        deck_id=deck.id,
        deck_version=deck.version,
        deck_title=deck.title,
        mode=mode,
        plan=session.settings.to_plan(session.card_ids),
        pass_mark=deck.pass_mark if mode == "exam" else None,
        owner=owner,
    )
    return ref, outcome


def record_answer(
    store: ScoreStore, attempt_id: int, deck: Deck, card: QuizCard, graded: GradedAnswer
) -> int:
    """Store one graded answer (committed before this returns).

    The card's content hash goes with it, so statistics can tell when the card's text
    changes after it was answered.

    Returns:
        The answer id.
    """
    return store.record_answer(attempt_id, **answer_fields(deck, card, graded))


def answer_fields(deck: Deck, card: QuizCard, graded: GradedAnswer) -> dict[str, Any]:
    """What is stored of one graded answer: `ScoreStore.record_answer`'s keyword arguments."""
    return {
        "deck_id": deck.id,
        "card_id": card.id,
        "card_hash": card.content_hash(),
        "topic": card.topic,
        "critical": card.critical,
        "response": graded.response,
        "correct": graded.correct,
        "points": graded.points,
        "elapsed_ms": graded.elapsed_ms,
    }


def queue_answer(
    pending: PendingWrites,
    attempt_id: int | str,
    deck: Deck,
    card: QuizCard,
    graded: GradedAnswer,
    *,
    owner: str | None = None,
) -> Outcome:
    """Record one graded answer through the window's pending writes: saved now, or kept
    in order and retried (see `quizapp.core.pending`).

    Args:
        pending: The window's pending writes.
        attempt_id: The attempt, or its ref from `queue_start` while unsaved.
        deck: The card's deck.
        card: The card answered.
        graded: The graded answer.
        owner: The window's claim token on the attempt.

    Returns:
        Whether it was saved, and why not.
    """
    return pending.answer(attempt_id, **answer_fields(deck, card, graded), owner=owner)


def queue_finish(
    pending: PendingWrites, attempt_id: int | str, result: QuizResult, *, owner: str | None = None
) -> Outcome:
    """Mark an attempt finished through the pending writes (after its answers, in order)."""
    return pending.finish(attempt_id, result.score, result.max_score, result.passed, owner=owner)


def saved_answers(store: ScoreStore, attempt_id: int) -> int:
    """How many answers of the attempt the store holds: the only count the UI may show."""
    return store.attempt(attempt_id).answered


def finish_attempt(store: ScoreStore, attempt_id: int, result: QuizResult) -> None:
    """Mark an attempt finished with its score and, for an exam, pass or fail."""
    store.finish_attempt(attempt_id, result.score, result.max_score, result.passed)


def resume_attempt(store: ScoreStore, deck: Deck, attempt_id: int) -> QuizSession:
    """Rebuild an unfinished attempt's session from its stored plan and answers.

    Args:
        store: The score store.
        deck: The attempt's deck (as loaded now).
        attempt_id: An unfinished attempt.

    Returns:
        The session, positioned at the first unanswered card.
    """
    attempt = store.attempt(attempt_id)
    answered = [
        GradedAnswer(a.card_id, a.response, a.correct, a.points, a.elapsed_ms)
        for a in attempt.answers
    ]
    return QuizSession.resume(deck, attempt.plan, answered)


def discard_attempt(store: ScoreStore, attempt_id: int) -> None:
    """Set an unfinished attempt aside (the learner starts again): its answers are kept
    but leave the statistics, and Home no longer offers to resume it."""
    store.discard_attempt(attempt_id)


def record_review(store: ScoreStore, learner_id: int, rating: RatedCard) -> int:
    """Store a flashcard rating: the card's new fsrs state and the review log entry.

    The due time is taken from the same fsrs state that is stored, so the two can never
    disagree. The review's id is also put into `rating.review_id`, for `undo_review`.

    Returns:
        The review id.
    """
    card = rating.card
    review_id = store.record_review(learner_id, card.deck_id, card.card_id, **review_fields(rating))
    rating.review_id.append(review_id)
    return review_id


def review_fields(rating: RatedCard) -> dict[str, Any]:
    """What is stored of one rating: `ScoreStore.record_review`'s keyword arguments."""
    fsrs_card = rating.state.fsrs_card
    return {
        "card_hash": rating.card.card_hash,
        "state": cast(dict[str, Any], fsrs_card.to_dict()),
        "due": fsrs_card.due,
        "rating": rating.rating,
        "reviewed_at": rating.reviewed_at,
        "review": cast(dict[str, Any], rating.log.to_dict()),
        "previous_state": (
            cast(dict[str, Any], rating.previous.fsrs_card.to_dict()) if rating.previous else None
        ),
    }


def queue_review(pending: PendingWrites, learner_id: int, rating: RatedCard) -> Outcome:
    """Record a rating through the pending writes; its outcome's key is kept for undo."""
    card = rating.card
    outcome = pending.review(learner_id, card.deck_id, card.card_id, **review_fields(rating))
    rating.pending_key.append(outcome.key)
    if outcome.row_id is not None:
        rating.review_id.append(outcome.row_id)
    return outcome


def queue_undo(pending: PendingWrites, rating: RatedCard) -> Outcome:
    """Take back a rating given through `queue_review` (a still-unsaved one is just dropped)."""
    return pending.undo(rating.pending_key[0])


def undo_review(store: ScoreStore, rating: RatedCard) -> None:
    """Take back a stored rating: the card's previous state returns, the log entry goes.

    Must run after `record_review` of the same rating (an ordered writer does that).
    """
    store.undo_review(rating.review_id[0])
