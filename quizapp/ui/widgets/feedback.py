"""Feedback after an answer: right or wrong (by symbol and word, not colour alone), why,
and where the fact comes from."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from quizapp.core.decks.model import Card, ChoiceCard, Deck, QuizCard, TypedCard
from quizapp.core.quiz import GradedAnswer, right_answer
from quizapp.core.spelling import close_spelling, deck_terms

PRESCRIBER_LINE = (
    "This is a must-know safety point. If anything about it is unclear for you, talk to"
    " your prescriber or pharmacist."
)


def source_lines(deck: Deck, card: Card) -> list[str]:
    """'Source: title, section' lines for a card's citations, then its review date.

    The review date line ('This card was reviewed on ...') is there only when the card
    carries its own `reviewed` date and it differs from the deck's: a learner can see that
    this card was checked against its sources on another day than the rest of the deck.
    The quiz feedback and the back of a flashcard both show these lines.
    """
    lines = []
    for ref in card.sources:
        source = deck.source(ref.id)
        section = ref.section or source.section
        lines.append(f"Source: {source.title}" + (f", § {section}" if section else ""))
    if card.reviewed is not None and card.reviewed != deck.reviewed:
        lines.append(
            f"This card was reviewed on {card.reviewed.isoformat()}"
            f" (the deck on {deck.reviewed.isoformat()})."
        )
    return lines


def feedback_content(deck: Deck, card: QuizCard, graded: GradedAnswer) -> Content:
    """The feedback block for one answer, built without parsing any deck text as markup."""
    if graded.correct:
        verdict = Content.styled("✓ Correct", "bold $text-success")
    else:
        verdict = Content.styled("✗ Not quite", "bold $text-error")
    parts: list[Content | str] = [verdict]
    if graded.correct and isinstance(card, TypedCard) and isinstance(graded.response, str):
        spelled = close_spelling(card, graded.response, deck_terms(deck))
        if spelled is not None:
            parts += [" · accepted — the spelling is ", Content.styled(spelled.accepted, "bold")]
    if not graded.correct:
        # On the verdict's line: the question, the answer and the feedback fit at 80x24.
        parts += [" · Right answer: ", Content(right_answer(card))]
    if isinstance(card, ChoiceCard):
        picked = graded.response if isinstance(graded.response, list) else [graded.response]
        for choice in card.choices:
            if choice.feedback and choice.text in picked:
                parts += ["\n", Content(choice.feedback)]
    parts += ["\n", Content(card.explanation)]
    for line in source_lines(deck, card):
        parts += ["\n", Content.styled(line, "$text-muted")]
    if card.critical and not graded.correct:
        parts += ["\n", Content.styled("! " + PRESCRIBER_LINE, "bold")]
    return Content.assemble(*parts)


class Feedback(Static):
    """The feedback panel of the question screen; hidden until an answer is given."""

    DEFAULT_CSS = """
    Feedback { display: none; padding: 0 1; margin-top: 1; border: round $panel; height: auto; }
    Feedback.-shown { display: block; }
    Feedback.-right { border: round $success; }
    Feedback.-wrong { border: round $error; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)

    def show(self, deck: Deck, card: QuizCard, graded: GradedAnswer) -> None:
        """Show feedback for an answer."""
        self.update(feedback_content(deck, card, graded))
        # One class change (styles are worked out again at each), between Enter and the
        # frame that shows the panel.
        self.update_classes(
            {"-shown": True, "-right": graded.correct, "-wrong": not graded.correct}
        )
        # Bring the whole panel into view once it has been laid out: it was hidden
        # (no size yet) until now, and `scroll_visible` does nothing for a widget
        # without a size, which left the must-know line below the fold at 80x24.
        self.call_after_refresh(self._bring_into_view)

    def _bring_into_view(self) -> None:
        # Only when some of it is out of view: a scroll is another layout and frame.
        if not self.fully_in_view():
            self.scroll_visible(animate=False)

    def fully_in_view(self) -> bool:
        """Whether the whole panel is inside the visible part of its scrolling parent."""
        container = self.parent
        if not isinstance(container, Widget) or not self.region:
            return False
        return container.scrollable_content_region.contains_region(self.region)

    def clear(self) -> None:
        """Hide the panel for the next question."""
        self.update("")
        self.update_classes({"-shown": False, "-right": False, "-wrong": False})
