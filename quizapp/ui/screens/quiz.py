"""The question screen: one card at a time, with feedback in practice mode."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, ProgressBar, Static

from quizapp.core import recording
from quizapp.core.decks.model import (
    TOPIC_TITLES,
    Deck,
    MultiCard,
    OrderCard,
    QuizCard,
    SingleCard,
    TrueFalseCard,
)
from quizapp.core.quiz import GradedAnswer, QuizSession, Response, shuffled_steps
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.widgets.answers import ChoiceList, OrderList, TrueFalseList, TypedAnswer
from quizapp.ui.widgets.feedback import Feedback
from quizapp.ui.writer import SerialWriter

AnswerWidget = ChoiceList | OrderList | TypedAnswer

MODE_TITLES = {"practice": "Practice", "exam": "Exam", "review": "Review of mistakes"}


class QuizBody(VerticalScroll):
    """The scrolling question area. Clicking in it (on the prompt, say) must not take
    focus from the answer widget, or the number keys and Enter would stop answering."""

    FOCUS_ON_CLICK = False


class QuizScreen(Screen[None]):
    """Asks the session's cards one by one and records every answer as it is given.

    Writes go through a `SerialWriter` (start attempt, answers, finish, in order), so
    the UI never waits on SQLite and a quit mid-quiz keeps everything answered.
    """

    BINDINGS = [
        # Not priority bindings: those run before keys queued for the focused widget, so a
        # fast "2, Enter" could submit before the "2" was applied.
        Binding("enter", "submit", "Submit", id="submit"),
        Binding("enter", "next", "Next", id="next"),
        Binding(
            "escape", "leave", "Leave", id="leave", tooltip="Stop here; resume later from Home"
        ),
    ]

    def __init__(
        self,
        deck: Deck,
        session: QuizSession,
        store: ScoreStore,
        learner: Learner,
        *,
        attempt_id: int | None = None,
        clock: Callable[[], datetime],
    ) -> None:
        """Create the screen.

        Args:
            deck: The deck being asked.
            session: The planned (or resumed) attempt.
            store: Where answers are recorded.
            learner: Who is answering.
            attempt_id: The stored attempt, when resuming one.
            clock: Source of the current time.
        """
        super().__init__()
        self.deck = deck
        self.session = session
        self.store = store
        self.learner = learner
        self.attempt_id = attempt_id
        self.clock = clock
        self.showing_feedback = False
        self.answer_widget: AnswerWidget | None = None
        self._shown_at = time.monotonic()
        self.writer = SerialWriter(self, self._write_failed)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="quiz"):
            yield Static(id="quiz-progress-label", markup=False)
            yield ProgressBar(total=max(1, self.session.total), show_eta=False, id="quiz-progress")
            with QuizBody(id="quiz-body"):
                yield Static(id="quiz-topic", markup=False)
                yield Static(id="quiz-prompt", markup=False)
                yield Vertical(id="quiz-answer")
                yield Feedback(id="quiz-feedback")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{MODE_TITLES[self.session.mode]} · {self.deck.title}"
        if self.attempt_id is None:
            self.writer.submit(self._start_attempt)
        if self.session.finished:
            self._finish()
        else:
            self.show_question()

    def _write_failed(self, error: Exception) -> None:
        self.notify(f"Could not save your answer: {error}", severity="error", markup=False)

    def _start_attempt(self) -> None:
        self.attempt_id = recording.start_attempt(self.store, self.learner.id, self.session)

    def _record(self, card: QuizCard, graded: GradedAnswer) -> None:
        assert self.attempt_id is not None
        recording.record_answer(self.store, self.attempt_id, self.deck, card, graded)

    # --- asking --------------------------------------------------------------------------

    def show_question(self) -> None:
        """Show the current card with a fresh answer widget."""
        s = self.session
        card = s.current
        self.showing_feedback = False
        self.query_one("#quiz-progress-label", Static).update(
            f"Question {s.index + 1} of {s.total}"
        )
        self.query_one("#quiz-progress", ProgressBar).update(progress=s.index)
        must = " · must-know" if card.critical else ""
        kind = {
            "multi": " · choose all that apply",
            "order": " · put the steps in sequence",
            "typed": " · type a short answer",
        }.get(card.type, "")
        self.query_one("#quiz-topic", Static).update(f"{TOPIC_TITLES[card.topic]}{must}{kind}")
        self.query_one("#quiz-prompt", Static).update(Content(card.prompt))
        self.query_one("#quiz-feedback", Feedback).clear()
        holder = self.query_one("#quiz-answer", Vertical)
        holder.remove_children()
        self.answer_widget = self._answer_widget(card)
        holder.mount(self.answer_widget)
        self.answer_widget.focus()
        self.query_one("#quiz-body", VerticalScroll).scroll_home(animate=False)
        self._shown_at = time.monotonic()
        self.refresh_bindings()

    def _answer_widget(self, card: QuizCard) -> AnswerWidget:
        if isinstance(card, SingleCard):
            return ChoiceList(card.choice_texts(), classes="answer")
        if isinstance(card, MultiCard):
            return ChoiceList(card.choice_texts(), multiple=True, classes="answer")
        if isinstance(card, TrueFalseCard):
            return TrueFalseList(classes="answer")
        if isinstance(card, OrderCard):
            return OrderList(shuffled_steps(card, self.session.settings.seed), classes="answer")
        return TypedAnswer(classes="answer")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return not self.showing_feedback
        if action == "next":
            return self.showing_feedback
        return True

    @on(Input.Submitted)
    def _typed_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.showing_feedback:
            self.action_next()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        """Grade the answer given, record it, and show feedback (practice) or move on (exam)."""
        if self.session.finished:
            return
        widget = self.answer_widget
        response: Response | None = widget.response()  # type: ignore[attr-defined]
        if response is None:
            self.notify("Choose or type an answer first.", timeout=3, markup=False)
            return
        card = self.session.current
        elapsed = int((time.monotonic() - self._shown_at) * 1000)
        graded = self.session.answer(response, elapsed)
        self.writer.submit(lambda: self._record(card, graded))
        if self.session.mode == "exam":
            self.action_next()
            return
        widget.freeze()  # type: ignore[attr-defined]
        self._mark(widget, card)
        self.query_one("#quiz-feedback", Feedback).show(self.deck, card, graded)
        self.showing_feedback = True
        self.refresh_bindings()

    def _mark(self, widget: object, card: QuizCard) -> None:
        if isinstance(widget, OrderList) and isinstance(card, OrderCard):
            widget.mark(list(card.steps))
        elif isinstance(widget, ChoiceList):
            if isinstance(card, TrueFalseCard):
                widget.mark({0 if card.answer else 1})
            elif isinstance(card, SingleCard):
                widget.mark({card.choice_texts().index(card.answer)})
            elif isinstance(card, MultiCard):
                texts = card.choice_texts()
                widget.mark({texts.index(text) for text in card.answers})

    def action_next(self) -> None:
        """Go to the next question, or to the results after the last one."""
        self.session.advance()
        if self.session.finished:
            self._finish()
        else:
            self.show_question()

    def _finish(self) -> None:
        result = self.session.result()
        self.writer.submit(
            lambda: self.store.finish_attempt(
                self.attempt_id,
                result.score,
                result.max_score,
                result.passed,  # type: ignore[arg-type]
            )
        )
        from quizapp.ui.screens.results import ResultsScreen

        self.app.switch_screen(
            ResultsScreen(
                self.deck, self.session, result, self.store, self.learner, clock=self.clock
            )
        )

    def action_leave(self) -> None:
        """Stop here; the attempt stays unfinished and Home offers to resume it."""
        answered = len(self.session.answers)
        self.notify(
            f"Saved {answered} answer{'s' if answered != 1 else ''}. Resume from Home.",
            timeout=4,
            markup=False,
        )
        self.dismiss()
