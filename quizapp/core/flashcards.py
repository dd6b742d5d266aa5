"""Flashcards with spaced repetition: a thin wrapper over the `fsrs` package (FSRS-6),
today's study queue, and `FlashcardSession`, one sitting of review (queue, requeue, undo,
counters) that a screen only shows. Nothing outside the core needs to import `fsrs`.

The wrapper only adapts types; every scheduling decision is fsrs's own, so a sequence of
ratings gives exactly the due dates fsrs gives. Fuzzing (a random nudge of intervals) is
off: with a few dozen cards per deck it buys nothing, and it would make the schedule
impossible to reproduce or test.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.core.decks.model import Deck, FlashCard, QuizCard
from quizapp.core.due import queue_order, readable_states, today_counts
from quizapp.core.due import start_of_day as start_of_day
from quizapp.core.quiz import right_answer

if TYPE_CHECKING:
    from quizapp.core.store import ScoreStore

RATINGS: dict[int, fsrs.Rating] = {
    1: fsrs.Rating.Again,
    2: fsrs.Rating.Hard,
    3: fsrs.Rating.Good,
    4: fsrs.Rating.Easy,
}
"""Keys 1–4 as in Anki."""

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


@dataclass(frozen=True, slots=True)
class StudyCard:
    """A card as studied: a front to recall from and a back to check against."""

    deck_id: str
    card_id: str
    front: str
    back: str
    explanation: str
    card_hash: str
    source: Card | None = None
    """The deck card it came from (for citations)."""


Card = FlashCard | QuizCard


def study_cards(deck: Deck) -> list[StudyCard]:
    """The deck's cards to study: its flashcards, and its quiz cards when the deck says so.

    A quiz card studied as a flashcard shows the question on the front and the right
    answer on the back.
    """
    cards: list[StudyCard] = []
    for card in deck.cards:
        if card.type == "flashcard":
            front, back = card.front, card.back
        elif deck.flashcards_include_quiz:
            front, back = card.prompt, right_answer(card)
        else:
            continue
        cards.append(
            StudyCard(deck.id, card.id, front, back, card.explanation, card.content_hash(), card)
        )
    return cards


@dataclass(frozen=True, slots=True)
class CardState:
    """A card's stored scheduling state for one learner."""

    card_id: str
    card_hash: str
    """Content hash when last reviewed; differs from the deck's when the card was edited."""
    fsrs_card: fsrs.Card

    @property
    def due(self) -> datetime:
        """When the card is next due (UTC)."""
        return self.fsrs_card.due


class FlashcardScheduler:
    """Schedules reviews with FSRS at the learner's desired retention."""

    def __init__(self, desired_retention: float = 0.9) -> None:
        """Create a scheduler.

        Args:
            desired_retention: Chance of recalling a card when it comes due (0.7–0.99).
        """
        self._scheduler = fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=False)

    @property
    def fsrs_scheduler(self) -> fsrs.Scheduler:
        """The underlying fsrs scheduler."""
        return self._scheduler

    def new_card(self, now: datetime) -> fsrs.Card:
        """A never-reviewed card, due now."""
        return fsrs.Card(card_id=0, due=now)

    def review(
        self, state: fsrs.Card | None, rating: int, now: datetime, duration_ms: int | None = None
    ) -> tuple[fsrs.Card, fsrs.ReviewLog]:
        """Apply a rating.

        Args:
            state: The card's current state, or None for a new card.
            rating: 1 Again, 2 Hard, 3 Good, 4 Easy.
            now: When the review happened (timezone-aware UTC).
            duration_ms: How long the learner took.

        Returns:
            The new state and fsrs's review log entry.
        """
        if now.tzinfo is None:
            raise ValueError("review time must be timezone-aware")
        # fsrs accepts only `timezone.utc` itself; a clock giving local time is converted.
        now = now.astimezone(UTC)
        card = state if state is not None else self.new_card(now)
        return self._scheduler.review_card(card, RATINGS[rating], now, duration_ms)


def build_queue(
    cards: Iterable[StudyCard],
    states: Mapping[str, CardState],
    now: datetime,
    *,
    new_limit: int,
    new_seen_today: int = 0,
    review_limit: int | None = None,
    reviewed_today: int = 0,
) -> list[StudyCard]:
    """Today's study queue: cards due now (most overdue first), then new cards.

    Args:
        cards: The deck's study cards, in deck order.
        states: Stored states by card id (cards without one are new).
        now: The current time.
        new_limit: Most new cards a day.
        new_seen_today: New cards already introduced today.
        review_limit: Most reviews of due (already learnt) cards a day; None: no limit.
        reviewed_today: Such reviews already given today.

    Returns:
        The cards to study, in order.
    """
    cards = list(cards)
    due_times = {card_id: state.due for card_id, state in states.items()}
    order = queue_order(
        [card.card_id for card in cards],
        due_times,
        now,
        new_limit=new_limit,
        new_seen_today=new_seen_today,
        review_limit=review_limit,
        reviewed_today=reviewed_today,
    )
    return [cards[position] for position in order]


