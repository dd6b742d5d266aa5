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

# Version 4 (issue 16): what a Learning Record Store has acknowledged, and a stable
# pseudonymous id per learner for xAPI.
# * `learners.xapi_id` is a random id (32 hex digits) that identifies the learner to an
#   LRS as `account.name`, so neither their display name nor a rename ever changes a
#   statement. A trigger gives every new learner one, whichever code inserts the row;
#   existing learners get theirs here.
# * `lrs_acknowledged` holds, per LRS endpoint (its normalised xAPI base URL, never the
#   credentials), the ids of the statements that LRS acknowledged: `quizapp sync` sends
#   only the others. Rows are only ever added; losing them only means a resend, which
#   an LRS answers by dropping what it already holds.
_V4: tuple[str, ...] = (
    "ALTER TABLE learners ADD COLUMN xapi_id TEXT",
    "UPDATE learners SET xapi_id = lower(hex(randomblob(16))) WHERE xapi_id IS NULL",
    "CREATE UNIQUE INDEX learners_by_xapi_id ON learners (xapi_id)",
    """
    CREATE TRIGGER learners_xapi_id AFTER INSERT ON learners
    WHEN NEW.xapi_id IS NULL BEGIN
        UPDATE learners SET xapi_id = lower(hex(randomblob(16))) WHERE id = NEW.id;
    END
    """,
    """
    CREATE TABLE lrs_acknowledged (
        endpoint TEXT NOT NULL,
        statement_id TEXT NOT NULL,
        acknowledged_at TEXT NOT NULL,
        PRIMARY KEY (endpoint, statement_id)
    ) WITHOUT ROWID
    """,
)


# Version 5 (issue 15, studying like Anki): suspended flashcards; a searchable index of
# card text for the card browser; and two more counters kept by triggers so that the
# statistics charts and the mistakes quiz read a few hundred rows instead of every answer:
#
# * `activity_counts`: answers, correct answers and flashcard reviews per learner and
#   15-minute UTC slot. Every time zone's offset is a multiple of 15 minutes, so a slot
#   always falls within one local day and per-day sums are exact in any zone.
# * `latest_answers`: each card's latest counted answer per learner (right or wrong).
#
# As in version 3, answers of unfinished and finished attempts count, discarded ones do
# not, and the counts always equal the GROUP BY they stand for. The helpers below are part
# of migration 5 and are never edited.


def _slot(column: str) -> str:
    """SQL for the 15-minute UTC slot (`YYYY-MM-DDTHH:MM`) of a stored time."""
    return (
        f"(substr({column}, 1, 14)"
        f" || printf('%02d', CAST(substr({column}, 15, 2) AS INTEGER) / 15 * 15))"
    )


def _activity_add_answer(row: str) -> str:
    """SQL counting one answer (`NEW` in a trigger) in its slot, if its attempt counts."""
    return f"""
        INSERT INTO activity_counts (learner_id, slot, answered, correct, reviewed)
        SELECT a.learner_id, {_slot(f"{row}.answered_at")}, 1, {row}.correct, 0 FROM attempts a
        WHERE a.id = {row}.attempt_id AND a.status IN {COUNTED}
        ON CONFLICT (learner_id, slot) DO UPDATE
        SET answered = answered + 1, correct = correct + excluded.correct;
    """


def _activity_remove_answer(row: str) -> str:
    """SQL taking one answer (`OLD`) back out of its slot, if it counted."""
    key = f"""
        slot = {_slot(f"{row}.answered_at")} AND learner_id IN (
            SELECT a.learner_id FROM attempts a
            WHERE a.id = {row}.attempt_id AND a.status IN {COUNTED})
    """
    return f"""
        UPDATE activity_counts SET answered = answered - 1, correct = correct - {row}.correct
        WHERE {key};
        DELETE FROM activity_counts WHERE answered = 0 AND reviewed = 0 AND {key};
    """


