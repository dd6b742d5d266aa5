"""What quizapp keeps for Learning Record Stores: each learner's pseudonymous xAPI id, and
which statements each LRS has acknowledged (`quizapp sync` sends only the others).

Both tables come with schema version 4 (`quizapp.core.store.schema`). Nothing here ever
changes a learner's records: the acknowledgement ledger only grows, one row per
statement the LRS answered with success.
"""

from __future__ import annotations

from collections.abc import Sequence

from quizapp.core.store.database import Database
from quizapp.core.store.records import to_db_time


class LrsQueries(Database):
    """The xAPI and LRS part of `ScoreStore`."""

    def xapi_ids(self) -> dict[int, str]:
        """Every learner's pseudonymous xAPI id (the account `name`), by learner id.

        The id is random (128 bits as 32 hex digits), given when the learner is added and
        never changed, so a rename changes no statement and no real name is sent.
        """
        with self._connect() as conn:
            rows = conn.execute("SELECT id, xapi_id FROM learners").fetchall()
        return {int(row["id"]): str(row["xapi_id"]) for row in rows}

    def lrs_acknowledged(self, endpoint: str) -> set[str]:
        """The ids of the statements `endpoint` has acknowledged.

        Args:
            endpoint: The LRS's normalised xAPI base URL (never its credentials).
        """
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT statement_id FROM lrs_acknowledged WHERE endpoint = ?", (endpoint,)
            ).fetchall()
        return {row["statement_id"] for row in rows}

    def record_lrs_acknowledged(self, endpoint: str, statement_ids: Sequence[str]) -> None:
        """Remember that `endpoint` acknowledged these statements, in one transaction.

        Args:
            endpoint: The LRS's normalised xAPI base URL.
            statement_ids: The acknowledged statements' ids (repeats are ignored).
        """
        at = to_db_time(self._now())
        with self._connect(write=True) as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO lrs_acknowledged (endpoint, statement_id,"
                " acknowledged_at) VALUES (?, ?, ?)",
                [(endpoint, statement_id, at) for statement_id in statement_ids],
            )