def deck_queue(
    store: ScoreStore,
    learner_id: int,
    deck: Deck,
    now: datetime,
    *,
    new_limit: int,
    review_limit: int | None = None,
) -> tuple[list[StudyCard], dict[str, CardState]]:
    """Read a learner's schedule for a deck and build today's queue from it.

    Cards the learner suspended are left out.

    Args:
        store: The score store.
        learner_id: Whose schedule.
        deck: The deck.
        now: The current time.
        new_limit: Most new cards a day.
        review_limit: Most reviews of already-learnt cards a day (None: no limit).

    Returns:
        The queue, and the stored states by card id.
    """
    rows = store.card_states(learner_id, deck.id)
    states = {
        card_id: CardState(card_id, rows[card_id].card_hash, fsrs_card)
        for card_id, fsrs_card in readable_states(rows).items()
    }
    counts = today_counts(store, learner_id, deck.id, now, review_limit=review_limit)
    # Suspended cards (the card browser) leave the queue, new or due alike.
    suspended = store.suspended_cards(learner_id, deck.id)
    cards = [card for card in study_cards(deck) if card.card_id not in suspended]
    # `due.due_count` (Home's count, from the deck summary) follows the same steps.
    queue = build_queue(cards, states, now, new_limit=new_limit, **counts)
    return queue, states


def next_due(states: Mapping[Any, CardState]) -> datetime | None:
    """The earliest due time among stored states (None when nothing is scheduled)."""
    return min((state.due for state in states.values()), default=None)


def relearn_soon(state: fsrs.Card, now: datetime) -> bool:
    """True when fsrs brings the card back within the same session (a few minutes)."""
    return state.due - now <= timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class RatedCard:
    """One rating given in a session: what to store, and what undoing it restores."""

    card: StudyCard
    rating: int
    """1 Again, 2 Hard, 3 Good, 4 Easy."""
    previous: CardState | None
    """The card's state before the rating (None for a new card)."""
    state: CardState
    """The card's state after the rating."""
    log: fsrs.ReviewLog
    reviewed_at: datetime
    requeued: bool
    """The card came back later in the same session (an fsrs learning step)."""
    review_id: list[int]
    """Filled in once the review is stored (a list, so a background write can set it)."""
    pending_key: list[int] = field(default_factory=list)
    """Its number in the window's pending writes (`quizapp.core.pending`), for undo."""


