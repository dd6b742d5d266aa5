"""Fixtures for the UI tests. The root conftest already gives each test its own
QUIZAPP_DATA_DIR (`isolated_dirs`), UTC time and a steady cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_app import seed_learner

from quizapp.core.store import Learner


@pytest.fixture
def data_dir(isolated_dirs: Path) -> Path:
    """This test's data folder (also what $QUIZAPP_DATA_DIR points at)."""
    return isolated_dirs


@pytest.fixture
def learner(data_dir: Path) -> Learner:
    """A learner who has acknowledged the notice, remembered in the settings, so the app
    opens straight on Home."""
    return seed_learner(data_dir)
