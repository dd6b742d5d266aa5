"""The education-not-advice notice, as a dialog (its words live in `quizapp.core.notice`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from quizapp.core.notice import NOTICE


class NoticeModal(ModalScreen[bool]):
    """Shows the notice; dismisses with True when the learner acknowledges it."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="close-notice"),
        Binding("enter", "acknowledge", "I understand", id="acknowledge", priority=True),
    ]

    def __init__(self, *, first_time: bool = False) -> None:
        """Create the notice.

        Args:
            first_time: The learner has not acknowledged it yet (they must, to go on).
        """
        super().__init__()
        self.first_time = first_time

    def compose(self) -> ComposeResult:
        with Vertical(id="notice", classes="dialog"):
            yield Static("Education, not medical advice", classes="dialog-title", markup=False)
            yield Static(NOTICE, id="notice-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("I understand", id="ok", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_acknowledge()

    def action_acknowledge(self) -> None:
        """The learner has read the notice."""
        self.dismiss(True)

    def action_close(self) -> None:
        """Close without acknowledging; a first-time learner must acknowledge instead."""
        if self.first_time:
            self.notify("Please read the notice and press Enter to go on.", markup=False)
            return
        self.dismiss(False)
