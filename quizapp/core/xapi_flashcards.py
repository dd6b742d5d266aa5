"""xAPI statements for flashcard ratings, beside the quiz statements of `quizapp.core.xapi`.

A flashcard review is the learner answering the card from memory and then rating how
well they recalled it: Again, Hard, Good or Easy. In xAPI terms that is a question
answered on a rating scale, so each rating is one statement with:

* **verb** `http://adlnet.gov/expapi/verbs/answered` (ADL's verb for replying to a
  question), and
* **object** the card as a `cmi.interaction` Activity of interactionType `likert`, whose
  `scale` is the four ratings (`again`, `hard`, `good`, `easy`), with the card's front as
  its `name` when the deck is loaded;
* **result**: `response` the rating's scale id, `success` whether the card was
  recalled (anything but Again, as in the statistics' retention), `duration` when the
  scheduler logged one, and the scheduling the rating led to as extensions:
  `.../flashcard-rating` (1-4), `.../flashcard-state` (`learning`, `review` or
  `relearning`), `.../flashcard-interval-days` (days until the card was due again) and
  `.../flashcard-due` (then, as a timestamp);
* **context**: `contextActivities.parent` the deck's flashcards activity
  (`<deck>/flashcards`), `grouping` the deck, `platform` "quizapp". No registration: a
  flashcard session is not an attempt.

Extension keys are IRIs under `https://quizapp.invalid/xapi/extensions/` (a reserved name
that never resolves), the same for every organisation. Statement ids are uuid5s of the
learner's key and the rating's id and time, as for answers.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.decks.model import Deck, FlashCard
from quizapp.core.store import Learner, ReviewExport
from quizapp.core.xapi import (
    ASSESSMENT_TYPE_IRI,
    COURSE_TYPE_IRI,
    DEFAULT_ACTIVITY_BASE,
    INTERACTION_TYPE_IRI,
    PLATFORM,
    XAPI_VERSION,
    activity_base,
    card_activity_id,
    deck_activity_id,
    duration,
    mode_activity_id,
    statement_id,
    timestamp,
    verb,
)

EXTENSION_BASE = DEFAULT_ACTIVITY_BASE + "/xapi/extensions/"
RATING_EXTENSION = EXTENSION_BASE + "flashcard-rating"
STATE_EXTENSION = EXTENSION_BASE + "flashcard-state"
INTERVAL_EXTENSION = EXTENSION_BASE + "flashcard-interval-days"
DUE_EXTENSION = EXTENSION_BASE + "flashcard-due"

FLASHCARDS_ACTIVITY = "flashcards"
"""The last segment of a deck's flashcards activity id."""

RATING_SCALE: tuple[tuple[str, str], ...] = (
    ("again", "Again"),
    ("hard", "Hard"),
    ("good", "Good"),
    ("easy", "Easy"),
)
"""(scale id, label) of ratings 1-4."""


def _flashcard(deck: Deck | None, card_id: str) -> FlashCard | None:
    if deck is None:
        return None
    try:
        card = deck.card(card_id)
    except KeyError:
        return None
    return card if isinstance(card, FlashCard) else None


def review_statement(
    learner: Learner,
    review: ReviewExport,
    deck: Deck | None,
    home_page: str,
    *,
    agent: dict[str, Any],
) -> dict[str, Any]:
    """The `answered` statement of one flashcard rating.

    Args:
        learner: Who rated.
        review: The rating, with the card's state after it.
        deck: The loaded deck (None when it is not available).
        home_page: `Settings.xapi_home_page`.
        agent: The learner as an Agent (`quizapp.core.xapi.actor`).
    """
    base = activity_base(home_page)
    lang = deck.language if deck is not None else "en"
    title = deck.title if deck is not None else review.deck_id
    definition: dict[str, Any] = {
        "type": INTERACTION_TYPE_IRI,
        "interactionType": "likert",
        "scale": [{"id": key, "description": {lang: label}} for key, label in RATING_SCALE],
    }
    card = _flashcard(deck, review.card_id)
    if card is not None:
        definition["name"] = {lang: card.front}
    extensions: dict[str, Any] = {RATING_EXTENSION: review.rating}
    if review.state_name is not None:
        extensions[STATE_EXTENSION] = review.state_name
    if review.interval_days is not None:
        extensions[INTERVAL_EXTENSION] = review.interval_days
    if review.due_after is not None:
        extensions[DUE_EXTENSION] = timestamp(review.due_after)
    result: dict[str, Any] = {
        "response": RATING_SCALE[review.rating - 1][0],
        "success": review.rating > 1,
    }
    took = review.review.get("review_duration")
    if isinstance(took, int) and not isinstance(took, bool):
        result["duration"] = duration(took)
    result["extensions"] = extensions
    return {
        "id": statement_id(learner, "review", review.id, review.reviewed_at),
        "actor": agent,
        "verb": verb("answered"),
        "object": {
            "objectType": "Activity",
            "id": card_activity_id(base, review.deck_id, review.card_id),
            "definition": definition,
        },
        "result": result,
        "context": {
            "contextActivities": {
                "parent": [
                    {
                        "objectType": "Activity",
                        "id": mode_activity_id(base, review.deck_id, FLASHCARDS_ACTIVITY),
                        "definition": {
                            "name": {lang: f"Flashcards: {title}"},
                            "type": ASSESSMENT_TYPE_IRI,
                        },
                    }
                ],
                "grouping": [
                    {
                        "objectType": "Activity",
                        "id": deck_activity_id(base, review.deck_id),
                        "definition": {"name": {lang: title}, "type": COURSE_TYPE_IRI},
                    }
                ],
            },
            "platform": PLATFORM,
        },
        "timestamp": timestamp(review.reviewed_at),
        "version": XAPI_VERSION,
    }
