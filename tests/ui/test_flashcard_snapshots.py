"""SVG snapshots of a flashcard: front and back, at 60x20, 80x24 and 120x40.

`snap_compare` runs the app itself (synchronously), so these are plain `def` tests. They
pass App instances (never a path, whose screenshots are cached on too little) built by
`make_app` on a seeded data folder with a fixed clock; `run_before` opens the deck's
flashcards from Home with the real key presses and waits for the workers.
Update with `pytest --snapshot-update` after an intended change, then check the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from quizapp.core import paths
from quizapp.core.decks.loading import load_decks
from quizapp.core.flashcards import FlashcardScheduler
from quizapp.core.settings import Settings, save_settings
from quizapp.core.store import ScoreStore
from quizapp.ui.app import QuizApp, make_app
from quizapp.ui.screens.flashcards import FlashcardScreen

TESTS = Path(__file__).resolve().parents[1]
FIVE = TESTS / "data" / "decks" / "flashcards" / "five-cards.yaml"
START = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)

SnapCompare = Callable[..., bool]


def app_for(data_dir: Path, *, reviewed: bool = False) -> QuizApp:
    """The app on a data folder where Ana is remembered (so it opens on Home).

    With `reviewed`, f-one was rated Again yesterday, so it is due with a "due ..." note
    instead of "new card".
    """
    store = ScoreStore.open(paths.db_path(data_dir), now=lambda: START)
    learner = store.acknowledge_notice(store.add_learner("Ana").id)
    save_settings(Settings(learner="Ana"), paths.settings_path(data_dir))
    if reviewed:
        (deck,) = load_decks([FIVE]).decks
        card = deck.card("f-one")
        when = START - timedelta(days=1)
        state, log = FlashcardScheduler().review(None, 1, when)
        store.record_review(
            learner.id,
            deck.id,
            card.id,
            card_hash=card.content_hash(),
            state=state.to_dict(),  # type: ignore[arg-type]
            due=state.due,
            rating=1,
            reviewed_at=when,
            review=log.to_dict(),  # type: ignore[arg-type]
            previous_state=None,
        )
    return make_app(data_dir=data_dir, extra_decks=[FIVE], bundled=False, clock=lambda: START)


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def open_card(*, flip: bool) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FlashcardScreen), pilot.app.screen_stack
        if flip:
            await pilot.press("space")
            await settle(pilot)
            assert pilot.app.screen.flipped

    return run_before


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"])
def test_card_front(snap_compare: SnapCompare, isolated_dirs: Path, size: tuple[int, int]) -> None:
    app = app_for(isolated_dirs)
    assert snap_compare(app, terminal_size=size, run_before=open_card(flip=False))


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"])
def test_card_back(snap_compare: SnapCompare, isolated_dirs: Path, size: tuple[int, int]) -> None:
    app = app_for(isolated_dirs)
    assert snap_compare(app, terminal_size=size, run_before=open_card(flip=True))


def test_due_card_back(snap_compare: SnapCompare, isolated_dirs: Path) -> None:
    """A card seen before: its due time (local, here UTC) above the front."""
    app = app_for(isolated_dirs, reviewed=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_card(flip=True))
