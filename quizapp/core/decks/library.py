"""The deck library: every deck file the app was given, listed from summaries, loaded
in full only when needed.

Start-up (`scan`) finds the deck files and, for each, the summary kept for its exact
bytes (`quizapp.core.decks.summary`): no YAML, no pydantic, so Home can list the decks in
its first frame. A file without a matching summary (new, edited, or never valid) is
*pending*: `validate_pending` loads it in full in the background and keeps only its
summary, or its errors. A deck's cards are loaded (`load_full`, from the validated-deck
cache when fresh) when the learner opens it, so a big library is not held in memory as
models while Home only lists it.

A `DeckLibrary` is an immutable snapshot: each step returns a new one, so the UI thread
can hold one while a worker builds the next.

This module must not import pydantic or YAML at import time (the loader is imported by
the functions that load in full).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from quizapp.core.decks.cache_key import cache_key
from quizapp.core.decks.errors import DeckError, DeckLoadError
from quizapp.core.decks.finding import MAX_DECK_BYTES, id_position
from quizapp.core.decks.finding import expand_paths as expand_paths
from quizapp.core.decks.summary import DeckSummary, read_summary

if TYPE_CHECKING:
    from quizapp.core.decks.cache import DeckCache
    from quizapp.core.decks.model import Deck


class FileOutcome(NamedTuple):
    """What is known of one deck file: its summary (it validates), its errors, or
    neither yet (pending: it must be loaded in full to know)."""

    path: Path
    summary: DeckSummary | None = None
    errors: tuple[DeckError, ...] = ()

    @property
    def pending(self) -> bool:
        """True when the file has not been checked yet."""
        return self.summary is None and not self.errors


@dataclass(frozen=True)
class DeckLibrary:
    """A snapshot of the deck files: summaries of the decks that validate, errors of the
    files that do not, and the files still to check, all in file order.

    When two files claim the same deck id, the first one's deck is kept and the second
    is reported (as `load_decks` does).
    """

    outcomes: tuple[FileOutcome, ...] = ()
    summaries: dict[str, DeckSummary] = field(init=False)
    """The decks that validate, by id, in file order."""
    paths: dict[str, Path] = field(init=False)
    """Deck id -> the file it comes from."""
    errors: list[DeckError] = field(init=False)
    """Every problem with the files that do not load."""

    def __post_init__(self) -> None:
        summaries: dict[str, DeckSummary] = {}
        paths: dict[str, Path] = {}
        errors: list[DeckError] = []
        for outcome in self.outcomes:
            errors.extend(outcome.errors)
            summary = outcome.summary
            if summary is None:
                continue
            if summary.id in summaries:
                line, column = id_position(outcome.path)
                errors.append(
                    DeckError(
                        outcome.path,
                        line,
                        column,
                        f"deck id {summary.id!r} is already used by {paths[summary.id]}:"
                        " give one of the decks another id",
                        "id",
                    )
                )
                continue
            summaries[summary.id] = summary
            paths[summary.id] = outcome.path
        object.__setattr__(self, "summaries", summaries)
        object.__setattr__(self, "paths", paths)
        object.__setattr__(self, "errors", errors)

    @property
    def pending(self) -> list[Path]:
        """The files still to check (loaded in full by `validate_pending`)."""
        return [outcome.path for outcome in self.outcomes if outcome.pending]

    def with_outcome(self, outcome: FileOutcome) -> DeckLibrary:
        """A copy with one file's outcome replaced."""
        return replace(
            self,
            outcomes=tuple(outcome if old.path == outcome.path else old for old in self.outcomes),
        )

    def checked(self, other: DeckLibrary) -> DeckLibrary:
        """A copy taking from `other` what it found about the files pending here."""
        found = {outcome.path: outcome for outcome in other.outcomes if not outcome.pending}
        return replace(
            self,
            outcomes=tuple(
                found.get(old.path, old) if old.pending else old for old in self.outcomes
            ),
        )


def scan(paths: Iterable[Path], cache_folder: Path) -> DeckLibrary:
    """Find the deck files and the summary kept for each one's exact bytes (blocking, but
    cheap: a stat, a read and a hash per file; no YAML, no pydantic).

    Args:
        paths: Deck files and folders of deck files.
        cache_folder: The deck cache's folder, where summaries are kept.

    Returns:
        The library; files without a matching summary are pending.
    """
    outcomes: list[FileOutcome] = []
    for path in expand_paths(paths):
        summary = None
        try:
            stat = path.stat()
            if stat.st_size <= MAX_DECK_BYTES:  # else the loader refuses it, saying why
                summary = read_summary(cache_folder, path, cache_key(path, stat, path.read_bytes()))
        except OSError:
            pass  # the loader reports it, with its reason
        outcomes.append(FileOutcome(path, summary))
    return DeckLibrary(tuple(outcomes))


def _load_file(path: Path, cache: DeckCache | None) -> tuple[Deck | None, FileOutcome]:
    from quizapp.core.decks.loading import load_deck

    try:
        deck = load_deck(path, cache)
    except DeckLoadError as exc:
        return None, FileOutcome(path, errors=tuple(exc.errors))
    return deck, FileOutcome(path, DeckSummary.of(deck))


def validate_pending(
    library: DeckLibrary,
    cache: DeckCache | None,
    progress: Callable[[DeckLibrary], None] | None = None,
) -> DeckLibrary:
    """Load every pending file in full (blocking: call it off the UI thread).

    Only the summary of each deck is kept (the cache keeps the deck itself), so checking a
    big library does not leave its cards in memory.

    Args:
        library: The library as scanned.
        cache: The validated-deck cache (summaries are written with its entries).
        progress: Called with the library after each file checked.

    Returns:
        The library with no file pending.
    """
    for path in library.pending:
        _, outcome = _load_file(path, cache)
        library = library.with_outcome(outcome)
        if progress is not None:
            progress(library)
    return library


def load_full(library: DeckLibrary, deck_id: str, cache: DeckCache | None) -> Deck:
    """The full deck of a listed deck, from the cache when fresh (blocking).

    The file is read again: if it changed since it was listed, the deck is validated
    anew, so a deck that no longer validates is never handed out.

    Raises:
        DeckChangedError: The file no longer loads (or now holds another deck); its
            `outcome` is what the library should now record for the file.
        KeyError: No listed deck has this id.
    """
    path = library.paths[deck_id]
    deck, outcome = _load_file(path, cache)
    if deck is None:
        raise DeckChangedError(list(outcome.errors), outcome)
    if deck.id != deck_id:
        line, column = id_position(path)
        message = f"the file now holds deck {deck.id!r}, not {deck_id!r}"
        raise DeckChangedError([DeckError(path, line, column, message, "id")], outcome)
    return deck


class DeckChangedError(DeckLoadError):
    """A listed deck's file no longer loads as that deck."""

    def __init__(self, errors: list[DeckError], outcome: FileOutcome) -> None:
        super().__init__(errors)
        self.outcome = outcome
        """What the library should now record for the file."""
