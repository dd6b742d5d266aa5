"""Finding deck files in folders, without reading or parsing them.

Kept apart from `loading` (which imports pydantic and YAML) because Home's first frame
needs the list of deck files, not the loader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

MAX_DECK_BYTES = 8 * 1024 * 1024
"""Largest deck file accepted. A 10,000-card deck is about 3 MB; anything far past that is a
mistake (or an attack), and reading it would stall the app."""

DECK_SUFFIXES = (".yaml", ".yml")
"""File name endings of deck files (compared ignoring case)."""


def deck_files(folder: Path) -> list[Path]:
    """The deck files directly inside a folder, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in DECK_SUFFIXES and p.is_file())


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Turn a mix of deck files and folders into deck files, keeping order, without repeats."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        candidates = deck_files(path) if path.is_dir() else [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                files.append(candidate)
    return files


_ID_LINE = re.compile(r"^id\s*:", re.MULTILINE)


def id_position(path: Path) -> tuple[int, int]:
    """Line and column of a deck file's top-level `id:` (0, 0 when not found), for the
    message about two files claiming one deck id."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0, 0
    match = _ID_LINE.search(text)
    return (text.count("\n", 0, match.start()) + 1, 1) if match else (0, 0)
