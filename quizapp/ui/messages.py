"""App-wide messages: results of background work, posted from thread workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from quizapp.core.decks.library import DeckLibrary, FileOutcome
    from quizapp.core.store import Learner

# Plain `__init__`s, not dataclasses: this module is imported before Home's first frame,
# and a dataclass costs about 0.2 ms to make.


class DecksLoaded(Message):
    """Deck files checked so far: the library with what is known of each file.

    Posted while checking goes on, each holding everything so far; the last has `done`.
    """

    def __init__(self, library: DeckLibrary, done: bool = True) -> None:
        """Carry the library.

        Args:
            library: Every deck file, with what is known of each so far.
            done: False while more deck files are still being checked.
        """
        super().__init__()
        self.library = library
        self.done = done


class DeckFilesChanged(Message):
    """Listed deck files that no longer load as their deck (edited since they were
    listed): the app records their errors so the deck is no longer offered."""

    def __init__(self, outcomes: list[FileOutcome]) -> None:
        """Carry the files' new outcomes.

        Args:
            outcomes: What is now known of each file (its errors).
        """
        super().__init__()
        self.outcomes = outcomes


class LearnerChanged(Message):
    """A learner was chosen (or created, renamed)."""

    def __init__(self, learner: Learner) -> None:
        """Carry the learner.

        Args:
            learner: The learner now chosen.
        """
        super().__init__()
        self.learner = learner


class QuizRequested(Message):
    """Start (or resume) a quiz on a deck (from the command palette)."""

    def __init__(self, deck_id: str) -> None:
        """Carry the deck.

        Args:
            deck_id: The deck to quiz on.
        """
        super().__init__()
        self.deck_id = deck_id
