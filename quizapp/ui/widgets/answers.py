"""Answer widgets: one per kind of question, built for a card by `answer_widget`.

Every widget follows the `AnswerWidget` protocol: `response()` (None when nothing is
chosen yet), `freeze()` (after submitting, so the answer shown in the feedback cannot
change under it) and `reveal()` (show which parts were right). Deck text is untrusted,
so every label is built with `Content(text)`, which never parses markup.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from textual import events
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.dom import NoScreen
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from quizapp.core.decks.model import MultiCard, OrderCard, QuizCard, SingleCard, TrueFalseCard
from quizapp.core.quiz import Response, shuffled_steps

KEYS = "123456"
LETTERS = "abcdef"


class OptionRow(Static):
    """One line of a choice or order list (clickable)."""

    DEFAULT_CSS = """
    OptionRow { padding: 0 1; height: auto; }
    OptionRow.-cursor { background: $boost; text-style: bold; }
    OptionRow.-selected { color: $text-primary; }
    OptionRow.-right { color: $text-success; }
    OptionRow.-wrong { color: $text-error; }
    """

    @dataclass
    class Clicked(Message):
        """The row was clicked."""

        index: int

    def __init__(self, index: int) -> None:
        super().__init__(markup=False)
        self.index = index
        self._shown: tuple[str, tuple[object, ...]] | None = None
        """The text and styles shown now (None: nothing yet)."""
        self._cells = -1
        """How wide the text shown now is, in cells."""

    def show(self, content: Content) -> None:
        """Show `content`, unless it is what the row shows already.

        Submitting an answer redraws every row; most keep their text, and each row
        repainted costs about a millisecond of the feedback frame. A new text as wide
        as the old (a mark changing: "›", "✓", "(•)") keeps the row's size, so the
        screen need not lay out again for it.
        """
        shown = (content.plain, tuple(content.spans))
        if shown == self._shown:
            return
        resized = content.cell_length != self._cells
        self._shown, self._cells = shown, content.cell_length
        self.update(content, layout=resized)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Clicked(self.index))


class _RowList(Vertical, can_focus=True):
    """Shared cursor handling for lists of rows."""

    DEFAULT_CSS = """
    _RowList { height: auto; }
    _RowList:focus { border-left: thick $primary; }
    _RowList { border-left: thick $panel; }
    """

    cursor: reactive[int] = reactive(0)
    locked: reactive[bool] = reactive(False)

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
    ]

    def __init__(self, items: list[str], *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.items = list(items)
        self.verdicts: dict[int, bool] = {}
        """After submitting: whether each marked row was right (rows left out: no mark)."""

    def compose(self):  # type: ignore[no-untyped-def]
        for index in range(len(self.items)):
            yield OptionRow(index)

    def on_mount(self) -> None:
        self.refresh_rows()

    def action_move(self, delta: int) -> None:
        self.cursor = (self.cursor + delta) % len(self.items)

    def watch_cursor(self) -> None:
        self.refresh_rows()
        rows = list(self.query(OptionRow))
        if 0 <= self.cursor < len(rows):
            rows[self.cursor].scroll_visible()

    def freeze(self) -> None:
        """Stop accepting changes (the answer was submitted)."""
        self.locked = True

    def watch_locked(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once the answer is submitted, its keys (pick, move a step) do nothing: hide them
        # from the footer, which then shows only what works (Next).
        if action in ("toggle", "pick", "shift") and self.locked:
            return False
        return True

    def refresh_rows(self) -> None:
        """Redraw every row from the current state."""
        for row in self.query(OptionRow):
            at_cursor = row.index == self.cursor and not self.locked
            row.show(Content.assemble(self.lead(row.index, at_cursor), self.row_content(row.index)))
            # All of a row's classes in one change: styles are worked out again at each,
            # and after submitting this runs between Enter and the feedback frame.
            verdict = self.verdicts.get(row.index)
            row.update_classes(
                {
                    "-cursor": at_cursor,
                    "-right": verdict is True,
                    "-wrong": verdict is False,
                    **self.row_classes(row.index),
                }
            )

    def row_classes(self, index: int) -> dict[str, bool]:
        """Classes of row `index` particular to the kind of list (on or off)."""
        return {}

    def lead(self, index: int, at_cursor: bool) -> str:
        """The marks before a row, so the state reads without colour: "›" at the cursor;
        after submitting, ✓ for a right row and ✗ for a wrong one."""
        verdict = self.verdicts.get(index)
        if verdict is not None:
            return "✓ " if verdict else "✗ "
        return "› " if at_cursor else "  "

    def row_content(self, index: int) -> Content:
        """The label of row `index`."""
        raise NotImplementedError


class ChoiceList(_RowList):
    """Choices for `single`, `multi` and `true_false` questions.

    Keys 1–6 or a–f pick a choice; arrows move; space picks (single) or toggles (multi).
    The state is shown by a symbol as well as colour: (•) picked, [x] ticked.
    """

    selected: reactive[frozenset[int]] = reactive(frozenset())

    BINDINGS = [
        Binding("space", "toggle", "Pick/toggle", show=True),
        *[Binding(key, f"pick({i})", show=False) for i, key in enumerate(KEYS)],
        *[Binding(key, f"pick({i})", show=False) for i, key in enumerate(LETTERS)],
    ]

    def __init__(
        self,
        items: list[str],
        *,
        multiple: bool = False,
        right: Collection[int] = (),
        classes: str | None = None,
    ) -> None:
        """Create the list.

        Args:
            items: The choices' texts, in the order shown.
            multiple: Several choices can be ticked (select all that apply).
            right: Indexes of the right choices, shown by `reveal`.
            classes: CSS classes.
        """
        super().__init__(items, classes=classes)
        self.multiple = multiple
        self.right = set(right)

    def row_content(self, index: int) -> Content:
        picked = index in self.selected
        if self.multiple:
            mark = "[x]" if picked else "[ ]"
        else:
            mark = "(•)" if picked else "( )"
        return Content.assemble(f"{mark} {KEYS[index]}. ", Content(self.items[index]))

    def row_classes(self, index: int) -> dict[str, bool]:
        return {"-selected": index in self.selected}

    def watch_selected(self) -> None:
        self.refresh_rows()

    # Shadows DOMNode's generic `toggle(attribute)` action on purpose: the space binding
    # says "toggle" and no binding here toggles an attribute.
    def action_toggle(self) -> None:  # type: ignore[override]
        """Pick (or toggle) the choice under the cursor."""
        self.action_pick(self.cursor)

    def action_pick(self, index: int) -> None:
        """Pick choice `index` (toggle it, for select-all-that-apply)."""
        if self.locked or index >= len(self.items):
            return
        self.cursor = index
        if self.multiple:
            self.selected = self.selected ^ {index}
        else:
            self.selected = frozenset({index})

    def on_option_row_clicked(self, message: OptionRow.Clicked) -> None:
        self.focus()
        self.action_pick(message.index)

    def response(self) -> Response | None:
        """The chosen text(s), or None when nothing is chosen."""
        if not self.selected:
            return None
        chosen = [self.items[i] for i in sorted(self.selected)]
        return chosen if self.multiple else chosen[0]

    def mark(self, right: set[int]) -> None:
        """After submitting: show which choices were right, and which picks were wrong."""
        self.verdicts = {index: True for index in right}
        self.verdicts.update({i: False for i in self.selected if i not in right})
        self.refresh_rows()

    def reveal(self) -> None:
        """After submitting: mark the right choices (and wrong picks)."""
        self.mark(self.right)


class TrueFalseList(ChoiceList):
    """True/False choices; also answers to the t and f keys."""

    BINDINGS = [
        Binding("t", "pick(0)", "True", show=False),
        Binding("f", "pick(1)", "False", show=False),
    ]

    def __init__(self, *, answer: bool | None = None, classes: str | None = None) -> None:
        """Create the list.

        Args:
            answer: The right answer, shown by `reveal` (None: nothing to show).
            classes: CSS classes.
        """
        right = () if answer is None else (0 if answer else 1,)
        super().__init__(["True", "False"], right=right, classes=classes)

    def response(self) -> Response | None:
        """True or False, or None when nothing is chosen."""
        if not self.selected:
            return None
        return next(iter(self.selected)) == 0


class OrderList(_RowList):
    """Steps to put in sequence: arrows move the cursor, u/d (or shift+arrows) move a step."""

    BINDINGS = [
        Binding("u,shift+up", "shift(-1)", "Move up", show=True),
        Binding("d,shift+down", "shift(1)", "Move down", show=True),
    ]

    def __init__(
        self, items: list[str], *, right: Sequence[str] = (), classes: str | None = None
    ) -> None:
        """Create the list.

        Args:
            items: The steps, in the order first shown (shuffled).
            right: The steps in their right order, shown by `reveal`.
            classes: CSS classes.
        """
        super().__init__(items, classes=classes)
        self.right = list(right)

    def row_content(self, index: int) -> Content:
        return Content.assemble(f"{index + 1}. ", Content(self.items[index]))

    def action_shift(self, delta: int) -> None:
        """Move the step under the cursor up or down one place."""
        if self.locked:
            return
        src, dst = self.cursor, self.cursor + delta
        if not 0 <= dst < len(self.items):
            return
        self.items[src], self.items[dst] = self.items[dst], self.items[src]
        self.cursor = dst
        self.refresh_rows()

    def on_option_row_clicked(self, message: OptionRow.Clicked) -> None:
        self.focus()
        self.cursor = message.index

    def response(self) -> Response | None:
        """The steps in the learner's order."""
        return list(self.items)

    def mark(self, right: list[str]) -> None:
        """After submitting: show which steps are in their right place."""
        self.verdicts = {i: item == right[i] for i, item in enumerate(self.items)}
        self.refresh_rows()

    def reveal(self) -> None:
        """After submitting: mark the steps in their right place (and the others)."""
        if self.right:
            self.mark(self.right)


