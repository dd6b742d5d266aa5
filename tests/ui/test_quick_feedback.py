"""Pilot tests of what makes answers and ratings show in one frame (issue 18), each
checking the behaviour, not the time (speed is measured in tests/benchmarks):

- the first frame drawn after Enter shows the feedback panel (for every kind of
  question: a typed answer's first frame used to be the disabled input without it);
- the first frame after a rating shows the next card with the rated card's back gone;
- the footer is rebuilt only when the keys it shows change (Home's is built once);
- a row whose text is unchanged is not redrawn, and rows carry the right classes;
- the feedback panel scrolls only when some of it is out of view;
- one writer thread serves a screen's writes and ends when the screen closes;
- long-lived objects are frozen out of garbage collections while the app runs, and
  removed inputs and footer keys are not kept alive.
"""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path
from typing import Any

import pytest
from snapshot_app import (
    ALL_TYPES,
    load_deck,
    new_app,
    resume_unfinished,
    screen_text,
    seed_unfinished,
    settle,
)
from textual.pilot import Pilot
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from quizapp.core import paths
from quizapp.core.settings import Settings, save_settings
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.app import make_app
from quizapp.ui.screens.flashcards import FlashcardScreen
from quizapp.ui.screens.quiz import QuizScreen
from quizapp.ui.widgets.answers import ChoiceList, OptionRow, TypedAnswer
from quizapp.ui.widgets.feedback import Feedback
from quizapp.ui.writer import IDLE_THREAD_NAME, THREAD_NAME

SIZE = (80, 24)
CHOOSE = {"q-single": "1", "q-multi": "1", "q-tf": "t", "q-typed": "x", "q-order": None}
"""A key that gives each card of all-types.yaml an answer (the order card has one)."""
FIVE = Path(__file__).resolve().parents[1] / "data" / "decks" / "flashcards" / "five-cards.yaml"


async def resume_at(pilot: Pilot[Any], card_id: str) -> QuizScreen:
    """From Home, resume the seeded unfinished attempt: its next card is `card_id`."""
    quiz = await resume_unfinished(pilot)
    assert quiz.session.current.id == card_id
    return quiz


def frames_after(screen: Any, check: Any) -> list[bool]:
    """Record `check()` after every frame the screen draws from now on."""
    seen: list[bool] = []
    draw = screen._compositor_refresh

    def drawn() -> None:
        draw()
        seen.append(check())

    screen._compositor_refresh = drawn
    return seen


def reads(app: Any) -> str:
    """The screen's words in order, panel borders left out (lines wrap inside the panel)."""
    return " ".join(screen_text(app).replace("│", " ").split())


def on_screen(screen: Any, widget: Any) -> bool:
    return widget in screen._compositor.visible_widgets


@pytest.mark.parametrize("card_id", list(CHOOSE))
async def test_the_first_frame_after_enter_shows_the_feedback(
    data_dir: Path, learner: Learner, card_id: str
) -> None:
    seed_unfinished(data_dir, learner, load_deck(ALL_TYPES), card_id)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        quiz = await resume_at(pilot, card_id)
        if CHOOSE[card_id]:
            await pilot.press(CHOOSE[card_id])
        await settle(pilot)
        panel = quiz.query_one(Feedback)
        assert not on_screen(quiz, panel)
        frames = frames_after(quiz, lambda: on_screen(quiz, panel))
        await pilot.press("enter")
        await settle(pilot)
        assert frames and frames[0], frames  # the very first frame, not a later one
        assert "✓ Correct" in screen_text(app) or "✗ Not quite" in screen_text(app)


