"""Attempts and their answers: starting, answering, finishing, discarding, and reading
them back to resume or list them.

An attempt stays "unfinished" (resumable) until it is finished or discarded; only then
does it stop taking answers. Every write is committed before the method returns, so an
answer is on disk as soon as `record_answer` returns.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from quizapp.core.store.claims import check_claim
from quizapp.core.store.database import Database
from quizapp.core.store.errors import AnswerRefusedError, AttemptClosedError, NotFoundError
from quizapp.core.store.learners import learner_in
from quizapp.core.store.records import (
    MODES,
    AnswerRecord,
    Attempt,
    AttemptSummary,
    Mode,
    answer_from_row,
    attempt_from_row,
    finite,
    summary_from_row,
    to_db_time,
    to_json,
)
from quizapp.core.store.schema import ANSWER_ALREADY_GIVEN, ATTEMPT_FULL

SUMMARY_COLUMNS = """
    a.id, a.learner_id, a.deck_id, a.deck_version, a.deck_title, a.mode, a.status,
    a.started_at, a.finished_at, a.score, a.max_score, a.passed, a.pass_mark,
    (SELECT count(*) FROM answers n WHERE n.attempt_id = a.id) AS answered,
    (SELECT coalesce(sum(n.correct), 0) FROM answers n WHERE n.attempt_id = a.id) AS correct
"""
"""The columns `summary_from_row` reads; add `a.plan_json` for `attempt_from_row`."""

ANSWER_COLUMNS = """
    n.id, n.attempt_id, n.deck_id, n.card_id, n.card_hash, n.topic, n.critical,
    n.response_json, n.correct, n.points, n.elapsed_ms, n.answered_at
"""
"""The columns `answer_from_row` reads."""

HISTORY_SQL = f"""
    SELECT {SUMMARY_COLUMNS} FROM attempts a
    WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')
    ORDER BY a.started_at DESC, a.id DESC
    LIMIT :limit
"""

HISTORY_AFTER_SQL = f"""
    SELECT {SUMMARY_COLUMNS} FROM attempts a
    WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')
      AND (a.started_at, a.id) < (SELECT b.started_at, b.id FROM attempts b WHERE b.id = :before)
    ORDER BY a.started_at DESC, a.id DESC
    LIMIT :limit
"""
# A page after the first is keyed on the last row shown, (started_at, id), not an
# offset: it is one short range of the (learner_id, started_at) index (whose entries end
# with the id) however far back it is, and an attempt started meanwhile does not shift
# the rows of the pages still to come. The key is read back from the stored row rather
# than from the summary's datetime, so the comparison is on exactly the text the order
# uses. No such row any more (its learner deleted): the comparison is NULL, no page.

HISTORY_COUNT_SQL = """
    SELECT count(*) AS attempts FROM attempts a
    WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')
"""

HISTORY_PAGE_SIZE = 50
"""Attempts the History screen reads at a time."""

UNFINISHED_SQL = f"""
    SELECT {SUMMARY_COLUMNS} FROM attempts a
    WHERE a.learner_id = :learner AND a.status = 'unfinished'
      AND (:deck IS NULL OR a.deck_id = :deck)
    ORDER BY a.started_at DESC, a.id DESC
"""

ATTEMPT_ANSWERS_SQL = f"""
    SELECT {ANSWER_COLUMNS} FROM answers n WHERE n.attempt_id = :attempt ORDER BY n.id