class TypedAnswer(Input):
    """A one-line typed answer."""

    # Input's own Enter binding is hidden; show it, as every other question type does.
    BINDINGS = [Binding("enter", "submit", "Submit", show=True)]

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(
            placeholder="Type your answer, then press Enter", classes=classes, max_length=200
        )

    def response(self) -> Response | None:
        """The typed text, or None when the box is empty."""
        return self.value if self.value.strip() else None

    def freeze(self) -> None:
        """Stop accepting changes (the answer was submitted)."""
        self.disabled = True

    def on_unmount(self) -> None:
        # Input subscribes itself to its screen's text-selection signal and never
        # unsubscribes; the subscription's callback holds the input, so every typed
        # question's input stayed alive (garbage for full collections to walk) until the
        # quiz screen closed.
        try:
            self.screen.text_selection_started_signal.unsubscribe(self)
        except NoScreen:
            pass

    def reveal(self) -> None:
        """Nothing to mark: the feedback below shows the accepted answers."""


class AnswerWidget(Protocol):
    """What the quiz screen needs of an answer widget, whatever the kind of question."""

    def response(self) -> Response | None:
        """The answer given so far, or None when there is none yet."""

    def freeze(self) -> None:
        """Stop accepting changes (the answer was submitted)."""

    def reveal(self) -> None:
        """Show which parts of the answer were right."""


AnswerInput = ChoiceList | OrderList | TypedAnswer
"""The answer widgets `answer_widget` builds (each an `AnswerWidget`)."""


def answer_widget(card: QuizCard, seed: int = 0) -> AnswerInput:
    """The answer widget for a card, knowing its right answer for `reveal`.

    Args:
        card: The card asked.
        seed: The attempt's shuffle seed (an order card's steps start shuffled with it,
            so a resumed attempt shows them as before).
    """
    if isinstance(card, SingleCard):
        texts = card.choice_texts()
        return ChoiceList(texts, right={texts.index(card.answer)}, classes="answer")
    if isinstance(card, MultiCard):
        texts = card.choice_texts()
        right = {texts.index(text) for text in card.answers}
        return ChoiceList(texts, multiple=True, right=right, classes="answer")
    if isinstance(card, TrueFalseCard):
        return TrueFalseList(answer=card.answer, classes="answer")
    if isinstance(card, OrderCard):
        return OrderList(shuffled_steps(card, seed), right=card.steps, classes="answer")
    return TypedAnswer(classes="answer")
