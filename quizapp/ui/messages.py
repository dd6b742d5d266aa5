"""App-wide messages: results of background work, posted from thread workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from quizapp.core.decks.library import DeckLibrary, FileOutcome
    from quizapp.core.store import Learner


@dataclass
class DecksLoaded(Message):
    """Deck files checked so far: the library with what is known of each file.

    Posted while checking goes on, each holding everything so far; the last has `done`.
    """

    library: DeckLibrary
    done: bool = True
    """False while more deck files are still being checked."""


@dataclass
class DeckFilesChanged(Message):
    """Listed deck files that no longer load as their deck (edited since they were
    listed): the app records their errors so the deck is no longer offered."""

    outcomes: list[FileOutcome]


@dataclass
class LearnerChanged(Message):
    """A learner was chosen (or created, renamed)."""

    learner: Learner


@dataclass
class QuizRequested(Message):
    """Start (or resume) a quiz on a deck (from the command palette)."""

    deck_id: str
