"""Shared test set-up: every test gets its own data and cache folders, UTC time and a
steady (non-blinking) cursor, so runs never touch the real user folders and snapshots
are stable."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point QUIZAPP_DATA_DIR and QUIZAPP_CACHE_DIR at fresh temporary folders."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("QUIZAPP_DATA_DIR", str(data_dir))
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(tmp_path / "cache"))
    yield data_dir


@pytest.fixture(autouse=True, scope="session")
def utc_timezone() -> Iterator[None]:
    """Show times in UTC, whatever the machine's zone, so screens are reproducible."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots differ from run to run."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
