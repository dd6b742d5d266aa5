"""Charts of a learner's progress: answers and accuracy per day, flashcard reviews with the
due forecast, and a year of study days.

The two line/bar charts are `textual-plotext` plots (a Textual widget around plotext)
with labelled axes and dates; the year is a calendar grid, like the contribution
calendars of code hosts and Anki's heatmap add-on. Every figure comes from
`quizapp.core.progress.Progress`, read from the store. Nothing here shows deck text.

Colour is never the only signal: bars and lines carry labels in a legend, and the
calendar shades cells with different characters (· ░ ▒ ▓ █).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from quizapp.core.progress import Progress, load_progress
from quizapp.core.store import DayActivity
from quizapp.ui.context import app_context

_SHADES = ("·", "░", "▒", "▓", "█")
"""Calendar cells, from no activity to the busiest quarter of days."""

_WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def _date_ticks(days: Sequence[date], every: int = 7) -> tuple[list[int], list[str]]:
    """Tick positions and labels ("03 Mar") for a day axis: the first day, then every
    `every` days, and always the last day."""
    positions = list(range(0, len(days), every))
    if days and positions[-1] != len(days) - 1:
        if len(days) - 1 - positions[-1] < every // 2:
            positions[-1] = len(days) - 1
        else:
            positions.append(len(days) - 1)
    return positions, [days[n].strftime("%d %b") for n in positions]


def _count_top(largest: int) -> int:
    """The top of a count axis: at least 4, rounded up to a multiple of 4 so the ticks
    from `_count_ticks` are whole numbers."""
    return max(4, -(-largest // 4) * 4)


def _count_ticks(top: int) -> list[int]:
    """Five whole-number ticks from 0 to `top` (a multiple of 4)."""
    return [top * n // 4 for n in range(5)]


def _untyped(plot: PlotextPlot) -> Any:
    """The plot's plotext object, untyped: textual-plotext 1.0.1's stubs type `yside` of
    `ylim` as a number, leave it out of `ylabel`, and want floats for `xticks`, where
    plotext itself takes "left"/"right" and any numbers."""
    return plot.plt


class AnswersChart(PlotextPlot):
    """Quiz answers per day (bars, left axis) and accuracy (line, right axis, 0-100%)."""

    def show(self, history: Sequence[DayActivity]) -> None:
        """Draw the chart for these days (oldest first, one entry per day)."""
        plt = _untyped(self)
        plt.clear_data()
        plt.clear_figure()
        days = [entry.day for entry in history]
        xs = list(range(len(days)))
        counts = [entry.answered for entry in history]
        plt.bar(xs, counts, label="answers", width=0.6)
        answered = [(n, entry) for n, entry in enumerate(history) if entry.answered]
        if answered:
            # Points, not a line: a line would draw accuracy across days with no answers.
            plt.scatter(
                [n for n, _ in answered],
                [round(100 * (entry.accuracy or 0)) for _, entry in answered],
                yside="right",
                label="% right",
                marker="●",
            )
        top = _count_top(max(counts + [0]))
        plt.ylim(0, top, yside="left")
        plt.yticks(_count_ticks(top), yside="left")
        plt.ylim(0, 100, yside="right")
        plt.yticks([0, 25, 50, 75, 100], yside="right")
        plt.xticks(*_date_ticks(days))
        plt.title("Quiz answers per day, and how many were right")
        plt.xlabel("Date")
        plt.ylabel("Answers", yside="left")
        plt.ylabel("% right", yside="right")
        self.refresh()


class FlashcardChart(PlotextPlot):
    """Flashcard reviews per day over the past days and cards coming due in the next."""

    def show(self, history: Sequence[DayActivity], forecast: Sequence[tuple[date, int]]) -> None:
        """Draw past reviews (oldest first) and the due forecast (today first)."""
        plt = _untyped(self)
        plt.clear_data()
        plt.clear_figure()
        past = [entry.day for entry in history]
        ahead = [day for day, _ in forecast]
        # Today is in both: the last day of the history and the first of the forecast.
        days = past + [day for day in ahead if not past or day > past[-1]]
        index = {day: n for n, day in enumerate(days)}
        plt.bar(
            [index[entry.day] for entry in history],
            [entry.reviewed for entry in history],
            label="reviewed",
            width=0.6,
            marker="sd",
        )
        plt.bar(
            [index[day] for day, _ in forecast],
            [count for _, count in forecast],
            label="due",
            width=0.3,
            marker="hd",
        )
        top = _count_top(max([entry.reviewed for entry in history] + [c for _, c in forecast]))
        plt.ylim(0, top)
        plt.yticks(_count_ticks(top))
        if past:
            plt.vline(index[past[-1]])
        plt.xticks(*_date_ticks(days, every=10))
        plt.title("Flashcards: reviewed per day (past 30 days) and due per day (next 30)")
        plt.xlabel("Date (the vertical line is today)")
        plt.ylabel("Cards")
        self.refresh()


class StudyCalendar(Static):
    """A year of study days: one column per week, one row per weekday, shaded by activity."""

    DEFAULT_CSS = """
    StudyCalendar { height: auto; }
    """

    def show(self, year: Sequence[DayActivity], today: date, streak: int) -> None:
        """Draw the 53 weeks up to `today` from the days with activity."""
        counts = {entry.day: entry.answered + entry.reviewed for entry in year}
        busy = sorted(count for count in counts.values() if count)
        # Quartiles of the active days' counts pick the shade, so a light day still shows.
        limits = [busy[len(busy) * q // 4] for q in (1, 2, 3)] if busy else []

        def shade(day: date) -> str:
            count = counts.get(day, 0)
            if day > today:
                return " "
            if not count:
                return _SHADES[0]
            return _SHADES[1 + sum(count > limit for limit in limits)]

        last_monday = today - timedelta(days=today.weekday())
        first_monday = last_monday - timedelta(weeks=52)
        weeks = [first_monday + timedelta(weeks=n) for n in range(53)]
        months = [" "] * len(weeks)
        for n, monday in enumerate(weeks):
            if monday.day <= 7 and n + 3 <= len(weeks):
                label = monday.strftime("%b")
                months[n : n + len(label)] = list(label)
        lines = ["     " + "".join(months[: len(weeks)])]
        for weekday in range(7):
            cells = "".join(shade(monday + timedelta(days=weekday)) for monday in weeks)
            lines.append(f"{_WEEKDAYS[weekday]:<4} {cells}")
        studied = sum(1 for day, count in counts.items() if count and day <= today)
        days_word = "day" if streak == 1 else "days"
        summary = (
            f"Studied on {studied} of the last 365 days. Current streak: {streak} {days_word}."
        )
        legend = "Less " + " ".join(_SHADES) + " More   (· = no study that day)"
        self.update(Content("\n".join([summary, "", *lines, "", legend])))


class ProgressCharts(Vertical):
    """The three charts of a learner's progress, read from the store when mounted."""

    DEFAULT_CSS = """
    ProgressCharts { height: auto; }
    ProgressCharts PlotextPlot { height: 16; min-width: 60; }
    ProgressCharts .section { margin-top: 1; }
    """

    def __init__(self, learner_id: int, *, id: str | None = None) -> None:
        """Create the charts for a learner (figures are read on a thread once mounted)."""
        super().__init__(id=id)
        self.learner_id = learner_id
        self.progress: Progress | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Progress over time", "bold"), classes="section")
        yield Static("Reading your progress…", id="progress-status", markup=False)
        yield AnswersChart(id="chart-answers")
        yield FlashcardChart(id="chart-flashcards")
        yield Static(Content.styled("Study days", "bold"), classes="section")
        yield StudyCalendar(id="chart-calendar", markup=False)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="progress", exit_on_error=False)
    def _load(self) -> None:
        context = app_context(self)
        progress = load_progress(context.store, self.learner_id, context.now())
        self.app.call_from_thread(self.show, progress)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "progress" and event.state == WorkerState.ERROR:
            self.query_one("#progress-status", Static).update(
                Content(f"Could not read your progress: {event.worker.error}")
            )

    def show(self, progress: Progress) -> None:
        """Draw every chart from one `Progress`."""
        self.progress = progress
        answered = sum(day.answered for day in progress.history)
        reviewed = sum(day.reviewed for day in progress.history)
        due = sum(count for _, count in progress.forecast)
        self.query_one("#progress-status", Static).update(
            Content(
                f"Last 30 days: {answered} quiz answers, {reviewed} flashcard reviews."
                f" Due in the next 30 days: {due} flashcards."
            )
        )
        self.query_one(AnswersChart).show(progress.history)
        self.query_one(FlashcardChart).show(progress.history, progress.forecast)
        self.query_one(StudyCalendar).show(progress.year, progress.today, progress.streak)
