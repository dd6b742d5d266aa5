"""Quiz modes: the one place that names them, for the session, the store and the screens."""

from __future__ import annotations

from typing import Literal

Mode = Literal["practice", "exam", "review"]
"""practice: feedback after each answer; exam: feedback at the end, pass mark and critical
cards; review: a practice round over the cards missed in an earlier attempt."""

MODE_TITLES: dict[str, str] = {
    "practice": "Practice",
    "exam": "Exam",
    "review": "Review of mistakes",
}
"""A running attempt's title (the quiz screen's sub-title)."""

MODE_NAMES: dict[str, str] = {"practice": "Practice", "exam": "Exam", "review": "Review"}
"""Short names for lists of past attempts (history)."""


def mode_name(mode: str) -> str:
    """A stored mode's short name; an unknown one (a newer app's) is shown as stored."""
    return MODE_NAMES.get(mode, mode)
