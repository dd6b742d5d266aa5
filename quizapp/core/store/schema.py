"""The schema of the score database: tables, indexes and triggers, as forward-only migrations.

`MIGRATIONS[n]` takes a database from schema version n (`PRAGMA user_version`) to n + 1;
`quizapp.core.store.database` runs them. A migration that has shipped is never edited:
a change goes in a new one appended at the end, so every file ever written can be
brought up to date by the same steps.
"""

from __future__ import annotations

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
COUNTED = "('unfinished', 'finished')"
"""Attempt statuses whose answers count towards topic accuracy."""


def _add_answer(row: str) -> str:
    """SQL adding one answer (`NEW` or `OLD` in a trigger) to the counts, if it counts."""
    return f"""
        INSERT INTO topic_counts (learner_id, deck_id, topic, answered, correct)
        SELECT a.learner_id, {row}.deck_id, {row}.topic, 1, {row}.correct FROM attempts a
        WHERE a.id = {row}.attempt_id AND a.status IN {COUNTED}
        ON CONFLICT (learner_id, deck_id, topic) DO UPDATE
        SET answered = answered + 1, correct = correct + excluded.correct;
    """


def _remove_answer(row: str) -> str:
    """SQL taking one answer back out of the counts, if it counted."""
    key = f"""
        deck_id = {row}.deck_id AND topic = {row}.topic AND learner_id IN (
            SELECT a.learner_id FROM attempts a
            WHERE a.id = {row}.attempt_id AND a.status IN {COUNTED})
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
        WHERE n.attempt_id = {row}.id AND {row}.status IN {COUNTED}
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
        WHERE learner_id = {row}.learner_id AND {row}.status IN {COUNTED}
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
    WHERE a.status IN {COUNTED}
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
      OR (OLD.status IN {COUNTED}) IS NOT (NEW.status IN {COUNTED})
    BEGIN {_remove_attempt("OLD")} {_add_attempt("NEW")} END
    """,
    # BEFORE: the answers are still there to subtract. When the delete cascades to the
    # answers, their own trigger no longer finds the attempt and subtracts nothing.
    f"CREATE TRIGGER topic_counts_attempt_deleted BEFORE DELETE ON attempts BEGIN"
    f" {_remove_attempt('OLD')} END",
)

# Records you can trust (issue 12; version 4 on this branch): one window per unfinished attempt, and
# never more answers than cards. `claim_owner` is a random token of the window that has
# the attempt open and `claim_expires_at` when that claim runs out unless renewed (so a
# crashed window does not hold it for ever). The triggers are the store's last line of
# defence, whatever writes the rows: an attempt takes one answer per card, and no more
# answers than its plan has cards (`plan_json.card_ids`; a plan without card ids has no
# limit). Triggers rather than a UNIQUE index: files written before this migration may
# already hold duplicates, and records are never deleted to make an index fit.
ANSWER_ALREADY_GIVEN = "quizapp: this card is already answered in this attempt"
ATTEMPT_FULL = "quizapp: this attempt already has an answer for every card"


def _refuse_extra_answers(event: str, name: str) -> tuple[str, str]:
    """The two guard triggers for `event` ("INSERT" or "UPDATE OF attempt_id, card_id")."""
    duplicate = f"""
    CREATE TRIGGER {name}_one_per_card BEFORE {event} ON answers
    WHEN EXISTS (SELECT 1 FROM answers n WHERE n.attempt_id = NEW.attempt_id
                 AND n.card_id = NEW.card_id AND n.id IS NOT NEW.id)
    BEGIN SELECT RAISE(ABORT, '{ANSWER_ALREADY_GIVEN}'); END
    """
    full = f"""
    CREATE TRIGGER {name}_within_plan BEFORE {event} ON answers
    WHEN (SELECT count(*) FROM answers n WHERE n.attempt_id = NEW.attempt_id
          AND n.id IS NOT NEW.id)
       >= (SELECT json_array_length(a.plan_json, '$.card_ids') FROM attempts a
           WHERE a.id = NEW.attempt_id)
    BEGIN SELECT RAISE(ABORT, '{ATTEMPT_FULL}'); END
    """
    return duplicate, full


_CLAIMS_AND_ANSWER_GUARDS: tuple[str, ...] = (
    "ALTER TABLE attempts ADD COLUMN claim_owner TEXT",
    "ALTER TABLE attempts ADD COLUMN claim_expires_at TEXT",
    # The guards look an answer up by attempt and card.
    "CREATE INDEX answers_by_attempt_card ON answers (attempt_id, card_id)",
    *_refuse_extra_answers("INSERT", "answers_insert"),
    *_refuse_extra_answers("UPDATE OF attempt_id, card_id", "answers_update"),
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _CLAIMS_AND_ANSWER_GUARDS)
"""`MIGRATIONS[n]` takes a database from schema version n to n + 1. Append, never edit."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes (`PRAGMA user_version`)."""

CLAIMS_VERSION = MIGRATIONS.index(_CLAIMS_AND_ANSWER_GUARDS) + 1
"""The schema version that added attempt claims and the answer guards; derived,
so it follows when migrations from other branches are put before it at a merge."""
