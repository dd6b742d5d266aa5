"""The theme choice is remembered across runs, and the quiz works with the mouse."""

from __future__ import annotations

import json
from pathlib import Path

from quizapp.core import paths
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.screens.quiz import QuizScreen
from quizapp.ui.widgets.answers import ChoiceList, OptionRow
from tests.snapshot_app import new_app, settle, start_quiz

SIZE = (80, 24)


async def test_theme_is_remembered_by_the_next_run(data_dir: Path, learner: Learner) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        app.theme = "nord"  # what the palette's "Change theme" command does
        await settle(pilot)
    saved = json.loads(paths.settings_path(data_dir).read_text(encoding="utf-8"))
    assert saved["theme"] == "nord"

    again = new_app(data_dir)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_a_saved_light_theme_is_in_the_first_frame(data_dir: Path, learner: Learner) -> None:
    # The theme is set as the app is made, so the stylesheet is first parsed with it
    # (set on mount, every rule was parsed again before the first frame).
    settings = paths.settings_path(data_dir)
    data = json.loads(settings.read_text(encoding="utf-8"))
    settings.write_text(json.dumps({**data, "theme": "textual-light"}), encoding="utf-8")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE):  # returns once the first frame is drawn
        assert app.theme == "textual-light"
        assert "-light-mode" in app.classes and "-dark-mode" not in app.classes
        light = app.get_theme("textual-light")
        assert light is not None and light.background is not None
        assert app.screen.styles.background.hex.lower() == light.background.lower()


async def test_an_unknown_saved_theme_falls_back_to_the_default(
    data_dir: Path, learner: Learner
) -> None:
    settings = paths.settings_path(data_dir)
    data = json.loads(settings.read_text(encoding="utf-8"))
    settings.write_text(json.dumps({**data, "theme": "no-such-theme"}), encoding="utf-8")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert type(app.screen).__name__ == "HomeScreen"


async def test_a_choice_can_be_picked_and_submitted_with_the_mouse(
    data_dir: Path, learner: Learner
) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        card = screen.session.current
        assert card.type == "single"
        right = card.choice_texts().index(card.answer)
        row = screen.query(OptionRow)[right]
        await pilot.click(row)
        await settle(pilot)
        choices = screen.query_one(ChoiceList)
        assert choices.response() == card.answer
        await pilot.press("enter")
        await settle(pilot)
        assert "✓ Correct" in str(screen.query_one("#quiz-feedback").render())
    store = ScoreStore.open(paths.db_path(data_dir))
    (attempt,) = store.history(learner.id)
    answers = store.attempt(attempt.id).answers
    assert [(a.card_id, a.response, a.correct) for a in answers] == [(card.id, card.answer, True)]
