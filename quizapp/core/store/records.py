"""Record types: what the score store hands back, and how stored rows become them.

Rows are read by column name (connections use `sqlite3.Row`), so a query may list its
columns in any order and adding a column cannot shift another. Also here: how times and
JSON values are written to and read from their columns, which every topic shares.

All times are stored as UTC ISO-8601 text with microseconds and a `Z` suffix
(`2025-03-01T09:30:00.000000Z`): fixed width, so text order is time order.
"""

# No `from __future__ import annotations` here: with it, each NamedTuple field's type
# is a string that typing compiles into a ForwardRef when the class is made (about 0.5 ms
# for this module's records, at every start).

import json
import math
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, NamedTuple

Mode = Literal["practice", "exam", "review"]
Status = Literal["unfinished", "finished", "discarded"]

MODES: tuple[str, ...] = ("practice", "exam", "review")
"""The kinds of attempt: practice (feedback per card), exam (scored at the end), review."""


# --------------------------------------------------------------------------- stored values


def utc_now() -> datetime:
    """The default clock: now, in UTC."""
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    """Format a time the way the store keeps it.

    Args:
        moment: A timezone-aware datetime.

    Returns:
        UTC ISO-8601 with microseconds and a `Z`, e.g. `2025-03-01T09:30:00.000000Z`.

    Raises:
        ValueError: `moment` is naive (its timezone would be a guess).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the store needs timezone-aware times")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(text: str) -> datetime:
    """Parse a time written by `to_db_time` (or any ISO-8601 time with an offset).

    Args:
        text: The stored text.

    Returns:
        A timezone-aware datetime in UTC.
    """
    return datetime.fromisoformat(text).astimezone(UTC)


def optional_time(text: str | None) -> datetime | None:
    """`from_db_time` for a column that may be NULL."""
    return None if text is None else from_db_time(text)


def to_json(value: Any) -> str:
    """Compact JSON text for a JSON column.

    Raises:
        ValueError: `value` holds NaN or an infinity.
        TypeError: `value` is not JSON-serialisable.
    """
    # allow_nan=False: NaN/Infinity are not JSON, and exported files must parse anywhere.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def finite(name: str, value: float) -> float:
    """`value` as a float, refusing NaN and infinities (they would poison sums).

    Raises:
        ValueError: `value` is not finite; the message names `name`.
    """
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number


# --------------------------------------------------------------------------- record types

# Records are read-only rows, so most are `NamedTuple`s: a frozen dataclass costs about
# 0.5 ms to create at import (it compiles six generated methods), a NamedTuple a tenth of
# that, and this module is imported before Home's first frame. Records that another class
# extends with fields stay dataclasses, which a NamedTuple cannot be: `AttemptSummary`
# (extended by `Attempt`) and `TopicAccuracy` (by the statistics' `TopicStats`).


class Learner(NamedTuple):
    """Someone who takes quizzes on this machine (a patient, or a caregiver in training).

    Attributes:
        id: Database id.
        name: Display name, unique ignoring case.
        created_at: When the learner was added (UTC).
        acknowledged_notice_at: When they last acknowledged the "education, not medical
            advice" notice, or None if they never have.
    """

    id: int
    name: str
    created_at: datetime
    acknowledged_notice_at: datetime | None


class AnswerRecord(NamedTuple):
    """One answer, as given.

    Attributes:
        id: Database id; increases in the order answers were recorded.
        attempt_id: The attempt it belongs to.
        deck_id: The deck the card is from.
        card_id: The card's stable id within the deck.
        card_hash: `card.content_hash()` when answered; differs from the current hash
            when the card was edited since.
        topic: The card's topic when answered.
        critical: Whether it was a must-know safety card.
        response: What the learner answered (any JSON value).
        correct: Whether the answer was right.
        points: Points earned.
        elapsed_ms: Time spent on the card, in milliseconds.
        answered_at: When it was recorded (UTC).
    """

    id: int
    attempt_id: int
    deck_id: str
    card_id: str
    card_hash: str
    topic: str
    critical: bool
    response: Any
    correct: bool
    points: float
    elapsed_ms: int
    answered_at: datetime


@dataclass(frozen=True)
class AttemptSummary:
    """An attempt without its answers, for lists and history.

    Attributes:
        id: Database id.
        learner_id: Who took it.
        deck_id: Deck id.
        deck_version: The deck's `version` when the attempt started.
        deck_title: The deck's title when the attempt started.
        mode: "practice", "exam" or "review".
        status: "unfinished" (can be resumed), "finished" or "discarded".
        started_at: When it started (UTC).
        finished_at: When it was finished or discarded, else None.
        score: Points scored, once finished.
        max_score: Points available, once finished.
        passed: Whether the pass mark was reached, once finished (None for no pass mark).
        pass_mark: The pass mark as a fraction of `max_score` (0-1), if any.
        answered: How many answers are recorded.
        correct: How many of them are correct.
    """

    id: int
    learner_id: int
    deck_id: str
    deck_version: str
    deck_title: str
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    score: float | None
    max_score: float | None
    passed: bool | None
    pass_mark: float | None
    answered: int
    correct: int

    @property
    def fraction(self) -> float | None:
        """`score / max_score` (0-1), or None before the attempt is finished."""
        if self.score is None or not self.max_score:
            return None
        return self.score / self.max_score


@dataclass(frozen=True)
class Attempt(AttemptSummary):
    """An attempt with its plan and every answer, for resuming and review.

    Attributes:
        plan: What `start_attempt` was given: the ordered card ids and settings.
        answers: The answers in the order they were recorded.
    """

    plan: dict[str, Any]
    answers: tuple[AnswerRecord, ...]


class DeckScore(NamedTuple):
    """A learner's results on one deck, over finished practice rounds and exams (review
    rounds over missed cards are not deck scores).

    Attributes:
        deck_id: Deck id.
        deck_title: The title at the latest finished attempt.
        attempts: Number of finished attempts.
        last_score: Score of the latest finished attempt.
        last_max_score: Its maximum score.
        last_passed: Whether it passed (None when it had no pass mark).
        last_at: When it was finished (UTC).
        best_score: Score of the attempt with the highest `score / max_score`
            (the latest such attempt on a tie).
        best_max_score: Its maximum score.
    """

    deck_id: str
    deck_title: str
    attempts: int
    last_score: float
    last_max_score: float
    last_passed: bool | None
    last_at: datetime
    best_score: float
    best_max_score: float

    @property
    def last_fraction(self) -> float:
        """The latest score as a fraction (0-1)."""
        return self.last_score / self.last_max_score if self.last_max_score else 0.0

    @property
    def best_fraction(self) -> float:
        """The best score as a fraction (0-1)."""
        return self.best_score / self.best_max_score if self.best_max_score else 0.0


@dataclass(frozen=True)
class TopicAccuracy:
    """How often a learner answered a deck's cards on one topic correctly.

    Counts every answer in unfinished and finished attempts; discarded attempts are left
    out.

    Attributes:
        deck_id: Deck id.
        topic: Topic id, e.g. "adverse-effects".
        answered: Number of answers.
        correct: Number of correct answers.
    """

    deck_id: str
    topic: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        """`correct / answered` (0-1)."""
        return self.correct / self.answered if self.answered else 0.0


class StoredCardState(NamedTuple):
    """A flashcard's saved scheduling state for one learner.

    Attributes:
        card_id: The card's id within the deck.
        card_hash: `content_hash()` of the card when it was last reviewed.
        state: The scheduler's card state (fsrs `Card.to_dict()`).
        due: When the card is next due (UTC).
        updated_at: When it was last reviewed (UTC).
    """

    card_id: str
    card_hash: str
    state: dict[str, Any]
    due: datetime
    updated_at: datetime


class ReviewRecord(NamedTuple):
    """One flashcard rating, as logged.

    Attributes:
        id: Database id.
        deck_id: The card's deck.
        card_id: The card's id.
        card_hash: The card's hash when reviewed.
        rating: 1 Again, 2 Hard, 3 Good, 4 Easy.
        reviewed_at: When (UTC).
        review: The scheduler's review log entry (fsrs `ReviewLog.to_dict()`).
        first_review: Whether this was the card's first review (a new card).
    """

    id: int
    deck_id: str
    card_id: str
    card_hash: str
    rating: int
    reviewed_at: datetime
    review: dict[str, Any]
    first_review: bool


class ReviewExport(NamedTuple):
    """One flashcard rating with the card's scheduling state after it, for export.

    Attributes:
        id: Database id.
        deck_id: The card's deck.
        card_id: The card's id.
        card_hash: The card's hash when reviewed.
        rating: 1 Again, 2 Hard, 3 Good, 4 Easy.
        reviewed_at: When (UTC).
        review: The scheduler's review log entry (fsrs `ReviewLog.to_dict()`).
        first_review: Whether this was the card's first review (a new card).
        state_after: The scheduler's card state after the rating (fsrs
            `Card.to_dict()`: `state` 1 learning, 2 review, 3 relearning; `due`; ...),
            or None if it is not known.
    """

    id: int
    deck_id: str
    card_id: str
    card_hash: str
    rating: int
    reviewed_at: datetime
    review: dict[str, Any]
    first_review: bool
    state_after: dict[str, Any] | None

    @property
    def due_after(self) -> datetime | None:
        """When the card came due again after this rating (UTC), if known."""
        due = (self.state_after or {}).get("due")
        return datetime.fromisoformat(due).astimezone(UTC) if isinstance(due, str) else None

    @property
    def interval_days(self) -> float | None:
        """Days from the rating until the card was due again, if known."""
        due = self.due_after
        if due is None:
            return None
        return round((due - self.reviewed_at).total_seconds() / 86400, 4)

    @property
    def state_name(self) -> str | None:
        """The card's state after the rating: "learning", "review" or "relearning"."""
        code = (self.state_after or {}).get("state")
        return {1: "learning", 2: "review", 3: "relearning"}.get(code) if code else None


