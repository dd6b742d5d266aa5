"""What a first-time user tripped on (issue 14), each driven through the real app.

Every test runs `make_app` on its own data folder with the all-types deck (or a variant
written next to it), presses real keys and reads what is drawn or what the store holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_app import (
    ALL_TYPES,
    answer,
    load_deck,
    new_app,
    resume_unfinished,
    right_response,
    run_palette_command,
    screen_text,
    seed_learner,
    seed_unfinished,
    settle,
    start_quiz,
    wrong_response,
)
from textual.command import CommandPalette
from textual.widgets import DataTable, Input

from quizapp.core import paths, recording
from quizapp.core.quiz import QuizSession, QuizSettings, review_session
from quizapp.core.store import ScoreStore
from quizapp.ui.dialogs.learner import LearnerModal
from quizapp.ui.dialogs.setup import QuizSetupModal, ResumeModal
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.quiz import QuizScreen
from quizapp.ui.screens.results import ResultsScreen

SIZE = (80, 24)


def footer_text(app: object) -> str:
    """The bottom line of the screen: the footer's keys."""
    return screen_text(app).splitlines()[-1]  # type: ignore[arg-type]


def true_statement_deck(folder: Path) -> Path:
    """The all-types deck with its true/false card turned round, so True is right."""
    text = ALL_TYPES.read_text(encoding="utf-8")
    old = (
        "    prompt: Once you feel better, you can stop diazepam on your own all at once.\n"
        "    answer: false\n"
    )
    assert old in text
    new = (
        "    prompt: Stopping diazepam all at once can cause dangerous withdrawal.\n"
        "    answer: true\n"
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "all-types-true.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# --- bug 1: "Your answer: (no answer)" for False --------------------------------------


async def test_results_show_false_when_false_was_picked(data_dir: Path, tmp_path: Path) -> None:
    deck_file = true_statement_deck(tmp_path / "decks")
    deck = load_deck(deck_file)
    learner = seed_learner(data_dir)
    seed_unfinished(data_dir, learner, deck, "q-order", wrong=frozenset({"q-tf"}))
    app = new_app(data_dir, [deck_file])
    async with app.run_test(size=(120, 40)) as pilot:
        quiz = await resume_unfinished(pilot)
        await answer(pilot, quiz.session.current)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        missed = "\n".join(str(s.render()) for s in app.screen.query(".missed-detail"))
        assert "Your answer: False" in missed
        assert "(no answer)" not in missed


# --- bug 2: letters typed as the first-run learner box appears ------------------------


async def test_first_run_name_typed_at_once_is_kept(data_dir: Path) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        # Type the moment the dialog is on screen, without waiting for its workers.
        for _ in range(500):
            if isinstance(app.screen, LearnerModal):
                break
            await pilot.pause(0.001)
        assert isinstance(app.screen, LearnerModal)
        await pilot.press(*"Dave")
        await settle(pilot)
        assert app.screen.query_one("#new-learner", Input).value == "Dave"


# --- bug 3: Best counts review rounds; a failed exam does not say so -------------------


def _finish(store: ScoreStore, learner_id: int, session: QuizSession, wrong: set[str]) -> object:
    attempt = recording.start_attempt(store, learner_id, session)
    while not session.finished:
        card = session.current
        response = (wrong_response if card.id in wrong else right_response)(card)
        graded = session.answer(response, 1000)
        recording.record_answer(store, attempt, session.deck, card, graded)
        session.advance()
    result = session.result()
    recording.finish_attempt(store, attempt, result)
    return result


async def test_home_best_leaves_out_review_rounds_and_marks_a_failed_exam(data_dir: Path) -> None:
    learner = seed_learner(data_dir)
    deck = load_deck(ALL_TYPES)
    store = ScoreStore.open(paths.db_path(data_dir))
    practice = QuizSession.start(deck, QuizSettings(mode="practice", shuffle=False))
    result = _finish(store, learner.id, practice, {"q-tf", "q-typed"})  # 3 of 5: 60%
    _finish(store, learner.id, review_session(practice, result), set())  # 2 of 2
    scores = store.deck_scores(learner.id)[deck.id]
    assert (scores.best_score, scores.best_max_score) == (3, 5)

    exam = QuizSession.start(deck, QuizSettings(mode="exam", shuffle=False))
    _finish(store, learner.id, exam, {"q-tf"})  # 80% but a must-know card missed: failed
    app = new_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decks", DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        last, best = row[3], row[4]
        assert "80%" in last and "fail" in last.lower()
        assert "80%" in best  # the exam's 80% beats the 60% practice; the review is left out


# --- bug 4: an exam of 10 asks 11, and some topics never ------------------------------


def test_exam_plan_keeps_every_must_know_and_reaches_every_topic() -> None:
    from quizapp.core.decks.loading import load_decks
    from quizapp.core.quiz import plan_quiz

    decks = load_decks([Path(__file__).resolve().parents[2] / "decks"]).decks
    assert decks
    for deck in decks:
        critical = {card.id for card in deck.quiz_cards if card.critical}
        for seed in range(5):
            ids = plan_quiz(deck, QuizSettings(mode="exam", count=10, seed=seed))
            assert critical <= set(ids)
            asked = {deck.card(i).topic for i in ids}  # type: ignore[union-attr]
            assert asked == {card.topic for card in deck.quiz_cards}, deck.id


async def test_setup_says_how_many_questions_an_exam_asks(data_dir: Path) -> None:
    from quizapp.core.quiz import plan_quiz

    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, QuizSetupModal)
        await pilot.press("down", "space")  # Exam
        await settle(pilot)
        planned = plan_quiz(modal.deck, modal.chosen_settings())
        hint = str(modal.query_one("#setup-hint").render())
        assert f"asks {len(planned)} questions" in hint
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.session.total == len(planned)


