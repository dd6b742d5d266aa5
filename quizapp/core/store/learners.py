"""Learners: adding, finding, renaming and deleting the people who use the app.

A learner's name is cleaned (NFC, single spaces, no control characters) and unique
ignoring case. Deleting a learner first writes everything recorded for them to a
private backup file, so a slip of the finger can be undone by hand.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

from quizapp.core.store.backup import write_deletion_backup
from quizapp.core.store.database import Database, user_version
from quizapp.core.store.errors import InvalidNameError, NameTakenError, NotFoundError
from quizapp.core.store.records import Learner, learner_from_row, to_db_time

MAX_NAME_LENGTH = 60
"""Longest learner name accepted."""

LEARNER_COLUMNS = "id, name, created_at, acknowledged_notice_at"
"""The columns `learner_from_row` reads."""


def clean_name(name: str) -> str:
    """A learner's name as stored: NFC, surrounding and repeated spaces removed.

    Raises:
        InvalidNameError: The name is empty, too long or contains control or format
            characters (which can hide or reverse text, such as U+202E).
    """
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise InvalidNameError("A learner's name cannot be empty.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidNameError(f"A learner's name can be at most {MAX_NAME_LENGTH} characters.")
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise InvalidNameError(
            "A learner's name cannot contain control or invisible formatting characters"
            " (such as a right-to-left mark or a zero-width joiner)."
        )
    return cleaned


def learner_in(conn: sqlite3.Connection, learner_id: int | None) -> Learner:
    """One learner, read through an open connection (inside the caller's transaction).

    Raises:
        NotFoundError: No such learner.
    """
    row = conn.execute(
        f"SELECT {LEARNER_COLUMNS} FROM learners WHERE id = ?", (learner_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No learner with id {learner_id}.")
    return learner_from_row(row)


class LearnerQueries(Database):
    """The learner part of `ScoreStore`."""

    def add_learner(self, name: str) -> Learner:
        """Add a learner.

        Args:
            name: Display name; surrounding and repeated spaces are removed.

        Returns:
            The new learner.

        Raises:
            InvalidNameError: The name is empty, too long or contains control characters.
            NameTakenError: A learner with this name (ignoring case) exists.
        """
        cleaned = clean_name(name)
        with self._connect(write=True) as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO learners (name, created_at) VALUES (?, ?)",
                    (cleaned, to_db_time(self._now())),
                )
            except sqlite3.IntegrityError as error:
                raise NameTakenError(f"There is already a learner called {cleaned!r}.") from error
            return learner_in(conn, cursor.lastrowid)

    def get_or_create_learner(self, name: str) -> Learner:
        """The learner with this name (ignoring case), added if there is none.

        Args:
            name: Display name.

        Returns:
            The existing or new learner.

        Raises:
            InvalidNameError: The name is empty, too long or contains control characters.
        """
        cleaned = clean_name(name)
        with self._connect(write=True) as conn:
            row = conn.execute("SELECT id FROM learners WHERE name = ?", (cleaned,)).fetchone()
            if row is not None:
                return learner_in(conn, row["id"])
            cursor = conn.execute(
                "INSERT INTO learners (name, created_at) VALUES (?, ?)",
                (cleaned, to_db_time(self._now())),
            )
            return learner_in(conn, cursor.lastrowid)

    def learners(self) -> list[Learner]:
        """Every learner, by name."""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {LEARNER_COLUMNS} FROM learners ORDER BY name, id"
            ).fetchall()
        return [learner_from_row(row) for row in rows]

    def learner(self, learner_id: int) -> Learner:
        """One learner by id.

        Raises:
            NotFoundError: No such learner.
        """
        with self._connect() as conn:
            return learner_in(conn, learner_id)

    def find_learner(self, name: str) -> Learner | None:
        """The learner with this name (ignoring case and extra spaces), or None."""
        try:
            cleaned = clean_name(name)
        except ValueError:
            return None
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {LEARNER_COLUMNS} FROM learners WHERE name = ?",
                (cleaned,),
            ).fetchone()
        return None if row is None else learner_from_row(row)

    def rename_learner(self, learner_id: int, new_name: str) -> Learner:
        """Rename a learner; their attempts stay theirs.

        Raises:
            InvalidNameError: The name is empty, too long or contains control characters.
            NameTakenError: Another learner has this name.
            NotFoundError: No such learner.
        """
        cleaned = clean_name(new_name)
        with self._connect(write=True) as conn:
            try:
                cursor = conn.execute(
                    "UPDATE learners SET name = ? WHERE id = ?", (cleaned, learner_id)
                )
            except sqlite3.IntegrityError as error:
                raise NameTakenError(f"There is already a learner called {cleaned!r}.") from error
            if cursor.rowcount == 0:
                raise NotFoundError(f"No learner with id {learner_id}.")
            return learner_in(conn, learner_id)

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
            return learner_in(conn, learner_id)

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
        "attempts": [...], "answers": [...], "card_states": [...], "review_log": [...],
        "suspended_cards": [...]}`
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
            learner_in(conn, learner_id)

            def rows(sql: str) -> list[dict[str, Any]]:
                cursor = conn.execute(sql, {"learner": learner_id})
                return [dict(row) for row in cursor.fetchall()]

            now = self._now()
            document = {
                "format": "quizapp-deleted-learner",
                "format_version": 1,
                "deleted_at": to_db_time(now),
                "database": str(self.path),
                "schema_version": user_version(conn),
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
                "suspended_cards": rows(
                    "SELECT * FROM suspended_cards WHERE learner_id = :learner"
                    " ORDER BY deck_id, card_id"
                ),
            }
            target = write_deletion_backup(self.path, learner_id, document, now)
            # Attempts, answers, card states and reviews go with the learner (ON DELETE
            # CASCADE); deleted explicitly as well so the result does not hang on the
            # foreign_keys pragma.
            conn.execute(
                "DELETE FROM answers WHERE attempt_id IN"
                " (SELECT id FROM attempts WHERE learner_id = ?)",
                (learner_id,),
            )
            for table in ("attempts", "card_states", "review_log", "suspended_cards"):
                conn.execute(f"DELETE FROM {table} WHERE learner_id = ?", (learner_id,))
            conn.execute("DELETE FROM learners WHERE id = ?", (learner_id,))
        return target
