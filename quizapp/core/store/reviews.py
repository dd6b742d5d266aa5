"""Flashcard reviews: each card's scheduling state per learner, and the log of ratings.

The state is whatever the scheduler (fsrs) gives as a dict; the store keeps it as JSON
with the due time beside it for indexed "what is due" reads. Each rating keeps the
state it replaced, so the latest rating of a card can be undone exactly.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from quizapp.core.store.database import Database
from quizapp.core.store.errors import NotFoundError
from quizapp.core.store.learners import learner_in
from quizapp.core.store.records import (
    ReviewRecord,
    StoredCardState,
    card_state_from_row,
    review_from_row,
    to_db_time,
    to_json,
)


class ReviewQueries(Database):
    """The flashcard part of `ScoreStore`."""

    def card_states(self, learner_id: int, deck_id: str) -> dict[str, StoredCardState]:
        """Every scheduled card of a deck for a learner.

        Args:
            learner_id: Whose schedule.
            deck_id: The deck.

        Returns:
            Card id to its stored state.
        """
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT card_id, card_hash, state_json, due, updated_at FROM card_states"
                " WHERE learner_id = ? AND deck_id = ?",
                (learner_id, deck_id),
            ).fetchall()
        return {row["card_id"]: card_state_from_row(row) for row in rows}

    def record_review(
        self,
        learner_id: int,
        deck_id: str,
        card_id: str,
        *,
        card_hash: str,
        state: dict[str, Any],
        due: datetime,
        rating: int,
        reviewed_at: datetime,
        review: dict[str, Any],
        previous_state: dict[str, Any] | None,
    ) -> int:
        """Save a rating: the card's new state and the log entry, in one transaction.

        Args:
            learner_id: Who reviewed.
            deck_id: The card's deck.
            card_id: The card's id.
            card_hash: The card's `content_hash()` now.
            state: The new scheduler state.
            due: When the card is next due.
            rating: 1 Again, 2 Hard, 3 Good, 4 Easy.
            reviewed_at: When the rating was given.
            review: The scheduler's log entry.
            previous_state: The state before this review (None for a new card), kept so
                the review can be undone exactly.

        Returns:
            The review's id, for `undo_review`.
        """
        if rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        with self._connect(write=True) as conn:
            learner_in(conn, learner_id)
            conn.execute(
                "INSERT INTO card_states (learner_id, deck_id, card_id, card_hash, state_json,"
                " due, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (learner_id, deck_id, card_id) DO UPDATE SET"
                " card_hash = excluded.card_hash, state_json = excluded.state_json,"
                " due = excluded.due, updated_at = excluded.updated_at",
                (
                    learner_id,
                    deck_id,
                    card_id,
                    card_hash,
                    to_json(state),
                    to_db_time(due),
                    to_db_time(reviewed_at),
                ),
            )
            cursor = conn.execute(
                "INSERT INTO review_log (learner_id, deck_id, card_id, card_hash, rating,"
                " reviewed_at, review_json, previous_state_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    learner_id,
                    deck_id,
                    card_id,
                    card_hash,
                    rating,
                    to_db_time(reviewed_at),
                    to_json(review),
                    None if previous_state is None else to_json(previous_state),
                ),
            )
            return int(cursor.lastrowid or 0)

    def undo_review(self, review_id: int) -> None:
        """Take back a rating: restore the card's previous state and delete the log entry.

        Only a card's latest review can be undone (an older one would rewrite history
        that later reviews built on).

        Args:
            review_id: An id from `record_review`.

        Raises:
            NotFoundError: No such review.
            ValueError: A later review of the same card exists.
        """
        with self._connect(write=True) as conn:
            row = conn.execute(
                "SELECT learner_id, deck_id, card_id, previous_state_json FROM review_log"
                " WHERE id = ?",
                (review_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no review {review_id}")
            key = (row["learner_id"], row["deck_id"], row["card_id"])
            previous = row["previous_state_json"]
            later = conn.execute(
                "SELECT 1 FROM review_log WHERE learner_id = ? AND deck_id = ? AND card_id = ?"
                " AND id > ? LIMIT 1",
                (*key, review_id),
            ).fetchone()
            if later is not None:
                raise ValueError(f"review {review_id} is not the card's latest review")
            conn.execute("DELETE FROM review_log WHERE id = ?", (review_id,))
            if previous is None:
                conn.execute(
                    "DELETE FROM card_states WHERE learner_id = ? AND deck_id = ? AND card_id = ?",
                    key,
                )
                return
            before = conn.execute(
                "SELECT card_hash, reviewed_at FROM review_log WHERE learner_id = ? AND"
                " deck_id = ? AND card_id = ? ORDER BY id DESC LIMIT 1",
                key,
            ).fetchone()
            state = json.loads(previous)
            conn.execute(
                "UPDATE card_states SET state_json = ?, due = ?,"
                " card_hash = COALESCE(?, card_hash),"
                " updated_at = COALESCE(?, updated_at)"
                " WHERE learner_id = ? AND deck_id = ? AND card_id = ?",
                (
                    previous,
                    to_db_time(datetime.fromisoformat(state["due"])),
                    before["card_hash"] if before else None,
                    before["reviewed_at"] if before else None,
                    *key,
                ),
            )

    def new_cards_since(self, learner_id: int, deck_id: str, since: datetime) -> int:
        """How many cards of a deck had their first review at or after `since`.

        Used for the daily limit of new cards.
        """
        with self._connect() as conn:
            row = conn.execute(
                "SELECT count(*) AS new_cards FROM review_log WHERE learner_id = ? AND deck_id = ?"
                " AND previous_state_json IS NULL AND reviewed_at >= ?",
                (learner_id, deck_id, to_db_time(since)),
            ).fetchone()
        return int(row["new_cards"])

    def reviews_since(self, learner_id: int, deck_id: str, since: datetime) -> int:
        """How many ratings of already-learnt cards of a deck were given at or after `since`.

        Used for the daily limit of reviews; a card's first rating (a new card) counts
        towards the new-card limit instead.
        """
        with self._connect() as conn:
            row = conn.execute(
                "SELECT count(*) AS reviews FROM review_log WHERE learner_id = ? AND deck_id = ?"
                " AND previous_state_json IS NOT NULL AND reviewed_at >= ?",
                (learner_id, deck_id, to_db_time(since)),
            ).fetchone()
        return int(row["reviews"])

    def reviews(self, learner_id: int, since: datetime | None = None) -> list[ReviewRecord]:
        """A learner's flashcard ratings, oldest first (for statistics).

        Args:
            learner_id: Whose reviews.
            since: Only reviews at or after this time.
        """
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, deck_id, card_id, card_hash, rating, reviewed_at, review_json,"
                " previous_state_json IS NULL AS first_review FROM review_log WHERE learner_id = ?"
                " AND reviewed_at >= ? ORDER BY reviewed_at, id",
                (learner_id, to_db_time(since) if since else ""),
            ).fetchall()
        return [review_from_row(row) for row in rows]
