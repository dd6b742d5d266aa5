"""Flashcard review with spaced repetition (FSRS): flip, rate 1–4, undo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static

from quizapp.core import recording
from quizapp.core.decks.model import Deck
from quizapp.core.flashcards import RATING_NAMES, CardState, FlashcardSession, StudyCard
from quizapp.core.pending import Outcome
from quizapp.ui.context import app_context
from quizapp.ui.format import local_time
from quizapp.ui.gc_policy import freeze_decks, hold_collections_until_drawn
from quizapp.ui.unsaved import UnsavedWritesScreen
from quizapp.ui.widgets.feedback import source_lines
from quizapp.ui.widgets.footer import KeysFooter
from quizapp.ui.writer import SerialWriter

if TYPE_CHECKING:
    from quizapp.core.store import Learner


class FlashcardScreen(UnsavedWritesScreen[None]):
    """Reviews the cards due now in one or more decks, then new cards up to the daily limit.

    The queue, ratings, undo and counters live in a core `FlashcardSession`; this screen
    shows its current card and hands each rating (and undo) to `recording`, through an
    ordered background writer.
    """

    UNSAVED_KINDS = ("review", "undo")
    UNSAVED_NOUN = "rating"
    UNSAVED_BANNER = "card-unsaved"

    BINDINGS = [
        Binding("space", "flip", "Flip", id="flip"),
        Binding("space", "rate(3)", "Good", id="space-good", show=False),
        Binding("1", "rate(1)", "Again", id="again"),
        Binding("2", "rate(2)", "Hard", id="hard"),
        Binding("3", "rate(3)", "Good", id="good"),
        Binding("4", "rate(4)", "Easy", id="easy"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Take back the last rating"),
        Binding("escape", "leave", "Leave", id="leave-cards"),
    ]

    def __init__(self, decks: Sequence[Deck]) -> None:
        """Create the screen for the app's current learner.

        Args:
            decks: The decks to review (one, or every deck for "review everything due").
        """
        # The decks' models outlive this screen: out of full garbage collections before
        # the screen makes objects of its own (see gc_policy).
        freeze_decks(decks)
        super().__init__()
        self.context = app_context(self)
        self.learner: Learner = self.context.current_learner()
        self.decks = {deck.id: deck for deck in decks}
        self.session = FlashcardSession(self.decks.values(), [], {})
        """Empty until the learner's schedule is read (`loaded`)."""
        self.writer = SerialWriter(self, self._write_failed)
        self.flipped = False
        self.loaded = False

    # A view of the session, for tests and anything that shows progress.
    @property
    def queue(self) -> list[StudyCard]:
        """The cards still to study this session, in order."""
        return self.session.queue

    @property
    def states(self) -> dict[tuple[str, str], CardState]:
        """Scheduling states by (deck id, card id), as of the last rating."""
        return self.session.states

    @property
    def reviewed(self) -> int:
        """Ratings given this session (less those undone)."""
        return self.session.reviewed

    @property
    def again(self) -> int:
        """ "Again" ratings given this session (less those undone)."""
        return self.session.again

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="cards"):
            yield Static("Loading cards…", id="card-progress", markup=False)
            yield Static(id="card-unsaved", markup=False)
            with VerticalScroll(id="card-body"):
                yield Static(id="card-meta", markup=False)
                # Front and back in one frame, a rule between them, so the card reads
                # as a card and the answer as its other side.
                with Vertical(id="card-face"):
                    yield Static(id="card-front", markup=False)
                    yield Static(id="card-back", markup=False)
                yield Static(id="card-summary", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        names = ", ".join(deck.title for deck in self.decks.values())
        self.sub_title = f"Flashcards · {names}"
        self.pending = self.context.pending
        self.query_one("#card-unsaved", Static).display = False
        self.set_interval(1.0, self._retry_if_due)
        self._load()

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, group="cards-load", exit_on_error=False)
    def _load(self) -> None:
        context = self.context
        session = FlashcardSession.load(
            context.store,
            self.learner.id,
            self.decks.values(),
            context.now(),
            new_limit=context.settings.new_cards_per_day,
            desired_retention=context.settings.desired_retention,
            review_limit=context.settings.max_reviews_per_day,
        )
        self.app.call_from_thread(self._loaded, session)

    def _loaded(self, session: FlashcardSession) -> None:
        self.session, self.loaded = session, True
        self.show_card()

    # --- showing -------------------------------------------------------------------------

    def show_card(self) -> None:
        """Show the front of the next card, or the summary when the queue is empty."""
        self.flipped = False
        back = self.query_one("#card-back", Static)
        back.display = False
        if not self.queue:
            self._show_summary()
            self.refresh_bindings()
            return
        card = self.queue[0]
        state = self.session.state_of(card)
        remaining = len(self.queue)
        self.query_one("#card-progress", Static).update(
            # Worded as Home's "Due" column, which counts the same queue (due and new).
            f"{remaining} card{'s' if remaining != 1 else ''} due now · reviewed {self.reviewed}"
        )
        notes = ["new card" if state is None else f"due {local_time(state.due)}"]
        if state is not None and state.card_hash != card.card_hash:
            notes.append("updated since your last review")
        if len(self.decks) > 1:
            notes.insert(0, self.decks[card.deck_id].title)
        self.query_one("#card-meta", Static).update(" · ".join(notes))
        self.query_one("#card-front", Static).update(Content(card.front))
        self.query_one("#card-summary", Static).display = False
        self.query_one("#card-face").display = True
        self.refresh_bindings()

    def _show_back(self) -> None:
        card = self.queue[0]
        deck = self.decks[card.deck_id]
        parts: list[Content | str] = [
            Content.styled(card.back, "bold"),
            "\n\n",
            Content(card.explanation),
        ]
        if card.source is not None:
            for line in source_lines(deck, card.source):
                parts += ["\n", Content.styled(line, "$text-muted")]
        # Each key with the interval fsrs would give this card, as Anki shows them.
        labels = self.session.rating_labels(self.context.now())
        keys = "  ".join(f"{rating} {labels[rating]}" for rating in sorted(labels))
        parts += ["\n\nHow well did you remember?\n", keys]
        back = self.query_one("#card-back", Static)
        back.update(Content.assemble(*parts))
        back.display = True
        self.flipped = True
        self.refresh_bindings()

    def _show_summary(self) -> None:
        next_due = self.session.next_due()
        lines = [
            "Session complete." if self.reviewed else "Nothing is due right now.",
            f"Reviewed: {self.reviewed}",
            f"Again: {self.again}",
            f"Next card due: {local_time(next_due) if next_due else 'no cards scheduled yet'}",
        ]
        self.query_one("#card-progress", Static).update("Done")
        self.query_one("#card-meta", Static).update("")
        self.query_one("#card-front", Static).update("")
        summary = self.query_one("#card-summary", Static)
        summary.update("\n".join(lines))
        summary.display = True
        self.query_one("#card-face").display = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        has_card = self.loaded and bool(self.queue)
        if action == "flip":
            return has_card and not self.flipped
        if action == "rate":
            return has_card and self.flipped
        if action == "undo":
            return self.session.can_undo
        return True

    # --- rating --------------------------------------------------------------------------

    def action_flip(self) -> None:
        """Show the back of the card (once flipped, space rates it Good)."""
        if self.queue and not self.flipped:
            self._show_back()

    def action_rate(self, rating: int) -> None:
        """Rate the card (1 Again, 2 Hard, 3 Good, 4 Easy) and schedule it with FSRS."""
        if not (self.queue and self.flipped):
            return
        hold_collections_until_drawn(self)  # the next card's frame first (gc_policy)
        rated = self.session.rate(rating, self.context.now())
        pending, learner_id = self.pending, self.learner.id
        # Queued now, run once the frame with the next card is drawn (see SerialWriter).
        self.writer.submit(
            lambda: self._saved(recording.queue_review(pending, learner_id, rated)), wake=False
        )
        self.call_after_refresh(self.writer.wake)
        self.show_card()
        # The card's back hides through its own message queue, and a repaint could be
        # drawn first, with the back still shown; this makes the next frame lay it out.
        self.refresh(repaint=False, layout=True)

    def _saved(self, outcome: Outcome) -> None:
        """After a write (on the writer thread): say if it was refused, update the count."""
        if outcome.refused:
            self.app.call_from_thread(
                self.notify,
                f"Not saved: {outcome.error}",
                severity="error",
                markup=False,
            )
        self.app.call_from_thread(self._show_unsaved)

    def _write_failed(self, error: Exception) -> None:
        why = str(error) or type(error).__name__
        self.notify(f"Could not save your review: {why}", severity="error", markup=False)
        self._show_unsaved()

    def action_undo(self) -> None:
        """Take back the last rating: the card's previous schedule returns, and the card too."""
        last = self.session.undo()
        if last is None:
            return
        pending = self.pending
        # Runs after the review's own write (same ordered writer): a saved rating is
        # undone in the store, one still unsaved is taken out of the queue.
        self.writer.submit(lambda: self._saved(recording.queue_undo(pending, last)))
        self.notify(f"Took back “{RATING_NAMES[last.rating]}”.", markup=False, timeout=2)
        self.show_card()

    def action_leave(self) -> None:
        """Back to Home, asking first when ratings are not saved yet."""
        self.writer.submit(self._check_before_leaving)

    def _check_before_leaving(self) -> None:
        unsaved = self.unsaved_count()
        self.app.call_from_thread(self._leave_with, unsaved)

    def _leave_with(self, unsaved: int) -> None:
        if not unsaved:
            self.dismiss()
            return

        self.ask_about_unsaved(unsaved, None)

    def close_after_leaving(self) -> None:
        """Back to Home."""
        self.dismiss()
