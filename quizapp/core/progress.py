"""Progress you can see: the series behind the statistics charts, built from the store.

Answers and accuracy per day, reviews per day, the flashcards coming due over the next
30 days, a year of study days (for a heatmap) and the current streak. Every figure is
read from the store (`ScoreStore.daily_activity` and `due_counts`, indexed reads of
counts kept by triggers); this module only lays the days out, filling the days without
activity with zeros so charts have a continuous date axis.

Days are local calendar days of the machine's time zone, the same days the flashcard
limits reset on (`flashcards.start_of_day`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quizapp.core.flashcards import start_of_day
from quizapp.core.store import DayActivity, ScoreStore

CHART_DAYS = 30
"""Days of history in the per-day charts, and days ahead in the forecast."""

YEAR_DAYS = 365
"""Days in the study heatmap."""


@dataclass(frozen=True)
class Progress:
    """A learner's progress, ready to chart.

    Attributes:
        today: The local date the figures were taken on.
        history: One entry per day for the last `CHART_DAYS` days, today last (zeros on
            days without activity).
        forecast: Flashcards due per day for the next `CHART_DAYS` days, today first;
            cards already overdue are counted today.
        year: One entry per day with any activity in the last `YEAR_DAYS` days.
        streak: Days in a row with any activity, ending today (or yesterday, when
            nothing was done yet today).
    """

    today: date
    history: list[DayActivity]
    forecast: list[tuple[date, int]]
    year: list[DayActivity]
    streak: int

    @property
    def study_days(self) -> set[date]:
        """The days of the last year with any activity."""
        return {day.day for day in self.year}


def local_today(now: datetime) -> date:
    """The local date of `now`."""
    return now.astimezone().date()


def current_streak(days: set[date], today: date) -> int:
    """Days in a row with activity, ending today or, if today has none yet, yesterday.

    Args:
        days: Days with any activity.
        today: The local date now.
    """
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def fill_days(activity: list[DayActivity], first: date, last: date) -> list[DayActivity]:
    """Every day from `first` to `last` (inclusive), with zeros where nothing happened."""
    by_day = {entry.day: entry for entry in activity}
    days: list[DayActivity] = []
    day = first
    while day <= last:
        days.append(by_day.get(day, DayActivity(day, 0, 0, 0)))
        day += timedelta(days=1)
    return days


def forecast(due: dict[date, int], today: date, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Cards due per day from today on, overdue ones counted today.

    Args:
        due: Local date to cards due that day (past days included).
        today: The local date now.
        days: How many days, today included.
    """
    overdue = sum(count for day, count in due.items() if day < today)
    series = [
        (today + timedelta(days=n), due.get(today + timedelta(days=n), 0)) for n in range(days)
    ]
    if series:
        series[0] = (today, series[0][1] + overdue)
    return series


def load_progress(store: ScoreStore, learner_id: int, now: datetime) -> Progress:
    """Read a learner's progress from the store (two indexed queries).

    Args:
        store: The score store.
        learner_id: Whose progress.
        now: The current time (timezone-aware).
    """
    today = local_today(now)
    midnight = start_of_day(now)
    # A day more than needed, then cut by local date: a daylight-saving change within
    # the year moves "365 days before midnight" off a midnight by an hour.
    year = store.daily_activity(learner_id, midnight - timedelta(days=YEAR_DAYS))
    year = [entry for entry in year if entry.day > today - timedelta(days=YEAR_DAYS)]
    active = [entry for entry in year if entry.answered or entry.reviewed]
    history = fill_days(active, today - timedelta(days=CHART_DAYS - 1), today)
    until = start_of_day(now + timedelta(days=CHART_DAYS))
    due = store.due_counts(learner_id, until)
    return Progress(
        today=today,
        history=history,
        forecast=forecast(due, today),
        year=active,
        streak=current_streak({entry.day for entry in active}, today),
    )
