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

from quizapp.core.store import Learner, StoreError
from quizapp.ui.context import app_context
from quizapp.ui.dialogs.confirm import ConfirmModal, TextPromptModal
from quizapp.ui.widgets.footer import KeysFooter


class LearnerModal(ModalScreen[Learner | None]):
    """Pick a learner from the list, or type a new name and press Enter."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-learner"),
        Binding("r", "rename", "Rename", id="rename-learner"),
        Binding("x", "delete", "Delete", id="delete-learner"),
        Binding("e", "export", "Export", id="export-learner"),
    ]

    def __init__(self, *, current: Learner | None = None) -> None:
        """Create the dialog (learners are kept in the app's store).

        Args:
            current: The learner now in use (cancel keeps them).
        """
        super().__init__()
        self.context = app_context(self)
        self.store = self.context.store
        self.current = current
        self._current_at_start = current
        self.learners: list[Learner] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="learner", classes="dialog"):
            yield Static("Who is learning?", classes="dialog-title", markup=False)
            yield OptionList(id="learner-list")
            yield Input(
                placeholder="New learner: type a name and press Enter",
                id="new-learner",
                max_length=60,
            )
            yield Static("", id="learner-message", markup=False)
        yield KeysFooter()

    # The name box has focus from the first frame: letters typed while the learner list
    # is still loading must land in it, not in a list that is not there yet.
    AUTO_FOCUS = "#new-learner"

    def on_mount(self) -> None:
        self.query_one("#new-learner", Input).focus()
        self._load()

    @work(thread=True, group="learners", exit_on_error=False)
    def _load(self) -> None:
        learners = self.store.learners()
        self.app.call_from_thread(self._show, learners)

    def _show(self, learners: list[Learner]) -> None:
        self.learners = learners
        options = self.query_one("#learner-list", OptionList)
        options.clear_options()
        options.add_options(
            Option(Content(learner.name), id=str(learner.id)) for learner in learners
        )
        options.display = bool(learners)
        if learners:
            current = self.current.id if self.current else None
            options.highlighted = next(
                (i for i, learner in enumerate(learners) if learner.id == current), 0
            )
        name_box = self.query_one("#new-learner", Input)
        if learners and not name_box.value:  # someone already typing keeps the box
            options.focus()
        else:
            name_box.focus()

    @on(OptionList.OptionSelected, "#learner-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        learner = next(one for one in self.learners if str(one.id) == event.option.id)
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

    # --- managing learners ---------------------------------------------------------------

    def _highlighted(self) -> Learner | None:
        options = self.query_one("#learner-list", OptionList)
        if options.highlighted is None or not self.learners:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return next((one for one in self.learners if str(one.id) == option_id), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rename", "delete", "export"):
            return isinstance(self.focused, OptionList) and bool(self.learners)
        if action == "cancel":
            # With no learner yet there is nothing to go back to: no Esc in the footer.
            return self.current is not None
        return True

    def _say(self, text: str) -> None:
        self.query_one("#learner-message", Static).update(text)

    def action_rename(self) -> None:
        """Rename the highlighted learner."""
        learner = self._highlighted()
        if learner is None:
            return

        def renamed(name: str | None) -> None:
            if name and name != learner.name:
                self._rename(learner, name)

        self.app.push_screen(
            TextPromptModal(f"New name for {learner.name}", value=learner.name), renamed
        )

    @work(thread=True, group="learners", exit_on_error=False)
    def _rename(self, learner: Learner, name: str) -> None:
        try:
            renamed = self.store.rename_learner(learner.id, name)
        except (StoreError, ValueError, LookupError) as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        self.app.call_from_thread(self._renamed, renamed)
        self._load()

    def _renamed(self, learner: Learner) -> None:
        if self.current is not None and self.current.id == learner.id:
            # Closing hands the renamed learner back, so Home shows the new name and the
            # settings remember it (else the next start would not find the old name).
            self.current = learner
        self._say(f"Renamed to {learner.name}.")

    def action_delete(self) -> None:
        """Delete the highlighted learner, after a confirmation (their rows are backed up)."""
        learner = self._highlighted()
        if learner is None:
            return
        question = (
            f"Delete {learner.name} and all their quiz and flashcard records? A backup of"
            " the removed records is saved next to the score database first."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(learner)

        self.app.push_screen(ConfirmModal("Delete learner", question, yes="Delete"), confirmed)

    @work(thread=True, group="learners", exit_on_error=False)
    def _delete(self, learner: Learner) -> None:
        try:
            backup = self.store.delete_learner(learner.id)
        except (StoreError, LookupError) as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        if self.current is not None and self.current.id == learner.id:
            self.current = None
            self.app.call_from_thread(self.refresh_bindings)  # Esc no longer goes back
        self.app.call_from_thread(self._say, f"Deleted {learner.name}. Backup: {backup}")
        self._load()

    def action_export(self) -> None:
        """Export the highlighted learner's attempts and answers to a JSON file."""
        learner = self._highlighted()
        if learner is not None:
            self._export(learner)

    @work(thread=True, group="learners", exit_on_error=False)
    def _export(self, learner: Learner) -> None:
        from quizapp.core.export import export_learner

        try:
            target = export_learner(self.store, learner.name, self.context.now())
        except (OSError, StoreError, LookupError) as exc:
            self.app.call_from_thread(self._say, f"Could not export: {exc}")
            return
        self.app.call_from_thread(self._say, f"Exported to {target}")

    def action_cancel(self) -> None:
        """Close without changing learner (only when there is one already)."""
        if self.current is None:
            self.query_one("#learner-message", Static).update(
                "Choose a learner or add one to go on."
            )
            return
        # The current learner renamed meanwhile: hand the new record back.
        self.dismiss(None if self.current == self._current_at_start else self.current)
