"""What every screen may reach: the app's long-lived objects, through one typed accessor.

The app owns one `AppContext` (the store, settings, clock, loaded decks and current
learner). Screens and dialogs read it with `app_context(self)` instead of having these
passed down through their constructors, so opening a screen needs only what is
particular to it (a session, an attempt id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.dom import DOMNode

from quizapp.core.pending import PendingWrites
from quizapp.core.store import new_owner_token

if TYPE_CHECKING:
    # Annotations only: the deck models (pydantic) are not needed before the first frame.
    from quizapp.core.decks.model import Deck
    from quizapp.core.settings import Settings
    from quizapp.core.store import Learner, ScoreStore

Clock = Callable[[], datetime]
"""Source of the current time (timezone-aware); tests pass a fixed one."""


@dataclass(eq=False)
class AppContext:
    """The app's long-lived objects, shared by every screen."""

    store: ScoreStore
    """The score store (blocking: use it from thread workers only)."""
    settings: Settings
    """Settings loaded at start-up, changed in place as the learner changes them."""
    clock: Clock
    """Source of the current time."""
    decks: dict[str, Deck] = field(default_factory=dict)
    """The decks loaded so far, by id, in load order."""
    learner: Learner | None = None
    """The learner whose answers are recorded (None until one is chosen)."""
    settings_file: Path | None = None
    """Where the settings are saved (the settings screen writes it; None: not saved)."""
    owner: str = field(default_factory=new_owner_token)
    """This window's token for claiming unfinished attempts (one window per attempt)."""
    pending: PendingWrites = field(init=False)
    """Every answer, rating, undo and finish goes through here: saved, or kept in order
    and retried; its count of unsaved writes is what the screens show."""

    def __post_init__(self) -> None:
        self.pending = PendingWrites(self.store)

    def now(self) -> datetime:
        """The current time, from the clock."""
        return self.clock()

    def current_learner(self) -> Learner:
        """The current learner.

        Raises:
            LookupError: No learner has been chosen yet.
        """
        if self.learner is None:
            raise LookupError("no learner has been chosen yet")
        return self.learner


def app_context(node: DOMNode) -> AppContext:
    """The context of the app that `node` belongs to.

    Raises:
        TypeError: The app is not a quizapp app (it has no `context`).
    """
    context = getattr(node.app, "context", None)
    if not isinstance(context, AppContext):
        raise TypeError(f"{type(node.app).__name__} has no quizapp AppContext")
    return context
