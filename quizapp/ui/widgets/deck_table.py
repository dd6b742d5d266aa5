"""Home's deck list: the table widget and how its cells read."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from quizapp.core.store import DeckScore
from quizapp.ui.format import percent


class DeckTable(DataTable[Text]):
    """The deck list; Enter starts a quiz on the highlighted deck (shown in the footer)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Quiz", tooltip="Practice or take an exam"),
        Binding("home", "first_deck", "First deck", show=False),
        Binding("end", "last_deck", "Last deck", show=False),
    ]

    def action_first_deck(self) -> None:
        """Move the cursor to the first deck."""
        self.move_cursor(row=0)

    def action_last_deck(self) -> None:
        """Move the cursor to the last deck."""
        self.move_cursor(row=max(0, self.row_count - 1))


def title_lines(title: str, width: int, most: int = 2) -> list[str]:
    """A deck title on up to `most` lines of `width` cells, the last ending in "…" when
    the title is longer (the space is there: Home lists few decks)."""
    lines = textwrap.wrap(title, width) or [""]
    if len(lines) <= most:
        return lines
    kept = lines[: most - 1]
    rest = " ".join(lines[most - 1 :])
    return [*kept, rest[: width - 1].rstrip() + "…"]


def last_result(score: DeckScore | None, unfinished: bool) -> Text:
    """The "Last" cell: an unfinished quiz, or the last score with pass or fail in words
    and a mark (✓ ✗), so it reads the same without colour."""
    if unfinished:
        return Text("unfinished")
    if score is None:
        return Text("—")
    shown = percent(score.last_score, score.last_max_score)
    if score.last_passed is None:
        return Text(shown)
    return Text(f"{shown} ✓ passed" if score.last_passed else f"{shown} ✗ failed")
