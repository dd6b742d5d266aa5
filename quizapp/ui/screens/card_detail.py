"""One card, opened from the card browser: the whole card with its sources, this learner's
answers to it (when, right or wrong, time taken) and its flashcard schedule (state, due,
stability, difficulty); `s` suspends or un-suspends it.

Deck text is assembled with `Content`, never parsed as markup. What is said about the
learner's record (answers, schedule, "suspended") is read back from the store.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker, WorkerState

from quizapp.core.card_browser import CardRecord, can_suspend, card_record, card_text
from quizapp.core.decks.model import Card, ChoiceCard, Deck, FlashCard
from quizapp.core.decks.topics import TOPIC_TITLES
from quizapp.core.quiz import right_answer
from quizapp.ui.context import app_context
from quizapp.ui.format import TYPE_NAMES, local_time
from quizapp.ui.widgets.feedback import source_lines
from quizapp.ui.widgets.footer import KeysFooter


def card_content(deck: Deck, card: Card) -> Content:
    """The whole card as a learner would study it, with its sources."""
    prompt, _, explanation = card_text(card)
    parts: list[Content | str] = [Content.styled(prompt, "bold"), "\n\n"]
    if isinstance(card, FlashCard):
        parts += ["Back: ", Content(card.back)]
    elif isinstance(card, ChoiceCard):
        right = right_answer(card).split("; ") if card.type == "multi" else [right_answer(card)]
        for choice in card.choices:
            mark = "✓ " if choice.text in right else "  "
            parts += [mark, Content(choice.text), "\n"]
            if choice.feedback:
                parts += ["    ", Content.styled(choice.feedback, "$text-muted"), "\n"]
        parts += ["✓ marks the right answer."]
    else:
        parts += ["Right answer: ", Content(right_answer(card))]
    parts += ["\n\n", Content(explanation)]
    for line in source_lines(deck, card):
        parts += ["\n", Content.styled(line, "$text-muted")]
    return Content.assemble(*parts)


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.1f} s"


class CardDetailScreen(Screen[bool]):
    """A card and this learner's record of it. Dismissed with True if it was suspended or
    un-suspended (so the browser searches again)."""

    BINDINGS = [
        Binding("s", "suspend", "Suspend / un-suspend", id="card-suspend"),
        Binding("escape", "back", "Back", id="card-back"),
    ]

    def __init__(self, deck: Deck, card: Card) -> None:
        """Create the screen for a card of a loaded deck."""
        super().__init__()
        self.context = app_context(self)
        self.learner = self.context.learner
        self.deck = deck
        self.card = card
        self.record: CardRecord | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="card-detail"):
            kind = "must-know · " if self.card.critical else ""
            topic = TOPIC_TITLES.get(self.card.topic, self.card.topic)
            yield Static(
                Content(
                    f"{self.deck.title} · {topic} · {kind}"
                    f"{TYPE_NAMES.get(self.card.type, self.card.type)} · {self.card.id}"
                ),
                id="card-detail-meta",
            )
            yield Static(card_content(self.deck, self.card), id="card-detail-card")
            yield Static(Content.styled("Your answers", "bold"), classes="section")
            yield Static("Reading your record…", id="card-detail-summary", markup=False)
            history: DataTable[Text] = DataTable(id="card-detail-answers", cursor_type="none")
            history.add_columns("When", "Result", "Time taken", "Mode")
            yield history
            yield Static(Content.styled("Flashcard schedule", "bold"), classes="section")
            yield Static(id="card-detail-schedule", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "Card"
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "suspend":
            # Greyed out until the record is read, and for cards never studied as flashcards.
            return self.record is not None and can_suspend(self.deck, self.card)
        return True

    @work(thread=True, exclusive=True, group="card-record", exit_on_error=False)
    def _load(self) -> None:
        if self.learner is None:
            self.app.call_from_thread(self._no_learner)
            return
        record = card_record(self.context.store, self.learner.id, self.deck.id, self.card.id)
        self.app.call_from_thread(self.show_record, record)

    def _no_learner(self) -> None:
        self.query_one("#card-detail-summary", Static).update(
            "Choose a learner on Home (l) to see answers and a schedule here."
        )
        self.query_one("#card-detail-answers").display = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group in ("card-record", "card-suspend") and (
            event.state == WorkerState.ERROR
        ):
            self.notify(
                f"Could not read or save this card's record: {event.worker.error}",
                severity="error",
                markup=False,
            )

    def show_record(self, record: CardRecord) -> None:
        """Show the learner's answers and schedule, as read from the store."""
        self.record = record
        answers = record.answers
        right = sum(answer.correct for answer in answers)
        self.query_one("#card-detail-summary", Static).update(
            f"Answered {len(answers)} time{'s' if len(answers) != 1 else ''}, {right} right."
            if answers
            else "Not answered yet in a quiz."
        )
        table = self.query_one("#card-detail-answers", DataTable)
        table.clear()
        table.display = bool(answers)
        for answer in answers:
            table.add_row(
                Text(local_time(answer.answered_at)),
                Text("✓ right" if answer.correct else "✗ wrong"),
                Text(_seconds(answer.elapsed_ms)),
                Text(answer.mode),
            )
        lines: list[str] = []
        schedule = record.schedule
        if schedule is None:
            lines.append("Not reviewed as a flashcard yet.")
        else:
            lines += [
                f"State: {schedule.state}",
                f"Due: {local_time(schedule.due)}",
                f"Last reviewed: {local_time(schedule.last_review)}",
                "Stability: "
                + ("—" if schedule.stability is None else f"{schedule.stability:.1f} days"),
                "Difficulty: "
                + ("—" if schedule.difficulty is None else f"{schedule.difficulty:.1f} of 10"),
            ]
        if not can_suspend(self.deck, self.card):
            lines.append("This deck studies only its flashcards, so there is nothing to suspend.")
        elif record.suspended:
            lines.append("Suspended: left out of your reviews. Press s to bring it back.")
        else:
            lines.append("Press s to suspend it (leave it out of your reviews).")
        self.query_one("#card-detail-schedule", Static).update("\n".join(lines))
        self.refresh_bindings()

    def action_suspend(self) -> None:
        """Suspend the card, or un-suspend it if it is suspended."""
        if self.record is None or self.learner is None:
            return
        self._suspend(not self.record.suspended)

    @work(thread=True, exclusive=True, group="card-suspend", exit_on_error=False)
    def _suspend(self, suspend: bool) -> None:
        assert self.learner is not None
        store = self.context.store
        stored = store.suspend_card(self.learner.id, self.deck.id, self.card.id, suspend)
        record = card_record(store, self.learner.id, self.deck.id, self.card.id)
        self.app.call_from_thread(self._suspended, stored, record)

    def _suspended(self, stored: bool, record: CardRecord) -> None:
        self.changed = True
        self.show_record(record)
        self.notify("Suspended." if stored else "Un-suspended: back in your reviews.", timeout=3)

    def action_back(self) -> None:
        """Back to the browser."""
        self.dismiss(self.changed)
