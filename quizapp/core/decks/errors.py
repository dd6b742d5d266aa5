"""What a broken deck file is reported as: `DeckError` (one problem, with its position) and
`DeckLoadError` (the exception carrying them).

They live apart from the parsing and the message wording so that every other room of
`quizapp.core.decks` (and the UI, for annotations) can use them without importing YAML or
pydantic.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple


class DeckError(NamedTuple):
    """One problem in a deck file, positioned for an editor's 'go to line'.

    `str()` gives `file:line:column: field: message`, the form editors and terminals
    turn into a link.

    Attributes:
        path: The deck file.
        line: 1-based line number (0 when the problem is the file as a whole).
        column: 1-based column number (0 when the problem is the file as a whole).
        message: What is wrong and how to fix it, in plain words.
        field: Dotted path of the offending field, e.g. 'cards.3.answer' (None when the
            problem is not about one field).
    """

    path: Path
    line: int
    """1-based line number (0 when the problem is the file as a whole)."""
    column: int
    """1-based column number (0 when the problem is the file as a whole)."""
    message: str
    field: str | None = None
    """Dotted path of the offending field, e.g. 'cards.3.answer'."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class DeckLoadError(Exception):
    """A deck file could not be loaded; `errors` says where and why.

    Attributes:
        errors: Every problem found, at least one.
    """

    def __init__(self, errors: Sequence[DeckError]) -> None:
        """Carry the problems; the exception's text is one problem per line.

        Args:
            errors: The problems found in one file.
        """
        self.errors: list[DeckError] = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))
