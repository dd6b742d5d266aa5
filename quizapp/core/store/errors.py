"""The errors the score store raises, so callers can tell "try another folder" from
"no such learner" without importing the rest of the store."""

from __future__ import annotations

from pathlib import Path


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
