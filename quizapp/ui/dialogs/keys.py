"""The `?` help: the keys that work on the screen the learner is on, in plain words.

Built from the screen's live bindings (those its `check_action` allows now, from the
focused widget up to the app), plus what a screen or widget lists in `KEY_HELP` for keys
that have no binding of their own (1–6 to pick a choice). Textual's generic keys (tab,
copy, maximize) are left out: they are not what a learner needs to get through a quiz.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from quizapp.ui.widgets.footer import KeysFooter

APP_KEYS = [("?", "Show this list of keys"), ("ctrl+p", "Search commands"), ("ctrl+q", "Quit")]
"""Keys that work on every screen."""


def screen_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, what it does) for every key that works on `screen` now.

    Args:
        screen: The screen the learner is on.
    """
    app = screen.app
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for node in [screen, *(screen.focused.ancestors_with_self if screen.focused else [])]:
        for key, description in getattr(node, "KEY_HELP", ()):
            if key not in seen:
                seen.add(key)
                rows.append((key, description))
    for key, active in screen.active_bindings.items():
        binding = active.binding
        module = type(active.node).__module__
        # quizapp's own keys: those shown in the footer or given an id; scrolling keys
        # of containers (pgup, home) are left out.
        ours = module.startswith("quizapp") and (binding.show or binding.id is not None)
        if not (active.enabled and binding.description and ours):
            continue
        shown = app.get_key_display(binding)
        if shown in seen or key in seen:
            continue
        seen.add(shown)
        rows.append((shown, binding.tooltip or binding.description))
    rows += [(key, text) for key, text in APP_KEYS if key not in seen]
    return rows


class KeysModal(ModalScreen[None]):
    """Lists the keys of the screen underneath; any of Esc, Enter, ? or q closes it."""

    BINDINGS = [Binding("escape,enter,question_mark,q", "close", "Close", id="close-keys")]

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        """Create the dialog.

        Args:
            title: The screen's name ("Question", "Home").
            rows: (key, what it does), as `screen_keys` gives them.
        """
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.rows), default=3) + 2
        lines = [
            Content.assemble((key.ljust(width), "bold"), Content(text)) for key, text in self.rows
        ]
        with Vertical(id="keys", classes="dialog"):
            yield Static(Content(f"Keys: {self.title_text}"), classes="dialog-title")
            with VerticalScroll(id="keys-list"):
                yield Static(Content("\n").join(lines), id="keys-lines")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary")
        yield KeysFooter()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        """Back to the screen."""
        self.dismiss(None)