def _activity_add_attempt(row: str) -> str:
    """SQL counting all of an attempt's answers in their slots, if its status counts."""
    return f"""
        INSERT INTO activity_counts (learner_id, slot, answered, correct, reviewed)
        SELECT {row}.learner_id, {_slot("n.answered_at")} AS answer_slot, count(*),
               sum(n.correct), 0
        FROM answers n WHERE n.attempt_id = {row}.id AND {row}.status IN {COUNTED}
        GROUP BY answer_slot
        ON CONFLICT (learner_id, slot) DO UPDATE
        SET answered = answered + excluded.answered, correct = correct + excluded.correct;
    """


def _activity_remove_attempt(row: str) -> str:
    """SQL taking all of an attempt's answers back out of their slots, if they counted."""
    same_slot = f"n.attempt_id = {row}.id AND {_slot('n.answered_at')} = activity_counts.slot"
    return f"""
        UPDATE activity_counts SET
            answered = answered - (SELECT count(*) FROM answers n WHERE {same_slot}),
            correct = correct - (SELECT coalesce(sum(n.correct), 0) FROM answers n
                                 WHERE {same_slot})
        WHERE learner_id = {row}.learner_id AND {row}.status IN {COUNTED}
          AND slot IN (SELECT {_slot("n.answered_at")} FROM answers n
                       WHERE n.attempt_id = {row}.id);
        DELETE FROM activity_counts
        WHERE learner_id = {row}.learner_id AND answered = 0 AND reviewed = 0;
    """


def _activity_review(row: str, change: str) -> str:
    """SQL adding `change` (+1 or -1) reviews to a review's (`NEW`/`OLD`) slot."""
    return f"""
        INSERT INTO activity_counts (learner_id, slot, answered, correct, reviewed)
        VALUES ({row}.learner_id, {_slot(f"{row}.reviewed_at")}, 0, 0, {change})
        ON CONFLICT (learner_id, slot) DO UPDATE SET reviewed = reviewed + ({change});
        DELETE FROM activity_counts WHERE learner_id = {row}.learner_id
          AND slot = {_slot(f"{row}.reviewed_at")} AND answered = 0 AND reviewed = 0;
    """


def _latest_offer(row: str) -> str:
    """SQL making a new answer (`NEW`) its card's latest, if its attempt counts."""
    return f"""
        INSERT INTO latest_answers (learner_id, deck_id, card_id, answer_id, correct,
                                    answered_at)
        SELECT a.learner_id, {row}.deck_id, {row}.card_id, {row}.id, {row}.correct,
               {row}.answered_at
        FROM attempts a WHERE a.id = {row}.attempt_id AND a.status IN {COUNTED}
        ON CONFLICT (learner_id, deck_id, card_id) DO UPDATE
        SET answer_id = excluded.answer_id, correct = excluded.correct,
            answered_at = excluded.answered_at
        WHERE excluded.answer_id > latest_answers.answer_id;
    """


def _latest_refresh(learner: str, cards: str, skip_attempt: str = "NULL") -> str:
    """SQL recomputing the latest answer of some cards of a learner from `answers`.

    Args:
        learner: SQL for the learner id.
        cards: A SELECT of `deck_id, card_id` pairs to recompute.
        skip_attempt: SQL for an attempt id to ignore (one about to be deleted).
    """
    return f"""
        DELETE FROM latest_answers WHERE learner_id = {learner}
          AND (deck_id, card_id) IN ({cards});
        INSERT INTO latest_answers (learner_id, deck_id, card_id, answer_id, correct,
                                    answered_at)
        SELECT {learner}, n.deck_id, n.card_id, n.id, n.correct, n.answered_at
        FROM answers n WHERE n.id IN (
            SELECT (SELECT m.id FROM answers m JOIN attempts b ON b.id = m.attempt_id
                    WHERE m.deck_id = c.deck_id AND m.card_id = c.card_id
                      AND b.learner_id = {learner} AND b.status IN {COUNTED}
                      AND b.id IS NOT {skip_attempt}
                    ORDER BY m.id DESC LIMIT 1)
            FROM ({cards}) c);
    """


