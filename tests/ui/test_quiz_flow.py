"""Pilot tests: the quiz played with real key presses, then what the store recorded.

Every test runs the real app (`make_app`) on its own data folder with the all-types
deck, at 80x24, and checks both the screen and the SQLite store afterwards.
"""

from __future__ import annotations

from pathlib import Path

from snapshot_app import (
    ALL_TYPES,
    FIXED_NOW,
    answer,
    load_deck,
    new_app,
    screen_text,
    seed_history,
    seed_unfinished,
    settle,
    start_quiz,
)
from textual.widgets import DataTable

from quizapp.core import paths
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.dialogs.learner import LearnerModal
from quizapp.ui.dialogs.notice import NoticeModal
from quizapp.ui.dialogs.setup import QuizSetupModal, ResumeModal
from quizapp.ui.screens.history import AttemptScreen, HistoryScreen
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.quiz import QuizScreen
from quizapp.ui.screens.results import ResultsScreen

SIZE = (80, 24)
DECK_ORDER = ["q-single", "q-multi", "q-tf", "q-typed", "q-order"]
"""The quiz cards of all-types.yaml in deck order (the flashcard is never asked)."""


def store_of(data_dir: Path) -> ScoreStore:
    return ScoreStore.open(paths.db_path(data_dir))


def feedback_text(app: object) -> str:
    return str(app.screen.query_one("#quiz-feedback").render())  # type: ignore[attr-defined]


async def test_first_launch_notice_once_then_on_f1(data_dir: Path) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LearnerModal)
        await pilot.press(*"Ada Lovelace", "enter")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        assert "It is not medical advice" in screen_text(app)
        # A first-time learner cannot just close it.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await pilot.press("enter")  # I understand
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.focused is app.screen.query_one("#decks", DataTable)

    (ada,) = store_of(data_dir).learners()
    assert ada.name == "Ada Lovelace"
    assert ada.acknowledged_notice_at == FIXED_NOW

    again = new_app(data_dir)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, HomeScreen), again.screen_stack
        assert len(again.screen_stack) == 1
        assert "Ada Lovelace" in again.sub_title
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(again.screen, NoticeModal)
        await pilot.press("escape")  # acknowledged already, so it just closes
        await settle(pilot)
        assert isinstance(again.screen, HomeScreen)


async def test_full_practice_quiz_every_card_type(data_dir: Path, learner: Learner) -> None:
    app = new_app(data_dir)
    given = {}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await start_quiz(pilot, shuffle=False)
        quiz = app.screen
        assert quiz.session.card_ids == DECK_ORDER
        plan = {  # card id -> answered right?
            "q-single": True,
            "q-multi": True,
            "q-tf": False,
            "q-typed": True,
            "q-order": True,
        }
        for number, card_id in enumerate(DECK_ORDER, start=1):
            card = quiz.session.current
            assert card.id == card_id
            assert f"Question {number} of 5" in screen_text(app)
            given[card_id] = await answer(
                pilot, card, right=plan[card_id], typed="gaba" if card_id == "q-typed" else None
            )
            assert app.screen is quiz  # practice waits on the feedback
            text = feedback_text(app)
            if plan[card_id]:
                assert "✓ Correct" in text and "Not quite" not in text
            else:
                assert "✗ Not quite" in text
                assert "Right answer: False" in text
                assert "talk to your prescriber or pharmacist" in text  # q-tf is must-know
                # ...and at 80x24 the panel is scrolled into view, that line included.
                assert "talk to your prescriber or pharmacist" in screen_text(app)
            assert card.explanation in text
            assert "Source: " in text
            await pilot.press("enter")  # next
            await settle(pilot)

        assert isinstance(app.screen, ResultsScreen)
        results = screen_text(app)
        assert "Score: 4 of 5 (80%)" in results
        assert "You got 4 of 5 right." in results
        assert "Questions to look at again" in results

    assert given == {
        "q-single": "It makes GABA work better.",
        "q-multi": ["Alcohol", "Opioid pain medicine"],
        "q-tf": True,
        "q-typed": "gaba",
        "q-order": [
            "Talk to your prescriber about a plan.",
            "Lower the dose a little at a time.",
            "Tell the prescriber about any withdrawal signs.",
        ],
    }
    store = store_of(data_dir)
    (summary,) = store.history(learner.id)
    assert (summary.mode, summary.status, summary.score, summary.max_score) == (
        "practice",
        "finished",
        4.0,
        5.0,
    )
    assert summary.passed is None
    assert summary.started_at == FIXED_NOW
    attempt = store.attempt(summary.id)
    assert [a.card_id for a in attempt.answers] == DECK_ORDER
    assert {a.card_id: a.response for a in attempt.answers} == given
    assert {a.card_id: a.correct for a in attempt.answers} == plan
    assert [a.critical for a in attempt.answers] == [False, True, True, False, False]
    assert attempt.plan["card_ids"] == DECK_ORDER


