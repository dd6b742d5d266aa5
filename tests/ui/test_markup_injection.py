"""Deck text is untrusted: markup in a deck is shown literally and never acted on.

`markup-injection.yaml` puts `[@click=app.quit]x[/]` (a clickable quit action if parsed),
a lone `[/]` (a MarkupError if parsed), `[bold]b[/bold]` and `[0.5 mg]` into the title,
drug, prompt, choices, choice feedback, explanation, steps and source of its cards. The
app is played through every screen that shows deck text; a parsed string would either
crash the app (MarkupError), quit it when clicked, or lose its brackets on screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_app import MARKUP_DECK, answer, load_deck, new_app, screen_text, settle, start_quiz
from textual.app import App
from textual.content import Content
from textual.markup import MarkupError
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable

from quizapp.core.store import Learner
from quizapp.ui.dialogs.setup import QuizSetupModal
from quizapp.ui.screens.history import AttemptScreen, HistoryScreen
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.quiz import QuizScreen
from quizapp.ui.screens.results import ResultsScreen
from quizapp.ui.widgets.answers import OptionRow

CLICK = "[@click=app.quit]x[/]"
CLOSE = "[/]"
BOLD = "[bold]b[/bold]"
DOSE = "[0.5 mg]"
SIZE = (120, 40)  # wide enough that the deck title is not cut short in the deck table


def assert_running(app: App[object]) -> None:
    assert app.is_running and app._exit_renderables == []


async def click_where_the_link_would_be(
    pilot: Pilot[object], widget: Widget, text: str, *, indent: int = 0
) -> None:
    """Click the cells where `text`, parsed as markup, would put its quit link.

    `indent` is how far into `widget` the text starts (padding, a "1. " label...).
    """
    parsed = Content.from_markup(text)
    start = parsed.plain.index("x")
    # The premise: parsed, that "x" really is an app.quit link.
    assert any("app.quit" in str(span.style) for span in parsed.spans if span.start <= start)
    for column in (start - 1, start, start + 1):
        await pilot.click(widget, offset=(indent + column, 0))
    await pilot.pause()


async def test_markup_in_deck_is_shown_literally_and_does_nothing(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(MARKUP_DECK)
    single, order = deck.quiz_cards
    app = new_app(data_dir, [MARKUP_DECK])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        home = screen_text(app)
        assert deck.title in home  # all four markup strings, in the deck table
        assert "diazepam [bold]b[/bold] (Valium [/])" in home  # the deck detail line

        await start_quiz(pilot, shuffle=False)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        assert deck.title in screen_text(app)  # in the header
        prompt = quiz.query_one("#quiz-prompt")
        assert str(prompt.render()) == single.prompt
        text = screen_text(app)
        assert single.prompt in text
        assert "( ) 1. Take [0.5 mg] [@click=app.quit]x[/]" in text
        assert "( ) 2. Skip [/] it" in text
        assert "( ) 3. [bold]b[/bold] twice" in text

        # Choice 1 has no lone "[/]": parsed, it would not crash but show a quit link.
        first_row = quiz.query(OptionRow).first()
        await click_where_the_link_would_be(pilot, first_row, single.answer, indent=1 + 7)
        assert_running(app)
        assert app.screen is quiz
        assert app.focused is quiz.answer_widget  # clicking keeps the keys answering

        await answer(pilot, single, right=False)  # "Skip [/] it": feedback shows the rest
        feedback = str(quiz.query_one("#quiz-feedback").render())
        assert "✗ Not quite" in feedback
        assert f"Right answer: {single.answer}" in feedback
        assert single.explanation in feedback
        assert "Source: Label [@click=app.quit]x[/] [/], § Section [/] [bold]b[/bold]" in feedback
        assert f"Right answer: {single.answer}" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)

        assert quiz.session.current.id == order.id
        text = screen_text(app)
        assert order.prompt in text
        for step in order.steps:
            assert step in text
        await click_where_the_link_would_be(pilot, prompt, order.prompt)
        assert_running(app)
        assert app.focused is quiz.answer_widget  # clicking the prompt keeps keys answering
        await answer(pilot, order)
        assert order.explanation in str(quiz.query_one("#quiz-feedback").render())
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, ResultsScreen)
        text = screen_text(app)
        assert single.prompt in text
        assert "Your answer: Skip [/] it" in text
        assert f"Right answer: {single.answer}" in text
        assert single.explanation in text

        # Review the mistake and pick the right choice, whose own feedback has markup.
        await pilot.press("r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, QuizScreen) and review.session.card_ids == [single.id]
        assert f"Review of mistakes · {deck.title}" in screen_text(app)  # header
        await answer(pilot, single)
        feedback = str(review.query_one("#quiz-feedback").render())
        assert "✓ Correct" in feedback
        assert "Choice feedback [/] [bold]b[/bold] [@click=app.quit]x[/]" in feedback
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # results -> Home
        await settle(pilot)

        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert deck.title in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AttemptScreen)
        text = screen_text(app)
        assert deck.title in text
        assert single.prompt in text
        assert "Take [0.5 mg] [@click=a…" in text  # the answer column is cut short
        table = app.screen.query_one("#attempt-answers", DataTable)
        cells = [str(cell) for cell in table.get_row_at(0)]
        assert single.answer in cells and single.prompt in cells
        assert_running(app)
    # Leaving the context manager above re-raises any exception the app hit (MarkupError).


def test_the_deck_strings_really_are_markup() -> None:
    """Guard: the deck's strings would be parsed, and misbehave, if given to markup."""
    with pytest.raises(MarkupError):
        Content.from_markup(f"a {CLOSE} b")
    clicked = Content.from_markup(f"a {CLICK} b")
    assert clicked.plain == "a x b"
    assert any("app.quit" in str(span.style) for span in clicked.spans)
    assert Content.from_markup(f"a {BOLD}").plain == "a b"
    assert Content.from_markup(DOSE).plain == DOSE


async def wait_for_text(pilot: Pilot[object], text: str, tries: int = 40) -> bool:
    """Poll the top screen for `text` (the palette searches in the background)."""
    for _ in range(tries):
        if text in screen_text(pilot.app):  # type: ignore[arg-type]
            return True
        await pilot.pause(0.05)
    return False


async def test_command_palette_shows_deck_text_literally(data_dir: Path, learner: Learner) -> None:
    deck = load_deck(MARKUP_DECK)
    app = new_app(data_dir, [MARKUP_DECK])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        assert await wait_for_text(pilot, f"Quiz: {deck.title}")  # listed before typing
        # Help text is fixed (the palette parses help as markup), so no deck text is there.
        help_ok = "Practice or take an exam on this deck" in screen_text(app)
        await pilot.press(*"Quiz: Markup")
        found = await wait_for_text(pilot, f"Quiz: {deck.title}", tries=20)
        assert_running(app)
        assert help_ok, "the help line lost its brackets"
        assert found, "searching for the deck found nothing"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizSetupModal)
