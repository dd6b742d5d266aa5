"""What a deck cache entry (and the summary kept beside it) is keyed on.

Both the validated-deck cache (`cache`) and the deck summaries Home lists from
(`summary`) must only ever be used for the exact bytes this exact code validated, so both
use this one key: the deck file's resolved path, size, modification time (ns) and the
BLAKE2b hash of its bytes, plus the deck schema version, the cache format and the quizapp
and pydantic versions.

This module must not import pydantic or YAML: Home's first frame reads summaries before
either is loaded. The pydantic version is therefore read from the installed package's
`version.py` until pydantic itself is imported.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from quizapp import __version__
from quizapp.core import paths
from quizapp.core.decks.schema_version import SCHEMA_VERSION
from quizapp.core.digest import blake2b

CACHE_FORMAT = 2
"""Bump when the entry format, what is stored in it, or how deck files are read changes.

2: decks are read as YAML 1.2 (core schema): `answer: no` is now an error, not false, so
an entry made by the YAML 1.1 reader must not be used."""

SUBFOLDER = "decks"
"""The deck cache's folder inside the user cache folder."""


def default_cache_folder() -> Path:
    """Where the deck cache (entries and summaries) lives: `paths.cache_dir()/decks`."""
    return paths.cache_dir() / SUBFOLDER


def content_hash(data: bytes) -> str:
    """The hash of a deck file's bytes that its cache entry is keyed on."""
    return blake2b(data, digest_size=32).hexdigest()


def resolved(path: Path) -> str:
    """The path as the cache keys it (resolved when possible)."""
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return str(Path(path).absolute())


def entry_name(deck_file: Path) -> str:
    """The file name stem a deck file's entry and summary share in the cache folder."""
    return blake2b(resolved(deck_file).encode("utf-8"), digest_size=16).hexdigest()


_PYDANTIC_VERSION_LINE = re.compile(r"^VERSION\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def pydantic_version() -> str | None:
    """The installed pydantic's version, without importing pydantic when it is not loaded.

    Importing pydantic takes longer than drawing Home, so before it is loaded the version
    is read from its `version.py`. None when it cannot be found: then no entry matches
    and every deck is loaded in full, as without a cache.
    """
    loaded = sys.modules.get("pydantic.version")
    if loaded is not None:
        return str(loaded.VERSION)
    try:
        import importlib.util

        spec = importlib.util.find_spec("pydantic")
        if spec is None or spec.origin is None:
            return None
        text = (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except (OSError, ImportError, ValueError):
        return None
    match = _PYDANTIC_VERSION_LINE.search(text)
    return match.group(1) if match else None


def cache_key(deck_file: Path, stat: os.stat_result, data: bytes) -> dict[str, Any]:
    """Everything an entry or a summary must match to be used.

    Args:
        deck_file: The deck file.
        stat: Its `os.stat` result, taken before `data` was read.
        data: Its bytes.
    """
    return {
        "cache_format": CACHE_FORMAT,
        "schema_version": SCHEMA_VERSION,
        "quizapp": __version__,
        "pydantic": pydantic_version(),
        "path": resolved(deck_file),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "blake2b": content_hash(data),
    }
