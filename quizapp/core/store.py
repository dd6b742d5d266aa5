"""The score store: every learner, attempt and answer, kept in one local SQLite file.

Scores reveal which medicine a person takes, so the file is private (0600, in a 0700
folder) and never leaves the machine except through an explicit `quizapp export`.

Design, and why:

* **One short connection per operation.** Each method opens its own `sqlite3` connection
  and closes it before returning. There is no shared connection to guard, so a store may
  be used from any thread (the UI calls it from thread workers) and from several
  processes at once (two terminals).
* **Every write is its own `BEGIN IMMEDIATE` transaction, committed before the method
  returns.** An answer is on disk when `record_answer` returns, so a crash, a closed
  terminal or `kill -9` loses nothing already answered. Taking the write lock up front
  means a second process waits (busy timeout) instead of failing with "database is
  locked" half-way through a transaction.
* **WAL journal, `synchronous=FULL`, foreign keys on.** SQLite gives the `-wal` and
  `-shm` files the database file's own permissions, so they are private too.
* **Damage is moved aside, never deleted.** A file that is not a database or fails
  `PRAGMA quick_check` is renamed `quizapp.db.corrupt-<UTC timestamp>` and a fresh store
  is started; `ScoreStore.recovered_from` tells the caller so it can say where it went.
* **Forward-only migrations** keyed on `PRAGMA user_version`; an existing file is copied
  with SQLite's online backup API to `quizapp.db.bak-v<old>-<UTC timestamp>` first.

All times are stored as UTC ISO-8601 text with microseconds and a `Z` suffix
(`2025-03-01T09:30:00.000000Z`): fixed width, so text order is time order.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from quizapp.core import paths

Mode = Literal["practice", "exam", "review"]
Status = Literal["unfinished", "finished", "discarded"]

MODES: tuple[str, ...] = ("practice", "exam", "review")
"""The kinds of attempt: practice (feedback per card), exam (scored at the end), review."""

BUSY_TIMEOUT_S = 10.0
"""How long a write waits for another process's transaction before giving up."""

MAX_NAME_LENGTH = 60
"""Longest learner name accepted."""

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")
_DIR_MODE = 0o700
_FILE_MODE = 0o600

# Error codes that mean the bytes on disk are not a usable database.
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
# Error codes caused by the environment (permissions, disk, locks), not by the caller.
_ENVIRONMENT_CODES = frozenset(
    {
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_AUTH,
    }
)


# --------------------------------------------------------------------------- errors


class StoreError(Exception):
    """The score database cannot be used (permissions, disk full, newer schema...).

    The message is written for the user and names the path involved; the CLI prints it
    and exits with status 2, the UI shows it.

    Attributes:
        path: The file or folder the problem is about.
    """

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class StoreDamagedError(StoreError):
    """The database file became unreadable while the app was using it.

    Opening the store again moves the damaged file aside and starts a fresh one.
    """


class NotFoundError(LookupError):
    """No learner or attempt with the given id or name."""


class NameTakenError(ValueError):
    """Another learner already has this name (names are compared ignoring case)."""


class AttemptClosedError(ValueError):
    """The attempt is finished or discarded, so it cannot take answers or change state."""


# --------------------------------------------------------------------------- time


def _utc_now() -> datetime:
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


def _optional_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


def _file_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# --------------------------------------------------------------------------- schema

_V1: tuple[str, ...] = (
    """
    CREATE TABLE learners (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL,
        acknowledged_notice_at TEXT
    )
    """,
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        deck_id TEXT NOT NULL,
        deck_version TEXT NOT NULL,
        deck_title TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('practice', 'exam', 'review')),
        plan_json TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        score REAL,
        max_score REAL,
        passed INTEGER CHECK (passed IN (0, 1)),
        pass_mark REAL,
        status TEXT NOT NULL DEFAULT 'unfinished'
            CHECK (status IN ('unfinished', 'finished', 'discarded'))
    )
    """,
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        deck_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        card_hash TEXT NOT NULL,
        topic TEXT NOT NULL,
        critical INTEGER NOT NULL CHECK (critical IN (0, 1)),
        response_json TEXT NOT NULL,
        correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
        points REAL NOT NULL,
        elapsed_ms INTEGER NOT NULL CHECK (elapsed_ms >= 0),
        answered_at TEXT NOT NULL
    )
    """,
    # History, newest first.
    "CREATE INDEX attempts_by_learner_started ON attempts (learner_id, started_at)",
    # Unfinished attempts to resume, and finished ones for last/best score per deck.
    "CREATE INDEX attempts_by_learner_status ON attempts (learner_id, status, deck_id)",
    # Covers per-topic accuracy (no table lookups) and per-attempt answer counts.
    "CREATE INDEX answers_by_attempt ON answers (attempt_id, deck_id, topic, correct)",
)

_V2: tuple[str, ...] = (
    """
    CREATE TABLE card_states (
        learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        deck_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        card_hash TEXT NOT NULL,
        state_json TEXT NOT NULL,
        due TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (learner_id, deck_id, card_id)
    )
    """,
    # Cards due for review, soonest first.
    "CREATE INDEX card_states_due ON card_states (learner_id, deck_id, due)",
    """
    CREATE TABLE review_log (
        id INTEGER PRIMARY KEY,
        learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        deck_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        card_hash TEXT NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        reviewed_at TEXT NOT NULL,
        review_json TEXT NOT NULL,
        previous_state_json TEXT
    )
    """,
    # The latest review of a card (undo) and a learner's reviews over time.
    "CREATE INDEX review_log_by_card ON review_log (learner_id, deck_id, card_id)",
    "CREATE INDEX review_log_by_time ON review_log (learner_id, reviewed_at)",
)