async def test_exam_all_right_passes(data_dir: Path, learner: Learner) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot, exam=True, shuffle=True)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        asked = list(quiz.session.card_ids)
        assert sorted(asked) == sorted(DECK_ORDER)
        for number in range(1, 6):
            card = quiz.session.current
            assert f"Question {number} of 5" in screen_text(app)
            await answer(pilot, card, order_key="d")
            # An exam gives no feedback: Enter went straight on.
            if number < 5:
                assert app.screen is quiz and quiz.session.index == number
                assert not quiz.query_one("#quiz-feedback").has_class("-shown")
        assert isinstance(app.screen, ResultsScreen)
        text = screen_text(app)
        assert "Score: 5 of 5 (100%)" in text
        assert "✓ Passed" in text
        assert "You answered every question correctly." in text

    store = store_of(data_dir)
    (summary,) = store.history(learner.id)
    assert (summary.mode, summary.status, summary.passed) == ("exam", "finished", True)
    assert (summary.score, summary.max_score, summary.pass_mark) == (5.0, 5.0, 0.8)
    attempt = store.attempt(summary.id)
    assert [a.card_id for a in attempt.answers] == asked
    assert all(a.correct for a in attempt.answers)


async def test_exam_fails_on_missed_critical_card_despite_pass_mark(
    data_dir: Path, learner: Learner
) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot, exam=True, shuffle=False)
        quiz = app.screen
        for _ in range(5):
            card = quiz.session.current
            # 4 of 5 = 80%, exactly the pass mark; the one miss is the must-know q-multi.
            await answer(pilot, card, right=card.id != "q-multi")
        assert isinstance(app.screen, ResultsScreen)
        text = screen_text(app)
        assert "Score: 4 of 5 (80%)" in text
        assert "✗ Not passed: 1 must-know question was missed." in text
        assert "below the pass mark" not in text
        assert "Which of these add to diazepam's sleepiness" in text  # listed as missed
        assert "Right answer: Alcohol; Opioid pain medicine" in text
        assert "talk to your prescriber or pharmacist" in text

    store = store_of(data_dir)
    (summary,) = store.history(learner.id)
    assert (summary.mode, summary.status, summary.passed, summary.score) == (
        "exam",
        "finished",
        False,
        4.0,
    )
    attempt = store.attempt(summary.id)
    wrong = [(a.card_id, a.response, a.critical) for a in attempt.answers if not a.correct]
    assert wrong == [("q-multi", ["Alcohol"], True)]


async def test_leave_mid_quiz_then_resume_in_a_new_app(data_dir: Path, learner: Learner) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=True)
        quiz = app.screen
        planned = list(quiz.session.card_ids)
        for _ in range(2):
            await answer(pilot, quiz.session.current)
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)

    store = store_of(data_dir)
    (unfinished,) = store.unfinished_attempts(learner.id, "test-all-types")
    assert unfinished.answered == 2
    assert [a.card_id for a in store.attempt(unfinished.id).answers] == planned[:2]

    again = new_app(data_dir)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(again.screen, ResumeModal)
        assert "answered 2 questions" in screen_text(again)
        await pilot.press("r")
        await settle(pilot)
        quiz = again.screen
        assert isinstance(quiz, QuizScreen)
        assert quiz.session.card_ids == planned
        assert quiz.session.current.id == planned[2]
        assert "Question 3 of 5" in screen_text(again)
        for _ in range(3):
            await answer(pilot, quiz.session.current)
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(again.screen, ResultsScreen)
        assert "Score: 5 of 5 (100%)" in screen_text(again)

    (summary,) = store.history(learner.id)
    assert summary.id == unfinished.id
    assert (summary.status, summary.score) == ("finished", 5.0)
    assert [a.card_id for a in store.attempt(summary.id).answers] == planned
    assert store.unfinished_attempts(learner.id) == []


async def test_quitting_the_app_mid_quiz_keeps_the_answer_just_given(
    data_dir: Path, learner: Learner
) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        await pilot.press("2", "enter", "ctrl+q")  # answer, and quit straight away
    assert not app.is_running
    (summary,) = store_of(data_dir).unfinished_attempts(learner.id)
    (given,) = store_of(data_dir).attempt(summary.id).answers
    assert (given.card_id, given.response, given.correct) == (
        "q-single",
        "It makes GABA work better.",
        True,
    )


