"""The statistics screen on the seeded store of `tests/unit/stats_seed.py`.

Snapshots at 80x24 and 120x40, and Pilot checks that each widget shows the values worked
out by hand in `stats_seed`'s docstring (the arithmetic is in the comments; nothing here
recomputes it with the code under test). The app is the real one from `make_app`, with
the seed deck as its only deck and the seed's fixed clock; `s` on Home opens the screen.

Update the snapshots with `pytest --snapshot-update` after an intended change, then read
the SVGs: they must show the seeded numbers, never "Working out your statistics…".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import fsrs
import pytest
from rich.text import Text
from snapshot_app import settle
from textual.pilot import Pilot
from textual.widgets import DataTable, Sparkline, Static
from textual.worker import WorkerFailed
from unit.stats_seed import DECK_YAML, NOW, Seeded, seed, write_deck

from quizapp.core import paths
from quizapp.core.settings import Settings, save_settings
from quizapp.core.store import Learner, from_db_time
from quizapp.ui.app import QuizApp, make_app
from quizapp.ui.screens.stats import StatisticsScreen

SnapCompare = Callable[..., bool]


def _real_flashcard_states(db: Path) -> None:
    """Give every stored flashcard state a real fsrs card, keeping its due time.

    The seed stores placeholder states (`{"step": n}`): the statistics only read the
    review log, but Home works out how many cards are due from these states, and a
    placeholder would make that worker fail. The review log (what the statistics count)
    is left exactly as seeded.
    """
    with closing(sqlite3.connect(db)) as conn, conn:
        rows = conn.execute("SELECT rowid, due FROM card_states ORDER BY rowid").fetchall()
        for number, (rowid, due) in enumerate(rows, start=1):
            state = fsrs.Card(card_id=number, due=from_db_time(due)).to_dict()
            conn.execute(
                "UPDATE card_states SET state_json = ? WHERE rowid = ?", (json.dumps(state), rowid)
            )


def seeded_data_dir(data_dir: Path, deck_folder: Path) -> Seeded:
    """Seed `data_dir`'s score store; Alice has seen the notice and is remembered, so the
    app opens straight on Home with her as the learner."""
    seeded = seed(paths.db_path(data_dir), deck_folder)
    _real_flashcard_states(seeded.store.path)
    seeded.store.acknowledge_notice(seeded.alice)
    save_settings(Settings(learner="Alice"), paths.settings_path(data_dir))
    return seeded


def seeded_app(data_dir: Path, deck: Path) -> QuizApp:
    """The real app on a seeded data folder with `deck` as its only deck, at `NOW`."""
    return make_app(data_dir=data_dir, extra_decks=[deck], bundled=False, clock=lambda: NOW)


async def open_statistics(pilot: Pilot[Any]) -> StatisticsScreen:
    """From Home, press `s` and wait until the statistics are on screen."""
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StatisticsScreen), pilot.app.screen_stack
    assert screen.stats is not None
    return screen


def text_of(screen: StatisticsScreen, selector: str) -> str:
    """The plain text a Static shows."""
    return str(screen.query_one(selector, Static).visual)


def rows_of(screen: StatisticsScreen, selector: str) -> list[list[str]]:
    """Every row of a DataTable as plain text."""
    table: DataTable[Text] = screen.query_one(selector, DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


# --------------------------------------------------------------------------- snapshots


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_statistics_snapshot(
    snap_compare: SnapCompare, isolated_dirs: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    seeded = seeded_data_dir(isolated_dirs, tmp_path / "decks")
    app = seeded_app(isolated_dirs, seeded.deck_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await open_statistics(pilot)
        assert text_of(screen, "#stats-summary").startswith("19 answers")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


# --------------------------------------------------------------------------- values


async def test_statistics_show_the_hand_worked_values(isolated_dirs: Path, tmp_path: Path) -> None:
    seeded = seeded_data_dir(isolated_dirs, tmp_path / "decks")
    app = seeded_app(isolated_dirs, seeded.deck_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_statistics(pilot)
        assert screen.sub_title == "Statistics · Alice"

        # 19 answers, 11 right: 11/19 = 57.9% -> 58%. Time: 50700 + 19000 = 69700 ms,
        # which rounds to 1 minute.
        assert text_of(screen, "#stats-summary") == "19 answers, 58% right, time spent 1 min."

        # seed-deck 10/16 = 62.5% (formatted half-to-even: 62%), trend A1 2/5, A2 4/5,
        # A3 4/5; old-deck 1/3 = 33%, one finished attempt, its stored title.
        assert rows_of(screen, "#stats-decks") == [
            ["62%", "16", "40% 80% 80%", "Seed deck: diazepam"],
            ["33%", "3", "33%", "Warfarin basics"],
        ]
        assert text_of(screen, "#stats-trend-label") == "Score trend, Seed deck: diazepam:"
        trend = screen.query_one("#stats-trend", Sparkline)
        assert trend.display and list(trend.data or []) == [40, 80, 80]

        # mechanism 5/6, adverse-effects 2/4, stopping-safely 3/6; old-deck 0/1 and 1/2.
        # The deck that is not loaded goes by its stored title, as in the deck table.
        assert rows_of(screen, "#stats-topics") == [
            ["83%", "6", "How it works", "Seed deck: diazepam"],
            ["50%", "4", "Side effects and warnings", "Seed deck: diazepam"],
            ["50%", "6", "Stopping safely", "Seed deck: diazepam"],
            ["0%", "1", "Side effects and warnings", "Warfarin basics"],
            ["50%", "2", "What it is used for", "Warfarin basics"],
        ]
        assert text_of(screen, "#stats-weak").splitlines() == [
            "Weakest topics",
            "  • Stopping safely (Seed deck: diazepam): 50%",
            "  • Side effects and warnings (Seed deck: diazepam): 50%",
            "  • How it works (Seed deck: diazepam): 83%",
        ]

        # q-multi's latest answer (A5) wrong; w-bleed only ever wrong; q-tf's latest (A3)
        # right; q-never never answered.
        assert text_of(screen, "#stats-critical").splitlines() == [
            "Must-know items",
            "  ✗ not yet: Which of these add to diazepam's sleepiness and slowed breathing?",
            "  ✗ not yet: card w-bleed (Warfarin basics)",
            "  … 1 not answered yet",
            "  ✓ 1 mastered (latest answer right)",
        ]

        # q-order's latest answer (A3) carried the stale hash ffffffffffffffff.
        assert text_of(screen, "#stats-missed").splitlines() == [
            "Questions missed most",
            "  • missed 2 of 3: You can stop diazepam on your own all at once.",
            "  • missed 2 of 4: Which of these add to diazepam's sleepiness and slowed breathing?",
            "  • missed 1 of 1: card w-bleed (Warfarin basics)",
            "  • missed 1 of 1: card w-diet (Warfarin basics)",
            "  • missed 1 of 3: Put the steps of a safe taper in order. (question changed since)",
            "  • missed 1 of 3: What does diazepam do to GABA?",
        ]
        assert text_of(screen, "#stats-changed").splitlines() == [
            "Questions changed since you last answered them",
            "  • Put the steps of a safe taper in order. (Seed deck: diazepam)",
        ]

        # 7 reviews; 4 repeats of which 3 rated above Again = 75%. Per day 03-01..03-14.
        assert text_of(screen, "#stats-flashcards") == (
            "Flashcards\n  7 reviews; you remembered 75% of the cards you had seen before."
            " Reviews per day, last 14 days:"
        )
        reviews = screen.query_one("#stats-reviews", Sparkline)
        assert list(reviews.data or []) == [1, 1, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 1]

        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, StatisticsScreen)


async def test_cards_changed_in_the_deck_are_marked(isolated_dirs: Path, tmp_path: Path) -> None:
    """A newer copy of the deck rewords q-multi and q-typed: both were last answered
    against the old text, so they are marked; q-order keeps its stale-hash mark."""
    seeded = seeded_data_dir(isolated_dirs, tmp_path / "decks")
    old_prompt = "Which of these add to diazepam's sleepiness and slowed breathing?"
    new_prompt = "Which two of these add to the sleepiness and slow breathing diazepam causes?"
    changed_yaml = DECK_YAML.replace(old_prompt, new_prompt).replace(
        "explanation: Diazepam makes GABA work better.\n    sources: [{id: dailymed-valium}]\n"
        "  - id: q-order",
        "explanation: GABA calms nerve cells; diazepam helps it.\n"
        "    sources: [{id: dailymed-valium}]\n  - id: q-order",
    )
    assert changed_yaml.count(new_prompt) == 1 and "GABA calms nerve cells" in changed_yaml
    new_deck = write_deck(tmp_path / "decks-v2")
    new_deck.write_text(changed_yaml, encoding="utf-8")

    app = seeded_app(isolated_dirs, new_deck)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_statistics(pilot)
        loaded = screen.decks["seed-deck"]
        for card_id in ("q-multi", "q-typed"):
            assert loaded.card(card_id).content_hash() != seeded.deck.card(card_id).content_hash()

        critical = text_of(screen, "#stats-critical").splitlines()
        assert critical[1] == f"  ✗ not yet: {new_prompt} (question changed since)"
        assert critical[2] == "  ✗ not yet: card w-bleed (Warfarin basics)"

        missed = text_of(screen, "#stats-missed").splitlines()
        assert missed[1:3] == [
            "  • missed 2 of 3: You can stop diazepam on your own all at once.",
            f"  • missed 2 of 4: {new_prompt} (question changed since)",
        ]
        assert missed[5] == (
            "  • missed 1 of 3: Put the steps of a safe taper in order. (question changed since)"
        )
        assert missed[6] == "  • missed 1 of 3: What does diazepam do to GABA?"

        # q-typed was never missed, so only this list shows that it changed.
        assert text_of(screen, "#stats-changed").splitlines() == [
            "Questions changed since you last answered them",
            f"  • {new_prompt} (Seed deck: diazepam)",
            "  • Put the steps of a safe taper in order. (Seed deck: diazepam)",
            "  • Name the calming messenger that diazepam helps. (Seed deck: diazepam)",
        ]
        # The numbers do not depend on the card text.
        assert text_of(screen, "#stats-summary") == "19 answers, 58% right, time spent 1 min."


async def test_learner_without_answers(isolated_dirs: Path, tmp_path: Path) -> None:
    seeded = seeded_data_dir(isolated_dirs, tmp_path / "decks")
    carol = seeded.store.acknowledge_notice(seeded.store.add_learner("Carol").id)
    save_settings(Settings(learner=carol.name), paths.settings_path(isolated_dirs))
    app = seeded_app(isolated_dirs, seeded.deck_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statistics(pilot)
        assert text_of(screen, "#stats-summary") == (
            "No answers yet: take a quiz to see your statistics here."
        )
        assert rows_of(screen, "#stats-decks") == []
        assert not screen.query_one("#stats-trend", Sparkline).display
        assert text_of(screen, "#stats-trend-label") == (
            "A trend appears after two finished quizzes on a deck."
        )
        # Must-know items are listed for the decks a learner has answered on: none yet.
        assert text_of(screen, "#stats-critical").splitlines() == [
            "Must-know items",
            "  None answered yet.",
            "  ✓ 0 mastered (latest answer right)",
        ]
        assert not screen.query_one("#stats-changed", Static).display
        # Without enough answers no topic is ranked, and the screen says why (issue 14: a
        # bare "None yet." beside a topic at 50% read as if the topic were forgotten).
        assert text_of(screen, "#stats-weak").splitlines() == [
            "Weakest topics",
            "  None yet: a topic is ranked once it has 3 or more answers.",
        ]


async def test_a_failure_is_shown_not_left_working(isolated_dirs: Path, tmp_path: Path) -> None:
    """A learner removed meanwhile (e.g. by another window): say so instead of leaving
    "Working out your statistics…" on screen."""
    seeded = seeded_data_dir(isolated_dirs, tmp_path / "decks")
    app = seeded_app(isolated_dirs, seeded.deck_path)
    gone = Learner(
        id=999, name="Gone", created_at=datetime(2025, 1, 1), acknowledged_notice_at=None
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.context.learner = gone  # screens read the learner from the app's context
        screen = StatisticsScreen()
        await app.push_screen(screen)
        with pytest.raises(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
        summary = text_of(screen, "#stats-summary")
        assert summary.startswith("Could not work out the statistics:"), summary
        assert "999" in summary
