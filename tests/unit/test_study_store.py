"""The studying features of the score store (schema version 4), on real SQLite files:
the counts the statistics charts and the mistakes quiz read, suspended cards, a card's
answers, and the migration from version 3."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.core.store import SCHEMA_VERSION, ScoreStore, to_db_time
from quizapp.core.store.schema import MIGRATIONS
from tests.conftest import local_timezone
from tests.helpers.clock import Clock

START = datetime(2025, 3, 1, 9, 30, 0, tzinfo=UTC)
DECKS = ("diazepam", "clonazepam")


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "quizapp.db"


@pytest.fixture
def store(db: Path, clock: Clock) -> ScoreStore:
    return ScoreStore.open(db, now=clock)


@contextmanager
def raw(db: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection in autocommit mode, for writes that bypass the store."""
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        yield conn


def start(store: ScoreStore, learner_id: int, deck_id: str = "diazepam") -> int:
    return store.start_attempt(learner_id, deck_id, "1", deck_id.title(), "practice", {})


def answer(
    store: ScoreStore,
    attempt_id: int,
    card_id: str,
    *,
    deck_id: str = "diazepam",
    correct: bool = True,
    elapsed_ms: int = 1500,
) -> int:
    return store.record_answer(
        attempt_id,
        deck_id=deck_id,
        card_id=card_id,
        card_hash="0123456789abcdef",
        topic="uses",
        critical=False,
        response="A",
        correct=correct,
        points=1.0 if correct else 0.0,
        elapsed_ms=elapsed_ms,
    )


def review(store: ScoreStore, learner_id: int, card_id: str, at: datetime, *, first: bool) -> int:
    state = {"due": to_db_time(at + timedelta(days=2)).replace("Z", "+00:00")}
    return store.record_review(
        learner_id,
        "diazepam",
        card_id,
        card_hash="h",
        state=state,
        due=at + timedelta(days=2),
        rating=3,
        reviewed_at=at,
        review={},
        previous_state=None if first else state,
    )


# --------------------------------------------------------------------------- reference queries
# What the kept counts stand for, computed the slow way from every answer and review.

_SLOT = "substr({0}, 1, 14) || printf('%02d', CAST(substr({0}, 15, 2) AS INTEGER) / 15 * 15)"

_ACTIVITY_REFERENCE = f"""
    SELECT learner_id, slot, sum(answered), sum(correct), sum(reviewed) FROM (
        SELECT a.learner_id, {_SLOT.format("n.answered_at")} AS slot, 1 AS answered,
               n.correct, 0 AS reviewed
        FROM attempts a JOIN answers n ON n.attempt_id = a.id
        WHERE a.status IN ('unfinished', 'finished')
        UNION ALL
        SELECT learner_id, {_SLOT.format("reviewed_at")}, 0, 0, 1 FROM review_log)
    GROUP BY learner_id, slot ORDER BY learner_id, slot
"""

_LATEST_REFERENCE = """
    SELECT a.learner_id, n.deck_id, n.card_id, max(n.id), n.correct, n.answered_at
    FROM attempts a JOIN answers n ON n.attempt_id = a.id
    WHERE a.status IN ('unfinished', 'finished')
    GROUP BY a.learner_id, n.deck_id, n.card_id ORDER BY 1, 2, 3
"""


def assert_kept_counts_match(db: Path) -> int:
    """Check `activity_counts` and `latest_answers` against the slow queries.

    Returns:
        How many activity slots there were, so callers can check the comparison was not
        vacuous.
    """
    with raw(db) as conn:
        activity = conn.execute(
            "SELECT learner_id, slot, answered, correct, reviewed FROM activity_counts"
            " ORDER BY learner_id, slot"
        ).fetchall()
        assert activity == conn.execute(_ACTIVITY_REFERENCE).fetchall()
        latest = conn.execute(
            "SELECT learner_id, deck_id, card_id, answer_id, correct, answered_at"
            " FROM latest_answers ORDER BY 1, 2, 3"
        ).fetchall()
        assert latest == conn.execute(_LATEST_REFERENCE).fetchall()
    return len(activity)