# Version 3: answer counts per learner, deck and topic, so that per-topic accuracy over
# all of a learner's decks is a short indexed read instead of a GROUP BY over every
# answer. Triggers keep the counts in the same transaction as the write that changes
# them, whichever statement it is (the store's methods, a tool, a test inserting rows
# directly), so they always equal that GROUP BY: answers of unfinished and finished
# attempts count, discarded ones do not, and a group whose count drops to zero is
# removed (the GROUP BY has no empty groups). The helpers below are part of migration 3
# and, like it, are never edited: a change goes in a new migration that replaces the
# triggers.
_COUNTED = "('unfinished', 'finished')"
"""Attempt statuses whose answers count towards topic accuracy."""


def _add_answer(row: str) -> str:
    """SQL adding one answer (`NEW` or `OLD` in a trigger) to the counts, if it counts."""
    return f"""
        INSERT INTO topic_counts (learner_id, deck_id, topic, answered, correct)
        SELECT a.learner_id, {row}.deck_id, {row}.topic, 1, {row}.correct FROM attempts a
        WHERE a.id = {row}.attempt_id AND a.status IN {_COUNTED}
        ON CONFLICT (learner_id, deck_id, topic) DO UPDATE
        SET answered = answered + 1, correct = correct + excluded.correct;
    """


def _remove_answer(row: str) -> str:
    """SQL taking one answer back out of the counts, if it counted."""
    key = f"""
        deck_id = {row}.deck_id AND topic = {row}.topic AND learner_id IN (
            SELECT a.learner_id FROM attempts a
            WHERE a.id = {row}.attempt_id AND a.status IN {_COUNTED})
    """
    return f"""
        UPDATE topic_counts SET answered = answered - 1, correct = correct - {row}.correct
        WHERE {key};
        DELETE FROM topic_counts WHERE answered = 0 AND {key};
    """


def _add_attempt(row: str) -> str:
    """SQL adding all of an attempt's answers to the counts, if its status counts."""
    return f"""
        INSERT INTO topic_counts (learner_id, deck_id, topic, answered, correct)
        SELECT {row}.learner_id, n.deck_id, n.topic, count(*), sum(n.correct) FROM answers n
        WHERE n.attempt_id = {row}.id AND {row}.status IN {_COUNTED}
        GROUP BY n.deck_id, n.topic
        ON CONFLICT (learner_id, deck_id, topic) DO UPDATE
        SET answered = answered + excluded.answered, correct = correct + excluded.correct;
    """


def _remove_attempt(row: str) -> str:
    """SQL taking all of an attempt's answers back out of the counts, if they counted."""
    same_group = (
        f"n.attempt_id = {row}.id AND n.deck_id = topic_counts.deck_id"
        " AND n.topic = topic_counts.topic"
    )
    return f"""
        UPDATE topic_counts SET
            answered = answered - (SELECT count(*) FROM answers n WHERE {same_group}),
            correct = correct - (SELECT coalesce(sum(n.correct), 0) FROM answers n
                                 WHERE {same_group})
        WHERE learner_id = {row}.learner_id AND {row}.status IN {_COUNTED}
          AND (deck_id, topic) IN (
            SELECT n.deck_id, n.topic FROM answers n WHERE n.attempt_id = {row}.id);
        DELETE FROM topic_counts WHERE learner_id = {row}.learner_id AND answered = 0;
    """


_V3: tuple[str, ...] = (
    # Not a foreign key to learners: deleting a learner's attempts and answers (which
    # `delete_learner` does, and a cascade does) already empties their counts, and a
    # foreign key could only add a way for recording an answer to fail.
    """
    CREATE TABLE topic_counts (
        learner_id INTEGER NOT NULL,
        deck_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        answered INTEGER NOT NULL,
        correct INTEGER NOT NULL,
        PRIMARY KEY (learner_id, deck_id, topic)
    )
    """,
    f"""
    INSERT INTO topic_counts (learner_id, deck_id, topic, answered, correct)
    SELECT a.learner_id, n.deck_id, n.topic, count(*), sum(n.correct)
    FROM attempts a JOIN answers n ON n.attempt_id = a.id
    WHERE a.status IN {_COUNTED}
    GROUP BY a.learner_id, n.deck_id, n.topic
    """,
    f"CREATE TRIGGER topic_counts_answer_inserted AFTER INSERT ON answers BEGIN"
    f" {_add_answer('NEW')} END",
    f"CREATE TRIGGER topic_counts_answer_deleted AFTER DELETE ON answers BEGIN"
    f" {_remove_answer('OLD')} END",
    f"CREATE TRIGGER topic_counts_answer_updated"
    f" AFTER UPDATE OF attempt_id, deck_id, topic, correct ON answers BEGIN"
    f" {_remove_answer('OLD')} {_add_answer('NEW')} END",
    # Normally a new attempt has no answers yet; this keeps answers left behind by a
    # deleted attempt with the same id counted as the GROUP BY would count them.
    f"CREATE TRIGGER topic_counts_attempt_inserted AFTER INSERT ON attempts BEGIN"
    f" {_add_attempt('NEW')} END",
    # Discarding (unfinished -> discarded) takes the answers out; finishing changes
    # nothing, so the WHEN clause skips the work.
    f"""
    CREATE TRIGGER topic_counts_attempt_updated AFTER UPDATE OF learner_id, status ON attempts
    WHEN OLD.learner_id IS NOT NEW.learner_id
      OR (OLD.status IN {_COUNTED}) IS NOT (NEW.status IN {_COUNTED})
    BEGIN {_remove_attempt("OLD")} {_add_attempt("NEW")} END
    """,
    # BEFORE: the answers are still there to subtract. When the delete cascades to the
    # answers, their own trigger no longer finds the attempt and subtracts nothing.
    f"CREATE TRIGGER topic_counts_attempt_deleted BEFORE DELETE ON attempts BEGIN"
    f" {_remove_attempt('OLD')} END",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)
