"""Issue 12 in the app: what the quiz says it saved is what the store holds.

Real app (`make_app`), real SQLite file, real key presses: another process holds the
write lock past the busy timeout (shortened from 10 s to 0.3 s, same behaviour), two
app instances share one data folder, and a learner name the store refuses.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from snapshot_app import (
    answer,
    load_deck,
    new_app,
    screen_text,
    seed_unfinished,
    settle,
    start_quiz,
)
from textual.pilot import Pilot
from textual.widgets import Input, Static

from quizapp.core import paths
from quizapp.core.pending import pending_path
from quizapp.core.store import Learner, ScoreStore
from quizapp.core.store import database as database_module
from quizapp.ui.dialogs.learner import LearnerModal
from quizapp.ui.dialogs.records import ClaimedModal, UnsavedModal
from quizapp.ui.dialogs.setup import ResumeModal
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.quiz import QuizScreen

from snapshot_app import ALL_TYPES  # isort: skip

SIZE = (80, 24)

_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    """
)


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_S", 0.3)


@contextmanager
def write_lock_held(db: Path) -> Iterator[None]:
    """Another process holding `BEGIN IMMEDIATE` on the database until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


async def drain(pilot: Pilot[object]) -> None:
    """Let the quiz's background writer threads finish (they call back into the app)."""
    for _ in range(400):
        await settle(pilot)
        if not any(t.name == "quizapp-store-writer" for t in threading.enumerate()):
            break
        await pilot.pause(0.05)
    await settle(pilot)


def stored_answers(data_dir: Path) -> int:
    store = ScoreStore.open(paths.db_path(data_dir))
    return sum(a.answered for learner in store.learners() for a in store.history(learner.id))