CARDS = tuple(f"card-{number}" for number in range(6))


@pytest.mark.parametrize("seed", range(5))
def test_kept_counts_equal_the_slow_queries_after_random_writes(
    db: Path, clock: Clock, seed: int
) -> None:
    rng = random.Random(seed)
    store = ScoreStore.open(db, now=clock)
    learners = [store.add_learner(name).id for name in ("Ann", "Bob", "Cy")]
    unfinished: dict[int, tuple[int, str]] = {}
    answered: dict[int, set[str]] = {}
    reviews: list[int] = []
    for step in range(180):
        # Minutes to hours apart, so answers share slots and spread over several days.
        clock.advance(minutes=rng.choice((1, 7, 16, 200)))
        roll = rng.random()
        if roll < 0.1 or not unfinished:
            learner, deck = rng.choice(learners), rng.choice(DECKS)
            unfinished[start(store, learner, deck)] = (learner, deck)
        elif roll < 0.6:
            attempt_id = rng.choice(list(unfinished))
            # An attempt takes one answer per card (the store's guard), so pick one not
            # answered in it yet.
            open_cards = sorted(set(CARDS) - answered.setdefault(attempt_id, set()))
            if open_cards:
                card_id = rng.choice(open_cards)
                answered[attempt_id].add(card_id)
                answer(
                    store,
                    attempt_id,
                    card_id,
                    deck_id=unfinished[attempt_id][1],
                    correct=rng.random() < 0.6,
                )
        elif roll < 0.7:
            store.finish_attempt(unfinished.popitem()[0], 1, 2, None)
        elif roll < 0.78:
            attempt_id = rng.choice(list(unfinished))
            del unfinished[attempt_id]
            store.discard_attempt(attempt_id)
        elif roll < 0.88:
            reviews.append(review(store, rng.choice(learners), f"card-{step}", clock(), first=True))
        elif roll < 0.91 and reviews:
            store.undo_review(reviews.pop())
        elif roll < 0.93 and len(learners) > 1:
            gone = learners.pop(rng.randrange(len(learners)))
            store.delete_learner(gone)
            unfinished = {a: ld for a, ld in unfinished.items() if ld[0] != gone}
            reviews = []
        else:
            # Writes that bypass the store's methods: the counts follow those too.
            with raw(db) as conn:
                conn.execute("PRAGMA foreign_keys = ON")
                kind = rng.randrange(3)
                if kind == 0:
                    conn.execute(
                        "DELETE FROM answers WHERE id ="
                        " (SELECT id FROM answers ORDER BY random() LIMIT 1)"
                    )
                elif kind == 1:
                    conn.execute(
                        "UPDATE answers SET correct = 1 - correct, answered_at = ? WHERE id ="
                        " (SELECT id FROM answers ORDER BY random() LIMIT 1)",
                        (to_db_time(clock() - timedelta(days=3)),),
                    )
                elif unfinished:
                    victim = rng.choice(list(unfinished))
                    conn.execute("DELETE FROM attempts WHERE id = ?", (victim,))
                    del unfinished[victim]
        if step % 30 == 29:
            assert_kept_counts_match(db)
    assert assert_kept_counts_match(db) > 0


def test_moving_and_discarding_an_attempt_moves_its_counts(store: ScoreStore, db: Path) -> None:
    ann, bob = store.add_learner("Ann").id, store.add_learner("Bob").id
    attempt_id = start(store, ann)
    answer(store, attempt_id, "card-1", correct=False)
    assert [m.card_id for m in store.mistakes(ann)] == ["card-1"]
    with raw(db) as conn:
        conn.execute("UPDATE attempts SET learner_id = ? WHERE id = ?", (bob, attempt_id))
    assert store.mistakes(ann) == []
    assert [m.card_id for m in store.mistakes(bob)] == ["card-1"]
    assert_kept_counts_match(db)
    store.discard_attempt(attempt_id)
    assert store.mistakes(bob) == []
    assert assert_kept_counts_match(db) == 0


