"""A cache of validated decks, so a big library starts without parsing YAML again.

Parsing YAML is nearly all the cost of loading a deck (a 10,000-card deck: about 2 s with
libyaml), while validating the same deck from JSON takes a tenth of that. So each deck
that loaded without errors is kept as its validated model's JSON in the user cache folder
(`paths.cache_dir()/decks`), one file per deck file, named after the deck file's resolved
path. An entry is used only when everything in its key matches:

- the deck file's resolved path, size, modification time (ns) and the BLAKE2b hash of its
  bytes: any edit, even one that keeps the size and restores the time, is seen;
- the deck schema version, this cache's format version, the quizapp and pydantic versions:
  a new release never reads an old entry.

The cache can only make loading faster, never break it: an entry that is missing, stale,
unreadable, truncated or not a valid deck is ignored (and rewritten once the file has been
parsed again), and a write that fails (read-only or full disk) is skipped. Writes go to a
temporary file renamed over the entry, so a reader never sees half an entry.

Beside each entry the cache keeps the deck's summary (`summary`), keyed the same way,
which is what Home lists from before any deck model is loaded.

Entry format: one line of JSON (the key), a newline, then the deck as JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from quizapp.core import files
from quizapp.core.decks.cache_key import CACHE_FORMAT as CACHE_FORMAT
from quizapp.core.decks.cache_key import SUBFOLDER as SUBFOLDER
from quizapp.core.decks.cache_key import cache_key, default_cache_folder, entry_name
from quizapp.core.decks.cache_key import content_hash as content_hash
from quizapp.core.decks.model import Deck
from quizapp.core.decks.summary import DeckSummary, read_summary, write_summary


class DeckCache:
    """Validated decks keyed on their file's path, size, mtime and content hash."""

    def __init__(self, folder: Path | None = None) -> None:
        """Create a cache (nothing is read or written until used).

        Args:
            folder: Where entries live; default `paths.cache_dir()/decks`.
        """
        self.folder = Path(folder) if folder is not None else default_cache_folder()
        self.hits = 0
        """Decks read from the cache (for tests and benchmarks)."""
        self.misses = 0
        """Decks looked up but not found fresh."""
        self.write_errors = 0
        """Entries that could not be written (the cache folder is read-only, say)."""

    def entry_path(self, deck_file: Path) -> Path:
        """The cache entry for a deck file (whether or not it exists)."""
        return self.folder / f"{entry_name(deck_file)}.json"

    @staticmethod
    def key(deck_file: Path, stat: os.stat_result, data: bytes) -> dict[str, Any]:
        """Everything an entry must match to be used.

        Args:
            deck_file: The deck file.
            stat: Its `os.stat` result, taken before `data` was read.
            data: Its bytes.
        """
        return cache_key(deck_file, stat, data)

    def get(self, deck_file: Path, stat: os.stat_result, data: bytes) -> Deck | None:
        """The cached deck for this exact file content, or None.

        Never raises for a bad entry: anything wrong with it is a miss.
        """
        try:
            raw = self.entry_path(deck_file).read_bytes()
            header, newline, body = raw.partition(b"\n")
            key = self.key(deck_file, stat, data)
            if newline and json.loads(header) == key:
                deck = Deck.model_validate_json(body)
                self.hits += 1
                if read_summary(self.folder, deck_file, key) is None:
                    # Missing or damaged (or the entry came from before summaries):
                    # Home lists from it at the next start.
                    write_summary(self.folder, deck_file, key, DeckSummary.of(deck))
                return deck
        except FileNotFoundError:
            pass
        except (OSError, ValueError, RecursionError, MemoryError):
            # ValueError covers bad JSON, bad UTF-8 and pydantic's ValidationError.
            pass
        self.misses += 1
        return None

    def put(self, deck_file: Path, stat: os.stat_result, data: bytes, deck: Deck) -> bool:
        """Store a validated deck for this file content (atomically; failures are ignored).

        Returns:
            True if the entry was written.
        """
        try:
            key = self.key(deck_file, stat, data)
            header = json.dumps(key, separators=(",", ":"))
            body = deck.model_dump_json(exclude_unset=True, round_trip=True)
            # Private like the data: which decks are cached says which medicine is studied.
            files.make_private_folders(self.folder)
            fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        except (OSError, ValueError):
            self.write_errors += 1
            return False
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(header.encode("utf-8"))
                out.write(b"\n")
                out.write(body.encode("utf-8"))
            os.replace(temp, self.entry_path(deck_file))
        except OSError:
            self.write_errors += 1
            try:
                os.unlink(temp)
            except OSError:
                pass
            return False
        write_summary(self.folder, deck_file, key, DeckSummary.of(deck))
        return True

    def clear(self) -> None:
        """Remove every entry (a missing folder is fine)."""
        try:
            entries = list(self.folder.glob("*.json"))
        except OSError:
            return
        for entry in entries:
            try:
                entry.unlink()
            except OSError:
                pass