"""`MIGRATIONS[n]` takes a database from schema version n to n + 1. Append, never edit."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes (`PRAGMA user_version`)."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Learner:
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


@dataclass(frozen=True)
class AnswerRecord:
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


@dataclass(frozen=True)
class DeckScore:
    """A learner's results on one deck, over finished attempts.

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


@dataclass(frozen=True)
class StoredCardState:
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


@dataclass(frozen=True)
class ReviewRecord:
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


# --------------------------------------------------------------------------- read SQL

_SUMMARY_COLUMNS = """
    a.id, a.learner_id, a.deck_id, a.deck_version, a.deck_title, a.mode, a.status,
    a.started_at, a.finished_at, a.score, a.max_score, a.passed, a.pass_mark,
    (SELECT count(*) FROM answers n WHERE n.attempt_id = a.id),
    (SELECT coalesce(sum(n.correct), 0) FROM answers n WHERE n.attempt_id = a.id)
"""

_ANSWER_COLUMNS = """
    n.id, n.attempt_id, n.deck_id, n.card_id, n.card_hash, n.topic, n.critical,
    n.response_json, n.correct, n.points, n.elapsed_ms, n.answered_at
"""

_HISTORY_SQL = f"""
    SELECT {_SUMMARY_COLUMNS} FROM attempts a
    WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')
    ORDER BY a.started_at DESC, a.id DESC
    LIMIT :limit
"""

_UNFINISHED_SQL = f"""
    SELECT {_SUMMARY_COLUMNS} FROM attempts a
    WHERE a.learner_id = :learner AND a.status = 'unfinished'
      AND (:deck IS NULL OR a.deck_id = :deck)
    ORDER BY a.started_at DESC, a.id DESC
"""

_DECK_SCORES_SQL = """
    SELECT deck_id, deck_title, score, max_score, passed, finished_at
    FROM attempts
    WHERE learner_id = :learner AND status = 'finished'
    ORDER BY finished_at, id
"""

# Kept equal to a GROUP BY over the learner's counted answers by the triggers of
# schema version 3 (see `_V3`).
_TOPIC_ACCURACY_SQL = """
    SELECT deck_id, topic, answered, correct
    FROM topic_counts
    WHERE learner_id = :learner AND (:deck IS NULL OR deck_id = :deck)
    ORDER BY deck_id, topic
"""

# SQLite guarantees that the bare column `card_hash` comes from the row holding max(id),
# i.e. the latest answer to each card.
_ANSWERED_HASHES_SQL = """
    SELECT n.card_id, n.card_hash, max(n.id)
    FROM attempts a JOIN answers n ON n.attempt_id = a.id
    WHERE a.learner_id = :learner AND a.status IN ('unfinished', 'finished')
      AND n.deck_id = :deck
    GROUP BY n.card_id
"""

_ATTEMPT_ANSWERS_SQL = f"""
    SELECT {_ANSWER_COLUMNS} FROM answers n WHERE n.attempt_id = :attempt ORDER BY n.id
"""

_READ_QUERIES: dict[str, str] = {
    "history": _HISTORY_SQL,
    "unfinished_attempts": _UNFINISHED_SQL,
    "deck_scores": _DECK_SCORES_SQL,
    "topic_accuracy": _TOPIC_ACCURACY_SQL,
    "answered_hashes": _ANSWERED_HASHES_SQL,
    "attempt_answers": _ATTEMPT_ANSWERS_SQL,
}
"""The queries behind the UI's screens, by method; tests check each one uses an index."""


def _summary(row: Sequence[Any]) -> AttemptSummary:
    return AttemptSummary(*_summary_values(row))


def _summary_values(row: Sequence[Any]) -> tuple[Any, ...]:
    return (
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        from_db_time(row[7]),
        _optional_time(row[8]),
        row[9],
        row[10],
        None if row[11] is None else bool(row[11]),
        row[12],
        row[13],
        row[14],
    )


def _answer(row: Sequence[Any]) -> AnswerRecord:
    return AnswerRecord(
        id=row[0],
        attempt_id=row[1],
        deck_id=row[2],
        card_id=row[3],
        card_hash=row[4],
        topic=row[5],
        critical=bool(row[6]),
        response=json.loads(row[7]),
        correct=bool(row[8]),
        points=row[9],
        elapsed_ms=row[10],
        answered_at=from_db_time(row[11]),
    )


def _learner(row: Sequence[Any]) -> Learner:
    return Learner(
        id=row[0],
        name=row[1],
        created_at=from_db_time(row[2]),
        acknowledged_notice_at=_optional_time(row[3]),
    )


