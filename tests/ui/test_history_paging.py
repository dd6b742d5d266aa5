"""The History screen reads a learner's attempts a page at a time (issue 18).

The real app (Pilot) on a real SQLite store holding more than two pages of attempts:
opening the screen reads one page, and every way of moving to the end of the list (End,
Page Down, the mouse wheel) reads the next ones, until the oldest attempt shows. Were
paging to stop after the first page, the oldest attempt would never show.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from snapshot_app import FIXED_NOW, new_app, screen_text, settle
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable

from quizapp.core import paths
from quizapp.core.store import HISTORY_PAGE_SIZE, Learner, ScoreStore
from quizapp.ui.app import QuizApp
from quizapp.ui.screens.history import AttemptScreen, HistoryScreen

SIZE = (100, 30)
TOTAL = 2 * HISTORY_PAGE_SIZE + 7
"""Two full pages and a short third one."""
OLDEST = "The oldest quiz"


def seed_attempts(data_dir: Path, learner: Learner) -> list[int]:
    """TOTAL finished attempts, the oldest titled OLDEST; ids newest first, as listed.

    Attempts start in threes at the same moment, so page boundaries fall among
    attempts that share a start time.
    """
    moment = FIXED_NOW - timedelta(days=30)

    def clock() -> datetime:
        return moment

    store = ScoreStore.open(paths.db_path(data_dir), now=clock)
    for n in range(TOTAL):
        if n % 3 == 0:
            moment += timedelta(minutes=7)
        title = OLDEST if n == 0 else f"Quiz number {n}"
        attempt = store.start_attempt(learner.id, "deck", "1.0.0", title, "practice", {"cards": []})
        store.finish_attempt(attempt, float(n % 5), 5.0, None)
    listed = [a.id for a in store.history(learner.id)]
    assert len(listed) == TOTAL
    return listed


async def open_history(pilot: Pilot[None]) -> HistoryScreen:
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


def table_of(screen: HistoryScreen) -> DataTable[object]:
    return screen.query_one("#history", DataTable)


async def until_the_oldest_shows(
    pilot: Pilot[None], app: QuizApp, move: Callable[[], Awaitable[None]], limit: int
) -> int:
    """Repeat `move` (letting each read land) until the oldest attempt is on screen."""
    for moves in range(1, limit + 1):
        await move()
        await settle(pilot)
        if OLDEST in screen_text(app):
            return moves
    raise AssertionError(f"the oldest attempt never showed after {limit} moves")


async def test_opening_reads_one_page_and_the_count_comes_from_the_store(
    data_dir: Path, learner: Learner
) -> None:
    listed = seed_attempts(data_dir, learner)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        table = table_of(screen)
        assert table.row_count == HISTORY_PAGE_SIZE  # one page read, not the history
        assert [a.id for a in screen.attempts] == listed[:HISTORY_PAGE_SIZE]
        assert not screen.complete
        # Every attempt is counted, though only a page of them is read.
        assert f"History of Ada: {TOTAL} quizzes, newest first." in screen_text(app)
        assert OLDEST not in screen_text(app)


async def test_end_reaches_the_oldest_attempt_which_opens(data_dir: Path, learner: Learner) -> None:
    listed = seed_attempts(data_dir, learner)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        table = table_of(screen)
        rows_after_each_end = []
        for _ in range(3):
            await pilot.press("end")  # the last row read so far: the next page is read
            await settle(pilot)
            rows_after_each_end.append(table.row_count)
        assert rows_after_each_end == [2 * HISTORY_PAGE_SIZE, TOTAL, TOTAL]
        assert screen.complete
        # Every attempt once, in the store's order: none missed or repeated at the seams.
        assert [a.id for a in screen.attempts] == listed
        assert table.cursor_row == TOTAL - 1
        assert OLDEST in screen_text(app)
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor_row == 0 and OLDEST not in screen_text(app)
        await pilot.press("end", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AttemptScreen)
        assert app.screen.attempt_id == listed[-1]
        assert OLDEST in screen_text(app)


async def test_page_down_reaches_the_oldest_attempt(data_dir: Path, learner: Learner) -> None:
    listed = seed_attempts(data_dir, learner)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)

        async def page_down() -> None:
            await pilot.press("pagedown")

        # 26 rows show at a time: a page of 50 rows takes two or three presses.
        moves = await until_the_oldest_shows(pilot, app, page_down, limit=20)
        assert moves >= 4
        assert [a.id for a in screen.attempts] == listed


async def test_the_mouse_wheel_reaches_the_oldest_attempt(data_dir: Path, learner: Learner) -> None:
    listed = seed_attempts(data_dir, learner)
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        table = table_of(screen)
        cursor = table.cursor_row

        async def wheel_down() -> None:
            # What the terminal sends for one notch of the wheel over the table.
            table.post_message(events.MouseScrollDown(table, 10, 5, 0, 1, 0, False, False, False))
            await pilot.pause()

        await until_the_oldest_shows(pilot, app, wheel_down, limit=200)
        assert table.cursor_row == cursor  # the wheel scrolled; the cursor never moved
        assert [a.id for a in screen.attempts] == listed
        assert screen.complete


async def test_a_tall_window_reads_on_until_the_rows_fill_it(
    data_dir: Path, learner: Learner
) -> None:
    # 70 lines: the table shows 66 rows, more than a page and fewer than two, and with
    # every row in view neither scrolling nor the wheel could ever reach the end.
    listed = seed_attempts(data_dir, learner)
    app = new_app(data_dir)
    async with app.run_test(size=(100, 70)) as pilot:
        screen = await open_history(pilot)
        await settle(pilot)
        assert table_of(screen).row_count == 2 * HISTORY_PAGE_SIZE
        assert [a.id for a in screen.attempts] == listed[: 2 * HISTORY_PAGE_SIZE]


async def test_a_short_history_is_read_at_once_and_says_so(
    data_dir: Path, learner: Learner
) -> None:
    app = new_app(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history(pilot)
        assert screen.complete and screen.total == 0
        assert "History of Ada: no quizzes yet." in screen_text(app)
