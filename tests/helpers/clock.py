"""A clock for tests: the store and the app take any callable that returns the time."""

from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self, moment: datetime) -> None:
        """Start at `moment` (timezone-aware)."""
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move on by `timedelta(**delta)`; returns the new time."""
        self.moment += timedelta(**delta)
        return self.moment
