"""Choosing or adding a learner (several people can train on one machine)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.core.store import Learner, ScoreStore, StoreError


class LearnerModal(ModalScreen[Learner | None]):
    """Pick a learner from the list, or type a new name and press Enter."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-learner")]

    def __init__(self, store: ScoreStore, *, current: Learner | None = None) -> None:
        """Create the dialog.

        Args:
            store: Where learners are kept.
            current: The learner now in use (cancel keeps them).
        """
        super().__init__()
        self.store = store
        self.current = current
        self.learners: list[Learner] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="learner", classes="dialog"):
            yield Static("Who is learning?", classes="dialog-title", markup=False)
            yield OptionList(id="learner-list")
            yield Input(placeholder="New learner: type a name and press Enter", id="new-learner", max_length=60)
            yield Static("", id="learner-message", markup=False)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, group="learners", exit_on_error=False)
    def _load(self) -> None:
        learners = self.store.learners()
        self.app.call_from_thread(self._show, learners)

    def _show(self, learners: list[Learner]) -> None:
        self.learners = learners
        options = self.query_one("#learner-list", OptionList)
        options.clear_options()
        options.add_options(Option(Content(learner.name), id=str(learner.id)) for learner in learners)
        options.display = bool(learners)
        if learners:
            options.focus()
        else:
            self.query_one("#new-learner", Input).focus()

    @on(OptionList.OptionSelected, "#learner-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        learner = next(l for l in self.learners if str(l.id) == event.option.id)
        self.dismiss(learner)

    @on(Input.Submitted, "#new-learner")
    def _add(self, event: Input.Submitted) -> None:
        name = " ".join(event.value.split())
        if not name:
            self.query_one("#learner-message", Static).update("Type a name first.")
            return
        self._create(name)

    @work(thread=True, group="learners", exit_on_error=False)
    def _create(self, name: str) -> None:
        try:
            learner = self.store.get_or_create_learner(name)
        except StoreError as exc:
            self.app.call_from_thread(self.query_one("#learner-message", Static).update, str(exc))
            return
        self.app.call_from_thread(self.dismiss, learner)

    def action_cancel(self) -> None:
        """Close without changing learner (only when there is one already)."""
        if self.current is None:
            self.query_one("#learner-message", Static).update(
                "Choose a learner or add one to go on."
            )
            return
        self.dismiss(None)
