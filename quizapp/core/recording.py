"""Recording a quiz session in the score store: what of a deck and a card is kept.

One place decides which facts of an attempt and an answer are stored (deck version,
card hash, topic, must-know flag, ...), so the quiz screen and anything else that
records attempts (seeded test data, imports) cannot drift apart.
"""

from __future__ import annotations

from quizapp.core.decks.model import Deck, QuizCard
from quizapp.core.quiz import GradedAnswer, QuizSession
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


def record_answer(
    store: ScoreStore, attempt_id: int, deck: Deck, card: QuizCard, graded: GradedAnswer
) -> int:
    """Store one graded answer (committed before this returns).

    The card's content hash goes with it, so statistics can tell when the card's text
    changes after it was answered.

    Returns:
        The answer id.
    """
    return store.record_answer(
        attempt_id,
        deck_id=deck.id,
        card_id=card.id,
        card_hash=card.content_hash(),
        topic=card.topic,
        critical=card.critical,
        response=graded.response,
        correct=graded.correct,
        points=graded.points,
        elapsed_ms=graded.elapsed_ms,
    )
