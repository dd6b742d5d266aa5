"""Reading level of deck text (Flesch-Kincaid grade), computed offline with textstat."""

from __future__ import annotations

from collections.abc import Iterable

import textstat

from quizapp.core.decks.model import Card, Deck


def reading_text(card: Card) -> str:
    """The prose a learner reads on a card: prompt (or front/back) plus explanation.

    Each part is closed with a full stop when it has no end punctuation, so that a
    heading-like prompt does not merge with the next part into one long 'sentence'.
    """
    if card.type == "flashcard":
        parts: Iterable[str] = (card.front, card.back, card.explanation)
    else:
        parts = (card.prompt, card.explanation)
    return " ".join(_closed(part) for part in parts)


def _closed(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", ":")) else text + "."


def grade(text: str) -> float:
    """Flesch-Kincaid grade of a text (US school grade; lower is easier)."""
    return float(textstat.flesch_kincaid_grade(text))


def card_grade(card: Card) -> float:
    """Flesch-Kincaid grade of one card's prompt and explanation."""
    return grade(reading_text(card))


def deck_grade(deck: Deck) -> float:
    """Flesch-Kincaid grade of all the deck's card text read as one document."""
    return grade(" ".join(reading_text(card) for card in deck.cards))
