"""Progress over time, for the statistics charts: answers, accuracy and reviews per day,
and the flashcards coming due in the days ahead.

Days are the learner's local calendar days. The per-day sums read `activity_counts`
(kept by the triggers of schema version 5, in 15-minute UTC slots, which never straddle
a local midnight), so a year of a busy learner is a few thousand short rows, not every
answer. SQLite's `localtime` modifier turns a slot into a local date with the same
C-library time zone rules Python's `datetime.astimezone()` uses.
"""

from __future__ import annotations

from datetime import date, datetime

from quizapp.core.store.database import Database
from quizapp.core.store.records import DayActivity, to_db_time

DAILY_ACTIVITY_SQL = """
    SELECT date(slot, 'localtime') AS day, sum(answered) AS answered,
           sum(correct) AS correct, sum(reviewed) AS reviewed
    FROM activity_counts
    WHERE learner_id = :learner AND slot >= :since_slot
    GROUP BY day ORDER BY day
"""

# Cards already overdue are counted on the first day by the caller.
DUE_FORECAST_SQL = """
    SELECT date(s.due, 'localtime') AS day, count(*) AS cards
    FROM card_states s
    WHERE s.learner_id = :learner AND s.due < :until
      AND NOT EXISTS (SELECT 1 FROM suspended_cards sp WHERE sp.learner_id = s.learner_id
                      AND sp.deck_id = s.deck_id AND sp.card_id = s.card_id)
    GROUP BY day ORDER BY day
"""


class ProgressQueries(Database):
    """The progress-over-time part of `ScoreStore`."""

    def daily_activity(self, learner_id: int, since: datetime) -> list[DayActivity]:
        """Answers, correct answers and reviews per local day, from `since` on.

        Args:
            learner_id: Whose activity.
            since: The first moment counted (use a local midnight for whole days).

        Returns:
            One entry per local day with any activity, oldest first.
        """
        # The slot holding `since`: slots start on the quarter hour.
        stamp = to_db_time(since)
        since_slot = stamp[:14] + f"{int(stamp[14:16]) // 15 * 15:02d}"
        with self._connect() as conn:
            rows = conn.execute(
                DAILY_ACTIVITY_SQL, {"learner": learner_id, "since_slot": since_slot}
            ).fetchall()
        return [
            DayActivity(
                day=date.fromisoformat(row["day"]),
                answered=row["answered"],
                correct=row["correct"],
                reviewed=row["reviewed"],
            )
            for row in rows
        ]

    def due_counts(self, learner_id: int, until: datetime) -> dict[date, int]:
        """How many flashcards (not suspended) come due on each local day before `until`.

        Args:
            learner_id: Whose schedule.
            until: The end of the forecast (exclusive).

        Returns:
            Local date to the number of cards due that day; overdue cards fall on the
            days they were due, in the past.
        """
        with self._connect() as conn:
            rows = conn.execute(
                DUE_FORECAST_SQL, {"learner": learner_id, "until": to_db_time(until)}
            ).fetchall()
        return {date.fromisoformat(row["day"]): row["cards"] for row in rows}
