"""Statistics the home and history screens show: last and best score per deck, accuracy
per topic, and which cards were answered in an older version.

These are the store's hot reads, each backed by an index (tests check the query plans);
per-topic accuracy reads counts that schema triggers keep up to date, instead of
counting every answer again.
"""

from __future__ import annotations

from quizapp.core.store.database import Database
from quizapp.core.store.records import (
    DeckScore,
    TopicAccuracy,
    from_db_time,
    topic_accuracy_from_row,
)

DECK_SCORES_SQL = """
    SELECT deck_id, deck_title, score, max_score, passed, finished_at
    FROM attempts
    WHERE learner_id = :learner AND status = 'finished' AND mode != 'review'
    ORDER BY finished_at, id
"""

# Kept equal to a GROUP BY over the learner's counted answers by the triggers of
# schema version 3 (see `schema._V3`).
TOPIC_ACCURACY_SQL = """
    SELECT deck_id, topic, answered, correct
    FROM topic_counts
    WHERE learner_id = :learner AND (:deck IS NULL OR deck_id = :deck)
    ORDER BY deck_id, topic
"""

# SQLite guarantees that the bare column `card_hash` comes from the row holding max(id),
# i.e. the latest answer to each card.
ANSWERED_HASHES_SQL = """
    SELECT n.card_id, n.card_hash, max(n.id) AS latest_answer_id
    FROM attempts a JOIN answers n ON n.attempt_id = a.id
    WHERE a.learner_id = :learner AND a.status IN ('unfinished', 'finished')
      AND n.deck_id = :deck
    GROUP BY n.card_id
"""


class StatisticsQueries(Database):
    """The statistics part of `ScoreStore`."""

    def deck_scores(self, learner_id: int) -> dict[str, DeckScore]:
        """Last and best score per deck, over finished practice rounds and exams.

        Review-of-mistakes rounds are left out: four right answers to the four cards
        missed earlier say nothing about the whole deck, and counted as 100% they made
        "Best" overstate what the learner knows.

        Returns:
            Deck id to `DeckScore`; decks without a finished attempt are absent.
        """
        with self._connect() as conn:
            rows = conn.execute(DECK_SCORES_SQL, {"learner": learner_id}).fetchall()
        scores: dict[str, DeckScore] = {}
        for row in rows:
            deck_id, score, max_score = row["deck_id"], row["score"], row["max_score"]
            previous = scores.get(deck_id)
            best_score, best_max = score, max_score
            # Rows come oldest first and only a strictly better earlier fraction is kept,
            # so a tie goes to the latest attempt. Cross-multiplied: max scores are > 0.
            if previous is not None and (
                previous.best_score * max_score > score * previous.best_max_score
            ):
                best_score, best_max = previous.best_score, previous.best_max_score
            scores[deck_id] = DeckScore(
                deck_id=deck_id,
                deck_title=row["deck_title"],
                attempts=(previous.attempts if previous else 0) + 1,
                last_score=score,
                last_max_score=max_score,
                last_passed=None if row["passed"] is None else bool(row["passed"]),
                last_at=from_db_time(row["finished_at"]),
                best_score=best_score,
                best_max_score=best_max,
            )
        return scores

    def topic_accuracy(self, learner_id: int, deck_id: str | None = None) -> list[TopicAccuracy]:
        """Correct answers per deck and topic (discarded attempts left out).

        Args:
            learner_id: Whose answers.
            deck_id: Only this deck, when given.

        Returns:
            One entry per deck and topic answered, sorted by deck id then topic.
        """
        with self._connect() as conn:
            rows = conn.execute(
                TOPIC_ACCURACY_SQL, {"learner": learner_id, "deck": deck_id}
            ).fetchall()
        return [topic_accuracy_from_row(row) for row in rows]

    def answered_hashes(self, learner_id: int, deck_id: str) -> dict[str, str]:
        """The card hash at each card's latest answer, to spot cards edited since.

        Args:
            learner_id: Whose answers.
            deck_id: The deck.

        Returns:
            Card id to the `content_hash()` the card had when last answered.
        """
        with self._connect() as conn:
            rows = conn.execute(
                ANSWERED_HASHES_SQL, {"learner": learner_id, "deck": deck_id}
            ).fetchall()
        return {row["card_id"]: row["card_hash"] for row in rows}
