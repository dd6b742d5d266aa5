"""One window per unfinished attempt: claims with a time-out.

Two windows (two terminals, two browser tabs) on one data folder could resume the same
unfinished attempt and both answer it, which once left 17 answer rows for 10 cards. So
a window claims the attempt before it asks a question: the attempt row holds the
window's random owner token (`claim_owner`) and when the claim runs out
(`claim_expires_at`). The window renews it while it is open (each answer renews it
too); a window that crashed stops renewing, and after `CLAIM_TTL` the attempt is free
again. A second window is told the attempt is open elsewhere (`AttemptClaimedError`)
and may take it over, after which the first window's answers are refused.

Claims are read and written inside the same `BEGIN IMMEDIATE` transaction as the
answer they guard, so two processes cannot both pass the check.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta

from quizapp.core.store.database import Database
from quizapp.core.store.errors import AttemptClaimedError, AttemptClosedError, NotFoundError
from quizapp.core.store.records import from_db_time, to_db_time

CLAIM_TTL = timedelta(seconds=90)
"""How long a claim lasts without being renewed; windows renew well within it."""


def new_owner_token() -> str:
    """A random token naming one window (one app instance) as a claim's owner."""
    # os.urandom is what `secrets.token_hex` uses; `secrets` would load OpenSSL (hmac)
    # at start-up, for this one call.
    return os.urandom(16).hex()


def check_claim(
    conn: sqlite3.Connection, attempt_id: int, owner: str | None, now: datetime
) -> None:
    """Refuse a write to an attempt that another window holds, and renew the caller's claim.

    Must run inside the caller's write transaction, after the attempt is known to exist.

    Args:
        conn: A connection in a `BEGIN IMMEDIATE` transaction.
        attempt_id: The attempt being written to.
        owner: The writing window's token; None for writers outside any window (tools,
            imports), which only pass when no live claim is held.
        now: The store's clock.

    Raises:
        AttemptClaimedError: Another owner holds a claim that has not run out.
    """
    row = conn.execute(
        "SELECT claim_owner, claim_expires_at FROM attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    holder = None if row is None else row["claim_owner"]
    expires = None if row is None or row["claim_expires_at"] is None else row["claim_expires_at"]
    live = holder is not None and expires is not None and from_db_time(expires) > now
    if live and holder != owner:
        until = from_db_time(expires) if expires is not None else None
        raise AttemptClaimedError(
            f"This attempt is open in another window. Close it there, or take it over here;"
            f" if that window has closed, it is free again after {int(CLAIM_TTL.seconds)} s.",
            until,
        )
    if owner is not None:
        conn.execute(
            "UPDATE attempts SET claim_owner = ?, claim_expires_at = ? WHERE id = ?",
            (owner, to_db_time(now + CLAIM_TTL), attempt_id),
        )


class ClaimQueries(Database):
    """The claim part of `ScoreStore`: which window may write to an unfinished attempt."""

    def claim_attempt(self, attempt_id: int, owner: str, *, take_over: bool = False) -> None:
        """Claim (or renew the claim on) an unfinished attempt for one window.

        Args:
            attempt_id: The attempt to resume or keep answering.
            owner: The window's token (`new_owner_token()`).
            take_over: Take the attempt from another window even while its claim is
                live; that window's next answer is refused.

        Raises:
            NotFoundError: No such attempt.
            AttemptClosedError: It is finished or discarded.
            AttemptClaimedError: Another window holds it (and `take_over` is False).
        """
        with self._connect(write=True) as conn:
            self._require_open(conn, attempt_id)
            if take_over:
                conn.execute(
                    "UPDATE attempts SET claim_owner = NULL, claim_expires_at = NULL WHERE id = ?",
                    (attempt_id,),
                )
            check_claim(conn, attempt_id, owner, self._now())

    def release_claim(self, attempt_id: int, owner: str) -> None:
        """Let go of an attempt so another window may open it at once (a no-op if not held)."""
        with self._connect(write=True) as conn:
            conn.execute(
                "UPDATE attempts SET claim_owner = NULL, claim_expires_at = NULL"
                " WHERE id = ? AND claim_owner = ?",
                (attempt_id, owner),
            )

    def claim_holder(self, attempt_id: int) -> str | None:
        """The token of the window holding a live claim on the attempt, or None."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT claim_owner, claim_expires_at FROM attempts WHERE id = ?", (attempt_id,)
            ).fetchone()
        if row is None or row["claim_owner"] is None or row["claim_expires_at"] is None:
            return None
        if from_db_time(row["claim_expires_at"]) <= self._now():
            return None
        return str(row["claim_owner"])

    @staticmethod
    def _require_open(conn: sqlite3.Connection, attempt_id: int) -> None:
        row = conn.execute("SELECT status FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No attempt with id {attempt_id}.")
        if row["status"] != "unfinished":
            raise AttemptClosedError(f"Attempt {attempt_id} is {row['status']}.")