# --------------------------------------------------------------------------- mistakes


def test_mistakes_are_cards_whose_latest_answer_was_wrong_most_recent_first(
    store: ScoreStore, clock: Clock
) -> None:
    ann = store.add_learner("Ann").id
    first = start(store, ann)
    answer(store, first, "a", correct=False)
    clock.advance(minutes=1)
    answer(store, first, "b", correct=False)
    clock.advance(minutes=1)
    answer(store, first, "c", correct=True)
    store.finish_attempt(first, 1, 3, None)
    # A later session: "a" is right now, "c" wrong now, and a clonazepam card wrong.
    second = start(store, ann)
    clock.advance(days=2)
    answer(store, second, "a", correct=True)
    clock.advance(minutes=1)
    answer(store, second, "c", correct=False)
    other = start(store, ann, "clonazepam")
    clock.advance(minutes=1)
    answer(store, other, "x", deck_id="clonazepam", correct=False)

    found = [(m.deck_id, m.card_id) for m in store.mistakes(ann)]
    assert found == [("clonazepam", "x"), ("diazepam", "c"), ("diazepam", "b")]
    assert [m.card_id for m in store.mistakes(ann, "diazepam")] == ["c", "b"]
    assert store.mistakes(ann)[0].answered_at == clock()
    # Discarding the later session brings back what the first one said.
    store.discard_attempt(second)
    assert [m.card_id for m in store.mistakes(ann, "diazepam")] == ["b", "a"]


def test_card_answers_are_the_learners_answers_to_that_card_newest_first(
    store: ScoreStore, clock: Clock
) -> None:
    ann, bob = store.add_learner("Ann").id, store.add_learner("Bob").id
    answer(store, start(store, ann), "a", correct=False, elapsed_ms=4200)
    first_at = clock()
    clock.advance(hours=1)
    # A later attempt: an attempt takes one answer per card.
    attempt_id = start(store, ann)
    answer(store, attempt_id, "a", correct=True, elapsed_ms=1800)
    answer(store, attempt_id, "b")
    answer(store, start(store, bob), "a")
    history = store.card_answers(ann, "diazepam", "a")
    assert [(h.correct, h.elapsed_ms, h.mode) for h in history] == [
        (True, 1800, "practice"),
        (False, 4200, "practice"),
    ]
    assert history[1].answered_at == first_at
    assert store.card_answers(ann, "clonazepam", "a") == []


# --------------------------------------------------------------------------- suspending


def test_suspending_is_kept_per_learner_and_can_be_undone(store: ScoreStore) -> None:
    ann, bob = store.add_learner("Ann").id, store.add_learner("Bob").id
    assert store.suspend_card(ann, "diazepam", "fc-1", True) is True
    assert store.suspend_card(ann, "diazepam", "fc-1", True) is True  # twice: no error
    assert store.suspended_cards(ann, "diazepam") == {"fc-1"}
    assert store.suspended_cards(bob, "diazepam") == set()
    assert store.suspended_cards(ann, "clonazepam") == set()
    assert store.suspend_card(ann, "diazepam", "fc-1", False) is False
    assert store.suspended_cards(ann, "diazepam") == set()


