"""Managing learners from the learner dialog (`l` on Home): rename (`r`), delete with a
confirmation and a backup (`x`), export one learner (`e`).

The data folder is the seeded store of `tests/unit/stats_seed.py` (Alice, the current
learner, with six attempts, 21 answers and 7 reviews; Bob with one attempt of two answers
and one review). Everything is driven by key presses and clicks on the real app and
checked in the real SQLite file and the files written next to it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from snapshot_app import settle
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from unit.stats_seed import Seeded

from quizapp.core import paths
from quizapp.core.settings import load_settings
from quizapp.core.store import ScoreStore
from quizapp.ui.app import QuizApp
from quizapp.ui.dialogs.confirm import ConfirmModal, TextPromptModal
from quizapp.ui.dialogs.learner import LearnerModal
from quizapp.ui.dialogs.notice import NoticeModal
from quizapp.ui.screens.home import HomeScreen

from .test_statistics_screen import seeded_app, seeded_data_dir


@pytest.fixture
def seeded(isolated_dirs: Path, tmp_path: Path) -> Seeded:
    return seeded_data_dir(isolated_dirs, tmp_path / "decks")


@pytest.fixture
def app(isolated_dirs: Path, seeded: Seeded) -> QuizApp:
    return seeded_app(isolated_dirs, seeded.deck_path)


def count(db: Path, sql: str, *args: object) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def names(store: ScoreStore) -> list[str]:
    return [learner.name for learner in store.learners()]


def home(app: QuizApp) -> HomeScreen:
    (screen,) = [screen for screen in app.screen_stack if isinstance(screen, HomeScreen)]
    return screen


def message(modal: LearnerModal) -> str:
    return str(modal.query_one("#learner-message", Static).visual)


def listed(modal: LearnerModal) -> list[str]:
    options = modal.query_one("#learner-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_learners(pilot: Pilot[Any]) -> LearnerModal:
    """From Home, press `l`; the list has focus with the current learner highlighted."""
    await settle(pilot)
    assert home(pilot.app).learner is not None
    await pilot.press("l")
    await settle(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, LearnerModal), pilot.app.screen_stack
    assert isinstance(pilot.app.focused, OptionList)
    return modal


async def highlight(pilot: Pilot[Any], modal: LearnerModal, name: str) -> None:
    """Move the list's highlight to `name` with the arrow keys."""
    options = modal.query_one("#learner-list", OptionList)
    target = listed(modal).index(name)
    while options.highlighted != target:
        await pilot.press("down" if (options.highlighted or 0) < target else "up")


async def rename_to(pilot: Pilot[Any], new_name: str) -> None:
    """Press `r` on the highlighted learner, replace the name and press Enter."""
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TextPromptModal), pilot.app.screen_stack
    await pilot.press("home", "ctrl+k", *new_name, "enter")
    await settle(pilot)


async def press_delete(pilot: Pilot[Any]) -> ConfirmModal:
    await pilot.press("x")
    await settle(pilot)
    confirm = pilot.app.screen
    assert isinstance(confirm, ConfirmModal), pilot.app.screen_stack
    return confirm


def backups(seeded: Seeded) -> list[Path]:
    return sorted(seeded.store.path.parent.glob("quizapp.db.deleted-learner-*.json"))


# --------------------------------------------------------------------------- rename


async def test_rename_a_learner(app: QuizApp, seeded: Seeded) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        assert listed(modal) == ["Alice", "Bob"]
        await highlight(pilot, modal, "Bob")
        await rename_to(pilot, "Robert")

        assert pilot.app.screen is modal
        assert message(modal) == "Renamed to Robert."
        assert listed(modal) == ["Alice", "Robert"]
        assert names(seeded.store) == ["Alice", "Robert"]
        # Same learner id: Bob's records stay his.
        assert seeded.store.find_learner("Robert").id == seeded.bob  # type: ignore[union-attr]
        assert (
            count(
                seeded.store.path, "SELECT count(*) FROM attempts WHERE learner_id = ?", seeded.bob
            )
            == 1
        )


