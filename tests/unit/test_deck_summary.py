"""Deck summaries, the deck library and due counts from card ids (issue 18): what Home
lists without loading any deck model.

Real deck files, a real cache folder and a real SQLite store; nothing mocked.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pydantic
import pytest

from quizapp.core.decks import cache_key
from quizapp.core.decks.cache import DeckCache
from quizapp.core.decks.library import DeckChangedError, load_full, scan, validate_pending
from quizapp.core.decks.loading import load_deck
from quizapp.core.decks.summary import DeckSummary, read_summary, summary_path
from quizapp.core.due import due_count
from quizapp.core.flashcards import FlashcardScheduler, deck_queue, study_cards
from quizapp.core.store import ScoreStore

REPO = Path(__file__).resolve().parents[2]
DECKS = REPO / "tests" / "data" / "decks"
ALL_TYPES = DECKS / "ui" / "all-types.yaml"
FIVE = DECKS / "flashcards" / "five-cards.yaml"
START = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "decks" / "all-types.yaml"
    path.parent.mkdir()
    shutil.copy(ALL_TYPES, path)
    return path


def test_summary_holds_what_home_shows() -> None:
    deck = load_deck(ALL_TYPES)
    summary = DeckSummary.of(deck)
    assert (summary.id, summary.title, summary.audience) == (deck.id, deck.title, deck.audience)
    assert (summary.generic, summary.brands) == (deck.drug.generic, tuple(deck.drug.brands))
    assert (summary.version, summary.reviewed) == (deck.version, deck.reviewed.isoformat())
    assert summary.quiz_cards == len(deck.quiz_cards)
    assert summary.flashcards == len(deck.flashcards)
    assert summary.topics == tuple(deck.cards_per_topic().items())
    assert summary.study_card_ids == tuple(card.card_id for card in study_cards(deck))
    assert DeckSummary.from_json(summary.to_json()) == summary


def test_summary_study_cards_include_quiz_cards_when_the_deck_says_so() -> None:
    deck = load_deck(ALL_TYPES)
    both = deck.model_copy(update={"flashcards_include_quiz": True})
    assert DeckSummary.of(both).study_card_ids == tuple(c.card_id for c in study_cards(both))
    assert len(DeckSummary.of(both).study_card_ids) > len(DeckSummary.of(deck).study_card_ids)


def test_scan_uses_a_summary_only_for_the_exact_bytes(tmp_path: Path, deck_file: Path) -> None:
    cache = DeckCache(tmp_path / "cache")
    assert scan([deck_file.parent], cache.folder).pending == [deck_file]  # nothing kept yet
    load_deck(deck_file, cache)  # writes the entry and its summary
    library = scan([deck_file.parent], cache.folder)
    assert library.pending == []
    assert list(library.summaries) == ["test-all-types"]
    # Same size, same mtime, one byte different: the hash in the key tells.
    stat = deck_file.stat()
    data = bytearray(deck_file.read_bytes())
    data[data.index(b"every card type")] = ord("E")
    deck_file.write_bytes(bytes(data))
    os.utime(deck_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert deck_file.stat().st_size == stat.st_size
    assert scan([deck_file.parent], cache.folder).pending == [deck_file]


@pytest.mark.parametrize(
    "damage",
    [b"", b"\x00\xff garbage", b"RIGHT-KEY\n{}", b"RIGHT-KEY\nnot json", b"{}\n{}"],
    ids=["empty", "garbage", "no-fields", "bad-body", "other-key"],
)
def test_a_damaged_summary_is_ignored_and_rewritten(
    tmp_path: Path, deck_file: Path, damage: bytes
) -> None:
    cache = DeckCache(tmp_path / "cache")
    load_deck(deck_file, cache)
    path = summary_path(cache.folder, deck_file)
    header = path.read_bytes().partition(b"\n")[0]
    path.write_bytes(damage.replace(b"RIGHT-KEY", header))
    library = scan([deck_file], cache.folder)
    assert library.pending == [deck_file]
    # Checking it in full writes a good one back (from the cache entry: a hit).
    checked = validate_pending(library, cache)
    assert list(checked.summaries) == ["test-all-types"]
    assert cache.hits == 1
    assert scan([deck_file], cache.folder).pending == []


def test_a_new_pydantic_version_ignores_old_summaries(
    tmp_path: Path, deck_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DeckCache(tmp_path / "cache")
    load_deck(deck_file, cache)
    stat, data = deck_file.stat(), deck_file.read_bytes()
    assert read_summary(cache.folder, deck_file, cache_key.cache_key(deck_file, stat, data))
    import pydantic.version

    monkeypatch.setattr(pydantic.version, "VERSION", "0.0.0")
    key = cache_key.cache_key(deck_file, stat, data)
    assert read_summary(cache.folder, deck_file, key) is None


def test_listing_needs_neither_pydantic_nor_yaml_nor_fsrs(tmp_path: Path, deck_file: Path) -> None:
    """In a fresh interpreter: the app and the scan import none of them, and the pydantic
    version read from the installed files is the one pydantic reports."""
    cache = DeckCache(tmp_path / "cache")
    load_deck(deck_file, cache)
    code = (
        "import sys; from pathlib import Path\n"
        "import quizapp.cli, quizapp.ui.app\n"
        "from quizapp.core.decks.library import scan\n"
        "from quizapp.core.decks.cache_key import pydantic_version\n"
        f"library = scan([Path({str(deck_file)!r})], Path({str(cache.folder)!r}))\n"
        "print(len(library.summaries), len(library.pending), pydantic_version())\n"
        "print(sorted(m for m in ('pydantic', 'yaml', 'fsrs') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [f"1 0 {pydantic.VERSION}", "[]"]


def test_load_full_refuses_a_deck_that_no_longer_validates(tmp_path: Path, deck_file: Path) -> None:
    cache = DeckCache(tmp_path / "cache")
    load_deck(deck_file, cache)
    library = scan([deck_file], cache.folder)
    assert load_full(library, "test-all-types", cache).id == "test-all-types"
    text = deck_file.read_text(encoding="utf-8")
    deck_file.write_text(text.replace("topic: mechanism", "topic: nowhere", 1), "utf-8")
    with pytest.raises(DeckChangedError) as caught:
        load_full(library, "test-all-types", cache)
    updated = library.with_outcome(caught.value.outcome)
    assert updated.summaries == {}
    assert [error.path for error in updated.errors] == [deck_file]


def test_two_files_with_one_deck_id_keep_the_first(tmp_path: Path, deck_file: Path) -> None:
    cache = DeckCache(tmp_path / "cache")
    twin = deck_file.with_name("zz-twin.yaml")
    shutil.copy(deck_file, twin)
    library = validate_pending(scan([deck_file.parent], cache.folder), cache)
    assert library.paths == {"test-all-types": deck_file}
    assert [error.path for error in library.errors] == [twin]
    # The same from summaries on the next start.
    again = scan([deck_file.parent], cache.folder)
    assert again.pending == []
    assert again.paths == {"test-all-types": deck_file}
    assert [error.path for error in again.errors] == [twin]


def test_a_broken_file_is_never_listed(tmp_path: Path, deck_file: Path) -> None:
    cache = DeckCache(tmp_path / "cache")
    text = deck_file.read_text(encoding="utf-8")
    deck_file.write_text(text.replace("topic: mechanism", "topic: nowhere", 1), "utf-8")
    library = validate_pending(scan([deck_file], cache.folder), cache)
    assert library.summaries == {}
    assert [error.path for error in library.errors] == [deck_file]
    assert scan([deck_file], cache.folder).pending == [deck_file]  # no summary was kept


@pytest.mark.parametrize("seed", range(6))
def test_due_count_is_the_length_of_the_flashcard_queue(tmp_path: Path, seed: int) -> None:
    """Home's count (from the summary's card ids) against the flashcard screen's queue
    (from the deck), over a real store with reviews, suspended cards, an unreadable state,
    and the daily limits."""
    rng = random.Random(seed)
    deck = load_deck(ALL_TYPES if seed % 2 else FIVE)
    deck = deck.model_copy(update={"flashcards_include_quiz": rng.random() < 0.5})
    store = ScoreStore.open(tmp_path / "scores.db")
    learner = store.get_or_create_learner("Ada").id
    scheduler = FlashcardScheduler()
    cards = study_cards(deck)
    for card in cards:
        roll = rng.random()
        if roll < 0.6:
            when = START - timedelta(hours=rng.randint(1, 40))
            state, log = scheduler.review(None, rng.randint(1, 4), when)
            state.due = START + timedelta(hours=rng.randint(-48, 48))
            stored = state.to_dict()
            if roll < 0.08:
                stored = {"not": "an fsrs state"}  # studied as new by both
            store.record_review(
                learner,
                deck.id,
                card.card_id,
                card_hash=card.card_hash,
                state=dict(stored),
                due=state.due,
                rating=log.rating.value,
                reviewed_at=when,
                review=log.to_dict(),
                previous_state=None,
            )
        if rng.random() < 0.15:
            store.suspend_card(learner, deck.id, card.card_id, True)
    summary = DeckSummary.of(deck)
    for _ in range(10):
        new_limit = rng.randint(0, 6)
        review_limit = rng.choice([None, 0, 1, 3])
        queue, _ = deck_queue(
            store, learner, deck, START, new_limit=new_limit, review_limit=review_limit
        )
        count = due_count(
            store,
            learner,
            deck.id,
            summary.study_card_ids,
            START,
            new_limit=new_limit,
            review_limit=review_limit,
        )
        assert count == len(queue)