async def test_answers_not_saved_are_shown_asked_about_and_kept_for_later(
    data_dir: Path, learner: Learner
) -> None:
    db = paths.db_path(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        await drain(pilot)  # the attempt is stored before the lock is taken
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        with write_lock_held(db):
            for _ in range(2):
                await answer(pilot, quiz.session.current)
                await drain(pilot)
                await pilot.press("enter")
                await settle(pilot)
            banner = quiz.query_one("#quiz-unsaved", Static)
            assert banner.display
            assert "2 answers not saved yet" in str(banner.render())
            assert "busy" in str(banner.render())
            await pilot.press("escape")
            await drain(pilot)
            assert isinstance(app.screen, UnsavedModal)
            text = str(app.screen.query_one("#unsaved-text", Static).render())
            assert "2 answers could not be saved yet" in text
            assert "0 answers of this session are saved" in text
            assert "Saved 2" not in text
            await pilot.click("#keep-button")
            await drain(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert stored_answers(data_dir) == 0
    kept = pending_path(db)
    assert kept.stat().st_mode & 0o777 == 0o600

    again = new_app(data_dir)  # the next start writes them, once
    assert stored_answers(data_dir) == 2
    assert not kept.exists()
    assert any(
        "2 answer(s) or rating(s) kept from last time were saved" in n for n in again.startup_notes
    )
    new_app(data_dir)
    assert stored_answers(data_dir) == 2


async def test_leaving_says_the_count_the_store_holds_after_a_retry(
    data_dir: Path, learner: Learner
) -> None:
    db = paths.db_path(data_dir)
    app = new_app(data_dir)
    messages: list[str] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        await drain(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        await answer(pilot, quiz.session.current)  # saved
        await drain(pilot)
        await pilot.press("enter")
        with write_lock_held(db):
            await answer(pilot, quiz.session.current)  # not saved
            await drain(pilot)
            await pilot.press("escape")
            await drain(pilot)
            assert isinstance(app.screen, UnsavedModal)
            text = str(app.screen.query_one("#unsaved-text", Static).render())
            assert "1 answer of this session is saved" in text
        await pilot.click("#retry-button")  # the lock is gone now
        await drain(pilot)
        assert isinstance(app.screen, HomeScreen)
        messages = [n.message for n in app._notifications]
    assert any("Saved 2 answers" in m for m in messages), messages
    assert stored_answers(data_dir) == 2


async def test_leave_without_them_says_how_many_and_keeps_nothing(
    data_dir: Path, learner: Learner
) -> None:
    db = paths.db_path(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await start_quiz(pilot, shuffle=False)
        await drain(pilot)
        quiz = app.screen
        assert isinstance(quiz, QuizScreen)
        with write_lock_held(db):
            await answer(pilot, quiz.session.current)
            await drain(pilot)
            await pilot.press("escape")
            await drain(pilot)
            assert "Leave without them (1)" in screen_text(app)
            await pilot.click("#drop-button")
            await drain(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("Left without 1 answer" in n.message for n in app._notifications)
    assert stored_answers(data_dir) == 0
    assert not pending_path(db).exists()


async def test_a_second_window_is_told_the_attempt_is_open_and_may_take_it_over(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(ALL_TYPES)
    attempt = seed_unfinished(data_dir, learner, deck, up_to="q-tf")  # 2 of 5 answered
    first, second = new_app(data_dir), new_app(data_dir)
    async with first.run_test(size=SIZE, notifications=True) as one:
        await settle(one)
        await one.press("enter", "r")
        await settle(one)
        quiz_one = first.screen
        assert isinstance(quiz_one, QuizScreen)
        async with second.run_test(size=SIZE) as two:
            await settle(two)
            await two.press("enter")
            await settle(two)
            assert isinstance(second.screen, ResumeModal)
            await two.press("r")
            await settle(two)
            assert isinstance(second.screen, ClaimedModal)
            assert "open in another window" in screen_text(second)
            await two.click("#take-over-button")
            await settle(two)
            quiz_two = second.screen
            assert isinstance(quiz_two, QuizScreen)
            for _ in range(3):
                await answer(two, quiz_two.session.current)
                await drain(two)
                await two.press("enter")
                await settle(two)
        # The first window answers on; the store refuses it, and says so.
        await answer(one, quiz_one.session.current)
        await drain(one)
        assert any("not saved" in n.message for n in first._notifications)
    store = ScoreStore.open(paths.db_path(data_dir))
    assert store.attempt(attempt).answered == 5  # never more rows than cards
    assert store.attempt(attempt).status == "finished"


async def test_creating_a_learner_with_a_name_the_store_refuses_says_why(data_dir: Path) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LearnerModal)
        # Pasted, as a right-to-left override usually arrives (no key types it).
        app.screen.query_one("#new-learner", Input).insert_text_at_cursor("Ann\u202eevil")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LearnerModal)
        message = str(app.screen.query_one("#learner-message", Static).render())
        assert "invisible formatting characters" in message
    assert ScoreStore.open(paths.db_path(data_dir)).learners() == []


async def test_flashcard_ratings_not_saved_are_shown_undone_in_the_queue_then_saved(
    data_dir: Path,
) -> None:
    from tests.helpers.clock import Clock
    from ui.test_flashcards_ui import START, open_cards, seed
    from ui.test_flashcards_ui import new_app as new_cards_app

    learner = seed(data_dir)
    db = paths.db_path(data_dir)
    app = new_cards_app(data_dir, Clock(START))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_cards(pilot)
        with write_lock_held(db):
            for _ in range(2):
                await pilot.press("space", "3")
                await drain(pilot)
            banner = screen.query_one("#card-unsaved", Static)
            assert banner.display and "2 ratings not saved yet" in str(banner.render())
            await pilot.press("u")  # the second, still unsaved, rating is taken back
            await drain(pilot)
            assert "1 rating not saved yet" in str(banner.render())
            assert ScoreStore.open(db).reviews(learner.id) == []
            await pilot.press("escape")
            await drain(pilot)
            assert isinstance(app.screen, UnsavedModal)
            await pilot.click("#retry-button")  # still locked: asked again
            await drain(pilot)
            assert isinstance(app.screen, UnsavedModal)
        await pilot.click("#retry-button")
        await drain(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert [r.card_id for r in ScoreStore.open(db).reviews(learner.id)] == ["f-one"]


async def test_a_quiz_started_while_the_store_is_locked_keeps_its_start_and_answers(
    data_dir: Path, learner: Learner
) -> None:
    db = paths.db_path(data_dir)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        with write_lock_held(db):
            await start_quiz(pilot, shuffle=False)
            await drain(pilot)
            quiz = app.screen
            assert isinstance(quiz, QuizScreen) and quiz.attempt_id is None
            for _ in range(2):
                await answer(pilot, quiz.session.current)
                await drain(pilot)
                await pilot.press("enter")
                await settle(pilot)
            banner = quiz.query_one("#quiz-unsaved", Static)
            assert "2 answers not saved yet" in str(banner.render())
            await pilot.press("escape")
            await drain(pilot)
            assert isinstance(app.screen, UnsavedModal)
            await pilot.click("#keep-button")
            await drain(pilot)
    store = ScoreStore.open(db)
    assert store.unfinished_attempts(learner.id) == []

    new_app(data_dir)  # the next start: the attempt, then its answers, once
    (attempt,) = store.unfinished_attempts(learner.id)
    assert attempt.answered == 2
    assert [a.card_id for a in store.attempt(attempt.id).answers] == ["q-single", "q-multi"]
