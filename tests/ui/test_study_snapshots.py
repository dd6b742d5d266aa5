"""SVG snapshots of the screens of issue 15: the card browser (after a search), a card
opened from it, the settings screen, and the statistics screen's progress charts for a
learner with three weeks of history.

Regenerate with `pytest tests/ui/test_study_snapshots.py --snapshot-update` and look at
the report when one differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_app import ALL_TYPES, answer_wrong, new_app, seed_learner, seed_weeks, settle
from textual.pilot import Pilot
from textual.widgets import DataTable

from quizapp.ui.app import QuizApp
from quizapp.ui.screens.browser import CardBrowserScreen
from quizapp.ui.screens.card_detail import CardDetailScreen
from quizapp.ui.screens.settings import SettingsScreen
from quizapp.ui.screens.stats import StatisticsScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def app_with_history(tmp_path: Path) -> QuizApp:
    data_dir = tmp_path / "snapshot-data"
    learner = seed_learner(data_dir)
    seed_weeks(data_dir, learner)
    return new_app(data_dir)


@pytest.mark.parametrize("size", SIZES)
def test_browser_search(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    data_dir = tmp_path / "snapshot-data"
    learner = seed_learner(data_dir)
    answer_wrong(data_dir, learner, ALL_TYPES, ["q-single"])

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"dose")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CardBrowserScreen)

    assert snap_compare(new_app(data_dir), run_before=run_before, terminal_size=size)


def test_card_detail(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        pilot.app.screen.query_one("#browser-table", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CardDetailScreen)

    app = app_with_history(tmp_path)
    assert snap_compare(app, run_before=run_before, terminal_size=(100, 40))


@pytest.mark.parametrize("size", SIZES)
def test_settings(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SettingsScreen)
        # A refused value shows why.
        await pilot.press("backspace", "backspace", *"2000")
        await pilot.pause()

    data_dir = tmp_path / "snapshot-data"
    seed_learner(data_dir)
    assert snap_compare(new_app(data_dir), run_before=run_before, terminal_size=size)


def test_statistics_progress_charts(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StatisticsScreen)

    app = app_with_history(tmp_path)
    assert snap_compare(app, run_before=run_before, terminal_size=(120, 60))