_LEARNER_OF_OLD = "(SELECT learner_id FROM attempts WHERE id = OLD.attempt_id)"
_LEARNER_OF_NEW = "(SELECT learner_id FROM attempts WHERE id = NEW.attempt_id)"
_CARDS_OF_OLD_ATTEMPT = "SELECT deck_id, card_id FROM answers WHERE attempt_id = OLD.id"
_CARDS_OF_NEW_ATTEMPT = "SELECT deck_id, card_id FROM answers WHERE attempt_id = NEW.id"

_V5: tuple[str, ...] = (
    # Per learner, like Anki's suspend: a suspended card leaves the review queue.
    """
    CREATE TABLE suspended_cards (
        learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
        deck_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        suspended_at TEXT NOT NULL,
        PRIMARY KEY (learner_id, deck_id, card_id)
    )
    """,
    # Not foreign keys to learners, for the reason given for `topic_counts`; a trigger on
    # learners removes a deleted learner's rows.
    """
    CREATE TABLE activity_counts (
        learner_id INTEGER NOT NULL,
        slot TEXT NOT NULL,
        answered INTEGER NOT NULL,
        correct INTEGER NOT NULL,
        reviewed INTEGER NOT NULL,
        PRIMARY KEY (learner_id, slot)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE latest_answers (
        learner_id INTEGER NOT NULL,
        deck_id TEXT NOT NULL,
        card_id TEXT NOT NULL,
        answer_id INTEGER NOT NULL,
        correct INTEGER NOT NULL,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (learner_id, deck_id, card_id)
    )
    """,
    # The mistakes quiz: a learner's wrong latest answers, most recent first.
    "CREATE INDEX latest_answers_by_result ON latest_answers (learner_id, correct, answered_at)",
    # A card's answers, newest first, to recompute its latest answer.
    # card_id first: with deck_id first, SQLite would prefer it to `answers_by_attempt` for
    # `answered_hashes` (one deck of a learner) and read every answer of the deck.
    "CREATE INDEX answers_by_card ON answers (card_id, deck_id)",
    # The card browser's index: one row per card of every loaded deck, with its text in
    # an FTS5 table (trigram tokens: any substring of 3+ characters is found through the
    # index, ignoring case). `deck_hash` tells when a deck's cards changed.
    """
    CREATE TABLE card_index_decks (
        deck_id TEXT PRIMARY KEY,
        deck_title TEXT NOT NULL,
        deck_hash TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE card_index (
        id INTEGER PRIMARY KEY,
        deck_id TEXT NOT NULL REFERENCES card_index_decks(deck_id) ON DELETE CASCADE,
        card_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        card_hash TEXT NOT NULL,
        card_type TEXT NOT NULL,
        topic TEXT NOT NULL,
        critical INTEGER NOT NULL CHECK (critical IN (0, 1)),
        UNIQUE (deck_id, card_id)
    )
    """,
    "CREATE INDEX card_index_by_position ON card_index (deck_id, position)",
    """
    CREATE VIRTUAL TABLE card_text USING fts5(
        prompt, answers, explanation, tokenize = 'trigram'
    )
    """,
    # Counts for what is already stored.
    f"""
    INSERT INTO activity_counts (learner_id, slot, answered, correct, reviewed)
    SELECT learner_id, slot, sum(answered), sum(correct), sum(reviewed) FROM (
        SELECT a.learner_id, {_slot("n.answered_at")} AS slot, 1 AS answered,
               n.correct, 0 AS reviewed
        FROM attempts a JOIN answers n ON n.attempt_id = a.id WHERE a.status IN {COUNTED}
        UNION ALL
        SELECT r.learner_id, {_slot("r.reviewed_at")}, 0, 0, 1 FROM review_log r)
    GROUP BY learner_id, slot
    """,
    f"""
    INSERT INTO latest_answers (learner_id, deck_id, card_id, answer_id, correct, answered_at)
    SELECT learner_id, deck_id, card_id, answer_id, correct, answered_at FROM (
        SELECT a.learner_id, n.deck_id, n.card_id, max(n.id) AS answer_id, n.correct,
               n.answered_at
        FROM attempts a JOIN answers n ON n.attempt_id = a.id WHERE a.status IN {COUNTED}
        GROUP BY a.learner_id, n.deck_id, n.card_id)
    """,
    f"CREATE TRIGGER study_answer_inserted AFTER INSERT ON answers BEGIN"
    f" {_activity_add_answer('NEW')} {_latest_offer('NEW')} END",
    f"CREATE TRIGGER study_answer_deleted AFTER DELETE ON answers BEGIN"
    f" {_activity_remove_answer('OLD')} END",
    # Only when the deleted answer was its card's latest. When the delete cascades from
    # an attempt, the attempt is gone and its own trigger has already done the work.
    f"""
    CREATE TRIGGER study_latest_answer_deleted AFTER DELETE ON answers
    WHEN EXISTS (SELECT 1 FROM latest_answers WHERE answer_id = OLD.id
                 AND learner_id = {_LEARNER_OF_OLD} AND deck_id = OLD.deck_id
                 AND card_id = OLD.card_id)
    BEGIN {_latest_refresh(_LEARNER_OF_OLD, "SELECT OLD.deck_id, OLD.card_id")} END
    """,
    f"""
    CREATE TRIGGER study_answer_updated
    AFTER UPDATE OF attempt_id, deck_id, card_id, correct, answered_at ON answers BEGIN
    {_activity_remove_answer("OLD")} {_activity_add_answer("NEW")}
    {_latest_refresh(_LEARNER_OF_OLD, "SELECT OLD.deck_id, OLD.card_id")}
    {_latest_refresh(_LEARNER_OF_NEW, "SELECT NEW.deck_id, NEW.card_id")}
    END
    """,
    f"""
    CREATE TRIGGER study_attempt_inserted AFTER INSERT ON attempts BEGIN
    {_activity_add_attempt("NEW")}
    {_latest_refresh("NEW.learner_id", _CARDS_OF_NEW_ATTEMPT)}
    END
    """,
    f"""
    CREATE TRIGGER study_attempt_updated AFTER UPDATE OF learner_id, status ON attempts
    WHEN OLD.learner_id IS NOT NEW.learner_id
      OR (OLD.status IN {COUNTED}) IS NOT (NEW.status IN {COUNTED})
    BEGIN
    {_activity_remove_attempt("OLD")} {_activity_add_attempt("NEW")}
    {_latest_refresh("OLD.learner_id", _CARDS_OF_OLD_ATTEMPT)}
    {_latest_refresh("NEW.learner_id", _CARDS_OF_NEW_ATTEMPT)}
    END
    """,
    f"""
    CREATE TRIGGER study_attempt_deleted BEFORE DELETE ON attempts BEGIN
    {_activity_remove_attempt("OLD")}
    {_latest_refresh("OLD.learner_id", _CARDS_OF_OLD_ATTEMPT, skip_attempt="OLD.id")}
    END
    """,
    f"CREATE TRIGGER study_review_inserted AFTER INSERT ON review_log BEGIN"
    f" {_activity_review('NEW', '1')} END",
    f"CREATE TRIGGER study_review_deleted AFTER DELETE ON review_log BEGIN"
    f" {_activity_review('OLD', '-1')} END",
    f"""
    CREATE TRIGGER study_review_updated AFTER UPDATE OF learner_id, reviewed_at ON review_log
    BEGIN {_activity_review("OLD", "-1")} {_activity_review("NEW", "1")} END
    """,
    """
    CREATE TRIGGER study_learner_deleted AFTER DELETE ON learners BEGIN
        DELETE FROM activity_counts WHERE learner_id = OLD.id;
        DELETE FROM latest_answers WHERE learner_id = OLD.id;
        DELETE FROM suspended_cards WHERE learner_id = OLD.id;
    END
    """,
)


# Version 6, records you can trust (issue 12): one window per unfinished attempt, and
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

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _V1,
    _V2,
    _V3,
    _V4,
    _V5,
    _CLAIMS_AND_ANSWER_GUARDS,
)
"""`MIGRATIONS[n]` takes a database from schema version n to n + 1. Append, never edit."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes (`PRAGMA user_version`)."""

CLAIMS_VERSION = MIGRATIONS.index(_CLAIMS_AND_ANSWER_GUARDS) + 1
"""The schema version that added attempt claims and the answer guards; derived,
so it follows when migrations from other branches are put before it at a merge."""
