"""A learner's statistics, computed from the score store and the loaded decks.

Pure functions over `ScoreStore` reads: no UI, no writes. The Statistics screen shows a
`LearnerStats`; the completion report (`quizapp.core.report`) builds on it too.

What counts, and why:

* **Answers** are those in unfinished and finished attempts; discarded attempts are left
  out, as everywhere in the store's statistics ("set aside" means "does not count").
* **Accuracy** is `correct / answered` over those answers (every card is all-or-nothing,
  one point each).
* **Trend** is the score fraction of each *finished* attempt of a deck, oldest first (any
  mode), for a sparkline.
* **Mastered** (critical cards): the card's *latest* answer was correct. A critical card
  answered at least once whose latest answer was wrong is "not mastered"; one never
  answered is listed separately. Which cards are critical comes from the loaded deck
  (its current content is what must be known); for a deck that is not loaded, from the
  flag stored with the latest answer.
* **Changed cards**: a card whose current `content_hash()` differs from the hash stored
  with its latest answer (the learner answered an earlier wording). Only cards of loaded
  decks can be compared.
* **Flashcard retention**: of the reviews of cards seen before (not a card's first
  review), the share rated above 1 (anything but Again), over all reviews. **Reviews per
  day**: every review, counted by local calendar date over the last 14 days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from quizapp.core.decks.model import TOPIC_TITLES, Deck
from quizapp.core.store import AnswerRecord, Attempt, Learner, ScoreStore, TopicAccuracy

REVIEW_DAYS = 14
"""How many days `FlashcardStats.per_day` covers, today included."""

MIN_TOPIC_ANSWERS = 3
"""Fewest answers a topic needs before it can be called one of the weakest."""

WEAKEST_TOPICS = 3
"""How many weakest topics are listed, at most."""

MOST_MISSED = 10
"""How many most-missed cards are listed, at most."""

CriticalStatus = Literal["mastered", "not-mastered", "never-answered"]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class TrendPoint:
    """One finished attempt on the trend line.

    Attributes:
        attempt_id: The attempt.
        mode: "practice", "exam" or "review".
        finished_at: When it was finished (UTC).
        fraction: `score / max_score` (0-1).
    """

    attempt_id: int
    mode: str
    finished_at: datetime
    fraction: float


@dataclass(frozen=True)
class DeckStats:
    """A learner's results on one deck.

    Attributes:
        deck_id: Deck id.
        title: The loaded deck's title, else the title stored with the latest attempt.
        loaded: Whether the deck is loaded now (prompts and changes can be shown).
        answered: Answers given (non-discarded attempts).
        correct: Correct answers among them.
        trend: Finished attempts, oldest first.
        time_spent_ms: Sum of the answers' `elapsed_ms`.
    """

    deck_id: str
    title: str
    loaded: bool
    answered: int
    correct: int
    trend: tuple[TrendPoint, ...]
    time_spent_ms: int

    @property
    def accuracy(self) -> float | None:
        """`correct / answered` (0-1), or None before any answer."""
        return self.correct / self.answered if self.answered else None

    @property
    def trend_values(self) -> list[float]:
        """The trend's fractions only, oldest first (what a sparkline takes)."""
        return [point.fraction for point in self.trend]


@dataclass(frozen=True)
class TopicStats(TopicAccuracy):
    """Accuracy on one topic of one deck, with the topic's heading.

    Attributes:
        title: The topic's plain-language heading (`TOPIC_TITLES`), else the id.
    """

    title: str


@dataclass(frozen=True)
class MissedCard:
    """A card the learner got wrong, with how often.

    Attributes:
        deck_id: Deck id.
        card_id: Card id.
        prompt: The card's prompt (front, for a flashcard) now, or None when the deck or
            card is not loaded.
        topic: The topic stored with the latest answer.
        misses: Wrong answers.
        answered: All answers.
        changed: The card changed since its latest answer.
    """

    deck_id: str
    card_id: str
    prompt: str | None
    topic: str
    misses: int
    answered: int
    changed: bool


@dataclass(frozen=True)
class CriticalItem:
    """A must-know safety card of a deck the learner has attempted.

    Attributes:
        deck_id: Deck id.
        card_id: Card id.
        prompt: The card's prompt now, or None when the deck or card is not loaded.
        topic: The card's topic.
        answered: Answers given.
        correct: Correct answers among them.
        latest_correct: Whether the latest answer was right; None if never answered.
        changed: The card changed since its latest answer.
    """

    deck_id: str
    card_id: str
    prompt: str | None
    topic: str
    answered: int
    correct: int
    latest_correct: bool | None
    changed: bool

    @property
    def status(self) -> CriticalStatus:
        """ "mastered" (latest answer right), "not-mastered" or "never-answered"."""
        if self.latest_correct is None:
            return "never-answered"
        return "mastered" if self.latest_correct else "not-mastered"


