"""Settings for studying: new cards per day, maximum reviews per day, desired retention.

Each value is checked as it is typed (the same checks `Settings` applies to the file)
and saved to settings.json as soon as it is confirmed (Enter, or leaving the field),
on a thread; "Saved" appears only once the file is written. Flashcard sessions and
Home's due counts read the settings when they start, so a change applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from quizapp.core.settings import Settings, save_settings
from quizapp.ui.context import app_context
from quizapp.ui.widgets.footer import KeysFooter


@dataclass(frozen=True)
class Field:
    """One editable setting."""

    name: str
    label: str
    help: str
    kind: type[int] | type[float]


FIELDS: tuple[Field, ...] = (
    Field(
        "new_cards_per_day",
        "New flashcards per day (0-1000)",
        "How many cards you have never seen are introduced each day, per deck.",
        int,
    ),
    Field(
        "max_reviews_per_day",
        "Maximum reviews per day (0-10000)",
        "How many cards you already know come back each day, per deck; the most overdue"
        " come first and the rest wait for the next day.",
        int,
    ),
    Field(
        "desired_retention",
        "Desired retention (0.70-0.99)",
        "The chance of still remembering a card when it comes back. Higher means shorter"
        " gaps and more reviews.",
        float,
    ),
)


def check(field: Field, text: str) -> tuple[int | float | None, str | None]:
    """Parse and check a typed value the way the settings file is checked.

    Returns:
        The value and None, or None and a message saying what is wrong.
    """
    try:
        value = field.kind(text.strip())
    except ValueError:
        kind = "a whole number" if field.kind is int else "a number such as 0.9"
        return None, f"Type {kind}."
    try:
        setattr(Settings(), field.name, value)  # the file's own check for this field
    except ValueError as error:
        return None, str(error).replace(field.name, "It").replace("_", " ")
    return value, None


class _SettingValidator(Validator):
    def __init__(self, field: Field) -> None:
        super().__init__()
        self.field = field

    def validate(self, value: str) -> ValidationResult:
        _, problem = check(self.field, value)
        return self.success() if problem is None else self.failure(problem)


class SettingsScreen(Screen[None]):
    """Study limits and retention; every confirmed change is saved at once."""

    BINDINGS = [Binding("escape", "back", "Back", id="settings-back")]

    def __init__(self) -> None:
        """Create the screen over the app's settings."""
        super().__init__()
        self.context = app_context(self)

    def compose(self) -> ComposeResult:
        settings = self.context.settings
        yield Header()
        with Vertical(id="settings"):
            yield Static(
                "Enter saves a value (so does moving to another field).",
                id="settings-status",
                markup=False,
            )
            for field in FIELDS:
                yield Label(field.label, classes="setting-label")
                yield Input(
                    str(getattr(settings, field.name)),
                    id=field.name,
                    validators=[_SettingValidator(field)],
                    validate_on=["changed", "submitted", "blur"],
                    compact=True,
                )
                yield Static(field.help, classes="setting-help", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Settings"
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        result = event.validation_result
        if result is not None and not result.is_valid:
            self._status(" ".join(result.failure_descriptions), error=True)
        else:
            self._status("Enter saves this value.")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.confirm(event.input)

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        self.confirm(event.input)

    def confirm(self, box: Input) -> None:
        """Apply and save the value in `box` if it is valid and changed."""
        field = next(f for f in FIELDS if f.name == box.id)
        value, problem = check(field, box.value)
        if value is None:
            self._status(problem or "", error=True)
            return
        settings = self.context.settings
        if getattr(settings, field.name) == value:
            return
        previous = getattr(settings, field.name)
        setattr(settings, field.name, value)
        self._save(field, previous)

    @work(thread=True, group="settings-save", exit_on_error=False)
    def _save(self, field: Field, previous: int | float) -> None:
        settings = self.context.settings
        try:
            save_settings(settings, self.context.settings_file)
        except OSError as error:
            # Not saved: put the value back so what the app uses matches the file.
            self.app.call_from_thread(self._not_saved, field, previous, error)
            return
        value = getattr(settings, field.name)
        self.app.call_from_thread(self._status, f"Saved: {field.label.split(' (')[0]} {value}.")

    def _not_saved(self, field: Field, previous: int | float, error: OSError) -> None:
        setattr(self.context.settings, field.name, previous)
        self.query_one(f"#{field.name}", Input).value = str(previous)
        self._status(
            f"Could not save settings to {self.context.settings_file}: {error.strerror or error}."
            " Nothing was changed.",
            error=True,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "settings-save" and event.state == WorkerState.ERROR:
            self._status(f"Could not save settings: {event.worker.error}", error=True)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#settings-status", Static)
        status.update(Content.styled(text, "bold $text-error") if error else Content(text))

    def action_back(self) -> None:
        """Save what is typed (if valid) and go back."""
        if isinstance(self.focused, Input):
            self.confirm(self.focused)
        self.dismiss(None)