def test_deleting_a_learner_backs_up_and_removes_their_suspensions(
    store: ScoreStore, db: Path
) -> None:
    ann = store.add_learner("Ann").id
    store.suspend_card(ann, "diazepam", "fc-1", True)
    answer(store, start(store, ann), "a", correct=False)
    backup = store.delete_learner(ann)
    document = json.loads(backup.read_text(encoding="utf-8"))
    assert [row["card_id"] for row in document["suspended_cards"]] == ["fc-1"]
    with raw(db) as conn:
        for table in ("suspended_cards", "latest_answers", "activity_counts"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


# --------------------------------------------------------------------------- per-day activity


def test_daily_activity_counts_local_days(db: Path, clock: Clock) -> None:
    # UTC-5: 03:00 UTC on 2 March is still 1 March locally.
    with local_timezone("XST5"):
        store = ScoreStore.open(db, now=clock)
        ann = store.add_learner("Ann").id
        attempt_id = start(store, ann)
        clock.moment = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
        answer(store, attempt_id, "a", correct=True)
        clock.moment = datetime(2025, 3, 2, 3, 0, tzinfo=UTC)
        answer(store, attempt_id, "b", correct=False)
        clock.moment = datetime(2025, 3, 2, 5, 14, tzinfo=UTC)  # 00:14 on 2 March locally
        answer(store, attempt_id, "c", correct=True)
        review(store, ann, "fc", clock(), first=True)
        days = store.daily_activity(ann, datetime(2025, 3, 1, 5, 0, tzinfo=UTC))
        assert [(d.day, d.answered, d.correct, d.reviewed) for d in days] == [
            (date(2025, 3, 1), 2, 1, 0),
            (date(2025, 3, 2), 1, 1, 1),
        ]
        assert days[0].accuracy == 0.5
        # From local midnight of 2 March on: the 1 March answers are left out.
        later = store.daily_activity(ann, datetime(2025, 3, 2, 5, 0, tzinfo=UTC))
        assert [d.day for d in later] == [date(2025, 3, 2)]


def test_due_counts_leave_out_suspended_cards(store: ScoreStore, clock: Clock) -> None:
    ann = store.add_learner("Ann").id
    for n in range(3):
        review(store, ann, f"fc-{n}", clock() + timedelta(days=n), first=True)
    store.suspend_card(ann, "diazepam", "fc-1", True)
    counts = store.due_counts(ann, clock() + timedelta(days=30))
    # Each card is due two days after its review.
    assert counts == {date(2025, 3, 3): 1, date(2025, 3, 5): 1}
    assert store.due_counts(ann, clock() + timedelta(days=3)) == {date(2025, 3, 3): 1}


# --------------------------------------------------------------------------- migration


def test_a_version_3_store_is_migrated_with_its_counts(db: Path, clock: Clock) -> None:
    old = ScoreStore._open(db, now=clock, target_version=3)
    ann = old.add_learner("Ann").id
    attempt_id = start(old, ann)
    answer(old, attempt_id, "a", correct=False)
    clock.advance(minutes=20)
    answer(old, attempt_id, "b", correct=True)
    review(old, ann, "fc", clock(), first=True)
    discarded = start(old, ann)
    answer(old, discarded, "c", correct=False)
    old.discard_attempt(discarded)
    assert old.schema_version() == 3

    store = ScoreStore.open(db, now=clock)
    assert store.schema_version() == SCHEMA_VERSION == len(MIGRATIONS) >= 5
    assert store.backed_up_to is not None and store.backed_up_to.exists()
    assert assert_kept_counts_match(db) == 2
    assert [m.card_id for m in store.mistakes(ann)] == ["a"]
    days = store.daily_activity(ann, START - timedelta(days=1))
    assert [(d.answered, d.correct, d.reviewed) for d in days] == [(2, 1, 1)]


def test_answered_hashes_still_reads_one_learners_attempts(store: ScoreStore, db: Path) -> None:
    # Schema 4 adds an index on answers by card; with the deck first, SQLite chose it for
    # `answered_hashes` and read every answer of the deck (60 ms at 100,000 answers).
    from quizapp.core.store.statistics import ANSWERED_HASHES_SQL

    with raw(db) as conn:
        plan = " | ".join(
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN " + ANSWERED_HASHES_SQL, {"learner": 1, "deck": "d"}
            )
        )
    assert "answers_by_attempt (attempt_id=? AND deck_id=?)" in plan, plan
