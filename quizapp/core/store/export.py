"""Reading everything out of the store for `quizapp export` and `quizapp sync`: every
attempt of one or all learners, with its plan and answers, and every flashcard rating with
the card's state after it, each in one consistent snapshot.

Turning these records into CSV, JSON or xAPI is `quizapp.core.export`'s and
`quizapp.core.xapi`'s job; this module only reads.
"""

from __future__ import annotations

import json
import sqlite3

from quizapp.core.store.attempts import ANSWER_COLUMNS, SUMMARY_COLUMNS
from quizapp.core.store.database import Database
from quizapp.core.store.errors import NotFoundError
from quizapp.core.store.learners import LEARNER_COLUMNS, clean_name
from quizapp.core.store.records import (
    AnswerRecord,
    Attempt,
    Learner,
    ReviewExport,
    answer_from_row,
    attempt_from_row,
    from_db_time,
    learner_from_row,
)


class ExportQueries(Database):
    """The export part of `ScoreStore`."""

    def export_rows(self, learner: str | None = None) -> list[tuple[Learner, Attempt]]:
        """Every attempt (discarded ones included) with its answers, for export.

        Args:
            learner: Only this learner's (name, ignoring case); everyone's when None.

        Returns:
            (learner, attempt) pairs ordered by learner name, then attempt start.

        Raises:
            NotFoundError: No learner has this name.
        """
        with self._connect() as conn:
            conn.execute("BEGIN")  # one snapshot for the three reads
            learner_id = None if learner is None else _learner_id_named(conn, learner)
            people = {
                row["id"]: learner_from_row(row)
                for row in conn.execute(
                    f"SELECT {LEARNER_COLUMNS} FROM learners WHERE :id IS NULL OR id = :id",
                    {"id": learner_id},
                )
            }
            attempts = conn.execute(
                f"SELECT {SUMMARY_COLUMNS}, a.plan_json FROM attempts a"
                " WHERE :id IS NULL OR a.learner_id = :id ORDER BY a.started_at, a.id",
                {"id": learner_id},
            ).fetchall()
            answers: dict[int, list[AnswerRecord]] = {}
            for row in conn.execute(
                f"SELECT {ANSWER_COLUMNS} FROM answers n JOIN attempts a ON a.id = n.attempt_id"
                " WHERE :id IS NULL OR a.learner_id = :id ORDER BY n.id",
                {"id": learner_id},
            ):
                answers.setdefault(row["attempt_id"], []).append(answer_from_row(row))
            conn.execute("COMMIT")
        result = [
            (
                people[row["learner_id"]],
                attempt_from_row(row, tuple(answers.get(row["id"], ()))),
            )
            for row in attempts
        ]
        result.sort(key=lambda pair: (pair[0].name.casefold(), pair[0].id))
        return result

    def export_reviews(self, learner: str | None = None) -> list[tuple[Learner, ReviewExport]]:
        """Every flashcard rating with the card's state after it, for export.

        The state after a rating is what the card's next rating started from (its
        `previous_state`), or the card's saved state for its latest rating: exactly what
        the scheduler decided then, undo included.

        Args:
            learner: Only this learner's (name, ignoring case); everyone's when None.

        Returns:
            (learner, rating) pairs ordered by learner name, then the order of the ratings.

        Raises:
            NotFoundError: No learner has this name.
        """
        with self._connect() as conn:
            conn.execute("BEGIN")  # one snapshot for the reads
            learner_id = None if learner is None else _learner_id_named(conn, learner)
            params = {"id": learner_id}
            people = {
                row["id"]: learner_from_row(row)
                for row in conn.execute(
                    f"SELECT {LEARNER_COLUMNS} FROM learners WHERE :id IS NULL OR id = :id",
                    params,
                )
            }
            ratings = conn.execute(
                "SELECT id, learner_id, deck_id, card_id, card_hash, rating, reviewed_at,"
                " review_json, previous_state_json FROM review_log"
                " WHERE :id IS NULL OR learner_id = :id ORDER BY id",
                params,
            ).fetchall()
            after: dict[tuple[int, str, str], str | None] = {
                (row["learner_id"], row["deck_id"], row["card_id"]): row["state_json"]
                for row in conn.execute(
                    "SELECT learner_id, deck_id, card_id, state_json FROM card_states"
                    " WHERE :id IS NULL OR learner_id = :id",
                    params,
                )
            }
            conn.execute("COMMIT")
        result: list[tuple[Learner, ReviewExport]] = []
        # Newest first: a rating's "after" is the previous_state of the card's next one.
        for row in reversed(ratings):
            key = (row["learner_id"], row["deck_id"], row["card_id"])
            state_text = after.get(key)
            after[key] = row["previous_state_json"]
            result.append(
                (
                    people[row["learner_id"]],
                    ReviewExport(
                        id=row["id"],
                        deck_id=row["deck_id"],
                        card_id=row["card_id"],
                        card_hash=row["card_hash"],
                        rating=row["rating"],
                        reviewed_at=from_db_time(row["reviewed_at"]),
                        review=json.loads(row["review_json"]),
                        first_review=row["previous_state_json"] is None,
                        state_after=json.loads(state_text) if state_text else None,
                    ),
                )
            )
        result.reverse()
        result.sort(key=lambda pair: (pair[0].name.casefold(), pair[0].id))
        return result


def _learner_id_named(conn: sqlite3.Connection, name: str) -> int:
    """The id of the learner called `name` (as the store cleans names).

    Raises:
        NotFoundError: No learner has this name (or it is not a name the store accepts).
    """
    try:
        cleaned: str | None = clean_name(name)
    except ValueError:
        cleaned = None
    found = conn.execute("SELECT id FROM learners WHERE name = ?", (cleaned,)).fetchone()
    if found is None:
        raise NotFoundError(f"No learner called {name!r}.")
    learner_id: int = found["id"]
    return learner_id