@dataclass(frozen=True)
class ChangedCard:
    """A card whose content changed after the learner last answered it.

    Attributes:
        deck_id: Deck id.
        card_id: Card id.
        prompt: The card's prompt now.
        answered_hash: `content_hash()` stored with the latest answer.
        current_hash: `content_hash()` of the card as loaded now.
    """

    deck_id: str
    card_id: str
    prompt: str | None
    answered_hash: str
    current_hash: str


@dataclass(frozen=True)
class DayCount:
    """Flashcard reviews on one local calendar day.

    Attributes:
        day: The local date.
        reviews: How many ratings were given that day.
    """

    day: date
    reviews: int


@dataclass(frozen=True)
class FlashcardStats:
    """Flashcard practice.

    Attributes:
        reviews: Every review logged.
        repeat_reviews: Reviews of cards seen before (not a card's first review).
        recalled: Repeat reviews rated above 1 (Hard, Good or Easy).
        per_day: Reviews on each of the last `REVIEW_DAYS` local days, oldest first,
            today last, days without reviews included as 0.
    """

    reviews: int
    repeat_reviews: int
    recalled: int
    per_day: tuple[DayCount, ...]

    @property
    def retention(self) -> float | None:
        """`recalled / repeat_reviews` (0-1), or None before any repeat review."""
        return self.recalled / self.repeat_reviews if self.repeat_reviews else None


@dataclass(frozen=True)
class LearnerStats:
    """Everything the Statistics screen shows for one learner.

    Attributes:
        learner: Who.
        generated_at: The `now` the statistics were computed for.
        decks: Per deck attempted (non-discarded attempts), by title.
        topics: Per deck and topic answered, by deck then the deck's topic order.
        weakest_topics: Topics with at least `min_topic_answers` answers and accuracy
            below 100%, lowest accuracy first (more answers first on a tie).
        most_missed: Cards with at least one wrong answer, most misses first.
        critical: Every critical card of the decks attempted, by deck then deck order.
        changed_cards: Answered cards whose content changed since their latest answer.
        flashcards: Flashcard retention and reviews per day.
        answered: Answers given, all decks.
        correct: Correct answers among them.
        time_spent_ms: Sum of the answers' `elapsed_ms`, all decks.
    """

    learner: Learner
    generated_at: datetime
    decks: tuple[DeckStats, ...]
    topics: tuple[TopicStats, ...]
    weakest_topics: tuple[TopicStats, ...]
    most_missed: tuple[MissedCard, ...]
    critical: tuple[CriticalItem, ...]
    changed_cards: tuple[ChangedCard, ...]
    flashcards: FlashcardStats
    answered: int
    correct: int
    time_spent_ms: int

    @property
    def accuracy(self) -> float | None:
        """Overall `correct / answered` (0-1), or None before any answer."""
        return self.correct / self.answered if self.answered else None

    @property
    def critical_not_mastered(self) -> tuple[CriticalItem, ...]:
        """Critical cards answered, whose latest answer was wrong."""
        return tuple(item for item in self.critical if item.status == "not-mastered")

    @property
    def critical_never_answered(self) -> tuple[CriticalItem, ...]:
        """Critical cards of attempted decks never answered yet."""
        return tuple(item for item in self.critical if item.status == "never-answered")

    @property
    def critical_mastered(self) -> tuple[CriticalItem, ...]:
        """Critical cards whose latest answer was right."""
        return tuple(item for item in self.critical if item.status == "mastered")

    def deck(self, deck_id: str) -> DeckStats | None:
        """The statistics of one deck, or None when it was not attempted."""
        return next((deck for deck in self.decks if deck.deck_id == deck_id), None)

    def is_changed(self, deck_id: str, card_id: str) -> bool:
        """Whether this card changed since the learner last answered it."""
        return any(
            card.deck_id == deck_id and card.card_id == card_id for card in self.changed_cards
        )


# --------------------------------------------------------------------------- helpers


