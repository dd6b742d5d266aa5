"""The question screen: one card at a time, with feedback in practice mode."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, ProgressBar, Static

from quizapp.core import recording
from quizapp.core.decks.model import TOPIC_TITLES, QuizCard
from quizapp.core.modes import MODE_TITLES
from quizapp.core.quiz import GradedAnswer, QuizResult, QuizSession, Response
from quizapp.core.store import AttemptClaimedError, StoreError
from quizapp.ui.context import app_context
from quizapp.ui.format import counted
from quizapp.ui.gc_policy import freeze_decks, hold_collections_until_drawn
from quizapp.ui.unsaved import UnsavedWritesScreen
from quizapp.ui.widgets.answers import AnswerInput, answer_widget
from quizapp.ui.widgets.feedback import Feedback
from quizapp.ui.widgets.footer import KeysFooter
from quizapp.ui.writer import SerialWriter

if TYPE_CHECKING:
    from quizapp.core.store import Learner, ScoreStore


CLAIM_RENEW_S = 30.0
"""How often an open quiz renews its claim on the attempt (well within `CLAIM_TTL`)."""


class QuizBody(VerticalScroll):
    """The scrolling question area. Clicking in it (on the prompt, say) must not take
    focus from the answer widget, or the number keys and Enter would stop answering."""

    FOCUS_ON_CLICK = False


class QuizScreen(UnsavedWritesScreen[tuple[QuizSession, QuizResult] | None]):
    """Asks the session's cards one by one and records every answer as it is given.

    Writes go through a `SerialWriter` (start attempt, answers, finish, in order), so
    the UI never waits on SQLite and a quit mid-quiz keeps everything answered. Answers
    and the finish go through the app's pending writes: one the store cannot take now
    is kept and retried, and the screen says how many are not saved yet. Closes with
    the session and its result when finished, or None when left early.
    """

    UNSAVED_KINDS = ("answer", "finish")
    UNSAVED_NOUN = "answer"
    UNSAVED_BANNER = "quiz-unsaved"

    BINDINGS = [
        # Not priority bindings: those run before keys queued for the focused widget, so a
        # fast "2, Enter" could submit before the "2" was applied.
        Binding("enter", "submit", "Submit", id="submit"),
        Binding("enter", "next", "Next", id="next"),
        Binding(
            "escape", "leave", "Leave", id="leave", tooltip="Stop here; resume later from Home"
        ),
        Binding("q", "app.quit", "Quit", id="quit-quiz", show=False, tooltip="Quit (asks first)"),
    ]
    KEYS_TITLE = "Question"
    KEY_HELP = [
        ("1-6 or a-f", "Pick a choice (t or f for True or False)"),
        ("↑ ↓", "Move between choices or steps"),
        ("space", "Pick or tick the choice at the cursor"),
        ("u d", "Move a step up or down (put-in-order questions)"),
    ]
    """Keys without a binding of their own, for the `?` list."""

    store: ScoreStore
    """Where answers go (the app's, read when the screen mounts)."""
    learner: Learner
    """Who is answering (the app's current learner when the screen mounts)."""

    def __init__(self, session: QuizSession, *, attempt_id: int | None = None) -> None:
        """Create the screen; answers are recorded for the app's current learner.

        Args:
            session: The planned (or resumed) attempt.
            attempt_id: The stored attempt, when resuming one.
        """
        # The deck's models outlive this screen: out of full garbage collections before
        # the screen makes objects of its own (see gc_policy).
        freeze_decks([session.deck])
        super().__init__()
        self.session = session
        self.deck = session.deck
        self.attempt_id = attempt_id
        self.showing_feedback = False
        self.answer_widget: AnswerInput | None = None
        self._shown_at = time.monotonic()
        self.writer = SerialWriter(self, self._write_failed)
        self._start_ref: str | None = None
        """The attempt's ref in the pending writes, while its start is not saved."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="quiz"):
            # Label and bar on one line: at 80x24 every row goes to the question, the
            # answers and the feedback, which must all show together.
            with Horizontal(id="quiz-progress-row"):
                yield Static(id="quiz-progress-label", markup=False)
                yield ProgressBar(
                    total=max(1, self.session.total), show_eta=False, id="quiz-progress"
                )
            yield Static(id="quiz-unsaved", markup=False)
            with QuizBody(id="quiz-body"):
                yield Static(id="quiz-topic", markup=False)
                yield Static(id="quiz-prompt", markup=False)
                yield Vertical(id="quiz-answer")
                yield Feedback(id="quiz-feedback")
        yield KeysFooter()

    def on_mount(self) -> None:
        context = app_context(self)
        # Read once: the writes run later on another thread, for this learner whatever
        # happens to the app's current learner meanwhile.
        self.store, self.learner = context.store, context.current_learner()
        self.pending, self.owner = context.pending, context.owner
        self.sub_title = f"{MODE_TITLES[self.session.mode]} · {self.deck.title}"
        self.query_one("#quiz-unsaved", Static).display = False
        if self.attempt_id is None:
            self.writer.submit(self._start_attempt)
        self.set_interval(1.0, self._retry_if_due)
        self.set_interval(CLAIM_RENEW_S, self._renew_claim)
        if self.session.finished:
            self._finish()
        else:
            self.show_question()

    def _write_failed(self, error: Exception) -> None:
        why = str(error) or type(error).__name__
        self.notify(f"Could not save your answer: {why}", severity="error", markup=False)
        self._show_unsaved()

    def _start_attempt(self) -> None:
        # Through the pending writes like the answers: if the store cannot take the
        # start now, it is kept (answers name the attempt by its ref) and retried first.
        self._start_ref, outcome = recording.queue_start(
            self.pending, self.learner.id, self.session, owner=self.owner
        )
        if outcome.saved:
            self.attempt_id = outcome.row_id
        elif outcome.refused:
            raise StoreError(outcome.error or "The quiz could not be started.")
        self.app.call_from_thread(self._show_unsaved)

    def _attempt(self) -> int | str:
        """The attempt's id, or its ref while its start is not saved yet."""
        if self.attempt_id is None and self._start_ref is not None:
            self.attempt_id = self.pending.attempt_id_for(self._start_ref)
        if self.attempt_id is not None:
            return self.attempt_id
        assert self._start_ref is not None  # the start, submitted first, has run
        return self._start_ref

    def _record(self, card: QuizCard, graded: GradedAnswer) -> None:
        outcome = recording.queue_answer(
            self.pending, self._attempt(), self.deck, card, graded, owner=self.owner
        )
        if outcome.refused:
            self.app.call_from_thread(
                self.notify,
                f"This answer was not saved: {outcome.error}",
                severity="error",
                markup=False,
            )
        self.app.call_from_thread(self._show_unsaved)

    # --- unsaved answers --------------------------------------------------------------

    def _renew_claim(self) -> None:
        if self.attempt_id is not None:
            self.writer.submit(self._renew)

    def _renew(self) -> None:
        if self.attempt_id is None:
            return
        try:
            self.store.claim_attempt(self.attempt_id, self.owner)
        except AttemptClaimedError:
            self.app.call_from_thread(
                self.notify,
                "This quiz was taken over in another window; answers given here are no"
                " longer saved. Leave and resume it there.",
                severity="error",
                timeout=10,
                markup=False,
            )
        except (StoreError, LookupError, ValueError):
            pass  # renewing is best effort; each answer renews the claim too

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
        self.answer_widget = answer_widget(card, self.session.settings.seed)
        holder.mount(self.answer_widget)
        self.answer_widget.focus()
        self.query_one("#quiz-body", VerticalScroll).scroll_home(animate=False)
        self._shown_at = time.monotonic()
        self.refresh_bindings()

    @property
    def quit_question(self) -> str | None:
        """What to ask before quitting the app from here (None: quit at once)."""
        if self.session.finished:
            return None
        return (
            "You are in the middle of a quiz. Quit quizapp now? You can resume it from"
            " Home next time."
        )

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
        if widget is None:
            return
        response: Response | None = widget.response()
        if response is None:
            self.notify("Choose or type an answer first.", timeout=3, markup=False)
            return
        if self.session.mode == "practice":
            hold_collections_until_drawn(self)  # the feedback frame first (gc_policy)
        card = self.session.current
        elapsed = int((time.monotonic() - self._shown_at) * 1000)
        graded = self.session.answer(response, elapsed)
        # Queued now, run once the frame with the feedback is drawn (see SerialWriter).
        self.writer.submit(lambda: self._record(card, graded), wake=False)
        self.call_after_refresh(self.writer.wake)
        if self.session.mode == "exam":
            self.action_next()
            return
        widget.freeze()
        widget.reveal()
        self.query_one("#quiz-feedback", Feedback).show(self.deck, card, graded)
        self.showing_feedback = True
        # The panel's own layout request reaches the screen from the panel's message
        # queue, and a repaint (of the typed answer, disabled) could be drawn first,
        # without the panel; asking here makes the next frame lay out and show it.
        self.refresh(repaint=False, layout=True)
        self.refresh_bindings()

    def action_next(self) -> None:
        """Go to the next question, or to the results after the last one."""
        self.session.advance()
        if self.session.finished:
            self._finish()
        else:
            self.show_question()

    def _finish(self) -> None:
        result = self.session.result()
        self.writer.submit(lambda: self._finish_attempt(result))
        self.dismiss((self.session, result))

    def _finish_attempt(self, result: QuizResult) -> None:
        recording.queue_finish(self.pending, self._attempt(), result, owner=self.owner)

    def action_leave(self) -> None:
        """Stop here; the attempt stays unfinished and Home offers to resume it.

        The count said to be saved is read from the store, after every write given so
        far has run; with answers not saved yet, the learner chooses what to do.
        """
        self.writer.submit(self._check_before_leaving)

    def _check_before_leaving(self) -> None:
        unsaved = self.pending.unsaved_of("answer")
        attempt = self._attempt() if self._start_ref or self.attempt_id else None
        try:
            saved: int | None = (
                recording.saved_answers(self.store, attempt) if isinstance(attempt, int) else 0
            )
        except (StoreError, LookupError):
            saved = None
        self.app.call_from_thread(self._leave_with, unsaved, saved)

    def _leave_with(self, unsaved: int, saved: int | None) -> None:
        if unsaved == 0 and saved is not None:
            self.notify(
                f"Saved {counted(saved, 'answer')}. Resume from Home."
                if saved
                else "You left before answering. Start again from Home.",
                timeout=4,
                markup=False,
            )
            self._release_and_close()
            return

        self.ask_about_unsaved(unsaved, saved)

    def close_after_leaving(self) -> None:
        """Give up this window's claim on the attempt and go back to Home."""
        self._release_and_close()

    def _release_and_close(self) -> None:
        attempt_id, owner = self.attempt_id, self.owner
        if attempt_id is not None:
            self.writer.submit(lambda: self._release(attempt_id, owner))
        self.dismiss(None)

    def _release(self, attempt_id: int, owner: str) -> None:
        try:
            self.store.release_claim(attempt_id, owner)
        except StoreError:
            pass  # the claim runs out by itself
