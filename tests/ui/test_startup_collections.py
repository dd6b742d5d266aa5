"""Garbage collection is held off for the start-up and back on from the first frame
(issue 18): `quizapp.cli.cmd_run` disables it before importing the UI; the app must turn
it back on, or the process would grow without bound."""

from __future__ import annotations

import gc
from pathlib import Path

from snapshot_app import new_app, settle

from quizapp.core.store import Learner


async def test_collections_resume_at_the_first_frame(data_dir: Path, learner: Learner) -> None:
    app = new_app(data_dir)
    gc.disable()  # as the command does before the UI is imported
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert gc.isenabled()  # run_test returns once the first frame is up
            await settle(pilot)
            assert gc.isenabled()
    finally:
        gc.enable()