def card_prompt(deck: Deck | None, card_id: str) -> str | None:
    """The text a learner reads first on a card: its prompt, or a flashcard's front.

    Args:
        deck: The loaded deck, or None.
        card_id: The card's id.

    Returns:
        The text, or None when the deck is not loaded or has no such card.
    """
    if deck is None:
        return None
    try:
        card = deck.card(card_id)
    except KeyError:
        return None
    return card.front if card.type == "flashcard" else card.prompt


def local_date(moment: datetime, tz: tzinfo | None = None) -> date:
    """The calendar date of `moment` in `tz` (the machine's local zone when None)."""
    return moment.astimezone(tz).date()


@dataclass
class _CardTally:
    deck_id: str
    card_id: str
    answered: int = 0
    correct: int = 0
    latest: AnswerRecord | None = None

    def add(self, answer: AnswerRecord) -> None:
        self.answered += 1
        self.correct += int(answer.correct)
        if self.latest is None or answer.id > self.latest.id:
            self.latest = answer


def _tally_cards(attempts: Iterable[Attempt]) -> dict[tuple[str, str], _CardTally]:
    tallies: dict[tuple[str, str], _CardTally] = {}
    for attempt in attempts:
        for answer in attempt.answers:
            key = (answer.deck_id, answer.card_id)
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = _CardTally(*key)
            tally.add(answer)
    return tallies


def _changed_cards(
    tallies: Mapping[tuple[str, str], _CardTally], decks: Mapping[str, Deck]
) -> dict[tuple[str, str], ChangedCard]:
    changed: dict[tuple[str, str], ChangedCard] = {}
    for key, tally in tallies.items():
        deck = decks.get(tally.deck_id)
        if deck is None or tally.latest is None:
            continue
        try:
            card = deck.card(tally.card_id)
        except KeyError:
            continue
        current = card.content_hash()
        if current != tally.latest.card_hash:
            changed[key] = ChangedCard(
                tally.deck_id,
                tally.card_id,
                card_prompt(deck, tally.card_id),
                tally.latest.card_hash,
                current,
            )
    return changed


def _deck_stats(attempts: list[Attempt], decks: Mapping[str, Deck]) -> tuple[DeckStats, ...]:
    by_deck: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_deck.setdefault(attempt.deck_id, []).append(attempt)
    result = []
    for deck_id, own in by_deck.items():
        answers = [answer for attempt in own for answer in attempt.answers]
        finished = sorted(
            (a for a in own if a.status == "finished" and a.fraction is not None),
            key=lambda a: (a.finished_at, a.id),
        )
        deck = decks.get(deck_id)
        latest = max(own, key=lambda a: (a.started_at, a.id))
        result.append(
            DeckStats(
                deck_id=deck_id,
                title=deck.title if deck is not None else latest.deck_title,
                loaded=deck is not None,
                answered=len(answers),
                correct=sum(1 for answer in answers if answer.correct),
                trend=tuple(
                    TrendPoint(a.id, a.mode, a.finished_at, a.fraction)  # type: ignore[arg-type]
                    for a in finished
                ),
                time_spent_ms=sum(answer.elapsed_ms for answer in answers),
            )
        )
    result.sort(key=lambda d: (d.title.casefold(), d.deck_id))
    return tuple(result)


def _topic_stats(
    store: ScoreStore, learner_id: int, decks: Mapping[str, Deck], deck_order: list[str]
) -> tuple[TopicStats, ...]:
    # The store keeps these counts up to date as answers are written (same rules: no
    # discarded attempts), so there is no need to count the answers again here.
    def order(row: TopicAccuracy) -> tuple[int, int, str]:
        deck = decks.get(row.deck_id)
        topics = deck.topics if deck else []
        position = topics.index(row.topic) if row.topic in topics else len(TOPIC_TITLES)
        rank = deck_order.index(row.deck_id) if row.deck_id in deck_order else len(deck_order)
        return rank, position, row.topic

    return tuple(
        TopicStats(
            row.deck_id,
            row.topic,
            row.answered,
            row.correct,
            TOPIC_TITLES.get(row.topic, row.topic),
        )
        for row in sorted(store.topic_accuracy(learner_id), key=order)
        if row.answered
    )


