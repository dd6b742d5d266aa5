"""Deck summaries: what Home lists about a deck, readable without the deck models.

Listing a deck needs its title, audience, medicine, card counts per topic and the ids of
the cards studied as flashcards (for due counts), not a pydantic model of every card.
Importing pydantic and validating a big deck costs far more than drawing Home, so each
deck that validates gets a small summary file beside its validated-deck cache entry
(`<entry>.summary.json`), keyed on the **same** key as the entry (`cache_key`).

A summary is therefore only used for the exact bytes this exact code validated, so a
deck is never listed as valid when it no longer validates: an edited file no longer
matches its summary and goes through full loading (and is reported if it fails). Like the
cache, summaries are only a shortcut: a missing, stale or unreadable one is ignored and
rewritten, and deleting the cache folder is always safe.

This module must not import pydantic, YAML or the deck models (Home's first frame reads
it).

Format: one line of JSON (the key), a newline, then the summary as JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from quizapp.core import files
from quizapp.core.decks.cache_key import entry_name

if TYPE_CHECKING:
    from quizapp.core.decks.model import Deck

SUMMARY_FORMAT = 1
"""Bump when the summary's fields change."""

SUMMARY_SUFFIX = ".summary.json"


class DeckSummary(NamedTuple):
    """What Home shows about a deck that validated, and what due counts need.

    Attributes:
        id: The deck id.
        title: The deck title.
        audience: patient, caregiver or clinician.
        generic: The medicine's generic name.
        brands: Its brand names.
        version: The deck's own version.
        reviewed: When the deck's content was last reviewed (YYYY-MM-DD).
        quiz_cards: How many cards quizzes ask.
        flashcards: How many `flashcard` cards the deck has.
        topics: Quiz cards per topic, in the deck's topic order.
        study_card_ids: The cards studied as flashcards, in deck order (the flashcards,
            and the quiz cards too when the deck says so), for due counts.
    """

    id: str
    title: str
    audience: str
    generic: str
    brands: tuple[str, ...]
    version: str
    reviewed: str
    quiz_cards: int
    flashcards: int
    topics: tuple[tuple[str, int], ...]
    study_card_ids: tuple[str, ...]

    @classmethod
    def of(cls, deck: Deck) -> DeckSummary:
        """The summary of a validated deck."""
        flashcards = deck.flashcards
        studied = deck.cards if deck.flashcards_include_quiz else flashcards
        return cls(
            id=deck.id,
            title=deck.title,
            audience=deck.audience,
            generic=deck.drug.generic,
            brands=tuple(deck.drug.brands),
            version=deck.version,
            reviewed=deck.reviewed.isoformat(),
            quiz_cards=len(deck.quiz_cards),
            flashcards=len(flashcards),
            topics=tuple(deck.cards_per_topic().items()),
            study_card_ids=tuple(card.id for card in studied),
        )

    def to_json(self) -> str:
        """The summary as one line of JSON."""
        fields = self._asdict()
        fields["summary_format"] = SUMMARY_FORMAT
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> DeckSummary:
        """Read a summary written by `to_json`.

        Raises:
            ValueError: Not a summary of this format.
        """
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.pop("summary_format", None) != SUMMARY_FORMAT:
            raise ValueError("not a deck summary of this format")
        try:
            return cls(
                id=_text(raw["id"]),
                title=_text(raw["title"]),
                audience=_text(raw["audience"]),
                generic=_text(raw["generic"]),
                brands=tuple(_text(brand) for brand in raw["brands"]),
                version=_text(raw["version"]),
                reviewed=_text(raw["reviewed"]),
                quiz_cards=_count(raw["quiz_cards"]),
                flashcards=_count(raw["flashcards"]),
                topics=tuple((_text(topic), _count(count)) for topic, count in raw["topics"]),
                study_card_ids=tuple(_text(card) for card in raw["study_card_ids"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"deck summary is missing a field: {exc}") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"expected a count, found {value!r}")
    return value


def summary_path(folder: Path, deck_file: Path) -> Path:
    """The summary file for a deck file, in the cache folder (whether or not it exists)."""
    return folder / f"{entry_name(deck_file)}{SUMMARY_SUFFIX}"


def read_summary(folder: Path, deck_file: Path, key: dict[str, Any]) -> DeckSummary | None:
    """The summary kept for exactly this key, or None (never raises for a bad file)."""
    try:
        raw = summary_path(folder, deck_file).read_bytes()
        header, newline, body = raw.partition(b"\n")
        if newline and json.loads(header) == key:
            return DeckSummary.from_json(body)
    except (OSError, ValueError, RecursionError, MemoryError):
        # ValueError covers bad JSON, bad UTF-8 and a summary of another format.
        pass
    return None


def write_summary(folder: Path, deck_file: Path, key: dict[str, Any], summary: DeckSummary) -> bool:
    """Keep a summary for this key (atomically; failures are ignored: it is a shortcut).

    Returns:
        True if it was written.
    """
    try:
        # Private like the data: which decks are cached says which medicine is studied.
        files.make_private_folders(folder)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(json.dumps(key, separators=(",", ":")).encode("utf-8"))
            out.write(b"\n")
            out.write(summary.to_json().encode("utf-8"))
        os.replace(temp, summary_path(folder, deck_file))
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
        return False
    return True
