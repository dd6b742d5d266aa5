"""What every screen may reach: the app's long-lived objects, through one typed accessor.

The app owns one `AppContext` (the store, settings, clock, deck library, the decks
loaded in full, and the current learner). Screens and dialogs read it with
`app_context(self)` instead of having these passed down through their constructors, so
opening a screen needs only what is particular to it (a session, an attempt id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from textual.dom import DOMNode

from quizapp.core.decks.library import DeckLibrary
from quizapp.core.store import new_owner_token
from quizapp.ui.messages import DeckFilesChanged

if TYPE_CHECKING:
    # Annotations only: the deck models (pydantic) are not needed before the first frame.
    from quizapp.core.decks.library import FileOutcome
    from quizapp.core.decks.model import Deck
    from quizapp.core.pending import PendingWrites
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
    settings_file: Path
    """Where the settings are saved (the app and the settings screen write it)."""
    library: DeckLibrary
    """Every deck file: summaries of the decks that validate (what Home lists), errors of
    the files that do not. Replaced, on the UI thread only, as files are checked."""
    cache_folder: Path
    """The validated-deck cache's folder."""
    decks: dict[str, Deck] = field(default_factory=dict)
    """The decks loaded in full so far (opened, studied, browsed), by id. Home lists
    from `library`; use `load_full_decks` to get a deck's cards."""
    learner: Learner | None = None
    """The learner whose answers are recorded (None until one is chosen)."""
    owner: str = field(default_factory=new_owner_token)
    """This window's token for claiming unfinished attempts (one window per attempt)."""

    @cached_property
    def pending(self) -> PendingWrites:
        """Every answer, rating, undo and finish goes through here: saved, or kept in order
        and retried; its count of unsaved writes is what the screens show.

        Made when first used (a quiz or flashcards), not at start-up: its module is not
        needed for the first frame."""
        from quizapp.core.pending import PendingWrites

        return PendingWrites(self.store)

    def now(self) -> datetime:
        """The current time, from the clock."""
        return self.clock()

    def load_full_decks(
        self, deck_ids: Iterable[str] | None = None
    ) -> tuple[list[Deck], list[FileOutcome]]:
        """The full decks of listed decks, loading those not loaded yet (blocking: call it
        from a thread worker).

        A deck whose file no longer loads (edited since it was listed) is left out, and
        the file's new outcome (its errors) is returned for the UI thread to record in
        the library (`QuizApp.record_outcomes`), so it is never handed out as valid.

        Args:
            deck_ids: The decks wanted; None: every listed deck.

        Returns:
            The decks, in the order asked, and the outcomes of the files that failed.
        """
        from quizapp.core.decks.cache import DeckCache
        from quizapp.core.decks.library import DeckChangedError, load_full

        library = self.library  # one snapshot for the whole call
        wanted = list(library.summaries) if deck_ids is None else list(deck_ids)
        cache = DeckCache(self.cache_folder)
        decks: list[Deck] = []
        failed: list[FileOutcome] = []
        for deck_id in wanted:
            deck = self.decks.get(deck_id)
            if deck is None:
                try:
                    deck = load_full(library, deck_id, cache)
                except DeckChangedError as exc:
                    failed.append(exc.outcome)
                    continue
                except KeyError:  # not listed (any more)
                    continue
                self.decks[deck_id] = deck  # one dict store: safe from a worker thread
            decks.append(deck)
        return decks, failed

    def current_learner(self) -> Learner:
        """The current learner.

        Raises:
            LookupError: No learner has been chosen yet.
        """
        if self.learner is None:
            raise LookupError("no learner has been chosen yet")
        return self.learner


def load_decks_in_full(node: DOMNode, deck_ids: Iterable[str] | None = None) -> list[Deck]:
    """The full decks of listed decks, for a screen's thread worker (blocking).

    Files that no longer load are reported to the app (`DeckFilesChanged`), which lists
    their errors on Home instead of the deck.

    Args:
        node: The screen (or widget) asking; its app's context is used.
        deck_ids: The decks wanted; None: every listed deck.

    Returns:
        The decks that loaded, in the order asked (library order for None).
    """
    decks, failed = app_context(node).load_full_decks(deck_ids)
    if failed:
        node.app.post_message(DeckFilesChanged(failed))  # thread-safe
    return decks


def app_context(node: DOMNode) -> AppContext:
    """The context of the app that `node` belongs to.

    Raises:
        TypeError: The app is not a quizapp app (it has no `context`).
    """
    context = getattr(node.app, "context", None)
    if not isinstance(context, AppContext):
        raise TypeError(f"{type(node.app).__name__} has no quizapp AppContext")
    return context
