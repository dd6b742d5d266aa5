"""The education-not-advice notice."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

NOTICE = (
    "quizapp is for learning. It is not medical advice.\n\n"
    "It teaches how a medicine works and checks what you know. Its facts come from"
    " drug labels, health agencies and medical guidelines, and each question names"
    " its source. It does not know your health, your other medicines or your dose.\n\n"
    "Never start, stop or change a dose because of this app. Talk to your prescriber"
    " or pharmacist first. Stopping some medicines suddenly can be dangerous.\n\n"
    "In an emergency, call 911. For poison advice, call Poison Help at 1-800-222-1222."
    " If you have thoughts of suicide, reach the 988 Suicide & Crisis Lifeline."
)
"""The notice text. Every number here is as given in the project's fact sheet."""


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