# --------------------------------------------------------------------------- row mappers
# Each takes a `sqlite3.Row` whose columns carry the names below (see the SELECT lists
# in the topic modules) and converts stored text, 0/1 integers and JSON to Python values.


def learner_from_row(row: sqlite3.Row) -> Learner:
    """A `Learner` from the columns of `learners`."""
    return Learner(
        id=row["id"],
        name=row["name"],
        created_at=from_db_time(row["created_at"]),
        acknowledged_notice_at=optional_time(row["acknowledged_notice_at"]),
    )


def answer_from_row(row: sqlite3.Row) -> AnswerRecord:
    """An `AnswerRecord` from the columns of `answers`."""
    return AnswerRecord(
        id=row["id"],
        attempt_id=row["attempt_id"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        card_hash=row["card_hash"],
        topic=row["topic"],
        critical=bool(row["critical"]),
        response=json.loads(row["response_json"]),
        correct=bool(row["correct"]),
        points=row["points"],
        elapsed_ms=row["elapsed_ms"],
        answered_at=from_db_time(row["answered_at"]),
    )


def _summary_fields(row: sqlite3.Row) -> dict[str, Any]:
    """The `AttemptSummary` fields from the columns of `attempts` plus the two counts."""
    return {
        "id": row["id"],
        "learner_id": row["learner_id"],
        "deck_id": row["deck_id"],
        "deck_version": row["deck_version"],
        "deck_title": row["deck_title"],
        "mode": row["mode"],
        "status": row["status"],
        "started_at": from_db_time(row["started_at"]),
        "finished_at": optional_time(row["finished_at"]),
        "score": row["score"],
        "max_score": row["max_score"],
        "passed": None if row["passed"] is None else bool(row["passed"]),
        "pass_mark": row["pass_mark"],
        "answered": row["answered"],
        "correct": row["correct"],
    }


def summary_from_row(row: sqlite3.Row) -> AttemptSummary:
    """An `AttemptSummary` from the columns of `attempts` plus `answered` and `correct`."""
    return AttemptSummary(**_summary_fields(row))


def attempt_from_row(row: sqlite3.Row, answers: tuple[AnswerRecord, ...]) -> Attempt:
    """An `Attempt` from a summary row that also has `plan_json`, and its answers."""
    return Attempt(**_summary_fields(row), plan=json.loads(row["plan_json"]), answers=answers)


def card_state_from_row(row: sqlite3.Row) -> StoredCardState:
    """A `StoredCardState` from the columns of `card_states`."""
    return StoredCardState(
        card_id=row["card_id"],
        card_hash=row["card_hash"],
        state=json.loads(row["state_json"]),
        due=from_db_time(row["due"]),
        updated_at=from_db_time(row["updated_at"]),
    )


def review_from_row(row: sqlite3.Row) -> ReviewRecord:
    """A `ReviewRecord` from the columns of `review_log` plus `first_review` (0/1)."""
    return ReviewRecord(
        id=row["id"],
        deck_id=row["deck_id"],
        card_id=row["card_id"],
        card_hash=row["card_hash"],
        rating=row["rating"],
        reviewed_at=from_db_time(row["reviewed_at"]),
        review=json.loads(row["review_json"]),
        first_review=bool(row["first_review"]),
    )


def topic_accuracy_from_row(row: sqlite3.Row) -> TopicAccuracy:
    """A `TopicAccuracy` from the columns of `topic_counts`."""
    return TopicAccuracy(
        deck_id=row["deck_id"],
        topic=row["topic"],
        answered=row["answered"],
        correct=row["correct"],
    )


# --------------------------------------------------------------------------- studying
# Records of the card browser, the mistakes quiz and the statistics charts (schema 5).


class IndexedCard(NamedTuple):
    """A card as the browser's search index keeps it: its text and what it is filtered by.

    Attributes:
        card_id: The card's id within its deck.
        card_hash: Its `content_hash()`.
        card_type: "single", "multi", "true_false", "typed", "order" or "flashcard".
        topic: Its topic id.
        critical: Whether it is a must-know safety card.
        prompt: The question, or a flashcard's front.
        answers: The answer text: choices, accepted answers, steps, a flashcard's back.
        explanation: The explanation.
    """

    card_id: str
    card_hash: str
    card_type: str
    topic: str
    critical: bool
    prompt: str
    answers: str
    explanation: str


class BrowserRow(NamedTuple):
    """One card found by a browser search, with what the learner's record says of it.

    Attributes:
        deck_id: The card's deck.
        deck_title: That deck's title.
        card_id: The card's id.
        card_type: The card's type.
        topic: The card's topic.
        critical: Whether it is a must-know card.
        prompt: The question or front, as indexed.
        due: When the learner's flashcard schedule has it due, if scheduled.
        last_correct: Whether the learner's latest answer was right (None: never answered).
        suspended: Whether the learner suspended the card.
    """

    deck_id: str
    deck_title: str
    card_id: str
    card_type: str
    topic: str
    critical: bool
    prompt: str
    due: datetime | None
    last_correct: bool | None
    suspended: bool


class CardAnswer(NamedTuple):
    """One answer a learner gave to a card, for the browser's history of the card.

    Attributes:
        answered_at: When (UTC).
        correct: Whether it was right.
        elapsed_ms: Time taken, in milliseconds.
        mode: The attempt's mode ("practice", "exam" or "review").
    """

    answered_at: datetime
    correct: bool
    elapsed_ms: int
    mode: str


class Mistake(NamedTuple):
    """A card whose latest answer was wrong.

    Attributes:
        deck_id: The card's deck.
        card_id: The card's id.
        answered_at: When that wrong answer was given (UTC).
    """

    deck_id: str
    card_id: str
    answered_at: datetime


class DayActivity(NamedTuple):
    """What a learner did on one local calendar day.

    Attributes:
        day: The local date.
        answered: Quiz answers given (discarded attempts left out).
        correct: How many of them were right.
        reviewed: Flashcard ratings given.
    """

    day: date
    answered: int
    correct: int
    reviewed: int

    @property
    def accuracy(self) -> float | None:
        """`correct / answered` (0-1), or None on a day without answers."""
        return self.correct / self.answered if self.answered else None
