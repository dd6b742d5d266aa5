"""Statistics: how a learner is doing, per deck and topic, over time."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Sparkline, Static
from textual.worker import Worker, WorkerState

from quizapp.core.decks.model import Deck
from quizapp.core.stats import MIN_TOPIC_ANSWERS, LearnerStats, learner_stats
from quizapp.ui.context import app_context, load_decks_in_full
from quizapp.ui.format import counted
from quizapp.ui.widgets.footer import KeysFooter

CHANGED = " (question changed since)"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _minutes(ms: int) -> str:
    minutes = round(ms / 60000)
    return f"{minutes} min" if minutes else "under a minute"


class StatisticsScreen(Screen[None]):
    """Accuracy per deck and topic, trends, weak spots and must-know items."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back-stats")]

    def __init__(self) -> None:
        """Create the screen for the app's current learner and loaded decks."""
        super().__init__()
        self.context = app_context(self)
        self.learner = self.context.current_learner()
        self.decks: dict[str, Deck] = {}
        """The decks the statistics are worked out for: loaded in full by the worker."""
        self.stats: LearnerStats | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats"):
            yield Static("Working out your statistics…", id="stats-summary", markup=False)
            # Charts over time (issue 15); plotext is imported only when statistics open.
            from quizapp.ui.widgets.progress_charts import ProgressCharts

            yield ProgressCharts(self.learner.id, id="stats-progress")
            yield Static(Content.styled("Decks", "bold"), classes="section")
            decks: DataTable[Text] = DataTable(id="stats-decks", cursor_type="none")
            decks.add_columns("Accuracy", "Answers", "Trend (oldest → newest)", "Deck")
            yield decks
            yield Static(id="stats-trend-label", markup=False)
            yield Sparkline([], id="stats-trend")
            yield Static(Content.styled("Topics", "bold"), classes="section")
            topics: DataTable[Text] = DataTable(id="stats-topics", cursor_type="none")
            topics.add_columns("Accuracy", "Answers", "Topic", "Deck")
            yield topics
            yield Static(id="stats-weak", markup=False, classes="section")
            yield Static(id="stats-critical", markup=False, classes="section")
            yield Static(id="stats-missed", markup=False, classes="section")
            yield Static(id="stats-changed", markup=False, classes="section")
            yield Static(id="stats-flashcards", markup=False, classes="section")
            yield Sparkline([], id="stats-reviews")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Statistics · {self.learner.name}"
        self._load()

    @work(thread=True, group="stats", exit_on_error=False)
    def _load(self) -> None:
        context = self.context
        decks = {deck.id: deck for deck in load_decks_in_full(self)}
        stats = learner_stats(context.store, self.learner.id, decks, context.now())
        self.app.call_from_thread(self._loaded, decks, stats)

    def _loaded(self, decks: dict[str, Deck], stats: LearnerStats) -> None:
        self.decks = decks
        self.show(stats)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Without this a failed computation would leave "Working out…" on screen forever.
        if event.worker.group == "stats" and event.state == WorkerState.ERROR:
            self.query_one("#stats-summary", Static).update(
                f"Could not work out the statistics: {event.worker.error}"
            )

    def _title(self, deck_id: str) -> str:
        deck = self.decks.get(deck_id)
        if deck is not None:
            return deck.title
        # A deck no longer loaded: the title stored with its attempts, as in the deck table.
        if self.stats is not None:
            for row in self.stats.decks:
                if row.deck_id == deck_id:
                    return row.title
        return deck_id

    def _card_text(self, deck_id: str, card_id: str, prompt: str | None) -> str:
        # Without the deck loaded only the card id is known; say which deck it is from.
        return prompt if prompt else f"card {card_id} ({self._title(deck_id)})"

    def show(self, stats: LearnerStats) -> None:
        """Fill the screen from computed statistics."""
        self.stats = stats
        self.query_one("#stats-summary", Static).update(
            f"{stats.answered} answers, {_pct(stats.accuracy)} right, time spent"
            f" {_minutes(stats.time_spent_ms)}."
            if stats.answered
            else "No answers yet: take a quiz to see your statistics here."
        )
        decks = self.query_one("#stats-decks", DataTable)
        decks.clear()
        for deck in stats.decks:
            trend = " ".join(f"{value:.0%}" for value in deck.trend_values[-6:]) or "—"
            decks.add_row(
                Text(_pct(deck.accuracy)),
                Text(str(deck.answered)),
                Text(trend),
                Text(deck.title, overflow="ellipsis", no_wrap=True),
            )
        trend_deck = max(stats.decks, key=lambda d: len(d.trend), default=None)
        spark = self.query_one("#stats-trend", Sparkline)
        label = self.query_one("#stats-trend-label", Static)
        if trend_deck is not None and len(trend_deck.trend) >= 2:
            spark.data = [value * 100 for value in trend_deck.trend_values]
            spark.display = True
            label.update(Content(f"Score trend, {trend_deck.title}:"))
        else:
            spark.display = False
            label.update("A trend appears after two finished quizzes on a deck.")
        topics = self.query_one("#stats-topics", DataTable)
        topics.clear()
        for topic in stats.topics:
            topics.add_row(
                Text(_pct(topic.accuracy)),
                Text(str(topic.answered)),
                Text(topic.title),
                Text(self._title(topic.deck_id), overflow="ellipsis", no_wrap=True),
            )
        weak = [
            f"  • {t.title} ({self._title(t.deck_id)}): {_pct(t.accuracy)}"
            for t in stats.weakest_topics
        ]
        self.query_one("#stats-weak", Static).update(
            Content(
                "Weakest topics\n"
                + (
                    "\n".join(weak)
                    if weak
                    # Said so, or a topic at 50% with two answers looks forgotten.
                    else f"  None yet: a topic is ranked once it has {MIN_TOPIC_ANSWERS}"
                    " or more answers."
                )
            )
        )
        self._show_critical(stats)
        missed = [
            f"  • missed {m.misses} of {m.answered}: "
            + self._card_text(m.deck_id, m.card_id, m.prompt)
            + (CHANGED if m.changed else "")
            for m in stats.most_missed
        ]
        self.query_one("#stats-missed", Static).update(
            Content("Questions missed most\n" + ("\n".join(missed) if missed else "  None."))
        )
        changed = [
            f"  • {c.prompt or c.card_id} ({self._title(c.deck_id)})" for c in stats.changed_cards
        ]
        changed_panel = self.query_one("#stats-changed", Static)
        changed_panel.display = bool(changed)
        changed_panel.update(
            Content("Questions changed since you last answered them\n" + "\n".join(changed))
        )
        cards = stats.flashcards
        per_day = [day.reviews for day in cards.per_day]
        # Retention needs a card seen before coming back; until then there is no share.
        remembered = (
            "no card you saw before has come back for review yet."
            if cards.retention is None
            else f"you remembered {_pct(cards.retention)} of the cards you had seen before."
        )
        self.query_one("#stats-flashcards", Static).update(
            f"Flashcards\n  {counted(cards.reviews, 'review')}; {remembered}"
            f" Reviews per day, last {len(per_day)} days:"
        )
        self.query_one("#stats-reviews", Sparkline).data = per_day

    def _show_critical(self, stats: LearnerStats) -> None:
        lines = ["Must-know items"]
        if not stats.critical:
            lines.append("  None answered yet.")
        for item in stats.critical_not_mastered:
            text = self._card_text(item.deck_id, item.card_id, item.prompt)
            lines.append(f"  ✗ not yet: {text}" + (CHANGED if item.changed else ""))
        never = len(stats.critical_never_answered)
        if never:
            lines.append(f"  … {never} not answered yet")
        mastered = len(stats.critical_mastered)
        lines.append(f"  ✓ {mastered} mastered (latest answer right)")
        self.query_one("#stats-critical", Static).update(Content("\n".join(lines)))
