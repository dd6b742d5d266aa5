"""Quiz set-up (mode, topics, length, shuffle) and the resume-or-discard question."""

from __future__ import annotations

import random

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from quizapp.core.decks.model import TOPIC_TITLES, Deck
from quizapp.core.modes import Mode
from quizapp.core.quiz import QuizSettings, plan_quiz
from quizapp.core.store import AttemptSummary
from quizapp.ui.format import counted, local_time
from quizapp.ui.widgets.footer import KeysFooter
from quizapp.ui.widgets.marked import MarkedCheckbox, MarkedRadioButton, MarkedSelectionList

ATTEMPT_NAMES = {"practice": "a practice quiz", "exam": "an exam", "review": "a review"}
"""A stored mode as said in a sentence ("You started an exam")."""

LENGTHS = [(str(n), n) for n in (5, 10, 20, 40)]


class QuizSetupModal(ModalScreen[QuizSettings | None]):
    """Choose how to be quizzed on a deck."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-setup"),
        # Priority, so Enter starts from any field (space toggles and picks there);
        # except in the open length list, where Enter picks a length.
        Binding("enter", "start", "Start", id="start-quiz", priority=True),
    ]

    def __init__(self, deck: Deck, *, seed: int | None = None) -> None:
        """Create the dialog.

        Args:
            deck: The deck to be quizzed on.
            seed: Shuffle seed (random when not given; tests pass one).
        """
        super().__init__()
        self.deck = deck
        self.seed = random.randrange(2**31) if seed is None else seed

    def compose(self) -> ComposeResult:
        counts = self.deck.cards_per_topic()
        with Vertical(id="setup", classes="dialog"):
            yield Static(Content(self.deck.title), classes="dialog-title")
            with VerticalScroll(id="setup-fields"):
                with Horizontal(id="setup-columns"):
                    with Vertical(id="setup-left"):
                        with RadioSet(id="mode"):
                            yield MarkedRadioButton(
                                "Practice: feedback each time", value=True, id="practice"
                            )
                            yield MarkedRadioButton("Exam: results at the end", id="exam")
                        yield Static("Questions:", id="length-label", classes="field-label")
                        yield Select(
                            [*LENGTHS, ("All", 0)], value=10, allow_blank=False, id="length"
                        )
                        yield MarkedCheckbox("Shuffle questions", value=True, id="shuffle")
                    with Vertical(id="setup-right"):
                        yield Static("Topics:", classes="field-label")
                        yield MarkedSelectionList(
                            *[
                                (Content(f"{TOPIC_TITLES[topic]} ({count})"), topic, True)
                                for topic, count in counts.items()
                                if count
                            ],
                            id="topics",
                        )
            yield Static(id="setup-hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Start", id="start", variant="primary")
                yield Button("Cancel", id="cancel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#mode", RadioSet).focus()
        self._update_hint()

    def on_resize(self) -> None:
        # Narrow: topics go under the other fields; short: the fields scroll, while the
        # title, the hint and the Start/Cancel buttons always stay on screen.
        width, height = self.app.size
        self.query_one("#setup-columns").set_class(width < 80, "-stacked")
        self.set_class(height < 28, "-short")

    @on(events.DescendantFocus)
    @on(events.DescendantBlur)
    def _length_hint(self) -> None:
        # How to open the drop-down, said where it is, while it has focus (Enter starts).
        focused = isinstance(self.focused, Select)
        self.query_one("#length-label", Static).update(
            "Questions (space opens the list):" if focused else "Questions:"
        )

    def chosen_settings(self) -> QuizSettings:
        """The settings as now chosen in the dialog."""
        mode: Mode = "exam" if self.query_one("#exam", RadioButton).value else "practice"
        length = self.query_one("#length", Select).value
        return QuizSettings(
            mode=mode,
            topics=tuple(self.query_one("#topics", SelectionList).selected),
            count=int(length) if isinstance(length, int) and length > 0 else None,
            shuffle=self.query_one("#shuffle", Checkbox).value,
            seed=self.seed,
        )

    @on(RadioSet.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _update_hint(self) -> None:
        settings = self.chosen_settings()
        hint = self.query_one("#setup-hint", Static)
        if not settings.topics:
            hint.update("Choose at least one topic.")
            return
        planned = plan_quiz(self.deck, settings)
        if settings.mode == "exam":
            must = sum(1 for card_id in planned if getattr(self.deck.card(card_id), "critical", 0))
            hint.update(
                f"This exam asks {counted(len(planned), 'question')}: every must-know question"
                f" ({must}) and at least one from each topic. It is passed with"
                f" {self.deck.pass_mark:.0%} or more and every must-know question right."
            )
        else:
            hint.update(
                f"This practice asks {counted(len(planned), 'question')}, with feedback"
                " after each answer."
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start":
            # Enter picks in the open length list; everywhere else it starts.
            focused = self.focused
            return not (
                focused is not None
                and any(
                    isinstance(node, Select) and node.expanded
                    for node in focused.ancestors_with_self
                )
            )
        return True

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        """Start with the chosen settings."""
        settings = self.chosen_settings()
        if not settings.topics:
            self.notify("Choose at least one topic.", severity="warning", markup=False)
            return
        self.dismiss(settings)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without starting."""
        self.dismiss(None)


class ResumeModal(ModalScreen[str | None]):
    """An unfinished attempt exists: resume it, discard it, or go back."""

    BINDINGS = [
        Binding("r", "choose('resume')", "Resume", id="resume"),
        Binding("d", "choose('discard')", "Discard and start again", id="discard"),
        Binding("escape", "choose(None)", "Back", id="back"),
    ]

    def __init__(self, attempt: AttemptSummary, deck: Deck) -> None:
        super().__init__()
        self.attempt = attempt
        self.deck = deck

    def compose(self) -> ComposeResult:
        a = self.attempt
        with Vertical(id="resume", classes="dialog"):
            yield Static("Unfinished quiz", classes="dialog-title", markup=False)
            yield Static(
                Content(
                    f"You started {ATTEMPT_NAMES.get(a.mode, a.mode)} on “{self.deck.title}”"
                    f" on {local_time(a.started_at)} and "
                    + (
                        f"answered {counted(a.answered, 'question')}. Your answers so far"
                        " are saved."
                        if a.answered
                        else "have not answered a question yet."
                    )
                )
            )
            with Horizontal(classes="buttons"):
                yield Button("Resume", id="resume-button", variant="primary")
                yield Button("Discard, start again", id="discard-button", variant="warning")
                yield Button("Back", id="back-button")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = {"resume-button": "resume", "discard-button": "discard"}.get(event.button.id or "")
        self.dismiss(choice)

    def action_choose(self, choice: str | None) -> None:
        """Close with the learner's choice."""
        self.dismiss(choice)
