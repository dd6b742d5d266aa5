"""Where quizapp keeps its files. Everything is resolved when asked, never at import time,
so tests (and users) can point the app elsewhere with an environment variable."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import platformdirs

APP_NAME = "quizapp"
DATA_DIR_ENV = "QUIZAPP_DATA_DIR"
CACHE_DIR_ENV = "QUIZAPP_CACHE_DIR"
DB_FILENAME = "quizapp.db"


def data_dir(override: Path | str | None = None) -> Path:
    """The folder for the score database, settings and the user's own decks.

    Args:
        override: A `--data-dir` given on the command line; wins over everything.

    Returns:
        `override`, else `$QUIZAPP_DATA_DIR`, else the platform's user data folder.
    """
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def db_path(folder: Path) -> Path:
    """The score database inside a data folder."""
    return folder / DB_FILENAME


def user_decks_dir(folder: Path) -> Path:
    """The user's own deck folder inside a data folder."""
    return folder / "decks"


def settings_path(folder: Path) -> Path:
    """The settings file inside a data folder."""
    return folder / "settings.json"


def cache_dir() -> Path:
    """The folder for rebuildable caches (`$QUIZAPP_CACHE_DIR` or the platform's cache)."""
    from_env = os.environ.get(CACHE_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def bundled_decks_dir() -> Path:
    """The decks that ship with the app.

    In an installed wheel they sit inside the package (`quizapp/_bundled_decks`); in a
    source checkout they are the repository's top-level `decks/` folder.
    """
    package = Path(__file__).resolve().parent.parent
    installed = package / "_bundled_decks"
    if installed.is_dir():
        return installed
    return package.parent / "decks"


def deck_search_paths(extra: Sequence[Path], folder: Path) -> list[Path]:
    """Every place decks are looked for, in priority order.

    Args:
        extra: Folders or files given with `--decks`.
        folder: The data folder, whose `decks/` subfolder holds the user's own decks.

    Returns:
        The bundled deck folder, the user's deck folder (when it exists), then `extra`.
    """
    found = [bundled_decks_dir()]
    user = user_decks_dir(folder)
    if user.is_dir():
        found.append(user)
    found.extend(extra)
    return found


def pending_path(database: Path) -> Path:
    """The kept-for-later file of a score database (`quizapp.db.pending.json`): answers
    and ratings the store could not take, written at the next start
    (`quizapp.core.pending`)."""
    return database.with_name(f"{database.name}.pending.json")
