"""The errors the score store raises, so callers can tell "try another folder" from
"no such learner" without importing the rest of the store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


class StoreError(Exception):
    """The score database cannot be used (permissions, disk full, newer schema...).

    The message is written for the user and names the path involved; the CLI prints it
    and exits with status 2, the UI shows it.

    Attributes:
        path: The file or folder the problem is about; None for errors about what was
            asked (a learner's name, an attempt open in another window).
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class StoreDamagedError(StoreError):
    """The database file became unreadable while the app was using it.

    Opening the store again moves the damaged file aside and starts a fresh one.
    """


class NotFoundError(LookupError):
    """No learner or attempt with the given id or name."""


class InvalidNameError(StoreError, ValueError):
    """A learner's name the store refuses (empty, too long, control or format characters).

    A `StoreError` so every caller that shows store errors shows this one too (creating
    a learner as well as renaming one); a `ValueError` for callers that check the input.
    """


class NameTakenError(StoreError, ValueError):
    """Another learner already has this name (names are compared ignoring case)."""


class DiskFullError(StoreError):
    """The disk (or the user's quota) is full, so nothing more can be written."""


class AttemptClaimedError(StoreError):
    """The unfinished attempt is open in another window, which holds its claim.

    Attributes:
        expires_at: When that window's claim runs out unless it is renewed.
    """

    def __init__(self, message: str, expires_at: datetime | None = None) -> None:
        super().__init__(message)
        self.expires_at = expires_at


class AnswerRefusedError(StoreError, ValueError):
    """The answer would break a rule of the records: a card answered twice in one
    attempt, or more answers than the attempt has cards."""


class AttemptClosedError(ValueError):
    """The attempt is finished or discarded, so it cannot take answers or change state."""