def _critical_items(
    attempted: list[str],
    tallies: Mapping[tuple[str, str], _CardTally],
    decks: Mapping[str, Deck],
    changed: Mapping[tuple[str, str], ChangedCard],
) -> tuple[CriticalItem, ...]:
    items: list[CriticalItem] = []
    for deck_id in attempted:
        deck = decks.get(deck_id)
        if deck is not None:
            cards: list[tuple[str, str]] = [
                (card.id, card.topic) for card in deck.quiz_cards if card.critical
            ]
        else:
            cards = sorted(
                (t.card_id, t.latest.topic)
                for t in tallies.values()
                if t.deck_id == deck_id and t.latest is not None and t.latest.critical
            )
        for card_id, topic in cards:
            tally = tallies.get((deck_id, card_id))
            latest = tally.latest if tally else None
            items.append(
                CriticalItem(
                    deck_id=deck_id,
                    card_id=card_id,
                    prompt=card_prompt(deck, card_id),
                    topic=topic,
                    answered=tally.answered if tally else 0,
                    correct=tally.correct if tally else 0,
                    latest_correct=None if latest is None else latest.correct,
                    changed=(deck_id, card_id) in changed,
                )
            )
    return tuple(items)


def _flashcard_stats(
    store: ScoreStore, learner_id: int, now: datetime, tz: tzinfo | None
) -> FlashcardStats:
    reviews = store.reviews(learner_id)
    repeats = [review for review in reviews if not review.first_review]
    today = local_date(now, tz)
    days = [today - timedelta(days=n) for n in range(REVIEW_DAYS - 1, -1, -1)]
    per_day = dict.fromkeys(days, 0)
    for review in reviews:
        day = local_date(review.reviewed_at, tz)
        if day in per_day:
            per_day[day] += 1
    return FlashcardStats(
        reviews=len(reviews),
        repeat_reviews=len(repeats),
        recalled=sum(1 for review in repeats if review.rating > 1),
        per_day=tuple(DayCount(day, count) for day, count in per_day.items()),
    )


# --------------------------------------------------------------------------- entry point


def learner_stats(
    store: ScoreStore,
    learner_id: int,
    decks: Mapping[str, Deck],
    now: datetime,
    *,
    tz: tzinfo | None = None,
    min_topic_answers: int = MIN_TOPIC_ANSWERS,
    weakest: int = WEAKEST_TOPICS,
    most_missed: int = MOST_MISSED,
) -> LearnerStats:
    """Compute a learner's statistics.

    Args:
        store: The score store.
        learner_id: Whose statistics.
        decks: The loaded decks by id (for prompts, critical cards and changed cards);
            decks missing here still get their numbers from the store.
        now: The current time (timezone-aware); ends the reviews-per-day window.
        tz: The zone for calendar days; the machine's local zone when None.
        min_topic_answers: Fewest answers for a topic to count among the weakest.
        weakest: How many weakest topics to list, at most.
        most_missed: How many most-missed cards to list, at most.

    Returns:
        The statistics.

    Raises:
        NotFoundError: No such learner.
        ValueError: `now` is naive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    learner = store.learner(learner_id)
    attempts = store.learner_attempts(learner_id)
    tallies = _tally_cards(attempts)
    changed = _changed_cards(tallies, decks)
    deck_stats = _deck_stats(attempts, decks)
    deck_order = [deck.deck_id for deck in deck_stats]
    topics = _topic_stats(store, learner_id, decks, deck_order)
    weakest_topics = sorted(
        (t for t in topics if t.answered >= min_topic_answers and t.correct < t.answered),
        key=lambda t: (t.accuracy, -t.answered, deck_order.index(t.deck_id), t.topic),
    )[: max(0, weakest)]
    missed = sorted(
        (
            MissedCard(
                deck_id=t.deck_id,
                card_id=t.card_id,
                prompt=card_prompt(decks.get(t.deck_id), t.card_id),
                topic=t.latest.topic if t.latest else "",
                misses=t.answered - t.correct,
                answered=t.answered,
                changed=key in changed,
            )
            for key, t in tallies.items()
            if t.correct < t.answered
        ),
        # Most misses; then the larger share missed; then deck and card for stability.
        key=lambda m: (-m.misses, -m.misses / m.answered, m.deck_id, m.card_id),
    )[: max(0, most_missed)]
    answers = [answer for attempt in attempts for answer in attempt.answers]
    return LearnerStats(
        learner=learner,
        generated_at=now,
        decks=deck_stats,
        topics=topics,
        weakest_topics=tuple(weakest_topics),
        most_missed=tuple(missed),
        critical=_critical_items(deck_order, tallies, decks, changed),
        changed_cards=tuple(changed[key] for key in sorted(changed)),
        flashcards=_flashcard_stats(store, learner_id, now, tz),
        answered=len(answers),
        correct=sum(1 for answer in answers if answer.correct),
        time_spent_ms=sum(answer.elapsed_ms for answer in answers),
    )