async def test_rename_to_a_name_in_use_keeps_the_old_name(app: QuizApp, seeded: Seeded) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await highlight(pilot, modal, "Bob")
        await rename_to(pilot, "alice")  # names are unique ignoring case

        assert pilot.app.screen is modal
        assert message(modal) == "There is already a learner called 'alice'."
        assert names(seeded.store) == ["Alice", "Bob"]
        assert listed(modal) == ["Alice", "Bob"]


async def test_rename_cancelled_changes_nothing(app: QuizApp, seeded: Seeded) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await highlight(pilot, modal, "Bob")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("home", "ctrl+k", *"Zed", "escape")
        await settle(pilot)
        assert pilot.app.screen is modal
        assert names(seeded.store) == ["Alice", "Bob"]
        assert message(modal) == ""


async def test_renaming_the_current_learner_updates_home_and_settings(
    app: QuizApp, seeded: Seeded, isolated_dirs: Path
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await highlight(pilot, modal, "Alice")
        await rename_to(pilot, "Alicia")
        assert names(seeded.store) == ["Alicia", "Bob"]

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
        learner = home(app).learner
        assert learner is not None
        assert (learner.id, learner.name) == (seeded.alice, "Alicia")
        assert "Learner: Alicia" in app.sub_title
        # Remembered under the new name, so the next start opens on her again.
        settings, _ = load_settings(paths.settings_path(isolated_dirs))
        assert settings.learner == "Alicia"


# --------------------------------------------------------------------------- delete


async def test_delete_answered_no_keeps_everything(app: QuizApp, seeded: Seeded) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await highlight(pilot, modal, "Bob")
        confirm = await press_delete(pilot)
        assert app.focused is confirm.query_one("#no")  # the safe answer is the default
        await pilot.click("#no")
        await settle(pilot)

        assert pilot.app.screen is modal
        assert names(seeded.store) == ["Alice", "Bob"]
        assert count(seeded.store.path, "SELECT count(*) FROM answers") == 23
        assert backups(seeded) == []

        # Escape is No as well.
        await press_delete(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is modal
        assert names(seeded.store) == ["Alice", "Bob"]
        assert backups(seeded) == []


async def test_delete_answered_yes_backs_up_then_removes(app: QuizApp, seeded: Seeded) -> None:
    db = seeded.store.path
    bob_attempt = seeded.attempts["BOB"]
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await highlight(pilot, modal, "Bob")
        await press_delete(pilot)
        await pilot.click("#yes")  # the "Delete" button
        await settle(pilot)

        assert pilot.app.screen is modal
        assert names(seeded.store) == ["Alice"]
        assert listed(modal) == ["Alice"]
        assert count(db, "SELECT count(*) FROM attempts WHERE learner_id = ?", seeded.bob) == 0
        assert count(db, "SELECT count(*) FROM answers WHERE attempt_id = ?", bob_attempt) == 0
        assert count(db, "SELECT count(*) FROM review_log WHERE learner_id = ?", seeded.bob) == 0
        assert count(db, "SELECT count(*) FROM card_states WHERE learner_id = ?", seeded.bob) == 0
        # Alice's 21 answers (discarded attempt included) and 7 reviews are untouched.
        assert count(db, "SELECT count(*) FROM answers") == 21
        assert count(db, "SELECT count(*) FROM review_log") == 7

        (backup,) = backups(seeded)
        assert backup.name.startswith(f"quizapp.db.deleted-learner-{seeded.bob}-")
        assert message(modal) == f"Deleted Bob. Backup: {backup}"
        assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
        saved = json.loads(backup.read_text(encoding="utf-8"))
        assert saved["format"] == "quizapp-deleted-learner"
        assert (saved["learner"]["id"], saved["learner"]["name"]) == (seeded.bob, "Bob")
        assert [a["id"] for a in saved["attempts"]] == [bob_attempt]
        assert [(n["attempt_id"], n["card_id"], n["correct"]) for n in saved["answers"]] == [
            (bob_attempt, "q-single", 1),
            (bob_attempt, "q-tf", 0),
        ]
        assert [(r["card_id"], r["rating"]) for r in saved["review_log"]] == [("f-gaba", 1)]
        assert [s["card_id"] for s in saved["card_states"]] == ["f-gaba"]

        # Alice is still the current learner: the dialog closes as usual.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert home(app).learner.id == seeded.alice  # type: ignore[union-attr]


async def test_deleting_the_current_learner_asks_for_another(
    app: QuizApp, seeded: Seeded, isolated_dirs: Path
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await highlight(pilot, modal, "Alice")
        await press_delete(pilot)
        await pilot.press("y")
        await settle(pilot)

        assert names(seeded.store) == ["Bob"]
        assert count(seeded.store.path, "SELECT count(*) FROM answers") == 2  # Bob's
        (backup,) = backups(seeded)
        saved = json.loads(backup.read_text(encoding="utf-8"))
        assert saved["learner"]["name"] == "Alice"
        # Six attempts (A1-A5 and B1, the discarded A4 included), 5+5+3+5+2+1 = 21 answers.
        assert len(saved["attempts"]) == 6
        assert len(saved["answers"]) == 21
        assert len(saved["review_log"]) == 7

        # The deleted learner was the current one: the dialog cannot just be closed,
        # and the footer no longer offers Esc.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is modal
        assert not modal.check_action("cancel", ())

        assert listed(modal) == ["Bob"]
        app.set_focus(modal.query_one("#learner-list", OptionList))
        await pilot.press("enter")
        await settle(pilot)
        assert modal not in app.screen_stack
        # Bob never acknowledged the education notice, so Home shows it to him first.
        assert isinstance(app.screen, NoticeModal), app.screen_stack
        learner = home(app).learner
        assert learner is not None and learner.id == seeded.bob
        settings, _ = load_settings(paths.settings_path(isolated_dirs))
        assert settings.learner == "Bob"


# --------------------------------------------------------------------------- export


async def test_export_one_learner(app: QuizApp, seeded: Seeded, isolated_dirs: Path) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await highlight(pilot, modal, "Alice")
        await pilot.press("e")
        await settle(pilot)

        assert app.screen is modal
        (exported,) = sorted((isolated_dirs / "exports").glob("*.json"))
        assert exported.name.startswith("alice-")
        assert message(modal) == f"Exported to {exported}"
        assert stat.S_IMODE(os.stat(exported).st_mode) == 0o600
        document = json.loads(exported.read_text(encoding="utf-8"))
        attempts = document["attempts"]
        assert {a["learner"] for a in attempts} == {"Alice"}  # nothing of Bob's
        assert sorted(a["attempt_id"] for a in attempts) == sorted(
            seeded.attempts[key] for key in ("A1", "A2", "A3", "A4", "A5", "B1")
        )
        assert sum(len(a["answers"]) for a in attempts) == 21
        first = next(a for a in attempts if a["attempt_id"] == seeded.attempts["A1"])
        assert [n["card_id"] for n in first["answers"]] == [
            "q-single", "q-multi", "q-tf", "q-typed", "q-order",
        ]  # fmt: skip
        assert (first["score"], first["max_score"], first["mode"]) == (2, 5, "practice")
        # Exporting changes nothing in the store.
        assert names(seeded.store) == ["Alice", "Bob"]


async def test_typing_a_new_name_does_not_trigger_management_keys(
    app: QuizApp, seeded: Seeded
) -> None:
    """r, x and e act on the list only: in the name box they are just letters."""
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_learners(pilot)
        await pilot.press("tab")
        assert app.focused is modal.query_one("#new-learner")
        await pilot.press(*"Rex", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, TextPromptModal | ConfirmModal)
        assert names(seeded.store) == ["Alice", "Bob", "Rex"]
        assert not (seeded.store.path.parent / "exports").exists()
        assert backups(seeded) == []
