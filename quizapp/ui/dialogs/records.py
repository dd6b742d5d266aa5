"""Questions about the records themselves: answers not saved yet, and an attempt that is
open in another window."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from quizapp.ui.format import counted


class UnsavedModal(ModalScreen[str | None]):
    """Leaving with unsaved answers: try again, keep them for later, or leave without them.

    Closes with "retry", "keep", "drop", or None (stay).
    """

    BINDINGS = [
        Binding("t", "choose('retry')", "Try again", id="retry"),
        Binding("k", "choose('keep')", "Keep for later", id="keep"),
        Binding("escape", "choose(None)", "Stay", id="stay"),
    ]

    def __init__(self, unsaved: int, saved: int | None, reason: str | None, what: str) -> None:
        """Create the dialog.

        Args:
            unsaved: How many writes are still waiting.
            saved: How many the store holds (None when it could not be read either).
            reason: Why the last write failed.
            what: "answer" or "rating".
        """
        super().__init__()
        self.unsaved, self.saved, self.reason, self.what = unsaved, saved, reason, what

    def compose(self) -> ComposeResult:
        stored = (
            ""
            if self.saved is None and self.what != "answer"
            else "The score database could not be read either."
            if self.saved is None
            else f"{counted(self.saved, self.what)} of this session"
            f" {'is' if self.saved == 1 else 'are'} saved."
        )
        why = f" ({self.reason.rstrip('.')})" if self.reason else ""
        with Vertical(id="unsaved", classes="dialog"):
            yield Static(
                f"{counted(self.unsaved, self.what)} not saved yet",
                classes="dialog-title",
                markup=False,
            )
            yield Static(
                Content(
                    " ".join(
                        part
                        for part in (
                            f"{counted(self.unsaved, self.what)} could not be saved yet{why}.",
                            stored,
                            "Keep them for later to save them the next time quizapp starts.",
                        )
                        if part
                    )
                ),
                id="unsaved-text",
            )
            with Horizontal(classes="buttons"):
                yield Button("Try again", id="retry-button", variant="primary")
                yield Button("Keep them for later", id="keep-button")
                yield Button(
                    Content(f"Leave without them ({self.unsaved})"),
                    id="drop-button",
                    variant="error",
                )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = {"retry-button": "retry", "keep-button": "keep", "drop-button": "drop"}
        self.dismiss(choice.get(event.button.id or ""))

    def action_choose(self, choice: str | None) -> None:
        """Close with the learner's choice."""
        self.dismiss(choice)


class ClaimedModal(ModalScreen[str | None]):
    """The attempt is open in another window: take it over here, or start a new one.

    Closes with "take-over", "new", or None (back).
    """

    BINDINGS = [Binding("escape", "choose(None)", "Back", id="back")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="claimed", classes="dialog"):
            yield Static("Open in another window", classes="dialog-title", markup=False)
            yield Static(Content(self.message))
            with Horizontal(classes="buttons"):
                yield Button("Take it over here", id="take-over-button", variant="warning")
                yield Button("Start a new one", id="new-button", variant="primary")
                yield Button("Back", id="back-button")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = {"take-over-button": "take-over", "new-button": "new"}
        self.dismiss(choice.get(event.button.id or ""))

    def action_choose(self, choice: str | None) -> None:
        """Close with the learner's choice."""
        self.dismiss(choice)