async def test_the_first_frame_after_a_rating_shows_the_next_card(data_dir: Path) -> None:
    store = ScoreStore.open(paths.db_path(data_dir))
    store.acknowledge_notice(store.add_learner("Ana").id)
    save_settings(Settings(learner="Ana"), paths.settings_path(data_dir))
    app = make_app(data_dir=data_dir, extra_decks=[FIVE], bundled=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        cards = app.screen
        assert isinstance(cards, FlashcardScreen) and cards.loaded
        back = cards.query_one("#card-back", Static)
        for _ in range(3):
            first = cards.queue[0]
            await pilot.press("space")  # flip
            await settle(pilot)
            assert on_screen(cards, back)
            frames = frames_after(cards, lambda: not on_screen(cards, back))
            await pilot.press("3")
            await settle(pilot)
            assert frames and frames[0], frames
            assert cards.queue[0] is not first
            assert cards.queue[0].front.split()[0] in screen_text(app)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(
    data_dir: Path, learner: Learner
) -> None:
    seed_unfinished(data_dir, learner, load_deck(ALL_TYPES), "q-single")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        quiz = await resume_at(pilot, "q-single")
        footer = quiz.query_one(Footer)
        keys = list(footer.query(FooterKey))
        assert "Submit" in [key.description for key in keys]
        for _ in range(3):  # nothing changed: the same key widgets stay
            quiz.refresh_bindings()
        await settle(pilot)
        assert list(footer.query(FooterKey)) == keys
        await pilot.press("1", "enter")
        await settle(pilot)
        shown = [key.description for key in footer.query(FooterKey)]
        assert "Next" in shown and "Submit" not in shown and "Pick/toggle" not in shown
        assert "Next" in screen_text(app).splitlines()[-1]


async def test_home_builds_its_footer_keys_once(data_dir: Path, learner: Learner) -> None:
    """Textual's Footer rebuilt Home's keys three times between the first frame and the
    scores being shown (restyling every key on the event loop while the scores loaded),
    and kept each rebuild's keys alive."""
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = list(app.home.query_one(Footer).query(FooterKey))
        assert "Quiz" in [key.description for key in shown]
        gc.unfreeze()  # frozen objects are not listed by gc.get_objects
        gc.collect()
        alive = [thing for thing in gc.get_objects() if isinstance(thing, FooterKey)]
        assert len(alive) == len(shown)


async def test_submitting_redraws_only_the_rows_that_change(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-single")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        quiz = await resume_at(pilot, "q-single")
        choices = quiz.query_one(ChoiceList)
        rows = list(choices.query(OptionRow))
        right = next(iter(choices.right))
        wrong = (right + 1) % len(rows)
        await pilot.press(str(wrong + 1))
        await settle(pilot)
        before = [row.visual for row in rows]
        await pilot.press("enter")
        await settle(pilot)
        for row in rows:
            changes = row.index in (right, wrong)
            assert (row.visual is not before[row.index]) == changes, row.index
            assert row.has_class("-right") == (row.index == right)
            assert row.has_class("-wrong") == (row.index == wrong)
            assert not row.has_class("-cursor")
        text = screen_text(app)
        assert f"✗ (•) {wrong + 1}." in text and f"✓ ( ) {right + 1}." in text


async def test_the_panel_scrolls_into_view_only_when_it_is_not(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-tf")
    app = new_app(data_dir)
    async with app.run_test(size=(120, 50)) as pilot:  # room for everything
        quiz = await resume_at(pilot, "q-tf")
        body = quiz.query_one("#quiz-body")
        scrolls: list[object] = []
        panel = quiz.query_one(Feedback)
        panel.scroll_visible = lambda *a, **k: scrolls.append(a)  # type: ignore[method-assign]
        await pilot.press("f" if deck.card("q-tf").answer else "t", "enter")  # type: ignore[union-attr]
        await settle(pilot)
        assert panel.fully_in_view() and body.scroll_y == 0
        assert scrolls == []
        assert "talk to your prescriber or pharmacist" in reads(app)


async def test_at_60x20_the_must_know_line_is_scrolled_into_view(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-tf")
    app = new_app(data_dir)
    async with app.run_test(size=(60, 20)) as pilot:  # the smallest size: it must scroll
        quiz = await resume_at(pilot, "q-tf")
        await pilot.press("f" if deck.card("q-tf").answer else "t", "enter")  # type: ignore[union-attr]
        await settle(pilot)
        panel = quiz.query_one(Feedback)
        assert quiz.query_one("#quiz-body").scroll_y > 0
        assert panel.fully_in_view()
        assert "talk to your prescriber or pharmacist" in reads(app)


async def test_one_writer_thread_per_screen_ending_when_it_closes(
    data_dir: Path, learner: Learner
) -> None:
    deck = load_deck(ALL_TYPES)
    seed_unfinished(data_dir, learner, deck, "q-single")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        quiz = await resume_at(pilot, "q-single")
        served: list[int] = []
        for key in ("1", "1"):  # two answers, each written
            await pilot.press(key, "enter")
            await settle(pilot)
            quiz.writer.submit(lambda: served.append(threading.get_ident()))
            await pilot.press("enter")  # next question
            await settle(pilot)
        for _ in range(200):
            if len(served) == 2:
                break
            await pilot.pause(0.02)
        assert len(served) == 2 and len(set(served)) == 1  # the same thread ran both
        (thread,) = [t for t in threading.enumerate() if t.ident in served]
        assert thread.name in (THREAD_NAME, IDLE_THREAD_NAME)
        await pilot.press("escape")  # leave: the screen closes
        await settle(pilot)
        thread.join(timeout=10)
        assert not thread.is_alive()
    store = ScoreStore.open(paths.db_path(data_dir))
    (attempt,) = store.unfinished_attempts(learner.id)
    assert attempt.answered == 2  # q-single and q-multi, each written


async def test_long_lived_objects_are_frozen_while_the_app_runs(
    data_dir: Path, learner: Learner
) -> None:
    seed_unfinished(data_dir, learner, load_deck(ALL_TYPES), "q-single")
    gc.unfreeze()
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        at_home = gc.get_freeze_count()
        assert at_home > 0
        await resume_at(pilot, "q-single")
        with_deck = gc.get_freeze_count()
        assert with_deck > at_home  # the deck's models too
        await pilot.press("escape")  # leave; then the same deck again
        await settle(pilot)
        await resume_at(pilot, "q-single")
        # Once per deck: a freeze at every quiz would keep the last one's leftovers.
        assert gc.get_freeze_count() <= with_deck
    assert gc.get_freeze_count() == 0  # given back when the app ends


async def test_old_inputs_and_footer_keys_are_not_kept_alive(
    data_dir: Path, learner: Learner
) -> None:
    """Textual keeps an input subscribed to its screen's text-selection signal, and a
    footer key bound to its footer, after they are removed: both are let go here, so a
    long quiz does not pile up widgets for the garbage collector to walk."""
    seed_unfinished(data_dir, learner, load_deck(ALL_TYPES), "q-typed")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        quiz = await resume_at(pilot, "q-typed")
        # Not by query_one: the screen caches the answer of a query for a while.
        assert isinstance(quiz.answer_widget, TypedAnswer)
        typed = weakref.ref(quiz.answer_widget)
        old_keys = [weakref.ref(key) for key in quiz.query_one(Footer).query(FooterKey)]
        await pilot.press(*"gaba", "enter")  # the footer changes to Next
        await settle(pilot)
        await pilot.press("enter")  # the next question: the input is removed
        await settle(pilot)
        assert quiz.session.current.id == "q-order"
        gc.collect()
        assert typed() is None
        assert old_keys and all(key() is None for key in old_keys)


async def test_no_garbage_collection_between_enter_and_the_feedback_frame(
    data_dir: Path, learner: Learner
) -> None:
    seed_unfinished(data_dir, learner, load_deck(ALL_TYPES), "q-single")
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        quiz = await resume_at(pilot, "q-single")
        await pilot.press("1")
        await settle(pilot)
        assert gc.isenabled()
        panel = quiz.query_one(Feedback)
        frames = frames_after(quiz, lambda: (on_screen(quiz, panel), gc.isenabled()))
        await pilot.press("enter")
        await settle(pilot)
        assert frames[0] == (True, False)  # the feedback frame was drawn with them held
        assert gc.isenabled()  # and they are back right after it
    assert gc.isenabled()