# --- bug 5: the palette starts a quiz over a quiz -------------------------------------


async def test_palette_cannot_start_a_quiz_inside_a_quiz(data_dir: Path) -> None:
    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot)
        await run_palette_command(pilot, "Quiz: Test deck")
        if isinstance(app.screen, CommandPalette):  # no match: close it
            await pilot.press("escape")
            await settle(pilot)
        # Nothing opened over the quiz: no second quiz, no set-up or resume dialog.
        assert isinstance(app.screen, QuizScreen), app.screen_stack
        assert len(app.screen_stack) == 2, app.screen_stack


async def test_palette_starts_a_quiz_from_home(data_dir: Path) -> None:
    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_palette_command(pilot, "Quiz: Test deck")
        assert isinstance(app.screen, QuizSetupModal), app.screen_stack


# --- bug 6: wording ----------------------------------------------------------------------


async def test_resume_dialog_wording_for_an_exam_with_nothing_answered(data_dir: Path) -> None:
    learner = seed_learner(data_dir)
    deck = load_deck(ALL_TYPES)
    store = ScoreStore.open(paths.db_path(data_dir))
    recording.start_attempt(store, learner.id, QuizSession.start(deck, QuizSettings(mode="exam")))
    app = new_app(data_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResumeModal)
        text = " ".join(screen_text(app).split())
        assert "You started an exam" in text
        assert "answered 0" not in text
        assert "have not answered a question yet" in text


async def test_leaving_before_answering_says_nothing_was_saved(data_dir: Path) -> None:
    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await start_quiz(pilot)
        await pilot.press("escape")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert not any("Saved 0" in m for m in messages), messages


def test_one_flashcard_is_singular() -> None:
    from quizapp.ui.format import counted

    assert counted(1, "flashcard") == "1 flashcard"
    assert counted(0, "flashcard") == "0 flashcards"


# --- bug 7: footer keys that do nothing -------------------------------------------------


async def test_footer_hides_answer_keys_once_submitted(data_dir: Path) -> None:
    learner = seed_learner(data_dir)
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-order")
    app = new_app(data_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await resume_unfinished(pilot)
        assert "Move up" in footer_text(app)
        await pilot.press("enter")
        await settle(pilot)
        footer = footer_text(app)
        assert "Move up" not in footer and "Move down" not in footer, footer
        assert "Next" in footer


async def test_footer_hides_pick_once_a_choice_is_submitted(data_dir: Path) -> None:
    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        assert "Pick" in footer_text(app)
        await answer(pilot, app.screen.session.current)
        footer = footer_text(app)
        assert "Pick" not in footer, footer


async def test_first_run_learner_dialog_shows_no_escape(data_dir: Path) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LearnerModal)
        assert "Cancel" not in footer_text(app)


# --- bug 8: 60x20 -------------------------------------------------------------------------


async def test_setup_keeps_its_buttons_at_60x20(data_dir: Path) -> None:
    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizSetupModal)
        # The buttons themselves, not the footer's "⏎ Start  esc Cancel" line.
        above_footer = "\n".join(screen_text(app).splitlines()[:-1])
        assert "Start" in above_footer and "Cancel" in above_footer, above_footer