class FlashcardSession:
    """One sitting of flashcard review: today's queue, ratings, undo and counters.

    Pure state: it reads nothing and writes nothing. `load` reads the schedule (call it
    off the UI thread); `quizapp.core.recording` stores each `RatedCard` it returns.
    """

    def __init__(
        self,
        decks: Iterable[Deck],
        queue: Iterable[StudyCard],
        states: Mapping[tuple[str, str], CardState],
        *,
        desired_retention: float = 0.9,
    ) -> None:
        """Create a session over a ready queue.

        Args:
            decks: The decks reviewed (one, or all for "review everything due").
            queue: The cards to study, in order.
            states: Stored states by (deck id, card id); cards without one are new.
            desired_retention: FSRS desired retention.
        """
        self.decks = {deck.id: deck for deck in decks}
        self.queue = list(queue)
        self.states = dict(states)
        self.scheduler = FlashcardScheduler(desired_retention)
        self.done: list[RatedCard] = []
        """Ratings that can still be undone, oldest first."""
        self.reviewed = 0
        self.again = 0

    @classmethod
    def load(
        cls,
        store: ScoreStore,
        learner_id: int,
        decks: Iterable[Deck],
        now: datetime,
        *,
        new_limit: int,
        desired_retention: float,
        review_limit: int | None = None,
    ) -> FlashcardSession:
        """Read a learner's schedules and build today's queue over `decks` (blocking).

        Args:
            store: The score store.
            learner_id: Who is reviewing.
            decks: The decks to review, in order.
            now: The current time.
            new_limit: Most new cards a day, per deck.
            desired_retention: FSRS desired retention.
            review_limit: Most reviews of already-learnt cards a day, per deck (None: no
                limit).
        """
        decks = list(decks)
        queue: list[StudyCard] = []
        states: dict[tuple[str, str], CardState] = {}
        for deck in decks:
            deck_cards, stored = deck_queue(
                store, learner_id, deck, now, new_limit=new_limit, review_limit=review_limit
            )
            queue += deck_cards
            states.update({(deck.id, card_id): state for card_id, state in stored.items()})
        return cls(decks, queue, states, desired_retention=desired_retention)

    @property
    def current(self) -> StudyCard | None:
        """The card to study now (None when the session is over)."""
        return self.queue[0] if self.queue else None

    def state_of(self, card: StudyCard) -> CardState | None:
        """The card's stored state (None for a card never reviewed)."""
        return self.states.get((card.deck_id, card.card_id))

    @property
    def can_undo(self) -> bool:
        """True when a rating of this session can be taken back."""
        return bool(self.done)

    def next_due(self) -> datetime | None:
        """When the earliest scheduled card of these decks is due (None if none is)."""
        return next_due(self.states)

    def rating_labels(self, now: datetime) -> dict[int, str]:
        """What each rating key would do to the current card ("Good 4d"), as fsrs says.

        Returns:
            Rating (1-4) to its label; empty when the session is over.
        """
        card = self.current
        if card is None:
            return {}
        return rating_labels(self.scheduler, self.state_of(card), now)

    def rate(self, rating: int, now: datetime) -> RatedCard:
        """Rate the current card and schedule it with FSRS.

        Args:
            rating: 1 Again, 2 Hard, 3 Good, 4 Easy.
            now: When the rating was given.

        Returns:
            The rating, for `recording.record_review`.

        Raises:
            IndexError: The queue is empty.
        """
        if rating not in RATINGS:
            raise ValueError(f"rating must be 1-4, not {rating!r}")
        card = self.queue.pop(0)
        previous = self.state_of(card)
        fsrs_card, log = self.scheduler.review(
            previous.fsrs_card if previous else None, rating, now
        )
        state = CardState(card.card_id, card.card_hash, fsrs_card)
        self.states[(card.deck_id, card.card_id)] = state
        requeued = relearn_soon(fsrs_card, now)
        if requeued:
            # fsrs brings it back within minutes (a learning step): ask again this session.
            self.queue.append(card)
        self.reviewed += 1
        self.again += rating == 1
        done = RatedCard(card, rating, previous, state, log, now, requeued, [])
        self.done.append(done)
        return done

    def undo(self) -> RatedCard | None:
        """Take back the last rating: the card's previous state returns, and the card too.

        Returns:
            The rating taken back (for `recording.undo_review`), or None if there is none.
        """
        if not self.done:
            return None
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
        return last


def interval_previews(
    scheduler: FlashcardScheduler, state: fsrs.Card | None, now: datetime
) -> dict[int, timedelta]:
    """How long until the card comes back after each rating, as fsrs would schedule it.

    Nothing is saved: each rating is tried on the card's current state.

    Args:
        scheduler: The learner's scheduler (their desired retention).
        state: The card's current state, or None for a new card.
        now: The time of the rating (timezone-aware).

    Returns:
        Rating (1-4) to the interval until the card is due again.
    """
    previews: dict[int, timedelta] = {}
    for rating in RATINGS:
        card, _ = scheduler.review(state, rating, now)
        previews[rating] = card.due - now.astimezone(UTC)
    return previews


def format_interval(interval: timedelta) -> str:
    """An interval the way Anki's rating buttons show it: `<10m`, `3h`, `4d`, `2.5mo`, `1.1y`.

    Under an hour, minutes rounded up after a `<` (fsrs's learning steps are minutes);
    under a day, hours; under a month, days; then months and years to one decimal.
    """
    seconds = max(0.0, interval.total_seconds())
    minutes = seconds / 60
    hours = minutes / 60
    days = hours / 24
    if minutes < 60:
        return f"<{max(1, math.ceil(minutes))}m"
    if hours < 24:
        return f"{round(hours)}h"
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".removesuffix(".0") + "mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def rating_labels(
    scheduler: FlashcardScheduler, state: CardState | None, now: datetime
) -> dict[int, str]:
    """What each rating key would do to a card, as the rating keys show it.

    Args:
        scheduler: The learner's scheduler.
        state: The card's stored state (None for a new card).
        now: The time of the rating.

    Returns:
        Rating (1-4) to e.g. "Again <10m", "Good 4d".
    """
    previews = interval_previews(scheduler, state.fsrs_card if state else None, now)
    return {
        rating: f"{RATING_NAMES[rating]} {format_interval(interval)}"
        for rating, interval in previews.items()
    }
