"""History: a learner's attempts, and the answers of one attempt."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from quizapp.core.decks.model import Deck
from quizapp.core.modes import mode_name
from quizapp.core.quiz import describe_response
from quizapp.core.store import Attempt, AttemptSummary
from quizapp.ui.context import app_context, load_decks_in_full
from quizapp.ui.format import local_time, percent


def passed_text(passed: bool | None, status: str) -> str:
    """Pass/fail as a word and a symbol (never colour alone)."""
    if status == "unfinished":
        return "… unfinished"
    if passed is None:
        return "—"
    return "✓ passed" if passed else "✗ not passed"


class HistoryScreen(Screen[None]):
    """Every attempt of the app's current learner, newest first; Enter opens one."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back-history")]

    def __init__(self) -> None:
        """Create the screen for the app's current learner."""
        super().__init__()
        context = app_context(self)
        self.store = context.store
        self.learner = context.current_learner()
        self.attempts: list[AttemptSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content(f"History of {self.learner.name}"), id="history-title")
        table: DataTable[Text] = DataTable(id="history", cursor_type="row", zebra_stripes=True)
        table.add_columns("Date", "Mode", "Score", "Result", "Deck")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        self._load()

    @work(thread=True, group="history", exit_on_error=False)
    def _load(self) -> None:
        attempts = self.store.history(self.learner.id)
        self.app.call_from_thread(self._show, attempts)

    def _show(self, attempts: list[AttemptSummary]) -> None:
        self.attempts = attempts
        table = self.query_one("#history", DataTable)
        table.clear()
        for a in attempts:
            table.add_row(
                Text(local_time(a.started_at)),
                Text(mode_name(a.mode)),
                Text(percent(a.score, a.max_score)),
                Text(passed_text(a.passed, a.status)),
                Text(a.deck_title or a.deck_id),
                key=str(a.id),
            )
        if not attempts:
            self.query_one("#history-title", Static).update(
                Content(f"History of {self.learner.name}: no quizzes yet.")
            )
        table.focus()

    @on(DataTable.RowSelected, "#history")
    def _open(self, event: DataTable.RowSelected) -> None:
        attempt_id = int(event.row_key.value or 0)
        self.app.push_screen(AttemptScreen(attempt_id))


class AttemptScreen(Screen[None]):
    """The answers given in one attempt."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back-attempt")]

    def __init__(self, attempt_id: int) -> None:
        """Create the screen.

        Args:
            attempt_id: The attempt to show.
        """
        super().__init__()
        self.store = app_context(self).store
        self.attempt_id = attempt_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="attempt"):
            yield Static("Loading…", id="attempt-title", markup=False)
            table: DataTable[Text] = DataTable(id="attempt-answers", cursor_type="row")
            table.add_column("#")
            table.add_column("Result")
            table.add_column("Your answer", width=24)
            table.add_column("Question", width=max(20, self.app.size.width - 50))
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, group="attempt", exit_on_error=False)
    def _load(self) -> None:
        attempt = self.store.attempt(self.attempt_id)
        # The deck, while it is listed, to show each question's text.
        decks = load_decks_in_full(self, [attempt.deck_id])
        self.app.call_from_thread(self._show, attempt, decks[0] if decks else None)

    def _show(self, attempt: Attempt, deck: Deck | None) -> None:
        self.sub_title = f"{mode_name(attempt.mode)} · {local_time(attempt.started_at)}"
        self.query_one("#attempt-title", Static).update(
            Content(
                f"{attempt.deck_title or attempt.deck_id} · deck version {attempt.deck_version}"
                f" · score {percent(attempt.score, attempt.max_score)}"
                f" · {passed_text(attempt.passed, attempt.status)}"
            )
        )
        table = self.query_one("#attempt-answers", DataTable)
        for number, answer in enumerate(attempt.answers, start=1):
            prompt = answer.card_id
            changed = ""
            if deck is not None:
                try:
                    card = deck.card(answer.card_id)
                except KeyError:
                    changed = " (removed from the deck)"
                else:
                    prompt = getattr(card, "prompt", prompt)
                    if card.content_hash() != answer.card_hash:
                        changed = " (question changed since)"
            table.add_row(
                Text(str(number)),
                Text("✓ right" if answer.correct else "✗ wrong"),
                Text(describe_response(answer.response), overflow="ellipsis", no_wrap=True),
                Text(prompt + changed, overflow="ellipsis", no_wrap=True),
            )
        table.focus()
