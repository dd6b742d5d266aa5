"""History: a learner's attempts, read a page at a time, and the answers of one attempt."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker, WorkerState

from quizapp.core.decks.model import Deck
from quizapp.core.modes import mode_name
from quizapp.core.quiz import describe_response
from quizapp.core.store import HISTORY_PAGE_SIZE, Attempt, AttemptSummary
from quizapp.ui.context import app_context, load_decks_in_full
from quizapp.ui.format import counted, local_time, percent
from quizapp.ui.widgets.footer import KeysFooter


def passed_text(passed: bool | None, status: str) -> str:
    """Pass/fail as a word and a symbol (never colour alone)."""
    if status == "unfinished":
        return "… unfinished"
    if passed is None:
        return "—"
    return "✓ passed" if passed else "✗ not passed"


class AttemptsTable(DataTable[Text]):
    """The table of attempts: Home and End go to the first and the last row.

    (A plain row-cursor DataTable binds them to the first and last column, which a row
    cursor does not show; the last row is where the next page of attempts is read.)
    """

    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]


class HistoryScreen(Screen[None]):
    """Every attempt of the app's current learner, newest first; Enter opens one.

    Attempts are read `HISTORY_PAGE_SIZE` at a time, in a thread worker: the next page
    when the cursor reaches the last row (arrow keys, Page Down, End) or the table is
    scrolled to its bottom (mouse wheel, scroll bar), so a long history opens as fast as
    a short one. The title's count comes from the store, not from the rows read so far.
    """

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back-history")]

    def __init__(self) -> None:
        """Create the screen for the app's current learner."""
        super().__init__()
        context = app_context(self)
        self.store = context.store
        self.learner = context.current_learner()
        self.attempts: list[AttemptSummary] = []
        """The attempts read so far, newest first, as listed."""
        self.total: int | None = None
        """How many attempts the store counted when the screen opened."""
        self.complete = False
        """True once the last page has been read."""
        self._reading = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content(f"History of {self.learner.name}"), id="history-title")
        table = AttemptsTable(id="history", cursor_type="row", zebra_stripes=True)
        table.add_columns("Date", "Mode", "Score", "Result", "Deck")
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "History"
        self.watch(self._table, "scroll_y", self._scrolled, init=False)
        self._read_next_page()

    @property
    def _table(self) -> AttemptsTable:
        return self.query_one("#history", AttemptsTable)

    def _read_next_page(self) -> None:
        """Read the page after the last row shown, unless it is read or being read."""
        if not (self.complete or self._reading):
            self._reading = True
            self._read(self.attempts[-1] if self.attempts else None)

    @work(thread=True, group="history", exit_on_error=False)
    def _read(self, after: AttemptSummary | None) -> None:
        learner = self.learner.id
        total = self.store.history_count(learner) if after is None else None
        page = self.store.history(learner, HISTORY_PAGE_SIZE, before=after)
        self.app.call_from_thread(self._show, page, total)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Without this a failed read would leave the list short with no word about it.
        if event.worker.group == "history" and event.state == WorkerState.ERROR:
            self._reading = False  # the next move to the end tries again
            self.query_one("#history-title", Static).update(
                Content(f"Could not read the history of {self.learner.name}: {event.worker.error}")
            )

    def _show(self, page: list[AttemptSummary], total: int | None) -> None:
        self._reading = False
        first = not self.attempts
        self.attempts += page
        self.complete = len(page) < HISTORY_PAGE_SIZE
        table = self._table
        for a in page:
            table.add_row(
                Text(local_time(a.started_at)),
                Text(mode_name(a.mode)),
                Text(percent(a.score, a.max_score)),
                Text(passed_text(a.passed, a.status)),
                Text(a.deck_title or a.deck_id),
                key=str(a.id),
            )
        if total is not None:
            self.total = total
            self.query_one("#history-title", Static).update(
                Content(
                    f"History of {self.learner.name}: "
                    + (
                        f"{counted(total, 'quiz', 'quizzes')}, newest first."
                        if total
                        else "no quizzes yet."
                    )
                )
            )
        if first:
            table.focus()
        self.call_after_refresh(self._fill_the_view)

    def _fill_the_view(self) -> None:
        """Read on while every row fits: nothing scrolls there, so no scroll would."""
        if not self.is_attached:  # left before this frame
            return
        table = self._table
        header = table.header_height if table.show_header else 0
        if table.row_count + header <= table.scrollable_content_region.height:
            self._read_next_page()

    @on(DataTable.RowHighlighted, "#history")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.attempts) - 1:
            self._read_next_page()

    def _scrolled(self) -> None:
        table = self._table
        if table.scroll_y >= table.max_scroll_y:
            self._read_next_page()

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
        yield KeysFooter()

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
