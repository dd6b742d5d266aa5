"""A learner's history read a page at a time (`ScoreStore.history(..., before=...)`) and
counted (`history_count`), as the History screen does (issue 18).

Every test reads the pages the way the screen does: the first with `limit`, each next
one with the last attempt of the page before as `before`, until a short or empty page.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quizapp.core.store import AttemptSummary, ScoreStore
from quizapp.core.store.attempts import HISTORY_AFTER_SQL
from tests.helpers.clock import Clock

START = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> ScoreStore:
    return ScoreStore.open(tmp_path / "data" / "quizapp.db", now=clock)


def start(store: ScoreStore, learner_id: int, title: str = "Deck") -> int:
    return store.start_attempt(learner_id, "deck", "1.0.0", title, "practice", {"cards": []})


def read_pages(
    store: ScoreStore, learner_id: int, size: int, *, include_discarded: bool = False
) -> list[list[int]]:
    """Every page of a learner's history, as attempt ids, read as the History screen does."""
    pages: list[list[int]] = []
    last: AttemptSummary | None = None
    while True:
        page = store.history(learner_id, size, include_discarded=include_discarded, before=last)
        assert len(page) <= size
        if page:
            pages.append([a.id for a in page])
            last = page[-1]
        if len(page) < size:
            return pages


def flatten(pages: list[list[int]]) -> list[int]:
    return [attempt for page in pages for attempt in page]


def test_pages_list_every_attempt_once_newest_first_even_at_the_same_moment(
    store: ScoreStore, clock: Clock
) -> None:
    ann = store.add_learner("Ann")
    bob = store.add_learner("Bob")
    # Runs of attempts started at the same moment (a page boundary falls inside each
    # run), another learner's attempts in between.
    for _ in range(4):
        for _ in range(5):
            start(store, ann.id)
            start(store, bob.id)
        clock.advance(seconds=1)
    unpaged = [a.id for a in store.history(ann.id)]
    assert len(unpaged) == 20

    pages = read_pages(store, ann.id, 3)

    assert flatten(pages) == unpaged  # none missed, none repeated, same order
    assert [len(page) for page in pages] == [3] * 6 + [2]
    # Newest first; among attempts started together, the later one (bigger id) first.
    keys = [(a.started_at, a.id) for a in store.history(ann.id)]
    assert keys == sorted(keys, reverse=True)
    assert len({started for started, _ in keys}) == 4


def test_a_page_boundary_exactly_at_the_page_size(store: ScoreStore, clock: Clock) -> None:
    ann = store.add_learner("Ann")
    for _ in range(2 * 4):
        start(store, ann.id)
        clock.advance(seconds=1)
    pages = read_pages(store, ann.id, 4)
    # Two full pages; the read after the second finds nothing (no empty page is kept).
    assert [len(page) for page in pages] == [4, 4]
    last = store.history(ann.id, 4, before=store.history(ann.id)[-1])
    assert last == []
    assert flatten(pages) == [a.id for a in store.history(ann.id)]


def test_discarded_attempts_are_left_out_of_pages_and_count_unless_asked(
    store: ScoreStore, clock: Clock
) -> None:
    ann = store.add_learner("Ann")
    ids = []
    for n in range(10):
        ids.append(start(store, ann.id))
        if n % 3 == 0:
            store.discard_attempt(ids[-1])
        elif n % 3 == 1:
            store.finish_attempt(ids[-1], 1.0, 2.0, None)
        clock.advance(seconds=1)
    discarded = set(ids[::3])
    kept = [attempt for attempt in reversed(ids) if attempt not in discarded]

    assert flatten(read_pages(store, ann.id, 2)) == kept
    assert flatten(read_pages(store, ann.id, 2, include_discarded=True)) == ids[::-1]
    assert store.history_count(ann.id) == len(kept) == 6
    assert store.history_count(ann.id, include_discarded=True) == 10
    # A discarded attempt as the key of the next page (listed with include_discarded)
    # still marks its place for a page without discarded ones.
    (key,) = [a for a in store.history(ann.id, include_discarded=True) if a.id == ids[6]]
    assert [a.id for a in store.history(ann.id, 2, before=key)] == [ids[5], ids[4]]


def test_an_attempt_started_while_pages_are_read_does_not_shift_them(
    store: ScoreStore, clock: Clock
) -> None:
    ann = store.add_learner("Ann")
    ids = []
    for _ in range(6):
        ids.append(start(store, ann.id))
        clock.advance(seconds=1)
    first = store.history(ann.id, 4)
    newer = start(store, ann.id)  # in another window, say
    second = store.history(ann.id, 4, before=first[-1])
    assert [a.id for a in first + second] == ids[::-1]
    assert store.history(ann.id)[0].id == newer


def test_history_count_is_the_number_of_attempts_listed(store: ScoreStore) -> None:
    ann = store.add_learner("Ann")
    bob = store.add_learner("Bob")
    assert store.history_count(ann.id) == 0
    for _ in range(7):
        start(store, ann.id)
    start(store, bob.id)
    assert store.history_count(ann.id) == len(store.history(ann.id)) == 7
    assert store.history_count(bob.id) == 1


def test_pages_follow_the_stored_order_of_times_written_by_another_program(
    store: ScoreStore, tmp_path: Path
) -> None:
    """Times stored with an offset instead of `Z` (read fine by `from_db_time`) still
    page without repeats: the key is the stored text, not the datetime written back."""
    ann = store.add_learner("Ann")
    with closing(sqlite3.connect(tmp_path / "data" / "quizapp.db")) as conn, conn:
        for minute in (1, 1, 1, 2, 2):
            conn.execute(
                "INSERT INTO attempts (learner_id, deck_id, deck_version, deck_title, mode,"
                " plan_json, started_at, status) VALUES (?, 'deck', '1', 'Deck', 'practice',"
                " '{}', ?, 'unfinished')",
                (ann.id, f"2025-03-01T09:0{minute}:00+00:00"),
            )
    assert flatten(read_pages(store, ann.id, 2)) == [a.id for a in store.history(ann.id)]
    assert len(flatten(read_pages(store, ann.id, 2))) == 5


def test_a_later_page_is_one_range_of_the_history_index(store: ScoreStore) -> None:
    """However far back a page is, it reads only its own rows of the index."""
    ann = store.add_learner("Ann")
    for _ in range(3):
        start(store, ann.id)
    with closing(sqlite3.connect(store.path)) as conn:
        params = {name: 1 for name in re.findall(r":(\w+)", HISTORY_AFTER_SQL)}
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + HISTORY_AFTER_SQL, params)]
    assert any(
        "attempts_by_learner_started" in detail and "started_at<" in detail for detail in plan
    ), plan
    assert not any("TEMP B-TREE" in detail for detail in plan), plan
