"""Results of an attempt: score, pass or fail and why, topics, and the questions missed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from quizapp.core.decks.model import TOPIC_TITLES, OrderCard
from quizapp.core.quiz import QuizResult, QuizSession, describe_response, right_answer
from quizapp.ui.widgets.feedback import PRESCRIBER_LINE
from quizapp.ui.widgets.footer import KeysFooter


class ResultsScreen(Screen[bool]):
    """Shown when an attempt ends; closes with True when the learner asks to review
    their mistakes (Home then opens that review)."""

    BINDINGS = [
        Binding("r", "review", "Review my mistakes", id="review"),
        Binding("escape,enter", "home", "Home", id="home"),
    ]

    def __init__(self, session: QuizSession, result: QuizResult) -> None:
        """Create the screen for a finished attempt.

        Args:
            session: The finished attempt.
            result: Its result.
        """
        super().__init__()
        self.deck = session.deck
        self.session = session
        self.result = result

    def compose(self) -> ComposeResult:
        r = self.result
        yield Header()
        with VerticalScroll(id="results"):
            yield Static(
                Content.styled(f"Score: {r.score:g} of {r.max_score:g} ({r.fraction:.0%})", "bold"),
                id="results-score",
            )
            if r.passed is None:
                verdict = Content(r.verdict())
            elif r.passed:
                verdict = Content.styled("✓ " + r.verdict(), "bold $text-success")
            else:
                verdict = Content.styled("✗ " + r.verdict(), "bold $text-error")
            yield Static(verdict, id="results-verdict")
            table: DataTable[Text] = DataTable(id="results-topics", cursor_type="none")
            table.add_columns("Topic", "Right", "Score")
            for topic in r.per_topic:
                table.add_row(
                    Text(TOPIC_TITLES[topic.topic]),
                    Text(f"{topic.correct} of {topic.total}"),
                    Text(f"{topic.fraction:.0%}"),
                )
            yield table
            if r.missed:
                yield Static(
                    Content.styled("Questions to look at again", "bold"), classes="section"
                )
                for number, answer in enumerate(r.missed, start=1):
                    card = self.deck.card(answer.card_id)
                    response = answer.response
                    if isinstance(card, OrderCard) and isinstance(response, list):
                        given = " → ".join(response)  # as the right order is written
                    else:
                        given = describe_response(response)
                    parts: list[Content | str] = [
                        "Your answer: ",
                        Content(given),
                        "\nRight answer: ",
                        Content(right_answer(card)),  # type: ignore[arg-type]
                        "\n",
                        Content(card.explanation),
                    ]
                    if card.critical:
                        parts += ["\n", Content.styled("! Must-know. " + PRESCRIBER_LINE, "bold")]
                    # Number and prompt in one widget, the rest in an indented one, so
                    # wrapped lines keep their indent.
                    with Horizontal(classes="missed"):
                        yield Static(Content.styled(f"{number}.", "bold"), classes="missed-number")
                        with Vertical(classes="missed-text"):
                            yield Static(Content(card.prompt))  # type: ignore[union-attr]
                            yield Static(Content.assemble(*parts), classes="missed-detail")
            else:
                yield Static("You answered every question correctly.", markup=False)
        yield KeysFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return bool(self.result.missed)
        return True

    def action_review(self) -> None:
        """Practise again on only the questions missed (Home opens the review)."""
        self.dismiss(True)

    def action_home(self) -> None:
        """Back to the deck list."""
        self.dismiss(False)
