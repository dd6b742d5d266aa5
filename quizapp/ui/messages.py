"""App-wide messages: results of background work, posted from thread workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    # Annotations only: importing the loader and the deck models (pydantic) here would
    # put them before the first frame, which needs neither.
    from quizapp.core.decks.errors import DeckError
    from quizapp.core.decks.model import Deck
    from quizapp.core.store import Learner


@dataclass
class DecksLoaded(Message):
    """Decks loaded so far: the good decks and the errors of the broken ones.

    Posted while loading goes on, each holding everything so far; the last has `done`.
    """

    decks: list[Deck]
    errors: list[DeckError] = field(default_factory=list)
    done: bool = True
    """False while more deck files are still being loaded."""


@dataclass
class LearnerChanged(Message):
    """A learner was chosen (or created, renamed)."""

    learner: Learner


@dataclass
class QuizRequested(Message):
    """Start (or resume) a quiz on a deck (from the command palette)."""

    deck_id: str
