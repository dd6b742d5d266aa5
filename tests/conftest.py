"""Shared test set-up: every test gets its own data and cache folders, UTC time and a
steady (non-blinking) cursor, so runs never touch the real user folders and snapshots
are stable."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests must never flake: every run tries the same examples (derandomize), no
# example database carries failures from one run or machine to the next, and a slow
# example on a busy machine is not a failure (deadline). Loaded here, before any test
# module is imported, because a module's `@settings(...)` copies the default profile
# when it is created. tests/unit/test_property_tests.py checks that every test got it.
settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.load_profile("deterministic")

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
REPO = TESTS.parent


def run_quizapp(
    *args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m quizapp ARGS` as a real subprocess and capture its text output."""
    return subprocess.run(
        [sys.executable, "-m", "quizapp", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point QUIZAPP_DATA_DIR and QUIZAPP_CACHE_DIR at fresh temporary folders."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("QUIZAPP_DATA_DIR", str(data_dir))
    monkeypatch.setenv("QUIZAPP_CACHE_DIR", str(tmp_path / "cache"))
    yield data_dir


@contextmanager
def local_timezone(name: str) -> Iterator[None]:
    """Run with the process's local time zone set to `name` (a TZ string), then restore it."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.fixture(autouse=True, scope="session")
def utc_timezone() -> Iterator[None]:
    """Show times in UTC, whatever the machine's zone, so screens are reproducible."""
    with local_timezone("UTC"):
        yield


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots differ from run to run."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
