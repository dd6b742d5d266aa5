"""SVG snapshots of the main screens at 60x20, 80x24 and 120x40 (and one in NO_COLOR).

Each test builds a real app on a fresh data folder inside `tmp_path`, seeded so that it
opens straight on Home (a learner who has acknowledged the notice, remembered in the
settings), with the fixed clock, then navigates with keys in `run_before`. To reach a
question quickly, the store is seeded with an unfinished attempt (deck order, a pinned
shuffle seed for the order card) answered up to that question, which Home resumes.

Regenerate with `pytest tests/ui/test_snapshots.py --snapshot-update` (then run again
without it) and look at `snapshot_report.html` when one differs. Home's snapshots change
whenever its columns or footer do.
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
    screen_text,
    seed_history,
    seed_learner,
    seed_unfinished,
    settle,
)
from textual.pilot import Pilot

from quizapp.ui.app import QuizApp
from quizapp.ui.dialogs.setup import QuizSetupModal
from quizapp.ui.screens.history import HistoryScreen
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.quiz import QuizScreen
from quizapp.ui.screens.results import ResultsScreen

SIZES = [
    pytest.param((60, 20), id="60x20"),
    pytest.param((80, 24), id="80x24"),
    pytest.param((120, 40), id="120x40"),
]
"""From the smallest supported terminal up (issue 14: every screen works from 60x20)."""


def seeded_app(
    tmp_path: Path,
    *,
    history: bool = False,
    unfinished_at: str | None = None,
    wrong: frozenset[str] = frozenset(),
) -> QuizApp:
    """The app on a new data folder with a learner, and optionally two past attempts or an
    unfinished one that stops at card `unfinished_at`."""
    data_dir = tmp_path / "snapshot-data"
    learner = seed_learner(data_dir)
    deck = load_deck(ALL_TYPES)
    if history:
        seed_history(data_dir, learner, deck)
    if unfinished_at is not None:
        seed_unfinished(data_dir, learner, deck, unfinished_at, wrong=wrong)
    return new_app(data_dir)


async def at_home(pilot: Pilot[None]) -> None:
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen), pilot.app.screen_stack
    assert "Test deck:" in screen_text(pilot.app)  # type: ignore[arg-type]  (wraps at 60)


async def resume(pilot: Pilot[None]) -> QuizScreen:
    """From Home, resume the seeded unfinished attempt."""
    await at_home(pilot)
    return await resume_unfinished(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(seeded_app(tmp_path, history=True), run_before=at_home, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_question_single(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await resume(pilot)
        await pilot.press("2")  # picked, not yet submitted

    app = seeded_app(tmp_path, unfinished_at="q-single")
    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_question_multi(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await resume(pilot)
        await pilot.press("1", "down")  # one ticked, the cursor on the next

    app = seeded_app(tmp_path, unfinished_at="q-multi")
    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_question_true_false(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = seeded_app(tmp_path, unfinished_at="q-tf")
    assert snap_compare(app, run_before=resume, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_question_typed(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await resume(pilot)
        await pilot.press(*"GAB")

    app = seeded_app(tmp_path, unfinished_at="q-typed")
    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_question_order(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    # The steps show in the order the attempt's pinned seed shuffles them into.
    app = seeded_app(tmp_path, unfinished_at="q-order")
    assert snap_compare(app, run_before=resume, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_feedback_missed_critical(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        quiz = await resume(pilot)
        await answer(pilot, quiz.session.current, right=False)
        assert "✗ Not quite" in screen_text(pilot.app)  # type: ignore[arg-type]

    app = seeded_app(tmp_path, unfinished_at="q-tf")
    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_results_practice(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        quiz = await resume(pilot)
        await answer(pilot, quiz.session.current)  # the last card, q-order
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ResultsScreen)

    app = seeded_app(tmp_path, unfinished_at="q-order", wrong=frozenset({"q-tf", "q-typed"}))
    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await at_home(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HistoryScreen)

    assert snap_compare(
        seeded_app(tmp_path, history=True), run_before=run_before, terminal_size=size
    )


@pytest.mark.parametrize("size", SIZES)
def test_setup(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await at_home(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QuizSetupModal)

    assert snap_compare(seeded_app(tmp_path), run_before=run_before, terminal_size=size)


def test_feedback_no_color(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In monochrome the marks carry right and wrong: ✗ on the pick, ✓ on the right one."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot: Pilot[None]) -> None:
        quiz = await resume(pilot)
        await answer(pilot, quiz.session.current, right=False)
        text = screen_text(pilot.app)  # type: ignore[arg-type]
        assert "✗ (•) 1. True" in text and "✓ ( ) 2. False" in text

    app = seeded_app(tmp_path, unfinished_at="q-tf")
    assert app.no_color
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
