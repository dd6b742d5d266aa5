"""Today's flashcard queue order, and how many cards a deck has to study now.

The order (cards due now, most overdue first, then new cards up to the daily limit, the
reviews capped by the daily review limit) is worked out here from card ids and due times
alone. `quizapp.core.flashcards` builds the study queue with it, and Home counts a deck's
cards to study with it from the deck's summary, before any deck model (pydantic) is
loaded: one rule, so the count on Home is the length of the queue the flashcard screen
then shows.

This module must not import pydantic or the deck models; `fsrs` is imported only to read
stored states, as the flashcard session does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import fsrs

    from quizapp.core.store import ScoreStore, StoredCardState


def start_of_day(now: datetime) -> datetime:
    """Local midnight of `now`'s day, as UTC: the daily new-card limit resets then."""
    local = now.astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(now.tzinfo)


def queue_order(
    card_ids: Sequence[str],
    due_times: Mapping[str, datetime],
    now: datetime,
    *,
    new_limit: int,
    new_seen_today: int = 0,
    review_limit: int | None = None,
    reviewed_today: int = 0,
) -> list[int]:
    """Today's study queue as positions in `card_ids`: cards due now (most overdue
    first), then new cards.

    Args:
        card_ids: The deck's study cards, in deck order.
        due_times: When each scheduled card is due (cards without one are new).
        now: The current time.
        new_limit: Most new cards a day.
        new_seen_today: New cards already introduced today.
        review_limit: Most reviews of due (already learnt) cards a day; None: no limit.
        reviewed_today: Such reviews already given today.

    Returns:
        Positions in `card_ids`, in study order.
    """
    due: list[tuple[datetime, int]] = []
    new: list[int] = []
    for position, card_id in enumerate(card_ids):
        when = due_times.get(card_id)
        if when is None:
            new.append(position)
        elif when <= now:
            due.append((when, position))
    due.sort()
    if review_limit is not None:
        # The most overdue go first; the rest wait for another day, as in Anki.
        due = due[: max(0, review_limit - reviewed_today)]
    room = max(0, new_limit - new_seen_today)
    return [position for _, position in due] + new[:room]


def readable_states(rows: Mapping[str, StoredCardState]) -> dict[str, fsrs.Card]:
    """The stored fsrs states this fsrs version can read, by card id.

    A state it cannot read is left out, so that card is studied as new rather than the
    whole deck failing (the stored row and the review log stay as they were).
    """
    import fsrs

    states: dict[str, fsrs.Card] = {}
    for card_id, row in rows.items():
        try:
            states[card_id] = fsrs.Card.from_dict(cast("fsrs.card.CardDict", row.state))
        except (KeyError, TypeError, ValueError):
            continue
    return states


def due_count(
    store: ScoreStore,
    learner_id: int,
    deck_id: str,
    card_ids: Sequence[str],
    now: datetime,
    *,
    new_limit: int,
    review_limit: int | None = None,
) -> int:
    """How many cards of a deck a learner has to study now (blocking: reads the store).

    The same count as the length of `flashcards.deck_queue`: suspended cards left out,
    due cards capped by the review limit, new cards by the new-card limit.

    Args:
        store: The score store.
        learner_id: Whose schedule.
        deck_id: The deck.
        card_ids: The deck's study cards, in deck order (`DeckSummary.study_card_ids`).
        now: The current time.
        new_limit: Most new cards a day.
        review_limit: Most reviews of already-learnt cards a day (None: no limit).
    """
    states = readable_states(store.card_states(learner_id, deck_id))
    counts = today_counts(store, learner_id, deck_id, now, review_limit=review_limit)
    suspended = store.suspended_cards(learner_id, deck_id)
    studied = [card_id for card_id in card_ids if card_id not in suspended]
    due_times = {card_id: state.due for card_id, state in states.items()}
    return len(queue_order(studied, due_times, now, new_limit=new_limit, **counts))


def today_counts(
    store: ScoreStore,
    learner_id: int,
    deck_id: str,
    now: datetime,
    *,
    review_limit: int | None,
) -> dict[str, Any]:
    """What today's limits have used up: `new_seen_today`, and with a review limit
    `review_limit` and `reviewed_today` (keyword arguments of `queue_order`)."""
    midnight = start_of_day(now)
    counts: dict[str, Any] = {
        "new_seen_today": store.new_cards_since(learner_id, deck_id, midnight)
    }
    if review_limit is not None:
        counts["review_limit"] = review_limit
        counts["reviewed_today"] = store.reviews_since(learner_id, deck_id, midnight)
    return counts