def _clean_name(name: str) -> str:
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise ValueError("A learner's name cannot be empty.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValueError(f"A learner's name can be at most {MAX_NAME_LENGTH} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise ValueError("A learner's name cannot contain control characters.")
    return cleaned


def _to_json(value: Any) -> str:
    # allow_nan=False: NaN/Infinity are not JSON, and exported files must parse anywhere.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _finite(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number


# --------------------------------------------------------------------------- files


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _ensure_folder(folder: Path) -> None:
    hint = f"choose another folder with --data-dir or ${paths.DATA_DIR_ENV}"
    try:
        created = not folder.exists()
        if created:
            folder.mkdir(parents=True, exist_ok=True)
            # Only our own new folder is tightened; an existing one is the user's choice.
            os.chmod(folder, _DIR_MODE)
        elif not folder.is_dir():
            raise StoreError(f"The data folder {folder} is not a folder ({hint}).", folder)
    except OSError as error:
        raise StoreError(
            f"Cannot create the data folder {folder}: {_reason(error)} ({hint}).", folder
        ) from error


def _create_private_file(path: Path) -> bool:
    """Create `path` empty with mode 0600 unless it exists; True if this call created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
    except FileExistsError:
        return False
    try:
        # The mode given to os.open is filtered by the umask; make it exact.
        os.fchmod(fd, _FILE_MODE)
    finally:
        os.close(fd)
    return True


def _unused_name(base: Path) -> Path:
    candidate, n = base, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


# --------------------------------------------------------------------------- the store


class ScoreStore:
    """Learners, attempts and answers in a local SQLite file.

    Create it with `ScoreStore.open(path)`. Every method opens its own short connection,
    so one store object may be shared by threads and the same file by processes.

    Attributes:
        path: The database file.
        recovered_from: When `open` found the file damaged, where it was moved to
            (`quizapp.db.corrupt-<UTC timestamp>`); otherwise None.
        backed_up_to: When `open` migrated an older schema, the backup made first
            (`quizapp.db.bak-v<old>-<UTC timestamp>`); otherwise None.
    """

    def __init__(self, path: Path, now: Callable[[], datetime] | None = None) -> None:
        """Bind to a database file without checking it; use `ScoreStore.open` instead.

        Args:
            path: The database file.
            now: The clock; returns timezone-aware datetimes. Defaults to UTC now.
        """
        self.path = Path(path)
        self._now = now or _utc_now
        self.recovered_from: Path | None = None
        self.backed_up_to: Path | None = None

    # ----------------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path, *, now: Callable[[], datetime] | None = None) -> ScoreStore:
        """Open the score database, creating, repairing and upgrading it as needed.

        Creates the parent folder (0700) and the file (0600) when missing, moves a damaged
        file aside and starts fresh (see `recovered_from`), and migrates an older schema
        after backing it up (see `backed_up_to`).

        Args:
            path: The database file, usually `paths.db_path(paths.data_dir())`.
            now: The clock, for tests; returns timezone-aware datetimes.

        Returns:
            A ready store.

        Raises:
            StoreError: The folder or file cannot be created, read or written, or the file
                was written by a newer quizapp or another program.
        """
        return cls._open(Path(path), now=now, target_version=SCHEMA_VERSION)

    @classmethod
    def _open(
        cls, path: Path, *, now: Callable[[], datetime] | None, target_version: int
    ) -> ScoreStore:
        # `target_version` below the current one exists only to build old-schema fixtures
        # through the real migration code.
        store = cls(path, now)
        _ensure_folder(path.parent)
        if path.is_dir():
            raise StoreError(f"The score database {path} is a folder, not a file.", path)
        store._create_file()
        store._recover_if_damaged()
        store._migrate(target_version)
        return store

    def _create_file(self) -> None:
        try:
            _create_private_file(self.path)
        except OSError as error:
            raise StoreError(
                f"Cannot create the score database {self.path}: {_reason(error)}.", self.path
            ) from error

    @property
    def recovery_message(self) -> str | None:
        """A sentence for the user when `open` moved a damaged file aside, else None."""
        if self.recovered_from is None:
            return None
        return (
            f"The score database {self.path} was damaged and could not be read. "
            f"It was moved to {self.recovered_from} (nothing was deleted) "
            "and a new, empty one was started."
        )

    def _damage(self) -> str | None:
        """Why the file is unusable, or None when it is a healthy (or empty) database."""
        try:
            with open(self.path, "rb") as handle:
                header = handle.read(len(_SQLITE_MAGIC))
        except OSError as error:
            raise StoreError(
                f"Cannot read the score database {self.path}: {_reason(error)}.", self.path
            ) from error
        if not header:
            return None
        # Judged from the raw bytes, not through SQLite, which would delete a WAL file next
        # to a non-database and so destroy part of what we promise to keep. A database's
        # first 16 bytes are written once, with its first page, and never change after.
        if header != _SQLITE_MAGIC:
            return "not a SQLite database"
        try:
            # Read-only: a read-write connection checkpoints the WAL into the file when it
            # closes, which would alter a damaged file before it is moved aside.
            rows = self._quick_check(readonly=True)
        except StoreDamagedError as error:
            return str(error.__cause__)
        except StoreError:
            # Some set-ups refuse read-only WAL access (no shared memory file yet, say);
            # a normal connection can still judge the file.
            try:
                rows = self._quick_check(readonly=False)
            except StoreDamagedError as error:
                return str(error.__cause__)
        problems = [row[0] for row in rows if row[0] != "ok"]
        return "; ".join(problems) if problems else None

    def _quick_check(self, *, readonly: bool) -> list[tuple[Any, ...]]:
        with self._connect(readonly=readonly) as conn:
            return conn.execute("PRAGMA quick_check").fetchall()

    def _recover_if_damaged(self) -> None:
        # Bounded: another process may be recovering the same file at the same moment.
        for _ in range(3):
            try:
                before = os.stat(self.path)
            except FileNotFoundError:
                self._create_file()
                continue
            if self._damage() is None:
                return
            moved = self._move_aside(before)
            if moved is not None:
                self.recovered_from = moved
            self._create_file()

    def _move_aside(self, seen: os.stat_result) -> Path | None:
        target = _unused_name(
            self.path.with_name(f"{self.path.name}.corrupt-{_file_stamp(self._now())}")
        )
        try:
            current = os.stat(self.path)
            if (current.st_dev, current.st_ino) != (seen.st_dev, seen.st_ino):
                # Another process already moved the damaged file and started a new one.
                return None
            os.rename(self.path, target)
            # A leftover WAL would be replayed into the fresh database; it belongs with
            # the damaged file.
            for suffix in _SIDE_FILES:
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.rename(side, Path(f"{target}{suffix}"))
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(
                f"The score database {self.path} is damaged and could not be moved aside:"
                f" {_reason(error)}.",
                self.path,
            ) from error
        return target

    def _migrate(self, target_version: int) -> None:
        with self._connect() as conn:
            self._use_wal(conn)
            if _user_version(conn) == target_version:
                return
            conn.execute("BEGIN IMMEDIATE")
            # Read again under the write lock: another process may have just migrated.
            version = _user_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The score database {self.path} was written by a newer quizapp "
                    f"(schema version {version}; this one reads up to {SCHEMA_VERSION}). "
                    "Update quizapp, or choose another folder with --data-dir.",
                    self.path,
                )
            if version == 0:
                tables = {
                    row[0]
                    for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                if tables:  # version 0 with tables: not something quizapp ever wrote
                    raise StoreError(
                        f"{self.path} is a SQLite database from another program, not a "
                        "quizapp score database. Move it, or choose another folder with "
                        "--data-dir.",
                        self.path,
                    )
            elif version < target_version:
                self.backed_up_to = self._backup(version)
            for step in range(version, target_version):
                for statement in MIGRATIONS[step]:
                    conn.execute(statement)
            if version < target_version:
                conn.execute(f"PRAGMA user_version = {int(target_version)}")
            conn.execute("COMMIT")

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL; persistent, so done once here, not per connection.

        Switching a new file needs an exclusive lock, and SQLite reports "locked" at once,
        without waiting, when another process opening the same new file holds a lock (it
        cannot wait there without risking a deadlock). So retry, within the busy timeout.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
                return
            except sqlite3.OperationalError as error:
                code = getattr(error, "sqlite_errorcode", 0) & 0xFF
                if code not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _backup(self, version: int) -> Path:
        """Copy the database with the online backup API before migrating it.

        Runs while the caller holds the write lock, through a second connection: the
        backup API refuses a source connection that is itself in a write transaction, and
        under WAL a reader still sees the last committed state.
        """
        target = _unused_name(
            self.path.with_name(f"{self.path.name}.bak-v{version}-{_file_stamp(self._now())}")
        )
        try:
            _create_private_file(target)
            source = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                copy = sqlite3.connect(target, isolation_level=None)
                try:
                    source.backup(copy)
                finally:
                    copy.close()
            finally:
                source.close()
        except (OSError, sqlite3.Error) as error:
            reason = _reason(error) if isinstance(error, OSError) else str(error)
            raise StoreError(
                f"Cannot back up the score database {self.path} to {target} before "
                f"upgrading it: {reason}.",
                target,
            ) from error
        return target

    # ----------------------------------------------------------------------- connections

    @contextmanager
    def _connect(
        self, *, write: bool = False, readonly: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """A fresh connection, closed on exit.

        Args:
            write: Run the body as one `BEGIN IMMEDIATE` transaction, committed on exit.
            readonly: Open the file read-only (for the health check).
        """
        target = f"file:{quote(str(self.path))}?mode=ro" if readonly else str(self.path)
        try:
            conn = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=readonly
            )
        except sqlite3.Error as error:
            translated = self._translate(error)
            if translated is None:
                raise
            raise translated from error
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            # FULL: a commit survives power loss too, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")
            if write:
                conn.execute("BEGIN IMMEDIATE")
            yield conn
            if write:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            _rollback(conn)
            translated = self._translate(error)
            if translated is None:
                raise
            raise translated from error
        except BaseException:
            _rollback(conn)
            raise
        finally:
            conn.close()

    def _translate(self, error: sqlite3.Error) -> StoreError | None:
        code = getattr(error, "sqlite_errorcode", None)
        if code is None:
            return None
        primary = code & 0xFF
        if primary in _DAMAGE_CODES:
            return StoreDamagedError(
                f"The score database {self.path} is damaged ({error}). "
                "Restart quizapp to move it aside and start a new one.",
                self.path,
            )
        if primary in _ENVIRONMENT_CODES:
            return StoreError(f"Cannot use the score database {self.path}: {error}.", self.path)
        return None

    def schema_version(self) -> int:
        """The file's schema version (`PRAGMA user_version`)."""
        with self._connect() as conn:
            return _user_version(conn)

    # ----------------------------------------------------------------------- learners

    def add_learner(self, name: str) -> Learner:
        """Add a learner.

        Args:
            name: Display name; surrounding and repeated spaces are removed.

        Returns:
            The new learner.

        Raises:
            ValueError: The name is empty, too long or contains control characters.
            NameTakenError: A learner with this name (ignoring case) exists.
        """
        cleaned = _clean_name(name)
        with self._connect(write=True) as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO learners (name, created_at) VALUES (?, ?)",
                    (cleaned, to_db_time(self._now())),
                )
            except sqlite3.IntegrityError as error:
                raise NameTakenError(f"There is already a learner called {cleaned!r}.") from error
            return self._learner_in(conn, cursor.lastrowid)

    def get_or_create_learner(self, name: str) -> Learner:
        """The learner with this name (ignoring case), added if there is none.

        Args:
            name: Display name.

        Returns:
            The existing or new learner.

        Raises:
            ValueError: The name is empty, too long or contains control characters.
        """
        cleaned = _clean_name(name)
        with self._connect(write=True) as conn:
            row = conn.execute("SELECT id FROM learners WHERE name = ?", (cleaned,)).fetchone()
            if row is not None:
                return self._learner_in(conn, row[0])
            cursor = conn.execute(
                "INSERT INTO learners (name, created_at) VALUES (?, ?)",
                (cleaned, to_db_time(self._now())),
            )
            return self._learner_in(conn, cursor.lastrowid)

    def learners(self) -> list[Learner]:
        """Every learner, by name."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, name, created_at, acknowledged_notice_at FROM learners"
                " ORDER BY name, id"
            ).fetchall()
        return [_learner(row) for row in rows]

    def learner(self, learner_id: int) -> Learner:
        """One learner by id.

        Raises:
            NotFoundError: No such learner.
        """
        with self._connect() as conn:
            return self._learner_in(conn, learner_id)

    def find_learner(self, name: str) -> Learner | None:
        """The learner with this name (ignoring case and extra spaces), or None."""
        try:
            cleaned = _clean_name(name)
        except ValueError:
            return None
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, name, created_at, acknowledged_notice_at FROM learners WHERE name = ?",
                (cleaned,),
            ).fetchone()
        return None if row is None else _learner(row)

    def rename_learner(self, learner_id: int, new_name: str) -> Learner:
        """Rename a learner; their attempts stay theirs.

        Raises:
            ValueError: The name is empty, too long or contains control characters.
            NameTakenError: Another learner has this name.
            NotFoundError: No such learner.
        """
        cleaned = _clean_name(new_name)
        with self._connect(write=True) as conn:
            try:
                cursor = conn.execute(
                    "UPDATE learners SET name = ? WHERE id = ?", (cleaned, learner_id)
                )
            except sqlite3.IntegrityError as error:
                raise NameTakenError(f"There is already a learner called {cleaned!r}.") from error
            if cursor.rowcount == 0:
                raise NotFoundError(f"No learner with id {learner_id}.")
            return self._learner_in(conn, learner_id)

    def acknowledge_notice(self, learner_id: int) -> Learner:
        """Record that the learner acknowledged the "education, not medical advice" notice.

        Returns:
            The learner, with `acknowledged_notice_at` set to now.

        Raises:
            NotFoundError: No such learner.
        """
        with self._connect(write=True) as conn:
            cursor = conn.execute(
                "UPDATE learners SET acknowledged_notice_at = ? WHERE id = ?",
                (to_db_time(self._now()), learner_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"No learner with id {learner_id}.")
            return self._learner_in(conn, learner_id)

    @staticmethod
    def _learner_in(conn: sqlite3.Connection, learner_id: int | None) -> Learner:
        row = conn.execute(
            "SELECT id, name, created_at, acknowledged_notice_at FROM learners WHERE id = ?",
            (learner_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"No learner with id {learner_id}.")
        return _learner(row)

    # ----------------------------------------------------------------------- attempts

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
        if pass_mark is not None and not 0.0 <= _finite("pass_mark", pass_mark) <= 1.0:
            raise ValueError(f"pass_mark is a fraction between 0 and 1, not {pass_mark!r}")
        plan_json = _to_json(plan)
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

        Returns:
            The answer id.

        Raises:
            NotFoundError: No such attempt.
            AttemptClosedError: The attempt is finished or discarded.
            ValueError: A negative time or a non-finite number of points.
            TypeError: `response` is not JSON-serialisable.
        """
        if elapsed_ms < 0:
            raise ValueError(f"elapsed_ms cannot be negative: {elapsed_ms}")
        row = (
            attempt_id,
            deck_id,
            card_id,
            card_hash,
            topic,
            int(bool(critical)),
            _to_json(response),
            int(bool(correct)),
            _finite("points", points),
            int(elapsed_ms),
            to_db_time(self._now()),
        )
        with self._connect(write=True) as conn:
            self._require_unfinished(conn, attempt_id)
            cursor = conn.execute(
                "INSERT INTO answers (attempt_id, deck_id, card_id, card_hash, topic, critical,"
                " response_json, correct, points, elapsed_ms, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def finish_attempt(
        self, attempt_id: int, score: float, max_score: float, passed: bool | None
    ) -> None:
        """Mark an attempt finished with its result.

        Args:
            attempt_id: An unfinished attempt.
            score: Points scored (0 to `max_score`).
            max_score: Points available (above 0).
            passed: Whether the pass mark was reached; None when there is no pass mark.

        Raises:
            NotFoundError: No such attempt.
            AttemptClosedError: It is already finished or discarded.
            ValueError: Scores out of range.
        """
        score = _finite("score", score)
        max_score = _finite("max_score", max_score)
        if max_score <= 0 or not 0 <= score <= max_score:
            raise ValueError(
                f"need 0 <= score <= max_score and max_score > 0, got {score}/{max_score}"
            )
        with self._connect(write=True) as conn:
            self._require_unfinished(conn, attempt_id)
            conn.execute(
                "UPDATE attempts SET status = 'finished', finished_at = ?, score = ?,"
                " max_score = ?, passed = ? WHERE id = ?",
                (
                    to_db_time(self._now()),
                    score,
                    max_score,
                    None if passed is None else int(bool(passed)),
                    attempt_id,
                ),
            )

    def discard_attempt(self, attempt_id: int) -> None:
        """Set an unfinished attempt aside; its answers are kept but leave the statistics.

        Discarding an already discarded attempt does nothing.

        Raises:
            NotFoundError: No such attempt.
            AttemptClosedError: The attempt is finished.
        """
        with self._connect(write=True) as conn:
            status = self._status(conn, attempt_id)
            if status == "discarded":
                return
            if status != "unfinished":
                raise AttemptClosedError(
                    f"Attempt {attempt_id} is {status}; it cannot be discarded."
                )
            conn.execute(
                "UPDATE attempts SET status = 'discarded', finished_at = ? WHERE id = ?",
                (to_db_time(self._now()), attempt_id),
            )

    @staticmethod
    def _status(conn: sqlite3.Connection, attempt_id: int) -> str:
        row = conn.execute("SELECT status FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No attempt with id {attempt_id}.")
        return str(row[0])

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
                f"SELECT {_SUMMARY_COLUMNS}, a.plan_json FROM attempts a WHERE a.id = ?",
                (attempt_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No attempt with id {attempt_id}.")
            answers = conn.execute(_ATTEMPT_ANSWERS_SQL, {"attempt": attempt_id}).fetchall()
        return Attempt(
            *_summary_values(row),
            plan=json.loads(row[15]),
            answers=tuple(_answer(answer) for answer in answers),
        )

    def unfinished_attempts(
        self, learner_id: int, deck_id: str | None = None
    ) -> list[AttemptSummary]:
        """Attempts that can be resumed or discarded, newest first.

        Args:
            learner_id: Whose attempts.
            deck_id: Only this deck's, when given.
        """
        with self._connect() as conn:
            rows = conn.execute(
                _UNFINISHED_SQL, {"learner": learner_id, "deck": deck_id}
            ).fetchall()
        return [_summary(row) for row in rows]

    def history(
        self, learner_id: int, limit: int | None = None, *, include_discarded: bool = False
    ) -> list[AttemptSummary]:
        """A learner's attempts, newest first.

        Args:
            learner_id: Whose attempts.
            limit: At most this many.
            include_discarded: Also list discarded attempts.
        """
        params = {
            "learner": learner_id,
            "all": int(include_discarded),
            "limit": -1 if limit is None else max(0, int(limit)),
        }
        with self._connect() as conn:
            rows = conn.execute(_HISTORY_SQL, params).fetchall()
        return [_summary(row) for row in rows]

    # ----------------------------------------------------------------------- statistics

    def deck_scores(self, learner_id: int) -> dict[str, DeckScore]:
        """Last and best score per deck, over finished attempts.

        Returns:
            Deck id to `DeckScore`; decks without a finished attempt are absent.
        """
        with self._connect() as conn:
            rows = conn.execute(_DECK_SCORES_SQL, {"learner": learner_id}).fetchall()
        scores: dict[str, DeckScore] = {}
        for deck_id, title, score, max_score, passed, finished_at in rows:
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
                deck_title=title,
                attempts=(previous.attempts if previous else 0) + 1,
                last_score=score,
                last_max_score=max_score,
                last_passed=None if passed is None else bool(passed),
                last_at=from_db_time(finished_at),
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
                _TOPIC_ACCURACY_SQL, {"learner": learner_id, "deck": deck_id}
            ).fetchall()
        return [TopicAccuracy(deck, topic, count, correct) for deck, topic, count, correct in rows]

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
                _ANSWERED_HASHES_SQL, {"learner": learner_id, "deck": deck_id}
            ).fetchall()
        return {card_id: card_hash for card_id, card_hash, _ in rows}

    # ----------------------------------------------------------------------- flashcards

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
        return {
            card_id: StoredCardState(
                card_id, card_hash, json.loads(state), from_db_time(due), from_db_time(updated)
            )
            for card_id, card_hash, state, due, updated in rows
        }

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
            self._learner_in(conn, learner_id)
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
                    _to_json(state),
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
                    _to_json(review),
                    None if previous_state is None else _to_json(previous_state),
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
            learner_id, deck_id, card_id, previous = row
            key = (learner_id, deck_id, card_id)
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
                    before[0] if before else None,
                    before[1] if before else None,
                    *key,
                ),
            )

    def new_cards_since(self, learner_id: int, deck_id: str, since: datetime) -> int:
        """How many cards of a deck had their first review at or after `since`.

        Used for the daily limit of new cards.
        """
        with self._connect() as conn:
            (count,) = conn.execute(
                "SELECT count(*) FROM review_log WHERE learner_id = ? AND deck_id = ?"
                " AND previous_state_json IS NULL AND reviewed_at >= ?",
                (learner_id, deck_id, to_db_time(since)),
            ).fetchone()
        return int(count)

    def reviews(self, learner_id: int, since: datetime | None = None) -> list[ReviewRecord]:
        """A learner's flashcard ratings, oldest first (for statistics).

        Args:
            learner_id: Whose reviews.
            since: Only reviews at or after this time.
        """
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, deck_id, card_id, card_hash, rating, reviewed_at, review_json,"
                " previous_state_json IS NULL FROM review_log WHERE learner_id = ?"
                " AND reviewed_at >= ? ORDER BY reviewed_at, id",
                (learner_id, to_db_time(since) if since else ""),
            ).fetchall()
        return [
            ReviewRecord(i, d, c, h, r, from_db_time(at), json.loads(j), bool(first))
            for i, d, c, h, r, at, j, first in rows
        ]

    # ----------------------------------------------------------------------- export

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
            learner_id: int | None = None
            if learner is not None:
                try:
                    cleaned = _clean_name(learner)
                except ValueError:
                    cleaned = None
                found = conn.execute(
                    "SELECT id FROM learners WHERE name = ?", (cleaned,)
                ).fetchone()
                if found is None:
                    raise NotFoundError(f"No learner called {learner!r}.")
                learner_id = found[0]
            people = {
                row[0]: _learner(row)
                for row in conn.execute(
                    "SELECT id, name, created_at, acknowledged_notice_at FROM learners"
                    " WHERE :id IS NULL OR id = :id",
                    {"id": learner_id},
                )
            }
            attempts = conn.execute(
                f"SELECT {_SUMMARY_COLUMNS}, a.plan_json FROM attempts a"
                " WHERE :id IS NULL OR a.learner_id = :id ORDER BY a.started_at, a.id",
                {"id": learner_id},
            ).fetchall()
            answers: dict[int, list[AnswerRecord]] = {}
            for row in conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers n JOIN attempts a ON a.id = n.attempt_id"
                " WHERE :id IS NULL OR a.learner_id = :id ORDER BY n.id",
                {"id": learner_id},
            ):
                answers.setdefault(row[1], []).append(_answer(row))
            conn.execute("COMMIT")
        result = [
            (
                people[row[1]],
                Attempt(
                    *_summary_values(row),
                    plan=json.loads(row[15]),
                    answers=tuple(answers.get(row[0], ())),
                ),
            )
            for row in attempts
        ]
        result.sort(key=lambda pair: (pair[0].name.casefold(), pair[0].id))
        return result

    # ----------------------------------------------------------------------- statistics,
    # reports and learner management (issue 7). New methods only, appended here.

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
            self._learner_in(conn, learner_id)
            rows = conn.execute(
                f"SELECT {_SUMMARY_COLUMNS}, a.plan_json FROM attempts a"
                " WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')"
                " ORDER BY a.started_at, a.id",
                params,
            ).fetchall()
            answers: dict[int, list[AnswerRecord]] = {}
            for row in conn.execute(
                f"SELECT {_ANSWER_COLUMNS} FROM answers n JOIN attempts a ON a.id = n.attempt_id"
                " WHERE a.learner_id = :learner AND (:all OR a.status != 'discarded')"
                " ORDER BY n.id",
                params,
            ):
                answers.setdefault(row[1], []).append(_answer(row))
            conn.execute("COMMIT")
        return [
            Attempt(
                *_summary_values(row),
                plan=json.loads(row[15]),
                answers=tuple(answers.get(row[0], ())),
            )
            for row in rows
        ]

    def delete_learner(self, learner_id: int) -> Path:
        """Delete a learner and everything recorded for them, after backing it up.

        The learner's row, attempts (with plans), answers, flashcard states and review
        log are first written as JSON to a private file (0600) next to the database,
        `quizapp.db.deleted-learner-<id>-<UTC timestamp>.json`, and only then deleted.
        Reading, backing up and deleting happen under one write transaction, so the
        backup holds exactly the rows removed; if the backup cannot be written nothing
        is deleted.

        Backup layout: `{"format": "quizapp-deleted-learner", "format_version": 1,
        "deleted_at": ..., "database": ..., "schema_version": ..., "learner": {...},
        "attempts": [...], "answers": [...], "card_states": [...], "review_log": [...]}`
        where each row is an object keyed by its column names, exactly as stored
        (times as stored text; JSON columns as stored text).

        Args:
            learner_id: Who to delete.

        Returns:
            The backup file.

        Raises:
            NotFoundError: No such learner.
            StoreError: The backup cannot be written (nothing is deleted then).
        """
        with self._connect(write=True) as conn:
            self._learner_in(conn, learner_id)

            def rows(sql: str) -> list[dict[str, Any]]:
                cursor = conn.execute(sql, {"learner": learner_id})
                names = [column[0] for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

            now = self._now()
            document = {
                "format": "quizapp-deleted-learner",
                "format_version": 1,
                "deleted_at": to_db_time(now),
                "database": str(self.path),
                "schema_version": _user_version(conn),
                "learner": rows("SELECT * FROM learners WHERE id = :learner")[0],
                "attempts": rows("SELECT * FROM attempts WHERE learner_id = :learner ORDER BY id"),
                "answers": rows(
                    "SELECT n.* FROM answers n JOIN attempts a ON a.id = n.attempt_id"
                    " WHERE a.learner_id = :learner ORDER BY n.id"
                ),
                "card_states": rows(
                    "SELECT * FROM card_states WHERE learner_id = :learner"
                    " ORDER BY deck_id, card_id"
                ),
                "review_log": rows(
                    "SELECT * FROM review_log WHERE learner_id = :learner ORDER BY id"
                ),
            }
            target = _unused_name(
                self.path.with_name(
                    f"{self.path.name}.deleted-learner-{learner_id}-{_file_stamp(now)}.json"
                )
            )
            try:
                if not _create_private_file(target):
                    raise FileExistsError(f"{target} already exists")
                try:
                    with open(target, "w", encoding="utf-8") as handle:
                        json.dump(document, handle, ensure_ascii=False, indent=2)
                        handle.write("\n")
                        handle.flush()
                        os.fsync(handle.fileno())
                except BaseException:
                    target.unlink(missing_ok=True)
                    raise
            except OSError as error:
                raise StoreError(
                    f"Cannot write the backup {target} before deleting the learner: "
                    f"{_reason(error)}. Nothing was deleted.",
                    target,
                ) from error
            # Attempts, answers, card states and reviews go with the learner (ON DELETE
            # CASCADE); deleted explicitly as well so the result does not hang on the
            # foreign_keys pragma.
            conn.execute(
                "DELETE FROM answers WHERE attempt_id IN"
                " (SELECT id FROM attempts WHERE learner_id = ?)",
                (learner_id,),
            )
            for table in ("attempts", "card_states", "review_log"):
                conn.execute(f"DELETE FROM {table} WHERE learner_id = ?", (learner_id,))
            conn.execute("DELETE FROM learners WHERE id = ?", (learner_id,))
        return target


def _user_version(conn: sqlite3.Connection) -> int:
    # fetchall, not fetchone: a statement left un-finished would keep holding its lock.
    return int(conn.execute("PRAGMA user_version").fetchall()[0][0])


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is being closed anyway, which also rolls back
