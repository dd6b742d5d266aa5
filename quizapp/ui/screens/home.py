"""Home: the learner, the decks with their scores, and any deck load errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from quizapp.core.decks.summary import DeckSummary
from quizapp.core.decks.topics import TOPIC_TITLES
from quizapp.core.store import AttemptSummary, DeckScore, Learner
from quizapp.ui.commands import DeckCommands
from quizapp.ui.context import AppContext, app_context, load_decks_in_full
from quizapp.ui.format import percent
from quizapp.ui.messages import LearnerChanged
from quizapp.ui.widgets.deck_table import DeckTable, last_result, title_lines
from quizapp.ui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from quizapp.core.decks.errors import DeckError
    from quizapp.core.decks.model import Deck
    from quizapp.core.quiz import QuizResult, QuizSession, QuizSettings

# The deck models (pydantic), the quiz and flashcard logic and the other screens are
# imported where they are first used, not here: Home's first frame needs none of them,
# and importing them up front was most of the app's start-up time. Home lists decks from
# their summaries; a deck's cards are loaded (in a worker) when it is opened.


_COLUMNS = (
    ("deck", "Deck"),
    ("audience", "For"),
    ("cards", "Cards"),
    ("last", "Last"),
    ("best", "Best"),
    ("due", "Due"),
)
"""Home's deck table columns: (key, label)."""


