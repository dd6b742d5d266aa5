"""Home lists decks from the summaries kept beside the deck cache (issue 18).

Every test runs the real app (Pilot) on real deck files, a real cache folder
($QUIZAPP_CACHE_DIR, fresh per test) and a real store. A first app run fills the cache;
the runs after it are what the tests look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from snapshot_app import ALL_TYPES, new_app, screen_text, settle
from textual.pilot import Pilot
from textual.widgets import DataTable

from quizapp.core import paths
from quizapp.core.decks.summary import SUMMARY_SUFFIX
from quizapp.core.store import Learner, ScoreStore
from quizapp.ui.dialogs.setup import QuizSetupModal
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.quiz import QuizScreen

SIZE = (100, 30)
VALID = Path(__file__).resolve().parents[1] / "data" / "decks" / "valid" / "sample.yaml"


def deck_folder(tmp_path: Path) -> Path:
    """Two valid decks in a folder of their own (the tests edit them)."""
    folder = tmp_path / "decks"
    folder.mkdir()
    shutil.copy(ALL_TYPES, folder / "all-types.yaml")
    shutil.copy(VALID, folder / "sample.yaml")
    return folder


def listed_titles(app: object) -> list[str]:
    table = app.screen.query_one("#decks", DataTable)  # type: ignore[attr-defined]
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


async def fill_cache(data_dir: Path, decks: Path) -> list[str]:
    """Run the app once so every deck is checked and its summary kept; the titles."""
    app = new_app(data_dir, [decks])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.library.pending == []
        titles = listed_titles(app)
    assert len(titles) == 2
    return titles


def summary_files() -> list[Path]:
    return sorted(paths.cache_dir().rglob(f"*{SUMMARY_SUFFIX}"))


async def test_home_lists_decks_from_summaries_in_its_first_frame(
    data_dir: Path, learner: Learner, tmp_path: Path
) -> None:
    decks = deck_folder(tmp_path)
    titles = await fill_cache(data_dir, decks)
    assert len(summary_files()) == 2

    app = new_app(data_dir, [decks])
    # make_app found a fresh summary for every file: nothing is left to check.
    assert app.library.pending == []
    async with app.run_test(size=SIZE) as pilot:
        # run_test returns once the first frame is drawn; no worker has been waited for.
        assert isinstance(app.screen, HomeScreen)
        assert listed_titles(app) == titles
        assert "Test deck: every card type" in screen_text(app)
        assert "2 decks. Choose one" in screen_text(app)
        # No deck file is parsed or validated, and no deck model is held, to list them.
        assert not [w for w in app.workers if w.group == "decks"]
        assert app.decks == {}
        # The remembered learner was read before the UI started: shown in the first frame.
        assert "Learner: Ada" in app.sub_title
        await settle(pilot)  # the scores and due counts come from a worker
        assert app.decks == {}
        # Opening one loads its cards then (from the cache).
        await open_deck(pilot, titles.index("Test deck: every card type"))
        assert isinstance(app.screen, QuizSetupModal)
        assert list(app.decks) == ["test-all-types"]


async def open_deck(pilot: Pilot[object], row: int) -> None:
    """Highlight Home's row `row` and press Enter (the set-up dialog, or an error)."""
    table = pilot.app.screen.query_one("#decks", DataTable)
    table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)


def break_deck(deck_file: Path) -> None:
    """Make a deck file invalid (a card's topic outside the deck's list) with a new size."""
    text = deck_file.read_text(encoding="utf-8")
    assert "topic: mechanism" in text
    deck_file.write_text(text.replace("topic: mechanism", "topic: not-a-topic", 1), "utf-8")


async def test_deck_made_invalid_after_its_summary_is_never_listed_as_valid(
    data_dir: Path, learner: Learner, tmp_path: Path
) -> None:
    decks = deck_folder(tmp_path)
    await fill_cache(data_dir, decks)
    broken = decks / "all-types.yaml"
    break_deck(broken)

    app = new_app(data_dir, [decks])
    # The edited file no longer matches its summary: it waits for a full check.
    assert app.library.pending == [broken]
    assert "test-all-types" not in app.library.summaries
    async with app.run_test(size=SIZE) as pilot:
        assert "Test deck: every card type" not in listed_titles(app)
        assert "Checking 1 more deck file" in screen_text(app)
        await settle(pilot)
        # Checked in the background: reported as broken, never offered.
        assert app.library.pending == []
        assert "Test deck: every card type" not in listed_titles(app)
        assert len(listed_titles(app)) == 1
        text = screen_text(app)
        assert "could not be loaded" in text and "all-types.yaml" in text
        assert [error.path for error in app.library.errors] == [broken]


async def test_deck_broken_while_the_app_runs_is_reported_when_opened(
    data_dir: Path, learner: Learner, tmp_path: Path
) -> None:
    decks = deck_folder(tmp_path)
    titles = await fill_cache(data_dir, decks)
    app = new_app(data_dir, [decks])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert listed_titles(app) == titles
        break_deck(decks / "all-types.yaml")  # after it was listed
        await open_deck(pilot, titles.index("Test deck: every card type"))
        # No quiz on a deck that no longer validates: it leaves the list, with its error.
        assert isinstance(app.screen, HomeScreen)
        assert "Test deck: every card type" not in listed_titles(app)
        assert "could not be loaded" in screen_text(app)
        assert [error.path for error in app.library.errors] == [decks / "all-types.yaml"]
        assert "test-all-types" not in app.decks


async def test_deleting_the_cache_is_safe(data_dir: Path, learner: Learner, tmp_path: Path) -> None:
    decks = deck_folder(tmp_path)
    titles = await fill_cache(data_dir, decks)
    shutil.rmtree(paths.cache_dir())

    app = new_app(data_dir, [decks])
    assert len(app.library.pending) == 2  # no summaries: both files are checked
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert listed_titles(app) == titles
        assert len(summary_files()) == 2  # kept again
        # Deleted while the app runs: opening a deck parses its file again.
        shutil.rmtree(paths.cache_dir())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizSetupModal)


async def test_a_quiz_on_a_deck_listed_from_its_summary_records_answers(
    data_dir: Path, learner: Learner, tmp_path: Path
) -> None:
    decks = deck_folder(tmp_path)
    titles = await fill_cache(data_dir, decks)
    app = new_app(data_dir, [decks])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_deck(pilot, titles.index("Test deck: every card type"))
        assert isinstance(app.screen, QuizSetupModal)
        await pilot.press("enter")  # the set-up's default: practice
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        screen = app.screen
        await pilot.press("escape")
        await settle(pilot)
    store = ScoreStore.open(paths.db_path(data_dir))
    (attempt,) = store.history(learner.id)
    assert attempt.deck_id == "test-all-types" == screen.deck.id


async def test_browser_and_statistics_load_every_listed_deck(
    data_dir: Path, learner: Learner, tmp_path: Path
) -> None:
    """Screens that need every card load the decks themselves, from the library."""
    from quizapp.ui.screens.browser import CardBrowserScreen

    decks = deck_folder(tmp_path)
    await fill_cache(data_dir, decks)
    app = new_app(data_dir, [decks])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.decks == {}
        await pilot.press("b")
        await settle(pilot, rounds=4)
        browser = app.screen
        assert isinstance(browser, CardBrowserScreen)
        assert set(browser.decks) == set(app.library.summaries) == set(app.decks)
        total = sum(len(deck.cards) for deck in browser.decks.values())
        assert f"of {total} " in screen_text(app)
