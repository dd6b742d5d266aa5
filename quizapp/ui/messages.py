"""App-wide messages: results of background work, posted from thread workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from quizapp.core.loader import DeckError
from quizapp.core.model import Deck
from quizapp.core.store import Learner


@dataclass
class DecksLoaded(Message):
    """Deck loading finished: the good decks and the errors of the broken ones."""

    decks: list[Deck]
    errors: list[DeckError] = field(default_factory=list)


@dataclass
class LearnerChanged(Message):
    """A learner was chosen (or created, renamed)."""

    learner: Learner


@dataclass
class ScoresChanged(Message):
    """The store has new results: lists showing scores should refresh."""