"""


class AttemptQueries(Database):
    """The attempts-and-answers part of `ScoreStore`."""

    def start_attempt(
        self,
        learner_id: int,
        deck_id: str,
        deck_version: str,
        deck_title: str,
        mode: Mode,
        plan: dict[str, Any],
        pass_mark: float | None = None,
    ) -> int:
        """Start an attempt; it stays "unfinished" (resumable) until finished or discarded.

        Args:
            learner_id: Who takes it.
            deck_id: The deck's id.
            deck_version: The deck's `version`.
            deck_title: The deck's title, kept so history reads well if the deck goes away.
            mode: "practice", "exam" or "review".
            plan: Everything needed to resume: the ordered card ids and settings
                (JSON-serialisable).
            pass_mark: The pass mark as a fraction of the maximum score (0-1), if any.

        Returns:
            The attempt id.

        Raises:
            ValueError: Unknown mode, or a pass mark outside 0-1.
            TypeError: `plan` is not JSON-serialisable.
            NotFoundError: No such learner.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if pass_mark is not None and not 0.0 <= finite("pass_mark", pass_mark) <= 1.0:
            raise ValueError(f"pass_mark is a fraction between 0 and 1, not {pass_mark!r}")
        plan_json = to_json(plan)
        with self._connect(write=True) as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO attempts (learner_id, deck_id, deck_version, deck_title, mode,"
                    " plan_json, started_at, pass_mark, status)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'unfinished')",
                    (
                        learner_id,
                        deck_id,
                        deck_version,
                        deck_title,
                        mode,
                        plan_json,
                        to_db_time(self._now()),
                        pass_mark,
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise NotFoundError(f"No learner with id {learner_id}.") from error
            return int(cursor.lastrowid or 0)

    def record_answer(
        self,
        attempt_id: int,
        *,
        deck_id: str,
        card_id: str,
        card_hash: str,
        topic: str,
        critical: bool,
        response: Any,
        correct: bool,
        points: float,
        elapsed_ms: int,
        owner: str | None = None,
    ) -> int:
        """Record one answer; it is committed to disk before this returns.

        Args:
            attempt_id: An unfinished attempt.
            deck_id: The card's deck.
            card_id: The card's id.
            card_hash: `card.content_hash()`, so statistics can tell if the card changes.
            topic: The card's topic.
            critical: Whether the card is a must-know safety item.
            response: What the learner answered (JSON-serialisable).
            correct: Whether it was right.
            points: Points earned.
            elapsed_ms: Time spent on the card, in milliseconds (not negative).
            owner: The window's claim token (see `claims`); the claim is renewed. None
                for writers outside a window, refused while a window holds the attempt.

        Returns:
            The answer id.

        Raises:
            NotFoundError: No such attempt.
            AttemptClosedError: The attempt is finished or discarded.
            AttemptClaimedError: Another window holds the attempt.
            AnswerRefusedError: The card is already answered in this attempt, or every
                card of the attempt has its answer.
            ValueError: A negative time or a non-finite number of points.
            TypeError: `response` is not JSON-serialisable.
        """
        if elapsed_ms < 0:
            raise ValueError(f"elapsed_ms cannot be negative: {elapsed_ms}")
        now = self._now()  # read once: one answer, one moment (and one tick of a test clock)
        row = (
            attempt_id,
            deck_id,
            card_id,
            card_hash,
            topic,
            int(bool(critical)),
            to_json(response),
            int(bool(correct)),
            finite("points", points),
            int(elapsed_ms),
            to_db_time(now),
        )
        with self._connect(write=True) as conn:
            self._require_unfinished(conn, attempt_id)
            if self.has_claims:
                check_claim(conn, attempt_id, owner, now)
            try:
                cursor = conn.execute(
                    "INSERT INTO answers (attempt_id, deck_id, card_id, card_hash, topic,"
                    " critical, response_json, correct, points, elapsed_ms, answered_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
            except sqlite3.IntegrityError as error:
                refused = _refusal(attempt_id, card_id, error)
                if refused is None:
                    raise
                raise refused from error
            return int(cursor.lastrowid or 0)

    def finish_attempt(
        self,
        attempt_id: int,
        score: float,
        max_score: float,
        passed: bool | None,
        *,
        owner: str | None = None,
    ) -> None:
        """Mark an attempt finished with its result.

        Args:
            attempt_id: An unfinished attempt.
            score: Points scored (0 to `max_score`).
            max_score: Points available (above 0).
            passed: Whether the pass mark was reached; None when there is no pass mark.
            owner: The window's claim token; the claim ends with the attempt.

        Raises:
            NotFoundError: No such attempt.
            AttemptClosedError: It is already finished or discarded.
            AttemptClaimedError: Another window holds the attempt.
            ValueError: Scores out of range.
        """
        score = finite("score", score)
        max_score = finite("max_score", max_score)
        if max_score <= 0 or not 0 <= score <= max_score:
            raise ValueError(
                f"need 0 <= score <= max_score and max_score > 0, got {score}/{max_score}"
            )
        now = self._now()
        with self._connect(write=True) as conn:
            self._require_unfinished(conn, attempt_id)
            if self.has_claims:
                check_claim(conn, attempt_id, owner, now)
            conn.execute(
                "UPDATE attempts SET status = 'finished', finished_at = ?, score = ?,"
                f" max_score = ?, passed = ?{self._end_claim} WHERE id = ?",
                (
                    to_db_time(now),
                    score,
                    max_score,
                    None if passed is None else int(bool(passed)),
                    attempt_id,
                ),
            )

    def discard_attempt(self, attempt_id: int, *, owner: str | None = None) -> None:
        """Set an unfinished attempt aside; its answers are kept but leave the statistics.

        Discarding an already discarded attempt does nothing.

        Args:
            attempt_id: The attempt.
            owner: The window's claim token, if it holds the attempt.

        Raises:
            NotFoundError: No such attempt.
            AttemptClosedError: The attempt is finished.
            AttemptClaimedError: Another window holds the attempt.
        """
        with self._connect(write=True) as conn:
            status = self._status(conn, attempt_id)
            if status == "discarded":
                return
            if status != "unfinished":
                raise AttemptClosedError(
                    f"Attempt {attempt_id} is {status}; it cannot be discarded."
                )
            now = self._now()
            if self.has_claims:
                check_claim(conn, attempt_id, owner, now)
            conn.execute(
                f"UPDATE attempts SET status = 'discarded', finished_at = ?{self._end_claim}"
                " WHERE id = ?",
                (to_db_time(now), attempt_id),
            )

    @property
    def _end_claim(self) -> str:
        """SQL setting a closed attempt's claim free (none before schema version 4)."""
        return ", claim_owner = NULL, claim_expires_at = NULL" if self.has_claims else ""

    @staticmethod
    def _status(conn: sqlite3.Connection, attempt_id: int) -> str:
        row = conn.execute("SELECT status FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No attempt with id {attempt_id}.")
        return str(row["status"])

    def _require_unfinished(self, conn: sqlite3.Connection, attempt_id: int) -> None:
        status = self._status(conn, attempt_id)
        if status != "unfinished":
            raise AttemptClosedError(f"Attempt {attempt_id} is {status}.")

    def attempt(self, attempt_id: int) -> Attempt:
        """One attempt with its plan and answers (in the order given), e.g. to resume it.

        Raises:
            NotFoundError: No such attempt.
        """
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {SUMMARY_COLUMNS}, a.plan_json FROM attempts a WHERE a.id = ?",
                (attempt_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No attempt with id {attempt_id}.")
            answers = conn.execute(ATTEMPT_ANSWERS_SQL, {"attempt": attempt_id}).fetchall()
        return attempt_from_row(row, tuple(answer_from_row(answer) for answer in answers))

    def unfinished_attempts(
        self, learner_id: int, deck_id: str | None = None
    ) -> list[AttemptSummary]:
        """Attempts that can be resumed or discarded, newest first.

        Args:
            learner_id: Whose attempts.
            deck_id: Only this deck's, when given.
        """
        with self._connect() as conn:
            rows = conn.execute(UNFINISHED_SQL, {"learner": learner_id, "deck": deck_id}).fetchall()
        return [summary_from_row(row) for row in rows]

    def history(
        self,
        learner_id: int,
        limit: int | None = None,
        *,
        include_discarded: bool = False,
        before: AttemptSummary | None = None,
    ) -> list[AttemptSummary]:
        """A learner's attempts, newest first: all of them, or a page.

        Without `limit` every attempt is returned (exports and reports need them all).
        For pages, pass `limit` (e.g. `HISTORY_PAGE_SIZE`) and, from the second page
        on, the last attempt of the page before as `before`: pages read that way never
        miss or repeat an attempt, even among attempts started at the same moment or
        while the pages are read.

        Args:
            learner_id: Whose attempts.
            limit: At most this many.
            include_discarded: Also list discarded attempts.
            before: Only the attempts that come after this one in the list (older, or
                as old with a smaller id).
        """
        params = {
            "learner": learner_id,
            "all": int(include_discarded),
            "limit": -1 if limit is None else max(0, int(limit)),
            "before": None if before is None else before.id,
        }
        sql = HISTORY_SQL if before is None else HISTORY_AFTER_SQL
        with self._connect() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [summary_from_row(row) for row in rows]

    def history_count(self, learner_id: int, *, include_discarded: bool = False) -> int:
        """How many attempts `history` lists for a learner, counted by the store.

        Args:
            learner_id: Whose attempts.
            include_discarded: Also count discarded attempts.
        """
        params = {"learner": learner_id, "all": int(include_discarded)}
        with self._connect() as conn:
            row = conn.execute(HISTORY_COUNT_SQL, params).fetchone()
        return int(row["attempts"])

    def learner_attempts(
        self, learner_id: int, *, include_discarded: bool = False
    ) -> list[Attempt]:
        """A learner's attempts with every answer, oldest first, read in one snapshot.

        For statistics and reports, which look at every answer a learner gave.

        Args:
            learner_id: Whose attempts.
            include_discarded: Also return discarded attempts.

        Returns:
            Attempts ordered by start time (then id), each with its answers in the order
            they were recorded.

        Raises:
            NotFoundError: No such learner.
        """
        params = {"learner": learner_id, "all": int(include_discarded)}
        with self._connect() as conn:
            conn.execute("BEGIN")  # one snapshot for the reads
            learner_in(conn, learner_id)
            rows = conn.execute(
                f"SELECT {SUMMARY_COLUMNS}, a.plan_json FROM attempts a"
                " WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')"
                " ORDER BY a.started_at, a.id",
                params,
            ).fetchall()
            answers: dict[int, list[AnswerRecord]] = {}
            for row in conn.execute(
                f"SELECT {ANSWER_COLUMNS} FROM answers n JOIN attempts a ON a.id = n.attempt_id"
                " WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')"
                " ORDER BY n.id",
                params,
            ):
                answers.setdefault(row["attempt_id"], []).append(answer_from_row(row))
            conn.execute("COMMIT")
        return [attempt_from_row(row, tuple(answers.get(row["id"], ()))) for row in rows]


def _refusal(
    attempt_id: int, card_id: str, error: sqlite3.IntegrityError
) -> AnswerRefusedError | None:
    """The clear error for an answer the schema's guard triggers refused, else None."""
    if ANSWER_ALREADY_GIVEN in str(error):
        return AnswerRefusedError(
            f"Card {card_id!r} already has its answer in attempt {attempt_id};"
            " the first answer is the one kept."
        )
    if ATTEMPT_FULL in str(error):
        return AnswerRefusedError(
            f"Attempt {attempt_id} already has an answer for every one of its cards."
        )
    return None