class HomeScreen(Screen[None]):
    """Choose a learner and a deck; see how each deck has gone so far.

    Home is the app's navigator: it opens every other screen and dialog, and what a
    screen closes with (a finished quiz, "review my mistakes") decides what opens next.
    """

    COMMANDS = Screen.COMMANDS | {DeckCommands}
    """"Quiz: <deck>" in the palette, offered on Home only (a quiz must not stack on another)."""
    BINDINGS = [
        Binding("f", "flashcards", "Flashcards", id="flashcards", tooltip="Review flashcards due"),
        Binding("s", "statistics", "Statistics", id="statistics", tooltip="How you are doing"),
        Binding("h", "history", "History", id="history", tooltip="Your past quizzes and exams"),
        Binding("b", "browse", "Browse", id="browse", tooltip="Search every card of every deck"),
        Binding(
            "m",
            "mistakes",
            "Mistakes",
            id="mistakes",
            show=False,
            tooltip="Practise the cards whose latest answer was wrong",
        ),
        Binding("comma", "settings", "Settings", id="settings", show=False),
        Binding("l", "learner", "Learner", id="learner", tooltip="Choose or add a learner"),
        Binding("f1", "notice", "Notice", id="notice", tooltip="Education, not medical advice"),
        Binding("q", "app.quit", "Quit", id="quit-home"),
    ]

    deck_errors: reactive[list[DeckError]] = reactive(list, always_update=True)
    learner: reactive[Learner | None] = reactive(None)
    scores: reactive[dict[str, DeckScore]] = reactive(dict, always_update=True)
    due: reactive[dict[str, int]] = reactive(dict, always_update=True)
    """Flashcards to study now, per deck."""
    unfinished: reactive[frozenset[str]] = reactive(frozenset)
    """Decks with an unfinished quiz or exam (Enter offers to resume it)."""

    def __init__(self, remembered: Learner | None = None) -> None:
        """Create the home screen (the app's context holds what it shows).

        Args:
            remembered: The learner to start with (None: Home asks who is learning).
        """
        super().__init__()
        self._remembered = remembered
        self._scores_generation = 0
        self._shown_decks: list[DeckSummary] = []
        """The decks the table shows, to skip refilling it for nothing."""
        self._first_frame_shown = False

    @property
    def context(self) -> AppContext:
        """The app's store, settings, clock, decks and learner."""
        return app_context(self)

    @property
    def decks(self) -> list[DeckSummary]:
        """The decks listed: the summaries of the deck files that validate, in file order."""
        return list(self.context.library.summaries.values())

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static("Loading decks…", id="deck-status", markup=False)
            table = DeckTable(id="decks", cursor_type="row", zebra_stripes=True)
            # Columns exist before anything can fill the table (decks may arrive early).
            # Labels as Text: a str label is parsed as Rich markup, and the first markup
            # parse loads Rich's emoji table (about 3 ms of the start-up).
            for key, label in _COLUMNS:
                width = self._title_width() if key == "deck" else None
                table.add_column(Text(label), key=key, width=width)
            yield table
            yield Static(id="deck-detail", markup=False)
            # The panel listing deck files that do not load (#deck-errors) is mounted
            # when the first one is found (`watch_deck_errors`): start-up has found none
            # yet (files are checked after the first frame), and a scrolling panel is
            # about 2 ms of that frame.
        yield KeysFooter()

    def on_mount(self) -> None:
        # The decks with a fresh summary and the remembered learner are known already
        # (read by `make_app`): show them in the first frame, not one frame later.
        self._list_decks()
        self._learner_at_start(self._remembered)

    def show_decks(self) -> None:
        """Show the app's deck library as it now is: the decks, and the errors of the
        files that do not load."""
        library = self.context.library
        errors = list(library.errors)
        if list(self.deck_errors) != errors:
            self.deck_errors = errors
        if self._shown_decks != self.decks:
            self._decks_changed()
        elif self.is_mounted:
            self._show_status()  # how many files are still being checked

    def _title_width(self) -> int:
        # The other columns need about 52 cells ("Last" says "80% ✗ failed"); the title
        # gets the rest, on up to two lines, ending in an ellipsis rather than pushing
        # the scores off a narrow screen.
        return max(14, self.app.size.width - 52)

    def on_resize(self) -> None:
        table = self.query_one("#decks", DataTable)
        column = table.columns.get("deck")  # type: ignore[call-overload]
        if column is not None and column.width != self._title_width():
            column.width = self._title_width()
            self._fill_table()

    # --- learner -------------------------------------------------------------------------

    def _learner_at_start(self, learner: Learner | None) -> None:
        if learner is None:
            self.action_learner()
        else:
            self.use_learner(learner)

    def action_learner(self) -> None:
        """Choose or add the learner whose answers are recorded."""
        from quizapp.ui.dialogs.learner import LearnerModal

        self.app.push_screen(
            LearnerModal(current=self.learner),
            callback=lambda chosen: self.use_learner(chosen) if chosen else None,
        )

    def use_learner(self, learner: Learner) -> None:
        """Make `learner` current; first-time learners see the notice."""
        self.learner = learner
        self.post_message(LearnerChanged(learner))
        if learner.acknowledged_notice_at is None:
            self.action_notice()

    def watch_learner(self, learner: Learner | None) -> None:
        self.context.learner = learner
        if learner is not None:
            self.app.sub_title = f"Learner: {learner.name} · Education, not medical advice"
            self.refresh_scores()

    def action_notice(self) -> None:
        """Show the education-not-advice notice (learners acknowledge it the first time)."""
        from quizapp.ui.dialogs.notice import NoticeModal

        learner = self.learner
        first_time = learner is not None and learner.acknowledged_notice_at is None

        def acknowledged(ok: bool | None) -> None:
            if ok and first_time and learner is not None:
                self._acknowledge(learner)

        self.app.push_screen(NoticeModal(first_time=first_time), callback=acknowledged)

    @work(thread=True, group="home-learner", exit_on_error=False)
    def _acknowledge(self, learner: Learner) -> None:
        updated = self.context.store.acknowledge_notice(learner.id)
        self.app.call_from_thread(setattr, self, "learner", updated)

    # --- decks and scores ----------------------------------------------------------------

    def on_screen_resume(self) -> None:
        self.refresh_scores()

    def first_frame_shown(self) -> None:
        """The app's first frame is on screen: the scores may load now (the app calls this)."""
        self._first_frame_shown = True
        self.refresh_scores()

    def refresh_scores(self) -> None:
        """Reload the current learner's scores in the background."""
        # Not before the first frame: the worker imports the scheduler and queries the
        # store, and a thread doing that competes with drawing that frame for the GIL.
        if self.learner is not None and self._first_frame_shown:
            # Not an exclusive worker: cancelling a thread cannot stop its query anyway.
            # A generation number makes sure only the newest result is shown.
            self._scores_generation += 1
            self._load_scores(self.learner.id, self._scores_generation)

    @work(thread=True, group="home-scores", exit_on_error=False)
    def _load_scores(self, learner_id: int, generation: int) -> None:
        # From the summaries' card ids: the count is the flashcard queue's length
        # (`due_count` orders cards as the queue does), without loading any deck.
        from quizapp.core.due import due_count

        context = self.context
        scores = context.store.deck_scores(learner_id)
        now = context.now()
        settings = context.settings
        due = {
            deck.id: due_count(
                context.store,
                learner_id,
                deck.id,
                deck.study_card_ids,
                now,
                new_limit=settings.new_cards_per_day,
                review_limit=settings.max_reviews_per_day,
            )
            for deck in self.decks
        }
        unfinished = frozenset(a.deck_id for a in context.store.unfinished_attempts(learner_id))
        self.app.call_from_thread(self._scores_loaded, scores, due, unfinished, generation)

    def _scores_loaded(
        self,
        scores: dict[str, DeckScore],
        due: dict[str, int],
        unfinished: frozenset[str],
        generation: int,
    ) -> None:
        if generation != self._scores_generation:
            return
        self.due = due
        self.unfinished = unfinished
        self.scores = scores

    def _decks_changed(self) -> None:
        if self.is_mounted:  # else on_mount lists them, in the first frame
            self._list_decks()

    def _list_decks(self) -> None:
        self._shown_decks = self.decks
        self._fill_table()
        self.refresh_scores()  # due counts depend on the decks' cards
        self._show_status()

    def _show_status(self) -> None:
        count = len(self.decks)
        checking = len(self.context.library.pending)
        if count:
            status = f"{count} deck{'s' if count != 1 else ''}. Choose one and press Enter."
            status += " ? lists the keys."
            if checking:
                status += f" Checking {checking} more deck file{'s' if checking != 1 else ''}…"
        else:
            status = "Loading decks…" if checking else "No decks found."
        self.query_one("#deck-status", Static).update(status)

    def watch_scores(self) -> None:
        if self.is_mounted:
            self._fill_table()

    def watch_deck_errors(self, errors: list[DeckError]) -> None:
        if not self.is_mounted:
            return
        lines = Content("\n".join(str(error) for error in errors))
        panels = self.query("#deck-errors")
        if panels:
            panels.first().display = bool(errors)
            self.query_one("#deck-error-lines", Static).update(lines)
        elif errors:
            self.query_one("#home").mount(
                VerticalScroll(
                    Static("Some deck files could not be loaded:", classes="title", markup=False),
                    Static(lines, id="deck-error-lines", markup=False),
                    id="deck-errors",
                )
            )

    def _fill_table(self) -> None:
        table = self.query_one("#decks", DataTable)
        current = self._highlighted_deck()
        table.clear()
        width = self._title_width()
        for deck in self.decks:
            score = self.scores.get(deck.id)
            title = title_lines(deck.title, width)
            table.add_row(
                Text("\n".join(title), no_wrap=True, overflow="ellipsis"),
                Text(deck.audience),
                Text(str(deck.quiz_cards)),
                last_result(score, deck.id in self.unfinished),
                Text(percent(score.best_score, score.best_max_score) if score else "—"),
                Text(str(self.due[deck.id]) if deck.id in self.due else "—"),
                key=deck.id,
                height=len(title),
            )
        if current is not None and current.id in {deck.id for deck in self.decks}:
            table.move_cursor(row=table.get_row_index(current.id))
        self._show_detail()

    def _highlighted_deck(self) -> DeckSummary | None:
        table = self.query_one("#decks", DataTable)
        if not self.decks or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((deck for deck in self.decks if deck.id == row_key.value), None)

    @on(DataTable.RowHighlighted, "#decks")
    def _show_detail(self) -> None:
        deck = self._highlighted_deck()
        detail = self.query_one("#deck-detail", Static)
        if deck is None:
            detail.update("")
            return
        brands = f" ({', '.join(deck.brands)})" if deck.brands else ""
        topics = " · ".join(
            f"{TOPIC_TITLES.get(topic, topic)} {count}" for topic, count in deck.topics
        )
        detail.update(
            Content.assemble(
                (f"{deck.generic}{brands}", "bold"),
                f" · for {deck.audience}s · version {deck.version}, reviewed {deck.reviewed}\n",
                Content(topics),
                f"\n{deck.flashcards} flashcard{'s' if deck.flashcards != 1 else ''}",
            )
        )

    @on(DataTable.RowSelected, "#decks")
    def _row_selected(self) -> None:
        self.action_start()

    # --- starting a quiz ---------------------------------------------------------------

    def start_deck(self, deck_id: str) -> None:
        """Highlight a deck and start a quiz on it (used by the command palette)."""
        table = self.query_one("#decks", DataTable)
        table.move_cursor(row=table.get_row_index(deck_id))
        self.action_start()

    def action_start(self) -> None:
        """Start (or resume) a quiz on the highlighted deck."""
        deck = self._highlighted_deck()
        if deck is None or self.learner is None:
            if self.learner is None:
                self.action_learner()
            return
        self._check_unfinished(deck, self.learner)

    def _full_decks(self, wanted: list[DeckSummary] | None = None) -> list[Deck]:
        """The cards of listed decks (blocking: from this screen's thread workers).

        A deck whose file no longer loads is left out and said so here; its errors
        replace it on Home (the app records them).
        """
        ids = None if wanted is None else [deck.id for deck in wanted]
        decks = load_decks_in_full(self, ids)
        loaded = {deck.id for deck in decks}
        missing = [deck.title for deck in wanted or self.decks if deck.id not in loaded]
        if missing:
            self.app.call_from_thread(
                self.notify,
                f"{', '.join(missing)}: the deck file changed and no longer loads;"
                " its errors are listed on Home.",
                severity="error",
                markup=False,
                timeout=10,
            )
        return decks

    @work(thread=True, group="home-start", exit_on_error=False)
    def _check_unfinished(self, summary: DeckSummary, learner: Learner) -> None:
        decks = self._full_decks([summary])
        if not decks:
            return
        deck = decks[0]
        unfinished = self.context.store.unfinished_attempts(learner.id, deck.id)
        self.app.call_from_thread(self._offer_resume, deck, learner, unfinished)

    def _offer_resume(self, deck: Deck, learner: Learner, unfinished: list[AttemptSummary]) -> None:
        if not unfinished:
            self._set_up(deck, learner)
            return
        from quizapp.ui.dialogs.setup import ResumeModal

        attempt = unfinished[0]

        def chosen(choice: str | None) -> None:
            if choice == "resume":
                self._resume(deck, learner, attempt.id)
            elif choice == "discard":
                self._discard_then_set_up(deck, learner, attempt.id)

        self.app.push_screen(ResumeModal(attempt, deck), callback=chosen)

    def _set_up(self, deck: Deck, learner: Learner) -> None:
        from quizapp.core.quiz import QuizSession
        from quizapp.ui.dialogs.setup import QuizSetupModal

        def start(settings: QuizSettings | None) -> None:
            if settings is not None:
                self._open_quiz(QuizSession.start(deck, settings), None)

        self.app.push_screen(QuizSetupModal(deck), callback=start)

    @work(thread=True, group="home-start", exit_on_error=False)
    def _discard_then_set_up(self, deck: Deck, learner: Learner, attempt_id: int) -> None:
        from quizapp.core import recording
        from quizapp.core.store import StoreError

        try:
            recording.discard_attempt(self.context.store, attempt_id)
        except (StoreError, LookupError, ValueError) as error:
            self.app.call_from_thread(
                self.notify, f"Could not discard it: {error}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self._set_up, deck, learner)

    @work(thread=True, group="home-start", exit_on_error=False)
    def _resume(
        self, deck: Deck, learner: Learner, attempt_id: int, take_over: bool = False
    ) -> None:
        from quizapp.core import recording
        from quizapp.core.store import AttemptClaimedError, StoreError

        store = self.context.store
        try:
            # One window per attempt: two windows answering it once left 17 answer rows
            # for 10 cards.
            store.claim_attempt(attempt_id, self.context.owner, take_over=take_over)
            session = recording.resume_attempt(store, deck, attempt_id)
        except AttemptClaimedError as error:
            self.app.call_from_thread(self._offer_take_over, deck, learner, attempt_id, str(error))
            return
        except (StoreError, LookupError, ValueError) as error:
            self.app.call_from_thread(
                self.notify, f"Could not resume: {error}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self._open_quiz, session, attempt_id)

    def _offer_take_over(self, deck: Deck, learner: Learner, attempt_id: int, why: str) -> None:
        from quizapp.ui.dialogs.records import ClaimedModal

        def chosen(choice: str | None) -> None:
            if choice == "take-over":
                self._resume(deck, learner, attempt_id, take_over=True)
            elif choice == "new":
                self._set_up(deck, learner)

        self.app.push_screen(ClaimedModal(why), callback=chosen)

    def _open_quiz(self, session: QuizSession, attempt_id: int | None) -> None:
        from quizapp.ui.screens.quiz import QuizScreen

        self.app.push_screen(QuizScreen(session, attempt_id=attempt_id), callback=self._quiz_done)

    def _quiz_done(self, finished: tuple[QuizSession, QuizResult] | None) -> None:
        # A quiz closes with its session and result when finished (None when left early).
        if finished is None:
            return
        from quizapp.ui.screens.results import ResultsScreen

        session, result = finished

        def closed(review: bool | None) -> None:
            if review:
                from quizapp.core.quiz import review_session

                self._open_quiz(review_session(session, result), None)

        self.app.push_screen(ResultsScreen(session, result), callback=closed)

    def action_flashcards(self) -> None:
        """Review the highlighted deck's flashcards."""
        deck = self._highlighted_deck()
        if deck is not None:
            self.review_flashcards([deck])

    def review_flashcards(self, decks: list[DeckSummary] | None) -> None:
        """Open a flashcard session over `decks` (None: every deck, "review everything
        due"), once their cards are loaded."""
        if self.learner is not None and (decks is None or decks):
            self._open_flashcards(decks)

    @work(thread=True, group="home-start", exit_on_error=False)
    def _open_flashcards(self, wanted: list[DeckSummary] | None) -> None:
        decks = self._full_decks(wanted)
        if decks:
            self.app.call_from_thread(self._push_flashcards, decks)

    def _push_flashcards(self, decks: list[Deck]) -> None:
        from quizapp.ui.screens.flashcards import FlashcardScreen

        self.app.push_screen(FlashcardScreen(decks))

    def action_review_all(self) -> None:
        """Review every card due now, across all decks."""
        self.review_flashcards(None)

    def action_statistics(self) -> None:
        """Show the learner's statistics."""
        if self.learner is None:
            return
        from quizapp.ui.screens.stats import StatisticsScreen

        self.app.push_screen(StatisticsScreen())

    def action_history(self) -> None:
        """Show the learner's past attempts."""
        if self.learner is None:
            return
        from quizapp.ui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_browse(self) -> None:
        """Open the card browser; practising the cards found opens a quiz here."""
        from quizapp.ui.screens.browser import CardBrowserScreen

        def practise(session: QuizSession | None) -> None:
            if session is not None:
                self._open_quiz(session, None)

        self.app.push_screen(CardBrowserScreen(), callback=practise)

    def action_mistakes(self) -> None:
        """A quiz of the cards whose latest answer was wrong, across sessions."""
        if self.learner is None:
            self.action_learner()
            return
        self._find_mistakes(self.learner.id)

    @work(thread=True, group="home-start", exit_on_error=False)
    def _find_mistakes(self, learner_id: int) -> None:
        from quizapp.core.card_browser import practice_sessions, resolve

        mistakes = self.context.store.mistakes(learner_id)
        # Only the decks with a mistake are loaded, in Home's order.
        with_mistakes = {mistake.deck_id for mistake in mistakes}
        decks = self._full_decks([deck for deck in self.decks if deck.id in with_mistakes])
        sessions = practice_sessions(resolve(decks, mistakes))
        self.app.call_from_thread(self._practise_mistakes, sessions)

    def _practise_mistakes(self, sessions: list[QuizSession]) -> None:
        if not sessions:
            self.notify(
                "No mistakes to practise: the latest answer to every card you have tried"
                " was right.",
                markup=False,
            )
            return
        first = sessions[0]
        if len(sessions) > 1:
            others = sum(len(session.card_ids) for session in sessions[1:])
            self.notify(
                f"{first.deck.title} first, where your latest mistake was; {others} more"
                " are in other decks (press m again afterwards).",
                markup=False,
                timeout=8,
            )
        self._open_quiz(first, None)

    def action_settings(self) -> None:
        """Change the study limits and desired retention."""
        from quizapp.ui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())
