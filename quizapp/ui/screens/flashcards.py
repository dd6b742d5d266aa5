"""Flashcard review with spaced repetition (FSRS): flip, rate 1–4, undo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import fsrs
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from quizapp.core.decks.model import Deck
from quizapp.core.flashcards import (
    RATING_NAMES,
    CardState,
    FlashcardScheduler,
    StudyCard,
    deck_queue,
    relearn_soon,
)
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.format import local_time
from quizapp.ui.widgets.feedback import source_lines
from quizapp.ui.writer import SerialWriter


@dataclass(frozen=True, slots=True)
class _Done:
    """A rating given in this session, kept so it can be undone."""

    card: StudyCard
    rating: int
    previous: CardState | None
    requeued: bool
    review_id: list[int]
    """Filled in by the writer once the review is stored (a list, so it can be set later)."""


class FlashcardScreen(Screen[None]):
    """Reviews the cards due now in one or more decks, then new cards up to the daily limit."""

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

    def __init__(
        self,
        decks: Sequence[Deck],
        store: ScoreStore,
        learner: Learner,
        *,
        new_limit: int,
        desired_retention: float,
        clock: Callable[[], datetime],
    ) -> None:
        """Create the screen.

        Args:
            decks: The decks to review (one, or every deck for "review everything due").
            store: Where schedules and the review log are kept.
            learner: Who is reviewing.
            new_limit: Most new cards a day, per deck.
            desired_retention: FSRS desired retention.
            clock: Source of the current time.
        """
        super().__init__()
        self.decks = {deck.id: deck for deck in decks}
        self.store = store
        self.learner = learner
        self.new_limit = new_limit
        self.clock = clock
        self.scheduler = FlashcardScheduler(desired_retention)
        self.queue: list[StudyCard] = []
        self.states: dict[tuple[str, str], CardState] = {}
        self.done: list[_Done] = []
        self.writer = SerialWriter(self, self._write_failed)
        self.flipped = False
        self.loaded = False
        self.reviewed = 0
        self.again = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="cards"):
            yield Static("Loading cards…", id="card-progress", markup=False)
            with VerticalScroll(id="card-body"):
                yield Static(id="card-meta", markup=False)
                yield Static(id="card-front", markup=False)
                yield Static(id="card-back", markup=False)
                yield Static(id="card-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        names = ", ".join(deck.title for deck in self.decks.values())
        self.sub_title = f"Flashcards · {names}"
        self._load()

    # --- loading -------------------------------------------------------------------------

    @work(thread=True, group="cards-load", exit_on_error=False)
    def _load(self) -> None:
        now = self.clock()
        queue: list[StudyCard] = []
        states: dict[tuple[str, str], CardState] = {}
        for deck in self.decks.values():
            deck_cards, stored = deck_queue(
                self.store, self.learner.id, deck, now, new_limit=self.new_limit
            )
            queue += deck_cards
            states.update({(deck.id, card_id): state for card_id, state in stored.items()})
        self.app.call_from_thread(self._loaded, queue, states)

    def _loaded(self, queue: list[StudyCard], states: dict[tuple[str, str], CardState]) -> None:
        self.queue, self.states, self.loaded = queue, states, True
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
        state = self.states.get((card.deck_id, card.card_id))
        remaining = len(self.queue)
        self.query_one("#card-progress", Static).update(
            f"{remaining} card{'s' if remaining != 1 else ''} to go · reviewed {self.reviewed}"
        )
        notes = ["new card" if state is None else f"due {local_time(state.due)}"]
        if state is not None and state.card_hash != card.card_hash:
            notes.append("updated since your last review")
        if len(self.decks) > 1:
            notes.insert(0, self.decks[card.deck_id].title)
        self.query_one("#card-meta", Static).update(" · ".join(notes))
        self.query_one("#card-front", Static).update(Content(card.front))
        self.query_one("#card-summary", Static).display = False
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
        parts += ["\n\nHow well did you remember? 1 Again · 2 Hard · 3 Good · 4 Easy"]
        back = self.query_one("#card-back", Static)
        back.update(Content.assemble(*parts))
        back.display = True
        self.flipped = True
        self.refresh_bindings()

    def _show_summary(self) -> None:
        next_due = min((state.due for state in self.states.values()), default=None)
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        has_card = self.loaded and bool(self.queue)
        if action == "flip":
            return has_card and not self.flipped
        if action == "rate":
            return has_card and self.flipped
        if action == "undo":
            return bool(self.done)
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
        card = self.queue.pop(0)
        key = (card.deck_id, card.card_id)
        previous = self.states.get(key)
        now = self.clock()
        new_state, log = self.scheduler.review(
            previous.fsrs_card if previous else None, rating, now
        )
        self.states[key] = CardState(card.card_id, card.card_hash, new_state)
        requeued = relearn_soon(new_state, now)
        if requeued:
            # fsrs brings it back within minutes (a learning step): ask again this session.
            self.queue.append(card)
        self.reviewed += 1
        self.again += rating == 1
        done = _Done(card, rating, previous, requeued, [])
        self.done.append(done)
        self.writer.submit(lambda: self._save(done, new_state, log, now))
        self.show_card()

    def _save(self, done: _Done, new_state: fsrs.Card, log: fsrs.ReviewLog, now: datetime) -> None:
        card = done.card
        done.review_id.append(
            self.store.record_review(
                self.learner.id,
                card.deck_id,
                card.card_id,
                card_hash=card.card_hash,
                state=new_state.to_dict(),
                due=new_state.due,
                rating=done.rating,
                reviewed_at=now,
                review=log.to_dict(),
                previous_state=done.previous.fsrs_card.to_dict() if done.previous else None,
            )
        )

    def _write_failed(self, error: Exception) -> None:
        self.notify(f"Could not save your review: {error}", severity="error", markup=False)

    def action_undo(self) -> None:
        """Take back the last rating: the card's previous schedule returns, and the card too."""
        if not self.done:
            return
        last = self.done.pop()
        key = (last.card.deck_id, last.card.card_id)
        if last.previous is None:
            self.states.pop(key, None)
        else:
            self.states[key] = last.previous
        if last.requeued:
            # drop the copy queued for later in the session
            for index in range(len(self.queue) - 1, -1, -1):
                if self.queue[index] == last.card:
                    del self.queue[index]
                    break
        self.queue.insert(0, last.card)
        self.reviewed -= 1
        self.again -= last.rating == 1
        # Runs after the review's own write (same ordered writer), so its id is known.
        self.writer.submit(lambda: self.store.undo_review(last.review_id[0]))
        self.notify(f"Took back “{RATING_NAMES[last.rating]}”.", markup=False, timeout=2)
        self.show_card()

    def action_leave(self) -> None:
        """Back to Home; every rating is already saved."""
        self.dismiss()