async def test_discard_unfinished_attempt(data_dir: Path, learner: Learner) -> None:
    seed_unfinished(data_dir, learner, load_deck(ALL_TYPES), "q-multi")  # one answer given
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResumeModal)
        assert "answered 1 question." in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, QuizSetupModal)  # discard, then start again
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter")  # nothing left to resume
        await settle(pilot)
        assert isinstance(app.screen, QuizSetupModal)

    store = store_of(data_dir)
    assert store.unfinished_attempts(learner.id) == []
    assert store.history(learner.id) == []
    (discarded,) = store.history(learner.id, include_discarded=True)
    assert discarded.status == "discarded"
    assert discarded.answered == 1


async def test_review_my_mistakes_asks_only_missed_cards(data_dir: Path, learner: Learner) -> None:
    # A practice round already answered up to its last card, two cards missed.
    practice_id = seed_unfinished(
        data_dir, learner, load_deck(ALL_TYPES), "q-order", wrong=frozenset({"q-single", "q-typed"})
    )
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "r")  # resume it
        await settle(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen) and quiz.session.current.id == "q-order"
        await answer(pilot, quiz.session.current)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        assert "Score: 3 of 5 (60%)" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, QuizScreen)
        assert review.session.mode == "review"
        assert review.session.card_ids == ["q-single", "q-typed"]
        assert "Question 1 of 2" in screen_text(app)
        for _ in range(2):
            await answer(pilot, review.session.current)
            assert "✓ Correct" in feedback_text(app)
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        assert "Score: 2 of 2 (100%)" in screen_text(app)
        assert "You answered every question correctly." in screen_text(app)
        await pilot.press("enter")  # home
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)

    store = store_of(data_dir)
    review_summary, practice_summary = store.history(learner.id)
    assert practice_summary.id == practice_id
    assert (practice_summary.status, practice_summary.score) == ("finished", 3.0)
    assert (review_summary.mode, review_summary.status) == ("review", "finished")
    assert (review_summary.score, review_summary.max_score) == (2.0, 2.0)
    answers = store.attempt(review_summary.id).answers
    assert [(a.card_id, a.response, a.correct) for a in answers] == [
        ("q-single", "It makes GABA work better.", True),
        ("q-typed", "GABA", True),
    ]


async def test_history_lists_attempts_and_opens_one(data_dir: Path, learner: Learner) -> None:
    deck = load_deck(ALL_TYPES)
    exam_id, practice_id = seed_history(data_dir, learner, deck)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#history", DataTable)
        assert table.row_count == 2
        text = screen_text(app)
        assert "History of Ada" in text
        assert "Practice" in text and "Exam" in text
        assert "✓ passed" in text and "80%" in text and "100%" in text
        # Newest first: the practice round (one miss) is on top; open it.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AttemptScreen)
        assert app.screen.attempt_id == practice_id
        answers = app.screen.query_one("#attempt-answers", DataTable)
        assert answers.row_count == 5
        text = screen_text(app)
        assert "score 80%" in text
        assert "GABBA" in text and "✗ wrong" in text and "✓ right" in text
        assert "What does diazepam do to GABA" in text
        await pilot.press("escape", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AttemptScreen)
        assert app.screen.attempt_id == exam_id
        assert "✓ passed" in screen_text(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_feedback_shows_a_card_review_date_other_than_the_decks(
    data_dir: Path, learner: Learner, tmp_path: Path
) -> None:
    # Issue 13: a card re-checked on its own day says so next to its sources; a card
    # reviewed on the deck's day (or without a date) shows nothing more.
    text = ALL_TYPES.read_text(encoding="utf-8")
    for card_id, reviewed in (("q-single", "2026-10-02"), ("q-multi", "2026-11-21")):
        line = f"  - id: {card_id}\n"
        assert text.count(line) == 1 and "reviewed: 2026-11-21\n" in text
        text = text.replace(line, f"{line}    reviewed: {reviewed}\n")
    deck_file = tmp_path / "reviewed-cards.yaml"
    deck_file.write_text(text, encoding="utf-8")
    app = new_app(data_dir, [deck_file])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        quiz = app.screen
        assert quiz.session.current.id == "q-single"
        await answer(pilot, quiz.session.current)
        feedback = feedback_text(app)
        assert "Source: VALIUM" in feedback
        assert "This card was reviewed on 2026-10-02 (the deck on 2026-11-21)." in feedback
        await pilot.press("enter")
        await settle(pilot)
        assert quiz.session.current.id == "q-multi"
        await answer(pilot, quiz.session.current)
        assert "Source: VALIUM" in feedback_text(app)
        assert "reviewed on" not in feedback_text(app)
