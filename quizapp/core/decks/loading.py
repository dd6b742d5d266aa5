"""Loading deck files: one file, or every file of a library at once.

`load_deck` reads, parses (`safe_yaml`) and validates (`model`) one file, through the
deck cache when given one. `load_decks` loads a mix of files and folders, keeps the good
decks when others are broken, and reports two files claiming the same deck id. Where the
folders are (bundled, the user's, `--decks`) is decided by `quizapp.core.paths`; which
files in them are decks, by `finding`. The app lists decks from their summaries
(`library`) and calls `load_deck` when one is opened; the subcommands load every deck here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from quizapp.core.decks.errors import DeckError, DeckLoadError
from quizapp.core.decks.finding import DECK_SUFFIXES as DECK_SUFFIXES
from quizapp.core.decks.finding import deck_files as deck_files
from quizapp.core.decks.finding import expand_paths, id_position
from quizapp.core.decks.model import Deck
from quizapp.core.decks.safe_yaml import decode_deck_bytes, parse_yaml, read_deck_file

if TYPE_CHECKING:
    from quizapp.core.decks.cache import DeckCache


@dataclass(slots=True)
class LoadResult:
    """The decks that loaded, and the problems with the ones that did not.

    Attributes:
        decks: The decks that loaded, in file order.
        errors: Every problem with the files that did not load.
        paths: Deck id -> the file it came from.
    """

    decks: list[Deck] = field(default_factory=list)
    errors: list[DeckError] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    """Deck id -> the file it came from."""


def load_deck(path: Path, cache: DeckCache | None = None) -> Deck:
    """Read, parse and validate one deck file.

    Args:
        path: A `.yaml`/`.yml` deck file.
        cache: Validated decks from earlier runs; a fresh entry skips YAML parsing, and a
            deck parsed here is stored in it.

    Returns:
        The validated deck.

    Raises:
        DeckLoadError: Anything wrong with the file, each error positioned.
    """
    path = Path(path)
    stat, data = read_deck_file(path)
    if cache is None:
        return deck_from_text(path, decode_deck_bytes(path, data))
    deck = cache.get(path, stat, data)
    if deck is None:
        deck = deck_from_text(path, decode_deck_bytes(path, data))
        cache.put(path, stat, data, deck)
    return deck


def deck_from_text(path: Path, text: str) -> Deck:
    """Parse and validate deck text that came from `path`.

    Args:
        path: Where the text came from, used in error messages.
        text: The YAML document.

    Returns:
        The validated deck.

    Raises:
        DeckLoadError: Anything wrong with the text, each error positioned.
    """
    raw = parse_yaml(path, text)
    if not isinstance(raw, dict):
        from quizapp.core.decks.error_messages import root_position  # error path only

        kind = "a list" if isinstance(raw, list) else f"a single value ({type(raw).__name__})"
        raise DeckLoadError(
            [
                DeckError(
                    path,
                    *root_position(text),
                    f"the file holds {kind}; a deck is a mapping with schema_version, id,"
                    " title, sources, topics and cards",
                )
            ]
        )
    try:
        return Deck.model_validate(raw)
    except ValidationError as exc:
        # Only a broken deck needs the message room (difflib, a second YAML compose).
        from quizapp.core.decks.error_messages import positioned_errors  # error path only

        raise DeckLoadError(positioned_errors(path, text, exc)) from None
    except RecursionError:
        raise DeckLoadError([DeckError(path, 0, 0, "the YAML is nested too deeply")]) from None


def load_decks(
    paths: Iterable[Path],
    *,
    cache: DeckCache | None = None,
    progress: Callable[[LoadResult], None] | None = None,
) -> LoadResult:
    """Load every deck, keeping the good ones when others are broken.

    Args:
        paths: Deck files and folders of deck files.
        cache: Validated decks from earlier runs (see `quizapp.core.decks.cache`); None
            parses every file.
        progress: Called with the result so far after each file (the same object every
            time, still growing: copy what you keep).

    Returns:
        The decks that loaded and every error found; a deck id used by two files is an
        error naming both, and only the first file's deck is kept.
    """
    result = LoadResult()
    for path in expand_paths(paths):
        _load_into(result, path, cache)
        if progress is not None:
            progress(result)
    return result


def _load_into(result: LoadResult, path: Path, cache: DeckCache | None) -> None:
    try:
        deck = load_deck(path, cache)
    except DeckLoadError as exc:
        result.errors.extend(exc.errors)
        return
    if deck.id in result.paths:
        line, column = id_position(path)
        result.errors.append(
            DeckError(
                path,
                line,
                column,
                f"deck id {deck.id!r} is already used by {result.paths[deck.id]}:"
                " give one of the decks another id",
                "id",
            )
        )
        return
    result.paths[deck.id] = path
    result.decks.append(deck)