@pytest.mark.parametrize("width", [60, 100])
async def test_home_shows_long_titles_on_two_lines_then_an_ellipsis(
    data_dir: Path, tmp_path: Path, width: int
) -> None:
    long_title = (
        "Test deck: every card type, with a title long enough that no narrow screen can"
        " show it whole"
    )
    text = ALL_TYPES.read_text(encoding="utf-8")
    deck_file = tmp_path / "decks" / "long-title.yaml"
    deck_file.parent.mkdir()
    deck_file.write_text(
        text.replace('title: "Test deck: every card type"', f'title: "{long_title}"'),
        encoding="utf-8",
    )
    seed_learner(data_dir)
    app = new_app(data_dir, [deck_file])
    async with app.run_test(size=(width, 20)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#decks", DataTable)
        cell = str(table.get_row_at(0)[0])
        lines = cell.splitlines()
        assert len(lines) == 2, lines
        # Whole on two lines at 100 columns; cut with an ellipsis at 60.
        assert " ".join(lines) == long_title or lines[-1].endswith("…"), lines
        assert (width == 100) == (" ".join(lines) == long_title), lines
        drawn = screen_text(app)
        assert lines[0] in drawn and lines[1] in drawn, drawn


# --- friction: keys --------------------------------------------------------------------


async def test_question_mark_lists_this_screens_keys(data_dir: Path) -> None:
    from quizapp.ui.dialogs.keys import KeysModal

    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, KeysModal)
        text = screen_text(app)
        assert "Keys: Question" in text
        assert "Pick a choice" in text and "Stop here; resume later from Home" in text
        assert "Focus" not in text and "Copy" not in text  # Textual's generic keys
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)


async def test_palette_keys_command_lists_the_apps_keys(data_dir: Path) -> None:
    from quizapp.ui.dialogs.keys import KeysModal

    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_palette_command(pilot, "Keys")
        assert isinstance(app.screen, KeysModal), app.screen_stack
        text = screen_text(app)
        assert "Keys: Home" in text and "Review flashcards due" in text


async def test_q_in_a_quiz_asks_before_quitting(data_dir: Path) -> None:
    from quizapp.ui.dialogs.confirm import ConfirmModal

    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert app.is_running
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert app._exit_renderables is not None or not app.is_running or app._exit


async def test_question_and_feedback_show_together_at_80x24(data_dir: Path) -> None:
    learner = seed_learner(data_dir)
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-tf")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await resume_unfinished(pilot)
        await answer(pilot, app.screen.session.current, right=False)
        await pilot.pause(0.1)
        text = screen_text(app)
        card = deck.card("q-tf")
        assert card.prompt in " ".join(text.split())  # type: ignore[union-attr]
        assert "✗ (•) 1. True" in text and "✓ ( ) 2. False" in text  # marks, not colour
        assert "✗ Not quite" in text and "talk to your prescriber or pharmacist" in text


async def test_a_close_spelling_is_accepted_and_the_spelling_shown(data_dir: Path) -> None:
    learner = seed_learner(data_dir)
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-typed")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await resume_unfinished(pilot)
        await answer(pilot, app.screen.session.current, typed="gamma-aminobutyric acd")
        text = " ".join(screen_text(app).split())
        assert "✓ Correct · accepted — the spelling is gamma-aminobutyric acid" in text
    answers = ScoreStore.open(paths.db_path(data_dir)).unfinished_attempts(learner.id)
    assert answers and answers[0].answered == 4


async def test_setup_choices_read_without_colour(data_dir: Path) -> None:
    seed_learner(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "▐●▌ Practice" in text and "▐ ▌ Exam" in text
        await pilot.press("down", "space")
        await settle(pilot)
        text = screen_text(app)
        assert "▐ ▌ Practice" in text and "▐●▌ Exam" in text
        assert "▐X▌ Stopping safely" in text
        app.screen.query_one("#topics").focus()
        await pilot.press("down", "down", "space")  # untick "Stopping safely"
        await settle(pilot)
        text = screen_text(app)
        assert "▐ ▌ Stopping safely" in text and "▐X▌ How it works" in text


# --- friction: Home, results, flashcards ---------------------------------------------------


async def test_home_end_and_home_keys_move_the_deck_cursor(data_dir: Path, tmp_path: Path) -> None:
    second = tmp_path / "decks" / "second.yaml"
    second.parent.mkdir()
    second.write_text(
        ALL_TYPES.read_text(encoding="utf-8")
        .replace("id: test-all-types", "id: test-second")
        .replace('title: "Test deck: every card type"', 'title: "Second test deck"'),
        encoding="utf-8",
    )
    seed_learner(data_dir)
    app = new_app(data_dir, [ALL_TYPES, second])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decks", DataTable)
        assert table.row_count == 2 and table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 1
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_home_marks_a_deck_with_an_unfinished_quiz(data_dir: Path) -> None:
    learner = seed_learner(data_dir)
    seed_unfinished(data_dir, learner, load_deck(ALL_TYPES), "q-tf")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#decks", DataTable)
        assert str(table.get_row_at(0)[3]) == "unfinished"


async def test_results_write_an_order_answer_with_arrows(data_dir: Path) -> None:
    learner = seed_learner(data_dir)
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-order")
    app = new_app(data_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await resume_unfinished(pilot)
        given = await answer(pilot, app.screen.session.current, right=False)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        missed = "\n".join(str(s.render()) for s in app.screen.query(".missed-detail"))
        assert "Your answer: " + " → ".join(given) in missed  # type: ignore[arg-type]
        assert "; " not in missed
