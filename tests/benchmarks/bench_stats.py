"""(5) Statistics queries on a store with 100,000 answers (each < 50 ms), and the History
screen's reads (issue 18: <= 20 ms each).

The store is filled through its own API for learners and attempts; the answers go in with
one `executemany` in a single transaction (recording 100,000 answers one commit at a time
would take minutes and measures nothing here). One learner owns nearly all of them: the
worst case for every per-learner query. Each query is timed over fresh calls (every call
opens its connection, as in the app); the median is reported.

The History screen reads a page at a time: opening it counts the attempts and reads the
first page; scrolling on reads the page after the last row shown. Those reads have the
issue's target. The whole history in one call is still reported, for comparison and
because exports need it, without a target: no screen reads it any more.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizapp.core.progress import load_progress
from quizapp.core.store import HISTORY_PAGE_SIZE, CardFilters, ScoreStore, to_db_time
from tests.benchmarks.common import Result, median, timed

HISTORY_TARGET_MS = 20
"""Issue 18: the History screen's reads of a learner with 100,000 answers."""

QUERY_TARGET_MS = 50
"""Every other statistics query."""

TOPICS = ("mechanism", "uses", "adverse-effects", "stopping-safely", "daily-use", "emergencies")


def build_store(
    path: Path, answers: int = 100_000, per_attempt: int = 50, decks: int = 5
) -> tuple[ScoreStore, int, str]:
    """A store with `answers` answers; returns it, the main learner's id and a deck id."""
    store = ScoreStore.open(path)
    learner = store.get_or_create_learner("Busy")
    other = store.get_or_create_learner("Occasional")
    rng = random.Random(5)
    attempts = max(1, answers // per_attempt)
    rows = []
    start = datetime(2025, 1, 1, tzinfo=UTC)
    attempt_ids = []
    for n in range(attempts):
        deck = f"deck-{n % decks}"
        owner = other.id if n % 100 == 99 else learner.id
        attempt = store.start_attempt(
            owner, deck, "1.0.0", f"Deck {n % decks}", "practice", {"cards": []}
        )
        attempt_ids.append((attempt, deck, n))
    with sqlite3.connect(path) as conn:
        for attempt, deck, n in attempt_ids:
            # One answer per card in an attempt (schema v4 refuses a second); which 50 of
            # the 500 cards is still random.
            first_card = rng.randrange(500)
            for k in range(per_attempt):
                correct = rng.random() < 0.7
                rows.append(
                    (
                        attempt,
                        deck,
                        f"card-{(first_card + k) % 500}",
                        f"{rng.getrandbits(64):016x}",
                        TOPICS[k % len(TOPICS)],
                        int(k % 9 == 0),
                        json.dumps("answer"),
                        int(correct),
                        1.0 if correct else 0.0,
                        1000 + k,
                        to_db_time(start + timedelta(minutes=n * per_attempt + k)),
                    )
                )
        conn.executemany(
            "INSERT INTO answers (attempt_id, deck_id, card_id, card_hash, topic, critical,"
            " response_json, correct, points, elapsed_ms, answered_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.close()
    for attempt, _, n in attempt_ids:
        if n % 40 == 39:
            store.discard_attempt(attempt)
        elif n % 40 != 38:  # a few stay unfinished
            store.finish_attempt(attempt, 35.0, float(per_attempt), None)
    return store, learner.id, "deck-0"


def bench_stats(workdir: Path, *, answers: int = 100_000, reps: int = 15) -> list[Result]:
    store, learner, deck = build_store(workdir / "stats.db", answers=answers)
    end = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=answers + 1)
    page = HISTORY_PAGE_SIZE
    # A page far back: where the History screen is after 20 pages (or the oldest page
    # of a smaller store).
    far_back = store.history(learner, page * 20)[-1]

    def history_opens() -> None:  # what the History screen reads when it opens
        store.history_count(learner)
        store.history(learner, page)

    history_reads: dict[str, Callable[[], object]] = {
        f"History screen opens: history_count + first page of {page}": history_opens,
        f"History screen, next page of {page} after 20 pages": lambda: store.history(
            learner, page, before=far_back
        ),
    }
    untargeted: dict[str, Callable[[], object]] = {
        "history(learner), every attempt in one call (for comparison; no screen reads it)": (
            lambda: store.history(learner)
        ),
    }
    queries: dict[str, Callable[[], object]] = {
        **history_reads,
        **untargeted,
        "deck_scores(learner)": lambda: store.deck_scores(learner),
        "topic_accuracy(learner)": lambda: store.topic_accuracy(learner),
        "topic_accuracy(learner, deck)": lambda: store.topic_accuracy(learner, deck),
        "answered_hashes(learner, deck)": lambda: store.answered_hashes(learner, deck),
        "unfinished_attempts(learner)": lambda: store.unfinished_attempts(learner),
        "unfinished_attempts(learner, deck)": lambda: store.unfinished_attempts(learner, deck),
        # Issue 15: the statistics charts (two queries: a year of days, the due forecast),
        # the mistakes quiz, a card's answers, and a browser search with learner filters.
        # "Now" is the end of the stored answers, so the year holds every one of them.
        "load_progress(learner)": lambda: load_progress(store, learner, end),
        "mistakes(learner)": lambda: store.mistakes(learner),
        "card_answers(learner, deck, card)": lambda: store.card_answers(learner, deck, "card-1"),
        "search_cards(wrong_only)": lambda: store.search_cards(
            CardFilters(text="card", wrong_only=True), learner, end
        ),
    }
    results = []
    for name, query in queries.items():
        query()  # warm the page cache
        ms = median([timed(query) for _ in range(reps)]) * 1000
        target: float | None = QUERY_TARGET_MS
        if name in history_reads:
            target = HISTORY_TARGET_MS
        elif name in untargeted:
            target = None
        results.append(Result(f"(5) {name}, {answers:,} answers", ms, "ms", target_value=target))
    return results


if __name__ == "__main__":  # pragma: no cover
    with tempfile.TemporaryDirectory() as tmp:
        for result in bench_stats(Path(tmp)):
            print(result.line())
