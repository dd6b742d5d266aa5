"""Statistics from a seeded store equal values worked out by hand (see `stats_seed`), and
deleting a learner backs up exactly the removed rows first.

Every expected number below is a literal derived from the table in `stats_seed`'s
docstring; the arithmetic is shown in comments, never recomputed by code under test.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from contextlib import closing
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from stats_seed import NOW, Seeded, seed

from quizapp.core.stats import LearnerStats, learner_stats
from quizapp.core.store import NotFoundError, ScoreStore


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "data" / "quizapp.db", tmp_path / "decks")


@pytest.fixture
def stats(seeded: Seeded) -> LearnerStats:
    return learner_stats(seeded.store, seeded.alice, seeded.decks, NOW, tz=UTC)


# --------------------------------------------------------------------------- decks


def test_accuracy_per_deck(stats: LearnerStats) -> None:
    seed_deck, old = stats.decks  # by title: "Seed deck: diazepam" < "Warfarin basics"
    assert (seed_deck.deck_id, seed_deck.title, seed_deck.loaded) == (
        "seed-deck",
        "Seed deck: diazepam",
        True,
    )
    # Answers: A1 5 + A2 5 + A3 5 + A5 1 = 16 (A4 discarded). Correct: A1 q-single and
    # q-typed = 2; A2 all but q-tf = 4; A3 all but q-single = 4; A5 none = 10.
    assert (seed_deck.answered, seed_deck.correct) == (16, 10)
    assert seed_deck.accuracy == 0.625
    # Stored title, since the deck is not loaded.
    assert (old.deck_id, old.title, old.loaded) == ("old-deck", "Warfarin basics", False)
    assert (old.answered, old.correct) == (3, 1)
    assert (stats.answered, stats.correct) == (19, 11)


def test_trend_over_finished_attempts_in_time_order(stats: LearnerStats, seeded: Seeded) -> None:
    seed_deck, old = stats.decks
    # A1 2/5, A2 4/5, A3 4/5; A4 discarded and A5 unfinished are not on the line.
    assert seed_deck.trend_values == [0.4, 0.8, 0.8]
    assert [p.attempt_id for p in seed_deck.trend] == [
        seeded.attempts["A1"],
        seeded.attempts["A2"],
        seeded.attempts["A3"],
    ]
    assert [p.mode for p in seed_deck.trend] == ["practice", "exam", "exam"]
    assert seed_deck.trend[0].finished_at == datetime(2025, 3, 1, 9, 10, tzinfo=UTC)
    assert old.trend_values == [pytest.approx(1 / 3)]


def test_time_spent(stats: LearnerStats) -> None:
    seed_deck, old = stats.decks
    # A1 4000+6000+3000+5000+8000 = 26000; A2 2000+3000+2500+3500+4000 = 15000;
    # A3 1000+1500+1200+1800+2000 = 7500; A5 2200. Total 50700 (A4's 19998 left out).
    assert seed_deck.time_spent_ms == 50700
    assert old.time_spent_ms == 19000  # 10000 + 5000 + 4000
    assert stats.time_spent_ms == 69700


# --------------------------------------------------------------------------- topics


def test_accuracy_per_topic_in_deck_topic_order(stats: LearnerStats) -> None:
    rows = [(t.deck_id, t.topic, t.title, t.answered, t.correct) for t in stats.topics]
    assert rows == [
        # q-single 3 answers 2 right + q-typed 3 answers 3 right
        ("seed-deck", "mechanism", "How it works", 6, 5),
        # q-multi: w c c w
        ("seed-deck", "adverse-effects", "Side effects and warnings", 4, 2),
        # q-tf w w c + q-order w c c
        ("seed-deck", "stopping-safely", "Stopping safely", 6, 3),
        ("old-deck", "adverse-effects", "Side effects and warnings", 1, 0),
        ("old-deck", "uses", "What it is used for", 2, 1),
    ]


def test_weakest_topics(stats: LearnerStats) -> None:
    # At least 3 answers and below 100%: lowest accuracy first, more answers first on a
    # tie (stopping-safely 3/6 and adverse-effects 2/4 are both 50%). old-deck's topics
    # have 1 and 2 answers: too few to judge.
    assert [(t.deck_id, t.topic) for t in stats.weakest_topics] == [
        ("seed-deck", "stopping-safely"),
        ("seed-deck", "adverse-effects"),
        ("seed-deck", "mechanism"),
    ]


def test_weakest_topics_threshold_and_limit(seeded: Seeded) -> None:
    stats = learner_stats(
        seeded.store, seeded.alice, seeded.decks, NOW, tz=UTC, min_topic_answers=5, weakest=1
    )
    # Only the 6-answer topics qualify (mechanism 5/6, stopping-safely 3/6); the worst one.
    assert [t.topic for t in stats.weakest_topics] == ["stopping-safely"]
    everything = learner_stats(
        seeded.store, seeded.alice, seeded.decks, NOW, tz=UTC, min_topic_answers=1
    )
    # old-deck adverse-effects 0/1 is the weakest once one answer is enough.
    assert (everything.weakest_topics[0].deck_id, everything.weakest_topics[0].topic) == (
        "old-deck",
        "adverse-effects",
    )


# --------------------------------------------------------------------------- cards


def test_cards_missed_most(stats: LearnerStats) -> None:
    rows = [(m.deck_id, m.card_id, m.misses, m.answered, m.changed) for m in stats.most_missed]
    # Most misses first; then the larger share missed (q-tf 2/3 before q-multi 2/4;
    # w-bleed 1/1 before q-order 1/3); then deck id and card id.
    assert rows == [
        ("seed-deck", "q-tf", 2, 3, False),
        ("seed-deck", "q-multi", 2, 4, False),
        ("old-deck", "w-bleed", 1, 1, False),
        ("old-deck", "w-diet", 1, 1, False),
        ("seed-deck", "q-order", 1, 3, True),
        ("seed-deck", "q-single", 1, 3, False),
    ]
    assert stats.most_missed[0].prompt == "You can stop diazepam on your own all at once."
    assert stats.most_missed[2].prompt is None  # old-deck is not loaded
    assert stats.most_missed[0].topic == "stopping-safely"


def test_most_missed_limit(seeded: Seeded) -> None:
    stats = learner_stats(seeded.store, seeded.alice, seeded.decks, NOW, tz=UTC, most_missed=2)
    assert [m.card_id for m in stats.most_missed] == ["q-tf", "q-multi"]


def test_critical_items(stats: LearnerStats) -> None:
    rows = [
        (i.deck_id, i.card_id, i.answered, i.correct, i.latest_correct, i.status)
        for i in stats.critical
    ]
    assert rows == [
        # Deck order of the loaded deck's critical cards.
        ("seed-deck", "q-multi", 4, 2, False, "not-mastered"),  # latest: A5 wrong
        ("seed-deck", "q-tf", 3, 1, True, "mastered"),  # latest: A3 right
        ("seed-deck", "q-never", 0, 0, None, "never-answered"),
        # Not loaded: critical by the flag stored with its latest answer.
        ("old-deck", "w-bleed", 1, 0, False, "not-mastered"),
    ]
    assert [i.card_id for i in stats.critical_not_mastered] == ["q-multi", "w-bleed"]
    assert [i.card_id for i in stats.critical_never_answered] == ["q-never"]
    assert [i.card_id for i in stats.critical_mastered] == ["q-tf"]
    assert stats.critical[2].prompt == "Who should you call if breathing becomes very slow?"


def test_cards_changed_since_answered(stats: LearnerStats, seeded: Seeded) -> None:
    # q-order's latest answer (A3) carried a stale hash; q-typed's stale hash was on an
    # earlier answer only (A1), so it does not count.
    assert [(c.deck_id, c.card_id) for c in stats.changed_cards] == [("seed-deck", "q-order")]
    changed = stats.changed_cards[0]
    assert changed.answered_hash == "ffffffffffffffff"
    assert changed.current_hash == seeded.deck.card("q-order").content_hash()
    assert changed.prompt == "Put the steps of a safe taper in order."
    assert stats.is_changed("seed-deck", "q-order")
    assert not stats.is_changed("seed-deck", "q-typed")


# --------------------------------------------------------------------------- flashcards


def test_flashcard_retention(stats: LearnerStats) -> None:
    cards = stats.flashcards
    assert cards.reviews == 7
    # Repeat reviews: f-gaba r1 (03-02), f-gaba r3 (03-05), f-two r4, f-old r2 -> 4;
    # rated above Again: 3.
    assert (cards.repeat_reviews, cards.recalled) == (4, 3)
    assert cards.retention == 0.75


def test_reviews_per_day_last_14_days_utc(stats: LearnerStats) -> None:
    per_day = {d.day: d.reviews for d in stats.flashcards.per_day}
    assert list(per_day) == [date(2025, 3, d) for d in range(1, 15)]
    assert per_day == {
        date(2025, 3, 1): 1, date(2025, 3, 2): 1, date(2025, 3, 3): 0, date(2025, 3, 4): 0,
        date(2025, 3, 5): 2, date(2025, 3, 6): 0, date(2025, 3, 7): 0, date(2025, 3, 8): 0,
        date(2025, 3, 9): 0, date(2025, 3, 10): 1, date(2025, 3, 11): 0, date(2025, 3, 12): 0,
        date(2025, 3, 13): 0, date(2025, 3, 14): 1,
    }  # fmt: skip


def test_reviews_per_day_use_the_local_date(seeded: Seeded) -> None:
    plus_two = timezone(timedelta(hours=2))
    stats = learner_stats(seeded.store, seeded.alice, seeded.decks, NOW, tz=plus_two)
    per_day = {d.day: d.reviews for d in stats.flashcards.per_day}
    # f-two 03-10 23:30 UTC is 03-11 01:30 at UTC+2.
    assert per_day[date(2025, 3, 10)] == 0
    assert per_day[date(2025, 3, 11)] == 1
    assert per_day[date(2025, 3, 14)] == 1


def test_other_learner_is_separate(seeded: Seeded) -> None:
    bob = learner_stats(seeded.store, seeded.bob, seeded.decks, NOW, tz=UTC)
    assert (bob.answered, bob.correct, bob.time_spent_ms) == (2, 1, 2000)
    (deck,) = bob.decks
    assert deck.trend == ()  # unfinished only
    assert (bob.flashcards.reviews, bob.flashcards.repeat_reviews) == (1, 0)
    assert bob.flashcards.retention is None
    # q-single right, q-tf wrong; q-multi and q-never never answered.
    assert [(i.card_id, i.status) for i in bob.critical] == [
        ("q-multi", "never-answered"),
        ("q-tf", "not-mastered"),
        ("q-never", "never-answered"),
    ]


def test_learner_without_anything(seeded: Seeded) -> None:
    new = seeded.store.add_learner("Carol")
    stats = learner_stats(seeded.store, new.id, seeded.decks, NOW)
    assert stats.decks == () and stats.topics == () and stats.critical == ()
    assert stats.accuracy is None and stats.flashcards.retention is None
    assert sum(d.reviews for d in stats.flashcards.per_day) == 0


def test_without_decks_loaded_the_numbers_stay(seeded: Seeded) -> None:
    stats = learner_stats(seeded.store, seeded.alice, {}, NOW, tz=UTC)
    assert [(d.deck_id, d.answered, d.correct) for d in stats.decks] == [
        ("seed-deck", 16, 10),
        ("old-deck", 3, 1),
    ]
    assert stats.changed_cards == ()  # nothing to compare with
    # Critical by stored flags; q-never is unknown without the deck.
    assert [(i.card_id, i.status) for i in stats.critical] == [
        ("q-multi", "not-mastered"),
        ("q-tf", "mastered"),
        ("w-bleed", "not-mastered"),
    ]


def test_unknown_learner_and_naive_now(seeded: Seeded) -> None:
    with pytest.raises(NotFoundError):
        learner_stats(seeded.store, 999, seeded.decks, NOW)
    with pytest.raises(ValueError):
        learner_stats(seeded.store, seeded.alice, seeded.decks, datetime(2025, 3, 14))


# --------------------------------------------------------------------------- learner management


def _count(db: Path, sql: str, *args: object) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def test_delete_learner_backs_up_then_deletes(seeded: Seeded) -> None:
    store = seeded.store
    db = store.path
    backup = store.delete_learner(seeded.alice)

    assert backup.parent == db.parent
    assert backup.name.startswith("quizapp.db.deleted-learner-1-")
    assert backup.name.endswith(".json")
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    saved = json.loads(backup.read_text(encoding="utf-8"))
    assert saved["format"] == "quizapp-deleted-learner"
    assert saved["learner"]["name"] == "Alice"
    # Six attempts (A1-A5 and B1, discarded included), 5+5+3+5+2+1 = 21 answers,
    # 7 reviews over 3 cards.
    assert len(saved["attempts"]) == 6
    assert len(saved["answers"]) == 21
    assert len(saved["review_log"]) == 7
    assert sorted(s["card_id"] for s in saved["card_states"]) == ["f-gaba", "f-old", "f-two"]

    assert [learner.name for learner in store.learners()] == ["Bob"]
    assert _count(db, "SELECT count(*) FROM attempts WHERE learner_id = ?", seeded.alice) == 0
    assert _count(db, "SELECT count(*) FROM review_log WHERE learner_id = ?", seeded.alice) == 0
    assert _count(db, "SELECT count(*) FROM card_states WHERE learner_id = ?", seeded.alice) == 0
    assert _count(db, "SELECT count(*) FROM answers") == 2  # Bob's two remain
    assert _count(db, "SELECT count(*) FROM review_log") == 1


def test_delete_unknown_learner_writes_nothing(seeded: Seeded) -> None:
    before = set(seeded.store.path.parent.iterdir())
    with pytest.raises(NotFoundError):
        seeded.store.delete_learner(999)
    assert set(seeded.store.path.parent.iterdir()) == before


def test_delete_learner_keeps_everything_when_backup_fails(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quizapp.core.files as files_module
    import quizapp.core.store as store_module

    def refuse(path: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(files_module, "write_private_atomic", refuse)
    with pytest.raises(store_module.StoreError, match="Nothing was deleted"):
        seeded.store.delete_learner(seeded.alice)
    assert [learner.name for learner in seeded.store.learners()] == ["Alice", "Bob"]
    assert _count(seeded.store.path, "SELECT count(*) FROM answers") == 23


def test_learner_attempts_reads_one_learner_oldest_first(seeded: Seeded) -> None:
    attempts = seeded.store.learner_attempts(seeded.alice)
    a = seeded.attempts
    assert [x.id for x in attempts] == [a["A1"], a["A2"], a["B1"], a["A3"], a["A5"]]
    every = seeded.store.learner_attempts(seeded.alice, include_discarded=True)
    assert a["A4"] in [x.id for x in every]
    assert [n.card_id for n in attempts[0].answers] == [
        "q-single", "q-multi", "q-tf", "q-typed", "q-order",
    ]  # fmt: skip
    with pytest.raises(NotFoundError):
        ScoreStore.open(seeded.store.path).learner_attempts(999)
