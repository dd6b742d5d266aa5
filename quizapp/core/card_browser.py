"""The card browser's core: what of a card is searchable, keeping the store's search index
in step with the loaded decks, and the cards a search or the mistakes list selects.

The search itself runs in the store (`ScoreStore.search_cards`, an indexed FTS5 query);
this module decides what text each card contributes and turns found rows back into the
deck's cards for practice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import fsrs

from quizapp.core.decks.model import Card, Deck, FlashCard
from quizapp.core.quiz import QuizSession, QuizSettings
from quizapp.core.store import BrowserRow, CardAnswer, IndexedCard, Mistake, ScoreStore

CARD_TYPES: tuple[str, ...] = ("single", "multi", "true_false", "typed", "order", "flashcard")
"""Every card type, in the order the browser's type filter offers them."""


def card_text(card: Card) -> tuple[str, str, str]:
    """A card's searchable text: (prompt, answers, explanation).

    The prompt is the question, or a flashcard's front. The answers are everything else
    the card can show as an answer: choices and their feedback, accepted answers, the
    steps of an order card, "True"/"False", a flashcard's back. One line per piece.
    """
    if isinstance(card, FlashCard):
        return card.front, card.back, card.explanation
    answers: list[str] = []
    if card.type in ("single", "multi"):
        for choice in card.choices:
            answers.append(choice.text)
            if choice.feedback:
                answers.append(choice.feedback)
    elif card.type == "true_false":
        answers.append("True" if card.answer else "False")
    elif card.type == "typed":
        answers.extend(card.accepted)
    elif card.type == "order":
        answers.extend(card.steps)
    return card.prompt, "\n".join(answers), card.explanation


def indexed_card(card: Card) -> IndexedCard:
    """The search index's record of a card."""
    prompt, answers, explanation = card_text(card)
    return IndexedCard(
        card_id=card.id,
        card_hash=card.content_hash(),
        card_type=card.type,
        topic=card.topic,
        critical=card.critical,
        prompt=prompt,
        answers=answers,
        explanation=explanation,
    )


def deck_index_hash(deck: Deck) -> str:
    """A hash of a deck's cards as indexed (ids, order and content hashes).

    Changes whenever any card is added, removed, moved or edited, which is when the
    deck's part of the index must be rebuilt.
    """
    digest = hashlib.blake2b(digest_size=16)
    for card in deck.cards:
        digest.update(f"{card.id}\0{card.content_hash()}\n".encode())
    return digest.hexdigest()


def sync_index(store: ScoreStore, decks: Iterable[Deck]) -> list[str]:
    """Bring the store's search index in step with the loaded decks.

    Decks whose cards are unchanged since they were indexed cost one hash each; decks
    no longer loaded leave the index.

    Returns:
        The ids of the decks (re)indexed or removed.
    """
    wanted = {
        deck.id: (deck.title, deck_index_hash(deck), [indexed_card(card) for card in deck.cards])
        for deck in decks
    }
    return store.sync_card_index(wanted)


@dataclass(frozen=True)
class SelectedCard:
    """A deck card chosen by a search or the mistakes list."""

    deck: Deck
    card: Card


def resolve(decks: Sequence[Deck], found: Iterable[BrowserRow | Mistake]) -> list[SelectedCard]:
    """The loaded cards behind found rows, in the rows' order.

    Rows of decks or cards no longer loaded (an index or answers from older deck files)
    are skipped.
    """
    by_deck = {deck.id: deck for deck in decks}
    selected: list[SelectedCard] = []
    for row in found:
        deck = by_deck.get(row.deck_id)
        if deck is None:
            continue
        try:
            selected.append(SelectedCard(deck, deck.card(row.card_id)))
        except KeyError:
            continue
    return selected


def practice_sessions(selected: Iterable[SelectedCard], seed: int = 0) -> list[QuizSession]:
    """Quiz sessions over just the selected quiz cards: one per deck, in selection order.

    A session is in "review" mode (feedback after each answer, no pass mark), asks the
    cards in the order given, and is recorded like any other attempt. Flashcards are
    left out: they are practised in the flashcard screen.
    """
    groups: dict[str, tuple[Deck, list[str]]] = {}
    for item in selected:
        if isinstance(item.card, FlashCard):
            continue
        deck, card_ids = groups.setdefault(item.deck.id, (item.deck, []))
        if item.card.id not in card_ids:
            card_ids.append(item.card.id)
    settings = QuizSettings(mode="review", shuffle=False, seed=seed)
    return [
        QuizSession(deck=deck, card_ids=card_ids, settings=settings)
        for deck, card_ids in groups.values()
    ]


@dataclass(frozen=True)
class Schedule:
    """A flashcard's schedule for one learner, as the browser shows it.

    Attributes:
        state: "Learning", "Review" or "Relearning" (fsrs's card states).
        due: When it is next due (UTC).
        stability: Days until recall drops to 90% (fsrs stability), if known yet.
        difficulty: fsrs difficulty, 1 (easy) to 10 (hard), if known yet.
        last_review: When it was last rated (UTC).
    """

    state: str
    due: datetime
    stability: float | None
    difficulty: float | None
    last_review: datetime


@dataclass(frozen=True)
class CardRecord:
    """What the store holds about one card for one learner.

    Attributes:
        answers: Every counted answer, newest first.
        schedule: The flashcard schedule, or None when never reviewed (or unreadable).
        suspended: Whether the learner suspended the card.
    """

    answers: list[CardAnswer]
    schedule: Schedule | None
    suspended: bool


def card_record(store: ScoreStore, learner_id: int, deck_id: str, card_id: str) -> CardRecord:
    """Read a card's answers, schedule and suspension for a learner (blocking)."""
    stored = store.card_states(learner_id, deck_id).get(card_id)
    schedule = None
    if stored is not None:
        try:
            card = fsrs.Card.from_dict(cast("fsrs.card.CardDict", stored.state))
        except (KeyError, TypeError, ValueError):
            card = None  # a state this fsrs cannot read: shown as not scheduled
        if card is not None:
            schedule = Schedule(
                state=card.state.name,
                due=stored.due,
                stability=card.stability,
                difficulty=card.difficulty,
                last_review=stored.updated_at,
            )
    return CardRecord(
        answers=store.card_answers(learner_id, deck_id, card_id),
        schedule=schedule,
        suspended=card_id in store.suspended_cards(learner_id, deck_id),
    )


def can_suspend(deck: Deck, card: Card) -> bool:
    """Whether a card is studied as a flashcard, so suspending it means something."""
    return isinstance(card, FlashCard) or deck.flashcards_include_quiz
