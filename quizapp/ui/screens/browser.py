"""The card browser (like Anki's Browse): every card of every loaded deck in one table,
searched as you type and filtered; Enter opens a card.

The search runs in the store (an indexed FTS5 query, `ScoreStore.search_cards`) on a
thread worker, one at a time: each keystroke cancels the search before it, so the
table always shows the latest text's results. The index is brought in step with the
loaded decks when the screen opens (`card_browser.sync_index`; unchanged decks cost a
hash each). Deck text is shown through `Text`, never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Header, Input, Select, Static
from textual.worker import Worker, WorkerState

from quizapp.core.card_browser import CARD_TYPES, practice_sessions, resolve, sync_index
from quizapp.core.decks.model import Deck
from quizapp.core.decks.topics import TOPIC_TITLES
from quizapp.core.quiz import QuizSession
from quizapp.core.store import BrowserRow, CardFilters
from quizapp.ui.context import app_context, load_decks_in_full
from quizapp.ui.format import TYPE_NAMES, local_time
from quizapp.ui.widgets.footer import KeysFooter


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class CardTable(DataTable[Text]):
    """The found cards; Enter opens the highlighted one (shown in the footer)."""

    BINDINGS = [Binding("enter", "select_cursor", "Open card", tooltip="See the whole card")]


class CardBrowserScreen(Screen[QuizSession | None]):
    """Search every card; open one; practise the cards found; suspend flashcards.

    Dismissed with a quiz session over the found quiz cards of one deck when the learner
    asks to practise them (Home opens it), or None.
    """

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="browser-search", tooltip="Type to search"),
        Binding("p", "practise", "Practise these", id="browser-practise"),
        Binding("m", "toggle_filter('must-know')", "Must-know", id="browser-must-know", show=False),
        Binding("d", "toggle_filter('due')", "Due", id="browser-due", show=False),
        Binding("w", "toggle_filter('wrong')", "Wrong last time", id="browser-wrong", show=False),
        Binding("z", "toggle_filter('suspended')", "Suspended", id="browser-suspended", show=False),
        Binding("escape", "back", "Back", id="browser-back"),
    ]

    def __init__(self) -> None:
        """Create the browser for the app's loaded decks and current learner (if any)."""
        super().__init__()
        self.context = app_context(self)
        self.decks: dict[str, Deck] = {}
        """The decks searched, by id: loaded in full by the index worker (`_prepare`)."""
        self.learner = self.context.learner
        self.rows: list[BrowserRow] = []
        self.ready = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="browser"):
            yield Input(
                placeholder="Search questions, answers and explanations (/ comes back here)",
                id="browser-query",
                compact=True,
            )
            with Horizontal(id="browser-filters"):
                # Titles from the summaries: the cards are loaded by the index worker.
                listed = self.context.library.summaries.values()
                yield Select[str](
                    [(deck.title, deck.id) for deck in listed],
                    prompt="All decks",
                    id="filter-deck",
                    compact=True,
                )
                yield Select[str](
                    [],  # filled once the cards are loaded (`_index_ready`)
                    prompt="All topics",
                    id="filter-topic",
                    compact=True,
                )
                yield Select[str](
                    [(TYPE_NAMES[kind], kind) for kind in CARD_TYPES],
                    prompt="All types",
                    id="filter-type",
                    compact=True,
                )
            with Horizontal(id="browser-toggles"):
                no_learner = self.learner is None
                yield Checkbox("Must-know (m)", id="must-know", compact=True)
                yield Checkbox("Due (d)", id="due", disabled=no_learner, compact=True)
                yield Checkbox("Wrong last time (w)", id="wrong", disabled=no_learner, compact=True)
                yield Checkbox("Suspended (z)", id="suspended", disabled=no_learner, compact=True)
            yield Static("Preparing the card index…", id="browser-count", markup=False)
            table = CardTable(id="browser-table", cursor_type="row", zebra_stripes=True)
            # The question first: at 80 columns the others scroll off to the right.
            table.add_column("Question or front", key="prompt", width=self._prompt_width())
            table.add_column("Due", key="due")
            table.add_column("Last", key="last")
            table.add_column("Must-know", key="critical")
            table.add_column("Type", key="type")
            table.add_column("Topic", key="topic")
            table.add_column("Deck", key="deck")
            yield table
        yield KeysFooter()

    def _prompt_width(self) -> int:
        # Room for the due date, last answer and must-know columns beside it.
        return max(28, self.app.size.width - 36)

    def on_mount(self) -> None:
        who = f" · {self.learner.name}" if self.learner else ""
        self.sub_title = f"Card browser{who}"
        self.query_one("#browser-query", Input).focus()
        self._prepare()

    # --- searching -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="browser-search", exit_on_error=False)
    def _prepare(self) -> None:
        decks = load_decks_in_full(self)
        sync_index(self.context.store, decks)
        self.app.call_from_thread(self._index_ready, decks)

    def _index_ready(self, decks: list[Deck]) -> None:
        self.decks = {deck.id: deck for deck in decks}
        topics = sorted({card.topic for deck in decks for card in deck.cards})
        self.query_one("#filter-topic", Select).set_options(
            [(TOPIC_TITLES.get(topic, topic), topic) for topic in topics]
        )
        self.ready = True
        self.search()

    def filters(self) -> CardFilters:
        """The search and filters as set on screen."""

        def chosen(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, str) else None

        def ticked(selector: str) -> bool:
            return self.query_one(selector, Checkbox).value

        return CardFilters(
            text=self.query_one("#browser-query", Input).value,
            deck_id=chosen("#filter-deck"),
            topic=chosen("#filter-topic"),
            card_type=chosen("#filter-type"),
            critical=True if ticked("#must-know") else None,
            due_only=ticked("#due"),
            wrong_only=ticked("#wrong"),
            suspended_only=ticked("#suspended"),
        )

    def search(self) -> None:
        """Search again with what is on screen now."""
        if self.ready:
            self._search(self.filters())

    @work(thread=True, exclusive=True, group="browser-search", exit_on_error=False)
    def _search(self, filters: CardFilters) -> None:
        learner_id = self.learner.id if self.learner else None
        rows = self.context.store.search_cards(filters, learner_id, self.context.now())
        self.app.call_from_thread(self.show_rows, rows)

    @on(Input.Changed, "#browser-query")
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _filters_changed(self) -> None:
        self.search()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "browser-search" and event.state == WorkerState.ERROR:
            self.query_one("#browser-count", Static).update(
                f"Could not search the cards: {event.worker.error}"
            )

    def show_rows(self, rows: list[BrowserRow]) -> None:
        """Fill the table with found cards."""
        self.rows = rows
        table = self.query_one("#browser-table", CardTable)
        table.clear()
        for row in rows:
            last = {None: "", True: "right", False: "wrong"}[row.last_correct]
            due = local_time(row.due)[:10] if row.due else ""
            if row.suspended:
                due = "suspended"
            table.add_row(
                Text(_one_line(row.prompt, self._prompt_width()), no_wrap=True),
                Text(due),
                Text(last),
                Text("must-know" if row.critical else ""),
                Text(TYPE_NAMES.get(row.card_type, row.card_type)),
                Text(TOPIC_TITLES.get(row.topic, row.topic)),
                Text(row.deck_title, no_wrap=True),
                key=f"{row.deck_id}\0{row.card_id}",
            )
        total = sum(len(deck.cards) for deck in self.decks.values())
        word = "card" if len(rows) == 1 else "cards"
        self.query_one("#browser-count", Static).update(
            Content(f"{len(rows)} {word} of {total} · Enter opens a card · p practises these")
        )

    # --- actions -------------------------------------------------------------------------

    def action_focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.query_one("#browser-query", Input).focus()

    def action_toggle_filter(self, checkbox_id: str) -> None:
        """Tick or untick a filter."""
        box = self.query_one(f"#{checkbox_id}", Checkbox)
        if not box.disabled:
            box.toggle()

    def action_back(self) -> None:
        """Back to where the browser was opened from."""
        self.dismiss(None)

    @on(DataTable.RowSelected, "#browser-table")
    def _open_card(self, event: DataTable.RowSelected) -> None:
        from quizapp.ui.screens.card_detail import CardDetailScreen

        deck_id, card_id = str(event.row_key.value).split("\0", 1)
        deck = self.decks.get(deck_id)
        if deck is None:
            return
        self.app.push_screen(
            CardDetailScreen(deck, deck.card(card_id)), callback=lambda _: self.search()
        )

    def action_practise(self) -> None:
        """Practise the quiz cards found, one deck at a time (Home opens the quiz)."""
        if self.learner is None:
            self.notify("Choose a learner first (l on Home).", markup=False)
            return
        sessions = practice_sessions(resolve(list(self.decks.values()), self.rows))
        if not sessions:
            self.notify(
                "None of these cards is a quiz question. Flashcards are studied with f on Home.",
                markup=False,
            )
            return
        first = sessions[0]
        if len(sessions) > 1:
            others = sum(len(session.card_ids) for session in sessions[1:])
            self.notify(
                f"Practising the {len(first.card_ids)} found in {first.deck.title} first;"
                f" {others} more are in other decks (filter by deck to practise them).",
                markup=False,
                timeout=8,
            )
        self.dismiss(first)
